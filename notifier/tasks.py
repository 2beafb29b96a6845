"""Tasks in the database: the ledger that makes a broker's at-least-once delivery safe.

A message names a task id and nothing else. A worker *claims* the task with one
conditional UPDATE (queued, or claimed by someone whose lease ran out), so however many
copies of a message arrive, one worker at a time does the work; a worker killed mid-task
leaves a claim that expires, and `notifier resume` sends the task again. A task that fails
`task_max_attempts` times is parked as failed, with its error, until staff retry it.
"""

from __future__ import annotations

import os
import socket
from datetime import datetime, timedelta

import sqlalchemy as sa
from sqlmodel import Session, select

from notifier.db import insert_ignoring_duplicates
from notifier.models import Run, Task, TaskState, utcnow

STEPS = ("import", "verify", "render", "print", "finish")


def worker_name() -> str:
    """Who holds a claim: enough to find the process (host and pid), nothing personal."""
    return f"{socket.gethostname()}:{os.getpid()}"


def start_run(session: Session, kind: str, stage: str, **links: int | str | None) -> Run:
    run = Run(kind=kind, stage=stage, started_at=utcnow(), **links)
    session.add(run)
    session.flush()
    return run


def add_tasks(session: Session, run_id: int, step: str, ranges: list[tuple[int, int]]) -> list[int]:
    """Plans one task per (first, last) range; planning the same range twice adds nothing. Returns the step's queued ids."""
    now = utcnow()
    rows = [
        {"run_id": run_id, "step": step, "first_id": first, "last_id": last, "state": TaskState.QUEUED, "attempts": 0,
         "claimed_by": "", "lease_until": None, "error": "", "result": {}, "created_at": now, "updated_at": now}
        for first, last in ranges
    ]
    insert_ignoring_duplicates(session, Task.__table__, rows)
    return list(session.scalars(select(Task.id).where(Task.run_id == run_id, Task.step == step, Task.state == TaskState.QUEUED).order_by(Task.id)))


def chunk_ranges(ids: list[int], size: int) -> list[tuple[int, int]]:
    """Sorted ids cut into (first, last) ranges of at most `size` ids each."""
    return [(ids[start], ids[min(start + size, len(ids)) - 1]) for start in range(0, len(ids), size)]


def claim(session: Session, task_id: int, worker: str, lease_seconds: int) -> Task | None:
    """The task, now held by `worker` (committed at once, so other workers see the claim); None
    when it is done, parked, or held by a live claim elsewhere."""
    now = utcnow()
    table = Task.__table__
    taken = session.execute(
        sa.update(table)
        .where(table.c.id == task_id)
        .where(sa.or_(table.c.state == TaskState.QUEUED, sa.and_(table.c.state == TaskState.CLAIMED, table.c.lease_until < now)))
        .values(state=TaskState.CLAIMED, claimed_by=worker, lease_until=now + timedelta(seconds=lease_seconds),
                attempts=table.c.attempts + 1, updated_at=now)
    ).rowcount
    session.commit()
    return session.get(Task, task_id, populate_existing=True) if taken == 1 else None


def mark_done(session: Session, task: Task, worker: str, result: dict) -> bool:
    """Done, in the caller's transaction; False if the claim was lost meanwhile (the other worker's run counts)."""
    table = Task.__table__
    updated = session.execute(
        sa.update(table)
        .where(table.c.id == task.id, table.c.state == TaskState.CLAIMED, table.c.claimed_by == worker)
        .values(state=TaskState.DONE, lease_until=None, result=result, error="", updated_at=utcnow())
    ).rowcount
    return updated == 1


def mark_failed(session: Session, task_id: int, worker: str, error: str, max_attempts: int) -> str:
    """After a failure (the caller rolled back its work): back to queued for another attempt, or
    parked as failed; commits and returns the new state."""
    table = Task.__table__
    attempts = session.scalar(select(Task.attempts).where(Task.id == task_id)) or 0
    state = TaskState.FAILED if attempts >= max_attempts else TaskState.QUEUED
    session.execute(
        sa.update(table)
        .where(table.c.id == task_id, table.c.state == TaskState.CLAIMED, table.c.claimed_by == worker)
        .values(state=state, lease_until=None, error=error[:4000], updated_at=utcnow())
    )
    session.commit()
    return state


def sweep(session: Session, *, retry_failed: bool = False, now: datetime | None = None) -> dict[str, list[int]]:
    """What `resume` sends again: queued tasks (their message may be lost) and expired claims.

    With `retry_failed`, parked tasks get a fresh set of attempts too. Commits.
    """
    now = now or utcnow()
    table = Task.__table__
    expired = list(session.scalars(select(Task.id).where(Task.state == TaskState.CLAIMED, Task.lease_until < now)))
    if expired:
        session.execute(sa.update(table).where(table.c.id.in_(expired), table.c.lease_until < now).values(state=TaskState.QUEUED, lease_until=None, updated_at=now))
    retried: list[int] = []
    if retry_failed:
        retried = list(session.scalars(select(Task.id).where(Task.state == TaskState.FAILED)))
        if retried:
            session.execute(sa.update(table).where(table.c.id.in_(retried)).values(state=TaskState.QUEUED, attempts=0, updated_at=now))
    queued = list(session.scalars(select(Task.id).where(Task.state == TaskState.QUEUED).order_by(Task.id)))
    session.commit()
    return {"expired": expired, "retried": retried, "queued": queued}


def steps_of(session: Session, task_ids: list[int]) -> dict[int, str]:
    """Each task's step (which actor, or whether it may leave this process), in one query."""
    if not task_ids:
        return {}
    return dict(session.execute(select(Task.id, Task.step).where(Task.id.in_(task_ids))).all())


def step_counts(session: Session, run_id: int | None = None) -> dict[str, dict[str, int]]:
    """{step: {queued, in_progress, done, failed}}; claimed tasks are reported as in_progress."""
    query = select(Task.step, Task.state, sa.func.count()).group_by(Task.step, Task.state)
    if run_id is not None:
        query = query.where(Task.run_id == run_id)
    counts: dict[str, dict[str, int]] = {}
    for step, state, n in session.execute(query).all():
        per_step = counts.setdefault(step, {"queued": 0, "in_progress": 0, "done": 0, "failed": 0})
        per_step["in_progress" if state == TaskState.CLAIMED else state] += n
    return {step: counts[step] for step in STEPS if step in counts}


def task_totals(steps: dict[str, dict[str, int]]) -> dict[str, int]:
    """The per-step counts of `step_counts` summed over the steps."""
    return {name: sum(c[name] for c in steps.values()) for name in ("queued", "in_progress", "done", "failed")}


def failed_tasks(session: Session, limit: int = 20) -> list[dict]:
    rows = session.exec(select(Task).where(Task.state == TaskState.FAILED).order_by(Task.id).limit(limit)).all()
    return [{"task_id": t.id, "run_id": t.run_id, "step": t.step, "first_id": t.first_id, "last_id": t.last_id, "attempts": t.attempts, "error": t.error} for t in rows]
