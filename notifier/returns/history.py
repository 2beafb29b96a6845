"""What a person was sent, to which address, and what came back: the phone desk's one read.

A caller is found by a letter they hold (its printed id or barcode digits), by their person
id, or by last name and date of birth (as identity compares them: accents, case and
punctuation do not count; the date must match exactly, so a caller is never shown someone
whose date of birth is unknown).

The address a letter went to is not stored with the letter: letters are drawn from the
notice's one address row, which later changes (a forwarding address, a clerk's fix). It is
found again from what is kept: the address row itself when nothing changed it since the
letter was drawn (a dead-address return marks it, but does not change its lines); else the
address a clerk's fix replaced (address_change keeps before and after), the last forwarding
address or fix before the letter was drawn, or the address of the import for an address that
never came from an address file. When none of these applies, the address is not known any
more and the history says so rather than guess; nor after the retention purge erased it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Sequence

from sqlmodel import Session, select

from notifier.addresses.store import raw_of_notice
from notifier.errors import InvalidInputError
from notifier.intake.identity import name_key
from notifier.letters.ids import make_letter_id
from notifier.letters.store import find_letter
from notifier.models import Address, AddressChange, Batch, Letter, LetterState, Notice, PersonIdentity, ReturnedMail


@dataclass(frozen=True)
class Returned:
    """A returned envelope as the desk recorded it."""

    reason: str
    returned_on: date
    outcome: str
    forward: list[str]  # the forwarding address the clerk typed, as lines; empty when none

    def as_dict(self) -> dict:
        return {"reason": self.reason, "returned_on": self.returned_on.isoformat(), "outcome": self.outcome, "forward": self.forward}


@dataclass(frozen=True)
class SentLetter:
    """One letter of the person (superseded ones, never mailed, are left out)."""

    number: int
    letter_id: str
    notice_id: int
    attempt: int
    state: str
    batch_id: int | None
    mail_date: date | None
    address: list[str]  # the lines it went to; empty when not known (or not drawn yet)
    address_source: str  # import, address_file, staff, forward; "" when not known
    returned: Returned | None

    def as_dict(self) -> dict:
        return {
            "letter_id": self.letter_id,
            "notice_id": self.notice_id,
            "attempt": self.attempt,
            "state": self.state,
            "batch_id": self.batch_id,
            "mail_date": self.mail_date.isoformat() if self.mail_date else None,
            "address": self.address,
            "address_source": self.address_source,
            "returned": self.returned.as_dict() if self.returned else None,
        }


@dataclass(frozen=True)
class PersonHistory:
    person_id: str
    name: str  # as the newest notice writes it
    letters: list[SentLetter] = field(default_factory=list)

    def as_dict(self) -> dict:
        return {"person_id": self.person_id, "name": self.name, "letters": [letter.as_dict() for letter in self.letters]}


@dataclass(frozen=True)
class _Change:
    """A known change of a notice's address: when, to what, and (for a clerk's fix) from what."""

    at: datetime
    source: str
    after: list[str]
    before: list[str] | None


def person_history(
    session: Session,
    *,
    letter_text: str | None = None,
    person_ids: Sequence[str] = (),
    last_name: str | None = None,
    date_of_birth: date | None = None,
) -> list[PersonHistory]:
    """The letters of the person a letter id names, of these person ids, or of everyone with this last name and date of birth.

    Nobody found by name and date of birth is an empty list; an unknown letter id is an error.
    """
    if letter_text and letter_text.strip():
        ids = [find_letter(session, letter_text).person_id]
    elif person_ids:
        ids = list(dict.fromkeys(person_ids))
    elif last_name and last_name.strip() and date_of_birth:
        key = name_key(last_name)
        ids = list(session.scalars(
            select(PersonIdentity.resolved_person_id)
            .where(PersonIdentity.last_name_key == key, PersonIdentity.date_of_birth == date_of_birth)
            .distinct().order_by(PersonIdentity.resolved_person_id)
        ))
    else:
        raise InvalidInputError("nothing to look up", todo="give the letter id, or the last name and the date of birth")
    notices = list(session.exec(select(Notice).where(Notice.person_id.in_(ids)).order_by(Notice.id)))
    if not notices:
        return []
    notice_ids = [notice.id for notice in notices]
    letters = session.exec(
        select(Letter, Batch.mail_date, ReturnedMail)
        .outerjoin(Batch, Batch.id == Letter.batch_id)
        .outerjoin(ReturnedMail, ReturnedMail.letter_id == Letter.id)
        .where(Letter.notice_id.in_(notice_ids), Letter.state != LetterState.SUPERSEDED)
        .order_by(Letter.notice_id, Letter.attempt)
    ).all()
    addresses = {a.notice_id: a for a in session.exec(select(Address).where(Address.notice_id.in_(notice_ids)))}
    changes = _changes(session, notice_ids, letters)
    by_notice = {notice.id: notice for notice in notices}
    sent: dict[str, list[SentLetter]] = {}
    for letter, mail_date, returned in letters:
        notice = by_notice[letter.notice_id]
        lines, source = ([], "") if notice.purged_at else _address_used(letter, notice, addresses.get(notice.id), changes.get(notice.id, []))
        sent.setdefault(notice.person_id, []).append(
            SentLetter(letter.id, make_letter_id(letter.id), letter.notice_id, letter.attempt, letter.state, letter.batch_id, mail_date,
                       lines, source, _returned(returned))
        )
    newest = {notice.person_id: notice for notice in notices}  # by id: the last one wins
    return [PersonHistory(pid, _name(newest[pid]), sent.get(pid, [])) for pid in ids if pid in newest]


def _name(notice: Notice) -> str:
    return " ".join(part for part in (notice.first_name, notice.middle_name, notice.last_name, notice.suffix) if part)


def _lines(line1: str, line2: str, city: str, state: str, zip_code: str) -> list[str]:
    last = " ".join(part for part in (city, state, zip_code) if part)
    return [line for line in (line1, line2, last) if line]


def _returned(row: ReturnedMail | None) -> Returned | None:
    if row is None:
        return None
    forward = _lines(row.forward_line1, row.forward_line2, row.forward_city, row.forward_state, row.forward_zip)
    return Returned(row.reason, row.returned_on, row.outcome, forward)


def _raw(values: dict) -> list[str]:
    return _lines(*(str(values.get(name, "") or "") for name in ("line1", "line2", "city", "state", "zip")))


def _changes(session: Session, notice_ids: list[int], letters: list) -> dict[int, list[_Change]]:
    """Per notice, its known address changes, oldest first: clerks' fixes and forwarding addresses from returns."""
    found: dict[int, list[_Change]] = {}
    for fix in session.exec(select(AddressChange).where(AddressChange.notice_id.in_(notice_ids)).order_by(AddressChange.id)):
        found.setdefault(fix.notice_id, []).append(_Change(fix.at, "staff", _raw(fix.after), _raw(fix.before) if fix.before else None))
    for letter, _, returned in letters:
        forward = _returned(returned).forward if returned is not None else []
        if forward and returned.outcome in ("remail", "forward_needs_review"):
            found.setdefault(letter.notice_id, []).append(_Change(returned.recorded_at, "forward", forward, None))
    for items in found.values():
        items.sort(key=lambda change: change.at)
    return found


def _address_used(letter: Letter, notice: Notice, address: Address | None, changes: list[_Change]) -> tuple[list[str], str]:
    """The lines letter `letter` went to, and where they came from (see the module's docstring); ([], "") when not known."""
    drawn = letter.rendered_at
    if drawn is None or address is None:
        return [], ""
    earlier = [change for change in changes if change.at <= drawn]
    later = [change for change in changes if change.at > drawn]
    first = "address_file" if address.source_detail else "import"  # where the address came from before any known change
    if not later:
        zip_code = f"{address.zip5}-{address.zip4}" if address.zip4 else address.zip5
        return _lines(address.line1, address.line2, address.city, address.state, zip_code), address.source
    if later[0].before:
        return later[0].before, earlier[-1].source if earlier else first
    if earlier:
        return earlier[-1].after, earlier[-1].source
    imported = _raw(raw_of_notice(notice).__dict__)
    if first == "import" and imported:
        return imported, "import"
    return [], ""
