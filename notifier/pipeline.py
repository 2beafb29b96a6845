"""Runs: a file carried through import -> verify -> render, or a batch's print files, as tasks.

Whoever executes a task (a dramatiq worker, or a local process in the embedded default)
opens a session and calls `execute(session, settings, task_id, worker)`. It claims the task,
does one step over the task's range with the same functions the one-shot commands use, and
marks it done. The worker that finishes a stage's last task plans the next stage (one
conditional UPDATE decides who), so a run moves on by itself, on any number of machines,
with the database as the only coordinator.

Every function here takes a session and commits what it decided before it returns: a claim
must be visible to other workers before the work starts, and a failure is recorded after the
work was rolled back.
"""

from __future__ import annotations

import logging
import time
import traceback
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Callable

import sqlalchemy as sa
from sqlmodel import Session, select

from notifier.addresses.check import ZipDatabaseVerifier
from notifier.addresses.store import stale_notice_ids, verify_notices
from notifier.batches.preflight import PreflightReport, preflight_folder
from notifier.batches.printfiles import batch_folder, file_count, write_manifest_and_cover, write_print_file
from notifier.batches.store import BatchConfig, BatchSummary, check_printable, complete_print, get_batch, show_batch
from notifier.db import executemany
from notifier.errors import NotFoundError, NotifierError, WrongStateError, describe
from notifier.intake.importer import complete_run, start_run as start_import_run, store_chunk
from notifier.intake.mapping import Mapping
from notifier.intake.readers import Record, open_source
from notifier.intake.rules import Problem
from notifier.letters.readback import FileCheck, PrintProblem
from notifier.letters.renderer import Renderer
from notifier.letters.store import mailable_notice_ids, render_range
from notifier.models import Batch, ImportRun, Run, RunKind, RunStage, StagedRecord, Task, TaskState, utcnow
from notifier.settings import Settings
from notifier.tasks import add_tasks, chunk_ranges, claim, mark_done, mark_failed, start_run, step_counts, sweep, task_totals

log = logging.getLogger(__name__)

STAGING = "staging"  # a run whose file is still being read; not yet visible to workers
STAGES = {  # each kind of run goes through its stages in this order
    RunKind.PIPELINE: (RunStage.IMPORT, RunStage.VERIFY, RunStage.RENDER, RunStage.DONE),
    RunKind.VERIFY: (RunStage.VERIFY, RunStage.DONE),
    RunKind.RENDER: (RunStage.RENDER, RunStage.DONE),
    RunKind.PRINT: (RunStage.PRINT, RunStage.FINISH, RunStage.DONE),
}


def next_stage(kind: str, stage: str) -> str | None:
    stages = STAGES[kind]
    return stages[stages.index(stage) + 1] if stage in stages[:-1] else None


# --- starting runs --------------------------------------------------------------------------


def stage_file(
    session: Session,
    settings: Settings,
    path: Path,
    *,
    fmt: str | None,
    mapping: Mapping,
    encoding: str | None,
    on_bytes: Callable[[int], None] | None = None,
    actor: str = "import",
) -> tuple[int, list[int]]:
    """Reads the file once into staged records and plans one import task per chunk; returns (run id, task ids).

    The whole file is checked (encoding, header) before anything is written, as by `import`.
    """
    source = open_source(path, fmt=fmt, mapping=mapping, encoding=encoding)
    import_run_id = start_import_run(session, source.name, source.format, mapping.name)
    run_id = start_run(session, RunKind.PIPELINE, STAGING, import_run_id=import_run_id, requested_by=actor).id
    session.commit()
    seq, buffer = 0, []
    for record in source.records(on_bytes):
        seq += 1
        buffer.append({"run_id": run_id, "seq": seq, "line": record.line, "raw": record.raw, "row": record.row,
                       "problems": [p.as_dict() for p in record.problems], "kind": record.kind, "reason": record.reason})
        if len(buffer) >= 5000:
            _write_staged(session, buffer)
            buffer = []
    _write_staged(session, buffer)
    chunk_rows = settings.import_chunk_rows
    ids = add_tasks(session, run_id, RunStage.IMPORT, [(first, min(first + chunk_rows - 1, seq)) for first in range(1, seq + 1, chunk_rows)])
    session.execute(sa.update(Run).where(Run.id == run_id).values(stage=RunStage.IMPORT))
    session.commit()
    log.info("run %s staged %s records in %s import tasks", run_id, seq, len(ids))
    if not ids:  # an empty file: nothing to import, go straight on
        ids = advance(session, settings, run_id)
    return run_id, ids


def _write_staged(session: Session, rows: list[dict]) -> None:
    if rows:
        executemany(session, sa.insert(StagedRecord.__table__), rows)
        session.commit()


