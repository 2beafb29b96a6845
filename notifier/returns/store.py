"""Recording returned mail in the database, one envelope or a mailroom spreadsheet at a time.

Recording the same envelope twice changes nothing. A dead-address reason puts the address on
the dead list (no later letter uses it) and the notice back in the address review queue; a
forwarding address that verifies becomes the notice's address and the next `letters render`
makes the next attempt; after the last attempt the notice is unreachable.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path

import sqlalchemy as sa
from sqlmodel import Session, select

from notifier.addresses.check import AddressStatus, RawAddress, Verifier, address_key
from notifier.addresses.reasons import Reason as AddressReason
from notifier.addresses.store import address_values
from notifier.errors import InputFileError, InvalidInputError, NotifierError, WrongStateError
from notifier.intake.fields import MAX_TEXT
from notifier.intake.rules import CONTROL
from notifier.letters.ids import make_letter_id
from notifier.letters.store import find_letter
from notifier.models import Address, AuditEvent, Batch, DeadAddress, Letter, LetterState, Notice, NoticeStatus, ReturnedMail, utcnow
from notifier.returns.rules import ReturnPolicy, outcome

RETURNABLE = (LetterState.MAILED, LetterState.PRESUMED_DELIVERED)
FORWARD_FIELDS = ("line1", "line2", "city", "state", "zip")


@dataclass
class Recorded:
    letter_id: str
    person_id: str
    reason: str
    outcome: str
    attempt: int
    already: bool = False

    def as_dict(self) -> dict:
        return self.__dict__.copy()


def record_return(
    session: Session,
    policy: ReturnPolicy,
    verifier: Verifier,
    *,
    letter_text: str,
    reason: str,
    returned_on: date,
    forward: RawAddress | None,
    note: str,
    actor: str,
) -> Recorded:
    """One returned envelope, found by the id printed on it or its barcode digits; commits.

    Nothing is stored when the reason is unknown or the letter was never mailed. A forwarding
    address with every field empty is no forwarding address (a form's blank fields).
    """
    if forward is not None and not any(forward.__dict__.values()):
        forward = None
    if reason not in policy.reasons:
        raise InvalidInputError(f"unknown reason '{reason}'", todo=f"use one of: {', '.join(policy.reasons)} (config/returns.toml)")
    _refuse_unstorable({**({f"forward_{name}": getattr(forward, name) for name in FORWARD_FIELDS} if forward else {}), "note": note})
    found = find_letter(session, letter_text)
    letter = session.get(Letter, found.number)
    code = make_letter_id(letter.id)
    person_id = found.person_id
    existing = session.exec(select(ReturnedMail).where(ReturnedMail.letter_id == letter.id)).first()
    if existing is not None:
        return Recorded(code, person_id, existing.reason, existing.outcome, letter.attempt, already=True)
    if letter.state not in RETURNABLE:
        raise WrongStateError(f"letter {code} was never mailed (it is {letter.state})", todo="check the id on the envelope; nothing was recorded")
    notice = session.get(Notice, letter.notice_id)
    address = session.exec(select(Address).where(Address.notice_id == notice.id)).first()
    dead = policy.reasons[reason].dead
    forward_result = verifier.check(forward) if forward else None
    result = outcome(dead=dead, forward_status=forward_result.status if forward_result else None, attempt=letter.attempt, max_attempts=policy.max_attempts)
    now = utcnow()
    if dead and address is not None:
        key = address_key(address.line1, address.line2, address.city, address.state, address.zip5)
        if session.exec(select(DeadAddress).where(DeadAddress.address_key == key)).first() is None:
            session.add(DeadAddress(address_key=key, reason=reason, letter_id=letter.id, recorded_at=now))
    if result in ("remail", "forward_needs_review"):
        for name, value in address_values(forward, forward_result).items():
            setattr(address, name, value)
        address.source, address.checked_at = "forward", now
        notice.status = NoticeStatus.OPEN
    elif result == "dead_address":
        address.status = AddressStatus.UNDELIVERABLE
        address.reasons = [AddressReason.of("dead_address", policy.reasons[reason].endorsement).as_dict()]
        address.suggestion, address.checked_at = {}, now
        notice.status = NoticeStatus.OPEN  # back in the review queue: staff may find a new address
    elif result == "unreachable":
        notice.status = NoticeStatus.UNREACHABLE
    letter.state = LetterState.RETURNED
    forward_fields = {f"forward_{name}": getattr(forward, name) for name in FORWARD_FIELDS} if forward else {}
    session.add(ReturnedMail(letter_id=letter.id, reason=reason, returned_on=returned_on, recorded_at=now, recorded_by=actor, outcome=result, note=note, **forward_fields))
    session.add(AuditEvent(at=now, actor=actor, action="return.record", subject="letter", subject_id=letter.id, details={"reason": reason, "outcome": result}))
    for row in (letter, notice, *( [address] if address else [])):
        session.add(row)
    recorded = Recorded(code, person_id, reason, result, letter.attempt)
    session.commit()
    return recorded


def _refuse_unstorable(typed: dict[str, str]) -> None:
    """Text typed off an envelope is kept as given, so it must fit its column and hold no control character (PostgreSQL text cannot hold NUL)."""
    for name, text in typed.items():
        if len(text) > MAX_TEXT:
            raise InvalidInputError(f"{name} is {len(text)} characters long; at most {MAX_TEXT} are allowed", todo="type it again; nothing was recorded")
        if found := CONTROL.search(text):
            raise InvalidInputError(f"{name} contains the control character U+{ord(found.group()):04X}", todo="type it again without it; nothing was recorded")


@dataclass
class ImportReport:
    read: int = 0
    recorded: int = 0
    already: int = 0
    errors: list[dict] = field(default_factory=list)

    def as_dict(self) -> dict:
        return self.__dict__.copy()


IMPORT_COLUMNS = ("id", "reason")


def import_returns(session: Session, path: Path, policy: ReturnPolicy, verifier: Verifier, actor: str, today: date) -> ImportReport:
    """A mailroom spreadsheet or ACS-style file: columns id, reason, date, forward_line1 ... forward_zip, note.

    Each good row is recorded (and committed) on its own, so a bad row costs only itself.
    """
    report = ImportReport()
    try:
        handle = path.open(encoding="utf-8-sig", newline="")
    except FileNotFoundError:
        raise InputFileError("file not found", where=str(path), todo="check the path") from None
    with handle:
        reader = csv.DictReader(handle)
        missing = [c for c in IMPORT_COLUMNS if c not in (reader.fieldnames or [])]
        if missing:
            raise InputFileError(f"header has no column for: {', '.join(missing)}", where=f"{path}, line 1", todo="columns: id, reason, date, forward_line1, forward_line2, forward_city, forward_state, forward_zip, note")
        for row in reader:
            report.read += 1
            row = {k: (v or "").strip() for k, v in row.items() if k}
            try:
                returned_on = date.fromisoformat(row["date"]) if row.get("date") else today
                forward = RawAddress(**{name: row.get(f"forward_{name}", "") for name in FORWARD_FIELDS})
                recorded = record_return(session, policy, verifier, letter_text=row["id"], reason=row["reason"], returned_on=returned_on,
                                         forward=forward, note=row.get("note", ""), actor=actor)
            except (ValueError, NotifierError) as exc:
                session.rollback()  # whatever the refused row began is dropped; the rows recorded before it are committed
                message = str(exc) if isinstance(exc, NotifierError) else f"date '{row.get('date')}' is not YYYY-MM-DD"
                report.errors.append({"line": reader.line_num, "id": row.get("id", ""), "message": message})
                continue
            if recorded.already:
                report.already += 1
            else:
                report.recorded += 1
    return report


@dataclass(frozen=True)
class SweepResult:
    presumed_delivered: int

    def as_dict(self) -> dict:
        return {"presumed_delivered": self.presumed_delivered}


def presume_delivered(session: Session, policy: ReturnPolicy, today: date, actor: str) -> SweepResult:
    """Mailed letters not returned within the configured days count as delivered; commits (with an audit event when any changed)."""
    cutoff = today - timedelta(days=policy.presumed_delivered_days)
    batches = select(Batch.id).where(Batch.mail_date <= cutoff)
    changed = session.execute(
        sa.update(Letter).where(Letter.state == LetterState.MAILED, Letter.batch_id.in_(batches)).values(state=LetterState.PRESUMED_DELIVERED)
    )
    count = changed.rowcount or 0
    if count:
        session.add(AuditEvent(at=utcnow(), actor=actor, action="return.sweep", subject="letter", subject_id=0,
                               details={"presumed_delivered": count, "mailed_on_or_before": cutoff.isoformat()}))
    session.commit()
    return SweepResult(count)


@dataclass(frozen=True)
class Unreachable:
    """A person whose letters came back on every attempt: staff look them up elsewhere."""

    notice_id: int
    person_id: str

    def as_dict(self) -> dict:
        return {"notice_id": self.notice_id, "person_id": self.person_id}


def unreachable(session: Session) -> list[Unreachable]:
    rows = session.execute(select(Notice.id, Notice.person_id).where(Notice.status == NoticeStatus.UNREACHABLE).order_by(Notice.id))
    return [Unreachable(notice_id, person_id) for notice_id, person_id in rows]
