"""The address step's services: verify notices in chunks, the review queue, fixes.

A notice's address is (re)checked when it has no Address row yet, or when a later import
changed the notice's raw address and the address still came from the decisions (source
`import`): an address staff fixed by hand, a forwarding address or one from an address file
(intake/address_file.py) is never replaced by a decision's. Running `verify` twice changes
nothing the second time.

Whatever reads or writes rows takes the caller's session. The staff actions (`verify_addresses`,
`fix_address`) and `verify_notices` commit their own work; `apply_fix` and `refuse_dead`
take part in the caller's transaction.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Callable

import sqlalchemy as sa
from sqlmodel import Session, select

from notifier.addresses.check import MAILABLE, REVIEW_STATUSES, AddressResult, AddressStatus, RawAddress, Verifier, address_key
from notifier.addresses.reasons import Reason
from notifier.db import executemany
from notifier.errors import InvalidInputError, NotFoundError, WrongStateError
from notifier.models import Address, AddressChange, AuditEvent, DeadAddress, Notice, NoticeStatus, utcnow

RAW_PAIRS = (("line1", "address_line1"), ("line2", "address_line2"), ("city", "city"), ("state", "state"), ("zip", "zip"))


def raw_of_notice(notice) -> RawAddress:
    return RawAddress(**{ours: getattr(notice, theirs) for ours, theirs in RAW_PAIRS})


def raw_of_address(address: Address) -> RawAddress:
    return RawAddress(**{ours: getattr(address, f"raw_{ours}") for ours, _ in RAW_PAIRS})


def address_values(raw: RawAddress, result: AddressResult) -> dict:
    """The Address row's columns for a raw address and its check result."""
    return {
        **{f"raw_{name}": getattr(raw, name) for name, _ in RAW_PAIRS},
        "line1": result.line1,
        "line2": result.line2,
        "city": result.city,
        "state": result.state,
        "zip5": result.zip5,
        "zip4": result.zip4,
        "status": result.status,
        "reasons": [reason.as_dict() for reason in result.reasons],
        "suggestion": result.suggestion,
    }


def refuse_dead(session: Session, results: list[AddressResult]) -> None:
    """A mailable result at an address on the dead list becomes undeliverable (the list is data from returns).

    Changes `results` in place; writes nothing.
    """
    keys = {id(r): address_key(r.line1, r.line2, r.city, r.state, r.zip5) for r in results if r.status in MAILABLE}
    if not keys:
        return
    dead = set(session.scalars(select(DeadAddress.address_key).where(DeadAddress.address_key.in_(set(keys.values())))))
    for result in results:
        if keys.get(id(result)) in dead:
            result.status = AddressStatus.UNDELIVERABLE
            result.reasons = [Reason.of("dead_address")]
            result.suggestion = {}


def _stale_query():
    """Open notices whose address was never checked, or whose raw address from the decisions (source `import` only) has changed since."""
    n, a = Notice.__table__.c, Address.__table__.c
    changed = sa.or_(*(a[f"raw_{ours}"] != n[theirs] for ours, theirs in RAW_PAIRS))
    return (
        sa.select(n.id, a.id.label("address_id"), *(n[theirs] for _, theirs in RAW_PAIRS))
        .select_from(Notice.__table__.outerjoin(Address.__table__, a.notice_id == n.id))
        .where(n.status == NoticeStatus.OPEN)
        .where(sa.or_(a.id.is_(None), sa.and_(a.source == "import", changed)))
    )


def count_stale(session: Session) -> int:
    """How many notices `verify` would check (for a progress bar)."""
    return session.scalar(sa.select(sa.func.count()).select_from(_stale_query().subquery())) or 0


def stale_notice_ids(session: Session) -> list[int]:
    """Ids of the notices `verify` would check, in order (a run cuts them into tasks)."""
    return [row.id for row in session.execute(_stale_query().order_by(Notice.__table__.c.id))]


def verify_notices(
    session: Session,
    verifier: Verifier,
    *,
    chunk: int = 1000,
    after: int = 0,
    up_to: int | None = None,
    on_progress: Callable[[int], None] | None = None,
) -> dict[str, int]:
    """Checks every stale address (with notice id in (after, up_to]); returns counts of the new results by status.

    Commits chunk by chunk, so an interrupted run keeps the chunks it finished.
    """
    counts: dict[str, int] = {}
    last_id = after
    n = Notice.__table__.c
    while True:
        query = _stale_query().where(n.id > last_id)
        if up_to is not None:
            query = query.where(n.id <= up_to)
        rows = session.execute(query.order_by(n.id).limit(chunk)).all()
        if not rows:
            return counts
        _store_results(session, rows, verifier, counts)
        session.commit()
        last_id = rows[-1].id
        if on_progress:
            on_progress(len(rows))


