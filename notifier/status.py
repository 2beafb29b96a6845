"""Counts of everything in the database, for `notifier status`, the demo and the dashboard.

It reads every step's tables, so it sits above the domain packages and below the edges.
"""

from __future__ import annotations

import sqlalchemy as sa
from sqlmodel import Session, select

from notifier.addresses.store import address_status_counts
from notifier.intake.conflicts import held_notice_count
from notifier.models import (
    Address,
    Batch,
    Decision,
    ImportRun,
    Letter,
    Notice,
    NoticeDiscrepancy,
    Person,
    QuarantinedRow,
    QuarantineKind,
    Run,
    RunStage,
)
from notifier.tasks import failed_tasks, step_counts, task_totals


def _count(session: Session, query) -> int:
    return session.scalar(query) or 0


def _tasks(session: Session) -> dict:
    """Work spread over workers: totals, per step, the runs still going, and parked failures."""
    steps = step_counts(session)
    runs = session.exec(select(Run).where(Run.stage != RunStage.DONE).order_by(Run.id)).all()
    return {
        **{name: n for name, n in task_totals(steps).items() if name != "done"},
        "steps": steps,
        "runs_in_progress": [{"run_id": r.id, "kind": r.kind, "stage": r.stage, "steps": step_counts(session, r.id)} for r in runs],
        "failed_tasks": failed_tasks(session),
    }


def status(session: Session) -> dict:
    count = sa.func.count()
    open_quarantine = QuarantinedRow.resolved_at.is_(None)
    notices_by_status = dict(session.execute(select(Notice.status, count).group_by(Notice.status)).all())
    letters_by_state = dict(session.execute(select(Letter.state, count).group_by(Letter.state)).all())
    last = session.exec(select(ImportRun).order_by(ImportRun.id.desc()).limit(1)).first()
    return {
        "decisions": _count(session, select(count).select_from(Decision)),
        "people": _count(session, select(count).select_from(Person)),
        "notices": sum(notices_by_status.values()),
        "notices_by_status": notices_by_status,
        "notices_without_address": _count(  # neither the decisions nor an address file (or staff) gave one
            session, select(count).select_from(Notice).outerjoin(Address, Address.notice_id == Notice.id)
            .where(Notice.purged_at.is_(None), Notice.address_line1 == "", sa.or_(Address.id.is_(None), Address.raw_line1 == ""))
        ),
        "notices_purged": _count(session, select(count).select_from(Notice).where(Notice.purged_at.is_not(None))),  # personal data erased (`purge`)
        "quarantined": _count(session, select(count).select_from(QuarantinedRow).where(open_quarantine, QuarantinedRow.kind == QuarantineKind.INVALID)),
        "conflicts": _count(session, select(count).select_from(QuarantinedRow).where(open_quarantine, QuarantinedRow.kind == QuarantineKind.CONFLICT)),
        "not_final": _count(session, select(count).select_from(QuarantinedRow).where(open_quarantine, QuarantinedRow.kind == QuarantineKind.NOT_FINAL)),
        "identity_conflicts": _count(session, select(count).select_from(QuarantinedRow).where(open_quarantine, QuarantinedRow.kind == QuarantineKind.IDENTITY_CONFLICT)),
        "notices_held": held_notice_count(session),
        "people_with_discrepancies": _count(session, select(sa.func.count(sa.distinct(NoticeDiscrepancy.notice_id)))),
        "addresses": address_status_counts(session),
        "letters": letters_by_state,
        "batches": dict(session.execute(select(Batch.state, count).group_by(Batch.state)).all()),
        "import_runs": _count(session, select(count).select_from(ImportRun)),
        **_tasks(session),
        "last_import": None
        if last is None
        else {"run_id": last.id, "source": last.source_name, "status": last.status, "started_at": last.started_at.isoformat(), "read": last.read},
    }
