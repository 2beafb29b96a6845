"""Identity conflicts as staff work them: list what waits, resolve one (audited).

A conflict is a row whose person id is known with another date of birth or last name (see
identity.py). Staff answer it one of two ways:

- **same person** (a changed last name, a typo in the date of birth): the row's identity is
  recorded as another identity of that person id, and the decision joins their notice;
- **new person**: the row's identity is recorded as a different person under the new id staff
  give, and the decision starts that person's notice.

Either way every other waiting row with the same identity follows, the decision is imported
exactly as the import would have, and one AuditEvent says who decided what (ids only).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import sqlalchemy as sa
from sqlmodel import Session, select

from notifier.errors import ConflictError, InvalidInputError, NotFoundError, WrongStateError
from notifier.intake import identity
from notifier.intake.fields import DATE_FIELDS
from notifier.intake.importer import store_decisions
from notifier.intake.readers import Record
from notifier.intake.rules import Valid
from notifier.models import AuditEvent, Notice, NoticeStatus, Person, QuarantinedRow, QuarantineKind, utcnow


@dataclass(frozen=True)
class IdentityConflict:
    """One waiting conflict: the person id, who it is known as, and who the row says."""

    id: int
    person_id: str
    source: str
    line: int
    decision_id: str
    known: list[dict]  # each {"last_name_key", "date_of_birth"} the person id is known as
    row: dict  # {"first_name", "last_name", "date_of_birth"} of the waiting row

    def as_dict(self) -> dict:
        return {"id": self.id, "person_id": self.person_id, "source": self.source, "line": self.line, "decision_id": self.decision_id, "known": self.known, "row": self.row}


@dataclass(frozen=True)
class Resolution:
    id: int
    person_id: str
    resolution: str  # same_person or new_person
    joined_to: str  # the person id the decision(s) now belong to
    decisions: int  # how many waiting rows this answer imported

    def as_dict(self) -> dict:
        return self.__dict__.copy()


def _waiting():
    return select(QuarantinedRow).where(QuarantinedRow.kind == QuarantineKind.IDENTITY_CONFLICT, QuarantinedRow.resolved_at.is_(None)).order_by(QuarantinedRow.id)


def list_identity_conflicts(session: Session, limit: int | None = None) -> list[IdentityConflict]:
    rows = session.exec(_waiting().limit(limit) if limit else _waiting()).all()
    known = identity.known_identities(session, list({row.person_id for row in rows}))
    return [_conflict(row, known.get(row.person_id, [])) for row in rows]


def _conflict(row: QuarantinedRow, known: list[identity.Identity]) -> IdentityConflict:
    values = row.decision["values"]
    return IdentityConflict(
        row.id, row.person_id, row.source_name, row.line_number, row.decision_id,
        [{"last_name_key": i.last_name_key.upper(), "date_of_birth": i.date_of_birth.isoformat() if i.date_of_birth else None}
         for i in known if i.resolved_person_id == row.person_id],
        {"first_name": values["first_name"], "last_name": values["last_name"], "date_of_birth": values["date_of_birth"]},
    )


def resolve_identity_conflict(session: Session, conflict_id: int, *, same_person: bool = False, new_person_id: str = "", actor: str) -> Resolution:
    """The staff answer to one conflict (and to every waiting row with the same identity); commits."""
    if same_person == bool(new_person_id):
        raise InvalidInputError("say either that it is the same person or which new person id the row gets", todo="choose one of the two answers")
    row = session.get(QuarantinedRow, conflict_id)
    if row is None or row.kind != QuarantineKind.IDENTITY_CONFLICT:
        raise NotFoundError(f"no identity conflict {conflict_id}", todo="see the list of identity conflicts", action="identities.list")
    if row.resolved_at is not None:
        raise WrongStateError(f"identity conflict {conflict_id} was resolved on {row.resolved_at.date().isoformat()}", todo="nothing to do")
    if new_person_id and new_person_id != row.person_id and session.exec(select(Person.id).where(Person.person_id == new_person_id)).first() is not None:
        raise ConflictError(f"person id {new_person_id} is already in use", todo="give a person id that is not used yet (for example the original id with a suffix)")
    values = row.decision["values"]
    born = date.fromisoformat(values["date_of_birth"]) if values["date_of_birth"] else None
    target = row.person_id if same_person else new_person_id
    answer = identity.Identity(born, identity.name_key(values["last_name"]), target)
    identity.remember(session, [(row.person_id, answer)], actor)
    followers = [other for other in session.exec(_waiting().where(QuarantinedRow.person_id == row.person_id)).all()
                 if identity.matches(answer, _born(other), identity.name_key(other.decision["values"]["last_name"]))]
    now = utcnow()
    imported: set[str] = set()
    for waiting in followers:
        waiting.resolved_at = now
        session.add(waiting)
        if waiting.decision_id in imported:
            continue  # the same row read from two files: one decision
        imported.add(waiting.decision_id)
        stored = dict(waiting.decision["values"], person_id=target)
        for name in DATE_FIELDS:
            stored[name] = date.fromisoformat(stored[name]) if stored[name] else None
        record = Record(waiting.line_number, waiting.raw, None)
        store_decisions(session, waiting.import_run_id, [(record, Valid(stored, waiting.decision["row_hash"]))], now)
    session.add(AuditEvent(at=now, actor=actor, action="identity.resolve", subject="quarantined_row", subject_id=row.id,
                           details={"resolution": "same_person" if same_person else "new_person", "person_id": row.person_id, "joined_to": target,
                                    "rows": [w.id for w in followers]}))
    session.commit()
    return Resolution(row.id, row.person_id, "same_person" if same_person else "new_person", target, len(imported))


def _born(row: QuarantinedRow) -> date | None:
    text = row.decision["values"]["date_of_birth"]
    return date.fromisoformat(text) if text else None


def held_notice_count(session: Session) -> int:
    """Open notices held from letters while an identity conflict of their person waits."""
    return session.scalar(select(sa.func.count()).select_from(Notice).where(Notice.status == NoticeStatus.OPEN, Notice.person_id.in_(identity.held_persons()))) or 0

