"""Who does the tasks: dramatiq workers on a broker, or local processes in the embedded default.

    NOTIFIER_BROKER_URL=redis://host:6379/0 dramatiq notifier.workers --processes 2 --threads 1

starts workers for the actors below on any machine that reaches the database and broker.
Every actor receives a task id (never personal data) and calls `pipeline.execute`; the
task row in the database decides whether there is anything to do. The one exception is
`receive_decision`, the entry point for a deciding system that sends decisions as messages.

Without a broker (NOTIFIER_BROKER_URL unset), `run_locally` executes the same tasks in this
process or in `jobs` child processes, and `render_locally` renders letters in `jobs`
processes. This module is an edge: it opens the sessions (one per task, in the process that
does it) and hands them to the pipeline's functions.
"""

from __future__ import annotations

import logging
import multiprocessing
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, as_completed, wait
from datetime import date
from typing import Callable

import dramatiq
from dramatiq.brokers.stub import StubBroker
from notifier.db import session_for
from notifier.errors import ConfigError, StorageError
from notifier.process import start_process
from notifier.intake.consume import store_message
from notifier.letters.renderer import Renderer
from notifier.letters.store import Progress, RenderResult, render_letters, render_range, render_ranges
from notifier.models import RunStage
from notifier.batches.store import BatchSummary
from notifier.pipeline import Enqueued, execute, printed_batch, start_print, start_step
from notifier.settings import Settings, get_settings
from notifier.tasks import steps_of, worker_name

log = logging.getLogger(__name__)


def broker_for(url: str) -> dramatiq.Broker:
    if url.startswith(("redis://", "rediss://")):
        from dramatiq.brokers.redis import RedisBroker

        return RedisBroker(url=url)
    if url.startswith(("amqp://", "amqps://")):
        from dramatiq.brokers.rabbitmq import RabbitmqBroker

        return RabbitmqBroker(url=url)
    raise ConfigError(f"NOTIFIER_BROKER_URL must start with redis:// or amqp://, not '{url.split(':')[0]}:'", todo="see README 'Running at scale'")


class LoggingSetup(dramatiq.Middleware):
    """Each dramatiq worker process logs through notifier.logs (level, owner-only file, quiet libraries)."""

    def after_process_boot(self, broker: dramatiq.Broker) -> None:
        start_process(stderr=False)  # dramatiq's own handler already carries stderr to its parent


_settings = get_settings()
broker = broker_for(_settings.broker_url) if _settings.broker_url else StubBroker()
broker.add_middleware(LoggingSetup())
dramatiq.set_broker(broker)
# Retries are counted in the database (task_max_attempts); dramatiq only brings the message back soon.
ACTOR_OPTIONS = {"queue_name": _settings.queue_name, "max_retries": _settings.task_max_attempts + 2, "min_backoff": 200, "max_backoff": 5000}


def _execute(task_id: int) -> None:
    settings = get_settings()
    send_tasks(settings.database_url, _execute_task(settings.database_url, settings, task_id))


def _execute_task(url: str, settings: Settings, task_id: int) -> list[int]:
    """One task in a session of its own; returns the tasks of a stage it completed."""
    with session_for(url) as session:
        return execute(session, settings, task_id, worker_name())


@dramatiq.actor(**ACTOR_OPTIONS)
def import_chunk(task_id: int) -> None:
    """Validates and stores one chunk of a staged file."""
    _execute(task_id)


@dramatiq.actor(**ACTOR_OPTIONS)
def verify_chunk(task_id: int) -> None:
    """Checks the addresses of a range of notices."""
    _execute(task_id)


@dramatiq.actor(**ACTOR_OPTIONS)
def render_chunk(task_id: int) -> None:
    """Renders the letters due for a range of notices."""
    _execute(task_id)


@dramatiq.actor(**ACTOR_OPTIONS)
def write_print_file(task_id: int) -> None:
    """Writes one print file of a batch; the last one done queues `finish_print`."""
    _execute(task_id)


@dramatiq.actor(**ACTOR_OPTIONS)
def finish_print(task_id: int) -> None:
    """Writes a batch's manifest and cover sheet and marks it printed."""
    _execute(task_id)


@dramatiq.actor(**ACTOR_OPTIONS)
def receive_decision(decision: dict) -> None:
    """One decision object from the deciding system (README 'Receiving decisions as messages')."""
    with session_for(get_settings().database_url) as session:
        store_message(session, decision)


ACTORS = {RunStage.IMPORT: import_chunk, RunStage.VERIFY: verify_chunk, RunStage.RENDER: render_chunk, RunStage.PRINT: write_print_file, RunStage.FINISH: finish_print}


def send_tasks(url: str, task_ids: list[int]) -> None:
    """One message per task, to the actor of its step."""
    steps = _steps(url, task_ids)
    for task_id in task_ids:
        ACTORS[steps[task_id]].send(task_id)


# --- the embedded default: the same tasks, no broker ---------------------------------------


def _start_task_process() -> None:
    """A spawned task process's start. Defined here, so that unpickling it imports this module
    and everything its tasks use before start_process freezes the heap."""
    start_process()


