"""Who does the tasks: dramatiq workers on a broker, or local processes in the embedded default.

    NOTIFIER_BROKER_URL=redis://host:6379/0 dramatiq notifier.workers --processes 2 --threads 1

starts workers for the actors below on any machine that reaches the database and broker.
Every actor receives a task id (never personal data) and calls `pipeline.execute`; the
task row in the database decides whether there is anything to do. The one exception is
`receive_decision`, the entry point for a deciding system that sends decisions as messages.

Without a broker (NOTIFIER_BROKER_URL unset), `run_locally` executes the same tasks in this
process or in `jobs` child processes.
"""

from __future__ import annotations

import logging
import multiprocessing
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from typing import Callable

import dramatiq
from dramatiq.brokers.stub import StubBroker
from sqlmodel import select

from notifier.db import session_for
from notifier.errors import ConfigError
from notifier.models import RunStage, Task
from notifier.pipeline import execute
from notifier.settings import Settings, get_settings
from notifier.tasks import worker_name

log = logging.getLogger(__name__)


def broker_for(url: str) -> dramatiq.Broker:
    if url.startswith(("redis://", "rediss://")):
        from dramatiq.brokers.redis import RedisBroker

        return RedisBroker(url=url)
    if url.startswith(("amqp://", "amqps://")):
        from dramatiq.brokers.rabbitmq import RabbitmqBroker

        return RabbitmqBroker(url=url)
    raise ConfigError(f"NOTIFIER_BROKER_URL must start with redis:// or amqp://, not '{url.split(':')[0]}:'", todo="see README 'Running at scale'")


_settings = get_settings()
broker = broker_for(_settings.broker_url) if _settings.broker_url else StubBroker()
dramatiq.set_broker(broker)
# Retries are counted in the database (task_max_attempts); dramatiq only brings the message back soon.
ACTOR_OPTIONS = {"queue_name": _settings.queue_name, "max_retries": _settings.task_max_attempts + 2, "min_backoff": 200, "max_backoff": 5000}


def _execute(task_id: int) -> None:
    settings = get_settings()
    send_tasks(settings.database_url, execute(settings.database_url, settings, task_id, worker_name()))


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
    from notifier.intake.consume import store_message

    store_message(get_settings().database_url, decision)


ACTORS = {RunStage.IMPORT: import_chunk, RunStage.VERIFY: verify_chunk, RunStage.RENDER: render_chunk, RunStage.PRINT: write_print_file, RunStage.FINISH: finish_print}


def send_tasks(url: str, task_ids: list[int]) -> None:
    """One message per task, to the actor of its step."""
    steps = steps_of(url, task_ids)
    for task_id in task_ids:
        ACTORS[steps[task_id]].send(task_id)


# --- the embedded default: the same tasks, no broker ---------------------------------------


def run_locally(url: str, settings: Settings, task_ids: list[int], *, jobs: int = 1, on_done: Callable[[int], None] | None = None) -> None:
    """Executes the tasks and every task the finished stages plan, until none is left.

    Import tasks run in this process one after another (SQLite has one writer); the others
    go to `jobs` spawned processes. A task that fails is tried again until it is parked.
    """
    pending = list(task_ids)
    context = multiprocessing.get_context("spawn")
    with ProcessPoolExecutor(max_workers=max(jobs, 1), mp_context=context) if jobs > 1 else _InProcess() as pool:
        running: dict[Future, int] = {}
        while pending or running:
            while pending:
                batch, pending = pending, []
                steps = steps_of(url, batch)
                for task_id in batch:
                    if jobs > 1 and steps[task_id] != RunStage.IMPORT:
                        running[pool.submit(_execute_in_child, url, settings, task_id)] = task_id
                    else:
                        pending.extend(_execute_here(url, settings, task_id, on_done))
            if running:
                finished, _ = wait(running, return_when=FIRST_COMPLETED)
                for future in finished:
                    task_id = running.pop(future)
                    try:
                        pending.extend(future.result())
                    except Exception:
                        pending.append(task_id)  # queued for another attempt
                    if on_done:
                        on_done(task_id)


def _execute_here(url: str, settings: Settings, task_id: int, on_done: Callable[[int], None] | None) -> list[int]:
    try:
        new = execute(url, settings, task_id, worker_name())
    except Exception:
        return [task_id]  # queued for another attempt; execute parks it once attempts run out
    if on_done:
        on_done(task_id)
    return new


def _execute_in_child(url: str, settings: Settings, task_id: int) -> list[int]:
    return execute(url, settings, task_id, worker_name())  # named here: the child's own pid


def steps_of(url: str, task_ids: list[int]) -> dict[int, str]:
    """Each task's step (which actor, or whether it may leave this process), in one query."""
    if not task_ids:
        return {}
    with session_for(url) as session:
        return dict(session.execute(select(Task.id, Task.step).where(Task.id.in_(task_ids))).all())


class _InProcess:
    """Stands in for a process pool when jobs is 1 (nothing is submitted to it)."""

    def __enter__(self) -> "_InProcess":
        return self

    def __exit__(self, *exc) -> None:
        return None
