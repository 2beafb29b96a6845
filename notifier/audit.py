"""The audit trail: who did or saw what, when, by ids (never the personal values themselves).

State changes record their own events where they happen (batches, returns, addresses,
identities, users). This module is for the rest: every view or download of personal data
(a page that shows a person, a letter's PDF, a spreadsheet of the review queue) is one
`viewed` event, and the admin's audit page reads the trail back.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlmodel import Session, select

from notifier.models import AuditEvent, utcnow


def record_view(session: Session, actor: str, what: str, ids: list[int | str], *, subject: str = "", subject_id: int = 0, rows: int | None = None) -> None:
    """One view or download of personal data (`what`: e.g. "phone.lookup", "letter.pdf"); commits.

    `ids` name what was shown (the first 500); `rows` counts what an export wrote when there are too many to name."""
    details: dict = {"ids": [str(i) for i in ids][:500]}
    if rows is not None:
        details["rows"] = rows
    session.add(AuditEvent(at=utcnow(), actor=actor, action=f"view.{what}", subject=subject or what.split(".")[0], subject_id=subject_id, details=details))
    session.commit()


@dataclass(frozen=True)
class AuditRow:
    id: int
    at: datetime
    actor: str
    action: str
    subject: str
    subject_id: int
    details: dict

    def as_dict(self) -> dict:
        return {"id": self.id, "at": self.at.isoformat(), "actor": self.actor, "action": self.action, "subject": self.subject, "subject_id": self.subject_id, "details": self.details}


def list_events(session: Session, *, since: datetime | None = None, actor: str = "", action: str = "", limit: int | None = 200) -> list[AuditRow]:
    """The newest events first, filtered by time, actor and action (an action ending in "." matches a family: "view.")."""
    query = select(AuditEvent).order_by(AuditEvent.id.desc()).limit(limit)
    if since is not None:
        query = query.where(AuditEvent.at >= since)
    if actor:
        query = query.where(AuditEvent.actor == actor)
    if action:
        query = query.where(AuditEvent.action.startswith(action) if action.endswith(".") else AuditEvent.action == action)
    return [AuditRow(e.id, e.at, e.actor, e.action, e.subject, e.subject_id, e.details) for e in session.exec(query)]