def run_locally(url: str, settings: Settings, task_ids: list[int], *, jobs: int = 1, on_done: Callable[[int], None] | None = None) -> None:
    """Executes the tasks and every task the finished stages plan, until none is left.

    With `jobs` > 1 every task goes to `jobs` spawned processes, import tasks too: SQLite
    takes one writer at a time, but a chunk is read and validated before its writes, so two
    processes import a file in about two thirds of the time of one (bench/e2e.py); chunks
    that meet on a person collide, roll back and try again (pipeline._import). A task that
    fails is tried again until it is parked.
    """
    pending = list(task_ids)
    context = multiprocessing.get_context("spawn")
    with ProcessPoolExecutor(max_workers=max(jobs, 1), mp_context=context, initializer=_start_task_process) if jobs > 1 else _InProcess() as pool:
        running: dict[Future, int] = {}
        while pending or running:
            while pending:
                batch, pending = pending, []
                steps = _steps(url, batch)
                for task_id in batch:
                    if jobs > 1:
                        running[pool.submit(_execute_in_child, url, settings, task_id)] = task_id
                    else:
                        pending.extend(_execute_here(url, settings, task_id, on_done))
            if running:
                finished, _ = wait(running, return_when=FIRST_COMPLETED)
                for future in finished:
                    task_id = running.pop(future)
                    try:
                        pending.extend(future.result())
                    except Exception as exc:
                        if _fails_again_at_once(exc):
                            raise
                        pending.append(task_id)  # queued for another attempt
                    if on_done:
                        on_done(task_id)


def _execute_here(url: str, settings: Settings, task_id: int, on_done: Callable[[int], None] | None) -> list[int]:
    try:
        new = _execute_task(url, settings, task_id)
    except Exception as exc:
        if _fails_again_at_once(exc):
            raise
        return [task_id]  # queued for another attempt; execute parks it once attempts run out
    if on_done:
        on_done(task_id)
    return new


def _fails_again_at_once(exc: Exception) -> bool:
    """A failure another attempt here would meet again at once: a full disk stays full. The command
    stops and says so instead; the task stays queued for the same command (or `resume`) later."""
    return StorageError.from_os_error(exc) is not None


def _execute_in_child(url: str, settings: Settings, task_id: int) -> list[int]:
    return _execute_task(url, settings, task_id)  # the worker is named here: the child's own pid


def _steps(url: str, task_ids: list[int]) -> dict[int, str]:
    with session_for(url) as session:
        return steps_of(session, task_ids)


def dispatch(url: str, settings: Settings, task_ids: list[int], *, jobs: int = 1, on_done: Callable[[int], None] | None = None) -> None:
    """Sends the tasks to the broker, or does them here (in `jobs` processes) when there is none."""
    if settings.broker_url:
        send_tasks(url, task_ids)
    else:
        run_locally(url, settings, task_ids, jobs=jobs, on_done=on_done)


def enqueue_step(url: str, settings: Settings, kind: str) -> Enqueued:
    """`addresses verify` or `letters render` on a broker: plans a run of that step and sends its tasks."""
    with session_for(url) as session:
        run_id, task_ids = start_step(session, settings, kind)
    send_tasks(url, task_ids)
    return Enqueued(run_id, task_ids)


def enqueue_print(url: str, settings: Settings, batch_id: int, actor: str) -> Enqueued:
    """`batches print` on a broker: one task per print file, then the manifest and cover, all done by the workers."""
    with session_for(url) as session:
        run_id, task_ids = start_print(session, settings, batch_id, actor)
    send_tasks(url, task_ids)
    return Enqueued(run_id, task_ids, batch_id)


def print_locally(url: str, settings: Settings, batch_id: int, actor: str, *, jobs: int = 1) -> BatchSummary:
    """`batches print` without a broker: the same print run, its tasks done here (in `jobs` processes).

    Refused, before anything is written, when the batch is neither frozen nor printed; the
    batch's summary once every file is written.
    """
    with session_for(url) as session:
        run_id, task_ids = start_print(session, settings, batch_id, actor)
    run_locally(url, settings, task_ids, jobs=jobs)
    with session_for(url) as session:
        return printed_batch(session, run_id)


class _InProcess:
    """Stands in for a process pool when jobs is 1 (nothing is submitted to it)."""

    def __enter__(self) -> "_InProcess":
        return self

    def __exit__(self, *exc) -> None:
        return None


# --- rendering in local processes (`letters render --jobs N` without a broker) ---------------


def render_locally(
    url: str,
    settings: Settings,
    jobs: int,
    on_progress: Progress = None,
    limit: int | None = None,
    *,
    chunk: int = 500,
    today: date | None = None,
) -> RenderResult:
    """Renders every letter that is due, in this process (jobs <= 1) or in `jobs` child processes."""
    today = today or date.today()  # one letter date for every process
    if jobs <= 1:
        with session_for(url) as session:
            return render_letters(session, Renderer.from_settings(settings, today), chunk=chunk, limit=limit, on_progress=on_progress)
    with session_for(url) as session:
        ranges = render_ranges(session, jobs, limit)
    result = RenderResult({}, settings.output_dir)
    context = multiprocessing.get_context("spawn")  # a fresh interpreter: no database connection is shared
    with ProcessPoolExecutor(max_workers=jobs, mp_context=context, initializer=_start_task_process) as pool:
        futures = [pool.submit(_render_range_in_process, url, settings, today, low, high, chunk) for low, high in ranges]
        for future in as_completed(futures):
            counts, examined = future.result()
            result.add(counts)
            if on_progress:
                on_progress(examined)
    return result


def _render_range_in_process(url: str, settings: Settings, today: date, low: int, high: int, chunk: int) -> tuple[dict[str, int], int]:
    """One child's range; the notices it examined are reported when it is done (a child cannot move the parent's bar)."""
    examined = [0]
    with session_for(url) as session:
        counts = render_range(session, Renderer.from_settings(settings, today), low, high, chunk, lambda n: examined.__setitem__(0, examined[0] + n))
    return counts, examined[0]