def start_print(session: Session, settings: Settings, batch_id: int, actor: str) -> tuple[int, list[int]]:
    """Plans one task per print file of a frozen (or printed) batch; the manifest and cover follow."""
    batch = get_batch(session, batch_id)
    check_printable(session, batch)
    files = file_count(session, batch, BatchConfig.load(settings).letters_per_file)
    run = start_run(session, RunKind.PRINT, RunStage.PRINT, batch_id=batch_id, requested_by=actor)
    ids = add_tasks(session, run.id, RunStage.PRINT, [(n, n) for n in range(1, files + 1)])
    session.commit()
    return run.id, ids


@dataclass(frozen=True)
class Enqueued:
    """A run whose tasks went to the workers: what a command on a broker reports, and how to follow it."""

    run_id: int
    task_ids: list[int]
    batch_id: int | None = None

    def as_dict(self) -> dict:
        return {"run_id": self.run_id, "queued": len(self.task_ids), **({"batch_id": self.batch_id} if self.batch_id is not None else {})}


def start_step(session: Session, settings: Settings, kind: str) -> tuple[int, list[int]]:
    """`addresses verify` or `letters render` on a broker: a run of that one step over every notice due."""
    run = start_run(session, kind, kind)
    ids = _plan(session, settings, run, "", kind)
    session.commit()
    return run.id, ids or advance(session, settings, run.id)


# --- doing one task -------------------------------------------------------------------------


def execute(session: Session, settings: Settings, task_id: int, worker: str) -> list[int]:
    """Does task `task_id` if no one else holds it; returns the tasks of a stage this completed.

    Raises when the attempt failed and the task is queued for another one; a task that has
    used up its attempts is parked as failed and this returns normally.
    """
    task = claim(session, task_id, worker, settings.task_lease_seconds)
    if task is None:
        log.info("task %s is done or held by another worker; nothing to do", task_id)
        return _advance_after(session, settings, task_id)
    run_id, step, attempts = task.run_id, task.step, task.attempts
    log.debug("task %s (%s %s-%s, run %s) claimed by %s, attempt %s", task_id, step, task.first_id, task.last_id, run_id, worker, attempts)
    started = time.monotonic()
    try:
        result = STEP_FUNCTIONS[step](session, settings, task, worker)
        if result is not None:  # else the step marked the task done in its own transaction
            mark_done(session, task, worker, result)
            session.commit()  # a commit that fails (a lost connection) is a failed attempt like any other
    except Exception as exc:
        session.rollback()
        where = "".join(traceback.format_list(traceback.extract_tb(exc.__traceback__)[-5:]))  # code lines, never the values
        state = mark_failed(session, task_id, worker, f"{describe(exc)}\n{where}", settings.task_max_attempts)
        log.warning("task %s (%s) failed on attempt %s: %s; now %s", task_id, step, attempts, type(exc).__name__, state)
        if state == TaskState.QUEUED:
            raise
        return []
    log.info("task %s (%s %s-%s) done in %.2f s", task_id, step, task.first_id, task.last_id, time.monotonic() - started)
    return advance(session, settings, run_id)


def _advance_after(session: Session, settings: Settings, task_id: int) -> list[int]:
    """A task found done may be the last of its stage, done by a worker that failed before it
    could move the run on (its connection was lost): moving on is safe to try again."""
    done = session.scalar(select(Task.run_id).where(Task.id == task_id, Task.state == TaskState.DONE))
    return advance(session, settings, done) if done is not None else []


def _import(session: Session, settings: Settings, task: Task, worker: str) -> None:
    """Imports the task's staged records; the task is marked done in the same transaction as the rows.

    Two workers importing rows of the same person at once can collide on a unique key (one
    open notice per person, one decision per decision_id); the loser rolls back, tries again
    and then finds the other's rows.
    """
    for attempt in range(8):
        try:
            run = session.get(Run, task.run_id)
            source_name = session.scalar(select(ImportRun.source_name).where(ImportRun.id == run.import_run_id))
            s = StagedRecord.__table__.c  # read as columns: an ORM object per row cost more than importing it
            staged = session.execute(
                sa.select(s.line, s.raw, s.row, s.problems, s.kind, s.reason)
                .where(s.run_id == task.run_id, s.seq >= task.first_id, s.seq <= task.last_id)
                .order_by(s.seq)
            ).all()
            records = [Record(r.line, r.raw, r.row, [Problem(**p) for p in r.problems], kind=r.kind, reason=r.reason) for r in staged]
            counts = store_chunk(session, run.import_run_id, source_name, records, date.today())
            if mark_done(session, task, worker, counts.__dict__):
                session.commit()
            else:  # our lease ran out and another worker took the chunk: its run counts, ours is undone
                session.rollback()
            return None
        except (sa.exc.IntegrityError, sa.exc.OperationalError) as exc:
            session.rollback()
            if attempt == 7:
                raise
            log.info("task %s collided with another worker (%s); trying again", task.id, type(exc.orig).__name__)
            time.sleep(0.05 * (attempt + 1))
    return None


