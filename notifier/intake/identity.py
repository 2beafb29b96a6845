"""Who a person id is: one letter never lists another person's cases.

Source systems reuse or mistype person ids: the same id turns up on rows with another date
of birth or another last name. Such a row is not joined to the person's notice. It waits in
the quarantine as an `identity_conflict` (both identities shown to staff, never logged), the
person's open notice is held from letters while it waits, and staff resolve it: the same
person after all (a changed last name), or someone else, split off under a new person id.
Either answer is remembered as a PersonIdentity, so later rows with that identity, in any
file or queue message, go where staff said.

`name_key` and `matches` are the pure rule; the rest reads and writes the identities.
"""

from __future__ import annotations

import hashlib
import unicodedata
from dataclasses import dataclass
from functools import lru_cache
from datetime import date, datetime

import sqlalchemy as sa
from sqlmodel import Session, select

from notifier.db import insert_ignoring_duplicates, one_of
from notifier.models import PersonIdentity, QuarantinedRow, QuarantineKind, utcnow

MAX_KEY = 1000  # characters PersonIdentity.last_name_key holds


@lru_cache(maxsize=1 << 16)  # surnames repeat: a county's file has a few thousand distinct ones
def name_key(last_name: str) -> str:
    """A last name as identity compares it: accents, case, spaces and punctuation do not count (Núñez = NUNEZ, O'Brien = OBRIEN).

    NFKD can make a key longer than the name (a Hangul syllable is three letters, ﷺ eighteen): one
    longer than its column (MAX_KEY) ends in a hash of the whole, so that it fits and stays unique.
    """
    decomposed = unicodedata.normalize("NFKD", last_name)
    key = "".join(c for c in decomposed if c.isalnum() and not unicodedata.combining(c)).casefold()
    if len(key) > MAX_KEY:
        key = f"{key[: MAX_KEY - 65]}#{hashlib.sha256(key.encode('utf-8')).hexdigest()}"
    return key


@dataclass(frozen=True)
class Identity:
    date_of_birth: date | None
    last_name_key: str
    resolved_person_id: str


def matches(identity: Identity, date_of_birth: date | None, key: str) -> bool:
    """Same last name, and the same date of birth where both are known."""
    return identity.last_name_key == key and (identity.date_of_birth is None or date_of_birth is None or identity.date_of_birth == date_of_birth)


def find(identities: list[Identity], date_of_birth: date | None, key: str) -> Identity | None:
    return next((identity for identity in identities if matches(identity, date_of_birth, key)), None)


def known_identities(session: Session, person_ids: list[str]) -> dict[str, list[Identity]]:
    """The identities recorded for these source person ids (people imported before identities were
    recorded got theirs from their decisions when the schema was upgraded)."""
    found: dict[str, list[Identity]] = {}
    rows = session.execute(select(PersonIdentity.person_id, PersonIdentity.date_of_birth, PersonIdentity.last_name_key, PersonIdentity.resolved_person_id)
                           .where(one_of(session, PersonIdentity.person_id, person_ids)).order_by(PersonIdentity.id))
    for pid, dob, key, resolved in rows:
        found.setdefault(pid, []).append(Identity(dob, key, resolved))
    return found


def remember(session: Session, rows: list[tuple[str, Identity]], created_by: str) -> None:
    """Records identities (in the caller's transaction), all with one time."""
    if rows:
        now = utcnow()
        _insert(session, [_row(pid, identity, created_by, now) for pid, identity in rows])


def _row(pid: str, identity: Identity, created_by: str, now: datetime) -> dict:
    return {"person_id": pid, "date_of_birth": identity.date_of_birth, "last_name_key": identity.last_name_key,
            "resolved_person_id": identity.resolved_person_id, "created_by": created_by, "created_at": now}


def _insert(session: Session, rows: list[dict]) -> None:
    insert_ignoring_duplicates(session, PersonIdentity.__table__, rows)


def complete(session: Session, pid: str, identity: Identity, date_of_birth: date) -> Identity:
    """An identity first seen without a date of birth takes the first one a row gives (so a third row with yet another date conflicts)."""
    t = PersonIdentity.__table__.c
    session.execute(sa.update(PersonIdentity.__table__).where(t.person_id == pid, t.last_name_key == identity.last_name_key, t.date_of_birth.is_(None)).values(date_of_birth=date_of_birth))
    return Identity(date_of_birth, identity.last_name_key, identity.resolved_person_id)


def held_persons():
    """Person ids with an identity conflict staff have not resolved: their notices get no letter meanwhile."""
    q = QuarantinedRow.__table__.c
    return sa.select(q.person_id).where(q.kind == QuarantineKind.IDENTITY_CONFLICT, q.resolved_at.is_(None))