def _store_results(session: Session, rows: list, verifier: Verifier, counts: dict[str, int]) -> None:
    """Checks the raw addresses of one chunk of stale rows and writes their Address rows (no commit)."""
    now = utcnow()
    inserts, updates = [], []
    checked = [(row, raw_of_notice(row)) for row in rows]
    results = [verifier.check(raw) for _, raw in checked]
    refuse_dead(session, results)
    for (row, raw), result in zip(checked, results):
        counts[result.status] = counts.get(result.status, 0) + 1
        values = {**address_values(raw, result), "checked_at": now}
        if row.address_id is None:
            inserts.append({**values, "notice_id": row.id, "source": "import", "source_detail": ""})
        else:
            updates.append({**values, "address_pk": row.address_id})
    table = Address.__table__
    executemany(session, sa.insert(table), inserts)
    if updates:
        columns = [name for name in updates[0] if name != "address_pk"]
        statement = sa.update(table).where(table.c.id == sa.bindparam("address_pk")).values({name: sa.bindparam(name) for name in columns})
        executemany(session, statement, updates)


def address_status_counts(session: Session) -> dict[str, int]:
    """Notices by address status; `raw` counts those not checked yet."""
    status = sa.func.coalesce(Address.status, AddressStatus.RAW)
    query = select(status, sa.func.count()).select_from(Notice).outerjoin(Address, Address.notice_id == Notice.id).group_by(status)
    return dict(session.execute(query).all())


@dataclass
class VerifyResult:
    checked: dict[str, int]  # the addresses checked now, by their new status
    addresses: dict[str, int]  # every notice by address status afterwards

    @property
    def waiting(self) -> int:
        """Addresses that wait for a person (needs review or undeliverable)."""
        return sum(self.addresses.get(status, 0) for status in REVIEW_STATUSES)

    def as_dict(self) -> dict:
        return {"checked": sum(self.checked.values()), "checked_by_status": self.checked, "addresses": self.addresses}


def verify_addresses(session: Session, verifier: Verifier, *, on_progress: Callable[[int], None] | None = None) -> VerifyResult:
    """The staff action: check every stale address in this process (committing per chunk), then count them all."""
    checked = verify_notices(session, verifier, on_progress=on_progress)
    return VerifyResult(checked, address_status_counts(session))


@dataclass(frozen=True)
class ReviewItem:
    """One address waiting for a person, as plain values read when the queue was asked for."""

    notice_id: int
    person_id: str
    status: str
    reasons: list[dict]
    suggestion: dict
    raw: dict[str, str]  # line1 ... zip as imported (or as staff last typed them)
    standardized: dict[str, str]  # line1, line2, city, state, zip5, zip4 as checked
    source: str

    def as_dict(self) -> dict:
        return asdict(self)


STANDARDIZED = ("line1", "line2", "city", "state", "zip5", "zip4")


def review_queue(session: Session, *, status: str | None = None, limit: int | None = None) -> list[ReviewItem]:
    """Open notices whose address waits for a person (one status of REVIEW_STATUSES, or both), by notice id."""
    if status and status not in REVIEW_STATUSES:
        raise InvalidInputError(f"'{status}' is not a review status", todo=f"use {' or '.join(REVIEW_STATUSES)}")
    a = Address.__table__.c
    raw_columns = [a[f"raw_{name}"] for name, _ in RAW_PAIRS]
    query = (
        sa.select(Notice.__table__.c.id, Notice.__table__.c.person_id, a.status, a.reasons, a.suggestion, a.source, *raw_columns, *(a[name] for name in STANDARDIZED))
        .join(Address.__table__, a.notice_id == Notice.__table__.c.id)
        .where(Notice.__table__.c.status == NoticeStatus.OPEN, a.status.in_([status] if status else REVIEW_STATUSES))
        .order_by(Notice.__table__.c.id)
    )
    if limit:
        query = query.limit(limit)
    return [
        ReviewItem(
            notice_id=row.id,
            person_id=row.person_id,
            status=row.status,
            reasons=row.reasons,
            suggestion=row.suggestion,
            raw={name: getattr(row, f"raw_{name}") for name, _ in RAW_PAIRS},
            standardized={name: getattr(row, name) for name in STANDARDIZED},
            source=row.source,
        )
        for row in session.execute(query)
    ]