def _verify(session: Session, settings: Settings, task: Task, worker: str) -> dict:
    return verify_notices(session, ZipDatabaseVerifier(), after=task.first_id - 1, up_to=task.last_id)


def _render(session: Session, settings: Settings, task: Task, worker: str) -> dict:
    return render_range(session, Renderer.from_settings(settings), task.first_id - 1, task.last_id)


def _print(session: Session, settings: Settings, task: Task, worker: str) -> dict:
    batch = _batch_of(session, task.run_id)
    return write_print_file(session, batch, Renderer.from_settings(settings), task.first_id, BatchConfig.load(settings).letters_per_file)


def _finish_print(session: Session, settings: Settings, task: Task, worker: str) -> None:
    """The manifest and cover sheet, then the preflight over every file: only a batch that passes is printed."""
    files = [t.result for t in session.exec(select(Task).where(Task.run_id == task.run_id, Task.step == RunStage.PRINT).order_by(Task.first_id))]
    batch = _batch_of(session, task.run_id)
    renderer = Renderer.from_settings(settings)
    files += write_manifest_and_cover(session, batch, renderer, files)
    read_by_writers = {Path(f["path"]).name: FileCheck(f["pages"], [PrintProblem(**p) for p in f["problems"]]) for f in files if "problems" in f}
    report = preflight_folder(batch_folder(settings, batch.id), renderer.geometry, batch.id, read_by_writers, renderer.endorsement.in_window)
    if report.ok:
        complete_print(session, batch, files, session.get(Run, task.run_id).requested_by)
    else:
        log.warning("batch %s failed preflight with %s problems; not marked printed", batch.id, len(report.problems))
    summary = report.as_dict()
    summary["problems"] = summary["problems"][:100]  # the first ones say what is wrong; `batches preflight` lists all
    mark_done(session, task, worker, {"files": len(files), "preflight": summary})
    session.commit()
    return None


def _batch_of(session: Session, run_id: int) -> Batch:
    batch = session.get(Batch, session.get(Run, run_id).batch_id)
    if batch is None:
        raise NotFoundError(f"run {run_id} has no batch")
    return batch


STEP_FUNCTIONS = {RunStage.IMPORT: _import, RunStage.VERIFY: _verify, RunStage.RENDER: _render, RunStage.PRINT: _print, RunStage.FINISH: _finish_print}


# --- moving a run on ------------------------------------------------------------------------


def advance(session: Session, settings: Settings, run_id: int) -> list[int]:
    """If the run's current stage has no unfinished task, moves it to the next stage and plans that.

    Returns the new tasks (to send or run). Safe to call from every worker after every task:
    the stage moves on in a conditional UPDATE, so exactly one caller plans the next stage.
    """
    run = session.get(Run, run_id, populate_existing=True)  # the stage as stored now, not as this session last saw it
    stage = run.stage
    while following := next_stage(run.kind, stage):
        unfinished = session.scalar(select(sa.func.count()).select_from(Task).where(Task.run_id == run_id, Task.step == stage, Task.state != TaskState.DONE))
        if unfinished:
            session.rollback()
            return []
        finished = {"finished_at": utcnow()} if following == RunStage.DONE else {}
        moved = session.execute(sa.update(Run).where(Run.id == run_id, Run.stage == stage).values(stage=following, **finished)).rowcount
        if moved != 1:
            session.rollback()
            return []  # another worker moved it on
        ids = _plan(session, settings, run, stage, following)
        session.commit()
        log.info("run %s: %s done, %s has %s tasks", run_id, stage, following, len(ids))
        if ids:
            return ids
        stage = following
    return []


def _plan(session: Session, settings: Settings, run: Run, finished: str, following: str) -> list[int]:
    if finished == RunStage.IMPORT:
        complete_run(session, run.import_run_id, run.requested_by or "import")
        session.execute(sa.delete(StagedRecord).where(StagedRecord.run_id == run.id))
    if following == RunStage.VERIFY:
        session.flush()
        return add_tasks(session, run.id, following, chunk_ranges(stale_notice_ids(session), settings.verify_task_notices))
    if following == RunStage.RENDER:
        return add_tasks(session, run.id, following, chunk_ranges(mailable_notice_ids(session), settings.render_task_notices))
    if following == RunStage.FINISH:
        return add_tasks(session, run.id, following, [(0, 0)])
    return []


def advance_all(session: Session, settings: Settings) -> list[int]:
    """Moves on every run whose stage finished while no one was there to notice (a worker died after its last task)."""
    unfinished = list(session.scalars(select(Run.id).where(Run.stage.not_in((RunStage.DONE, STAGING))).order_by(Run.id)))
    return [run_id for run_id in unfinished if advance(session, settings, run_id)]


@dataclass
class Resumed:
    """What `resume` did: claims expired, parked tasks retried, tasks to send, runs moved on."""

    expired: list[int]
    retried: list[int]
    queued: list[int]
    runs_moved_on: list[int]

    def as_dict(self) -> dict:
        return {"expired": len(self.expired), "retried": len(self.retried), "sent": len(self.queued), "runs_moved_on": self.runs_moved_on}


def resume(session: Session, settings: Settings, *, retry_failed: bool = False) -> Resumed:
    """The sweep: moves finished stages on, then collects every task to send again (queued, or its claim expired)."""
    moved = advance_all(session, settings)
    swept = sweep(session, retry_failed=retry_failed)
    return Resumed(swept["expired"], swept["retried"], swept["queued"], moved)


# --- watching ------------------------------------------------------------------------------


def run_summary(session: Session, run_id: int) -> dict:
    run = session.get(Run, run_id, populate_existing=True)
    if run is None:
        raise NotFoundError(f"no run {run_id}", todo="the status lists the runs in progress", action="status")
    return {
        "run_id": run.id,
        "kind": run.kind,
        "stage": run.stage,
        "import_run_id": run.import_run_id,
        "batch_id": run.batch_id,
        "done": run.stage == RunStage.DONE,
        "steps": step_counts(session, run_id),
    }


def moving(summary: dict) -> bool:
    """Some task of the run is still queued or being done."""
    return any(c["queued"] or c["in_progress"] for c in summary["steps"].values())


def stuck(summary: dict) -> bool:
    """Nothing moves and failed (parked) tasks keep the run from finishing: staff must fix and retry."""
    return not moving(summary) and any(c["failed"] for c in summary["steps"].values())


@dataclass
class RunReport:
    """A run as `run --json` prints it: the summary, task totals and, for a file, the import counts."""

    summary: dict
    totals: dict[str, int]
    imported: dict[str, int] | None = None
    stuck: bool = field(default=False)

    def as_dict(self) -> dict:
        t = self.totals
        result = {**self.summary, "queued": t["queued"], "in_progress": t["in_progress"], "failed": t["failed"], "tasks_done": t["done"]}
        if self.imported is not None:
            result["import"] = self.imported
        return result

    def problem(self) -> NotifierError | None:
        """Failed (parked) tasks that keep the run from finishing: an error to report after the figures."""
        if not self.stuck:
            return None
        return WrongStateError(
            f"run {self.summary['run_id']} has {self.totals['failed']} failed tasks and cannot finish",
            todo="see their errors in the status, fix the cause, then retry the failed tasks",
            action="resume.retry_failed",
        )


def run_report(session: Session, run_id: int, summary: dict | None = None) -> RunReport:
    summary = summary or run_summary(session, run_id)
    totals = task_totals(summary["steps"])
    imported = None
    if summary.get("import_run_id"):
        found = session.get(ImportRun, summary["import_run_id"], populate_existing=True)
        imported = {name: getattr(found, name) for name in ("read", "imported", "duplicates", "conflicts", "quarantined", "skipped", "not_final", "identity_conflicts")}
    return RunReport(summary, totals, imported, stuck=stuck(summary))


def printed_batch(session: Session, run_id: int) -> BatchSummary:
    """The batch a print run wrote, once the run is done; refused while its files are not all written."""
    summary = run_summary(session, run_id)
    if not summary["done"]:
        raise WrongStateError(
            f"printing batch {summary['batch_id']} did not finish (run {run_id})",
            todo="see the failed tasks' errors in the status, fix the cause, then retry them",
            action="resume.retry_failed",
        )
    report = print_preflight(session, run_id)
    if report and not report.ok:
        raise report.refusal()
    return show_batch(session, summary["batch_id"])


def print_preflight(session: Session, run_id: int) -> PreflightReport | None:
    """The preflight a print run did on the files it wrote (its first 100 problems); None until it is done."""
    finish = session.exec(select(Task).where(Task.run_id == run_id, Task.step == RunStage.FINISH)).first()
    preflight = (finish.result or {}).get("preflight") if finish else None
    return PreflightReport.from_dict(preflight) if preflight else None


def latest_print_run(session: Session, batch_id: int) -> int | None:
    """The batch's newest print run (a page follows its progress); None before the first."""
    return session.scalar(select(Run.id).where(Run.batch_id == batch_id, Run.kind == RunKind.PRINT).order_by(Run.id.desc()).limit(1))