@dataclass
class Fix:
    """What a clerk wants done to one notice's address."""

    notice_id: int
    changes: dict[str, str] = field(default_factory=dict)  # raw field (line1 ... zip) -> new text
    accept_suggestion: bool = False
    undeliverable: str = ""

    def is_empty(self) -> bool:
        return not (self.changes or self.accept_suggestion or self.undeliverable)


def apply_fix(session: Session, fix: Fix, verifier: Verifier, actor: str) -> Address:
    """Re-checks the address with the clerk's changes, marks it as staff's, and records who did what.

    Takes part in the caller's transaction: flushes, never commits. Raises before writing anything.
    """
    notice = session.get(Notice, fix.notice_id)
    if notice is None:
        raise NotFoundError(f"no notice with id {fix.notice_id}", todo="see the addresses that wait for review", action="addresses.review")
    if notice.status != NoticeStatus.OPEN:
        raise WrongStateError(
            f"notice {notice.id} is {notice.status}: its letter is in a frozen batch or was mailed",
            todo="cancel the batch first, or record a returned letter with a forwarding address",
        )
    address = session.exec(select(Address).where(Address.notice_id == notice.id)).first()
    before = raw_of_address(address) if address else raw_of_notice(notice)
    if fix.is_empty():
        raise InvalidInputError(
            f"nothing to change for notice {notice.id}",
            todo="give the corrected fields, accept the suggestion, or mark it undeliverable with a reason",
            action="addresses.fix",
            notice=notice.id,
        )
    changes = dict(fix.changes)
    if fix.accept_suggestion:
        if not address or not address.suggestion:
            raise WrongStateError(f"notice {notice.id} has no suggested fix", todo="give the corrected fields instead", action="addresses.fix", notice=notice.id)
        changes.update(address.suggestion)
    after = RawAddress(**{**before.__dict__, **changes})
    if fix.undeliverable:
        result = AddressResult(status=AddressStatus.UNDELIVERABLE, reasons=[Reason.of("staff_undeliverable", fix.undeliverable)])
    else:
        result = verifier.check(after)
        refuse_dead(session, [result])
    if address is None:
        address = Address(notice_id=notice.id, reasons=[], suggestion={}, status=result.status, checked_at=utcnow())
    for name, value in address_values(after, result).items():
        setattr(address, name, value)
    address.source = "staff"
    address.checked_at = utcnow()
    session.add(address)
    change = AddressChange(notice_id=notice.id, at=utcnow(), before=before.__dict__, after=after.__dict__)
    session.add(change)
    session.flush()
    session.add(
        AuditEvent(
            at=change.at,
            actor=actor,
            action="address.undeliverable" if fix.undeliverable else "address.fix",
            subject="notice",
            subject_id=notice.id,
            details={"fields": changed_fields(before, after), "status": result.status, "accepted_suggestion": fix.accept_suggestion, "change": change.id},
        )
    )
    session.flush()
    return address


def changed_fields(before: RawAddress, after: RawAddress) -> list[str]:
    """The names (never the values) of the raw fields a fix changed: what the audit trail may say."""
    return sorted(name for name, value in after.__dict__.items() if before.__dict__.get(name) != value)


@dataclass
class FixResult:
    """One notice's address after a clerk's fix."""

    notice_id: int
    status: str
    line1: str
    line2: str
    city: str
    state: str
    zip5: str
    zip4: str
    reasons: list[dict]

    def as_dict(self) -> dict:
        return {"notice_id": self.notice_id, "status": self.status, "line1": self.line1, "line2": self.line2, "city": self.city,
                "state": self.state, "zip5": self.zip5, "zip4": self.zip4, "reasons": self.reasons}


def fix_address(session: Session, fix: Fix, verifier: Verifier, actor: str) -> FixResult:
    """The staff action: apply one clerk's fix and commit it."""
    address = apply_fix(session, fix, verifier, actor)
    session.commit()
    a = address
    return FixResult(fix.notice_id, a.status, a.line1, a.line2, a.city, a.state, a.zip5, a.zip4, a.reasons)
