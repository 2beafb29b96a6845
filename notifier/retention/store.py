"""`notifier purge`: erase the personal data of finished notices past the retention period.

What goes (notifier.retention.rules says which notices): the names, addresses, dates of birth,
case numbers, offenses and free text of the notice, its decisions, its address (and the
clerks' changes of it), its returns, its quarantined rows; its letters' pages in the PDFs they
were drawn into (a file of purged letters only is deleted, a shared one rewritten without
them); the print files of batches whose every letter is purged; uploaded files older than
the period. What stays: ids, states, counts, dates and
money, so that `status`, `costs report` and `returns report` give the same figures after.

One transaction: files are rewritten and deleted just before it commits, so a crash before the commit
leaves the notices to the next run (which finds their files gone and goes on), and a crash
after it leaves nothing half done in the database. A second run finds nothing to do.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import date, datetime, time, timezone
from pathlib import Path
from typing import Iterable, Iterator

import sqlalchemy as sa
from sqlmodel import Session, select

from notifier.db import executemany
from notifier.letters.pdf import keep_pages, page_count
from notifier.models import (
    Address,
    AddressChange,
    AuditEvent,
    Batch,
    Decision,
    Letter,
    LetterState,
    Notice,
    NoticeStatus,
    PersonIdentity,
    QuarantinedRow,
    QuarantineKind,
    ReturnedMail,
    Run,
    StagedRecord,
    utcnow,
)
from notifier.retention.rules import (
    ERASED_ADDRESS,
    ERASED_DECISION,
    ERASED_NOTICE,
    ERASED_RETURN,
    SETTLED_BATCHES,
    NoticeFacts,
    cutoff,
    is_due,
    is_held_back,
    scrub_reasons,
)

log = logging.getLogger(__name__)

CHUNK = 500  # ids per IN list: well inside SQLite's and PostgreSQL's limits


@dataclass
class PurgeResult:
    """What a purge erased (or, with dry_run, would erase). `--json` prints as_dict()."""

    older_than_days: int
    last_day: date  # notices whose last activity was on or before this day were due
    dry_run: bool
    notices: int = 0
    letters: int = 0
    files: int = 0
    bytes: int = 0
    quarantined_rows: int = 0
    staged_records: int = 0
    rewritten: int = 0  # letter PDFs shared with letters still kept: rewritten without the purged letters' pages
    held: int = 0  # finished and due, but a letter is in a batch not yet closed: untouched

    def as_dict(self) -> dict:
        return {
            "notices": self.notices,
            "letters": self.letters,
            "files": self.files,
            "bytes": self.bytes,
            "quarantined_rows": self.quarantined_rows,
            "staged_records": self.staged_records,
            "rewritten": self.rewritten,
            "held": self.held,
            "older_than_days": self.older_than_days,
            "last_day": self.last_day.isoformat(),
            "dry_run": self.dry_run,
        }


def purge(session: Session, *, older_than_days: int, today: date, actor: str, uploads_dir: Path | None = None, dry_run: bool = False) -> PurgeResult:
    """Erases what retention allows (see the module's docstring); commits, or with `dry_run` only counts."""
    last_day = cutoff(today, older_than_days)
    result = PurgeResult(older_than_days, last_day, dry_run)
    due, held = _due_notices(session, last_day)
    result.held = held
    now = utcnow()
    render_files: set[str] = set()
    for ids in _chunks(due):
        result.notices += len(ids)
        result.letters += _erase_notices(session, ids, now, render_files)
    result.quarantined_rows = _erase_quarantine(session, due, now)
    result.staged_records = _delete_staged(session, last_day)
    letter_files, shared = _render_files(session, render_files)
    paths = letter_files + _print_files_of_purged_batches(session) + _old_uploads(uploads_dir, last_day)
    result.files, result.bytes, result.rewritten = len(paths), sum(path.stat().st_size for path in paths), len(shared)
    if dry_run:
        session.rollback()
        return result
    for path, pages in shared.items():
        keep_pages(path, pages)
    for path in paths:
        path.unlink(missing_ok=True)
    session.add(AuditEvent(at=now, actor=actor, action="purge", subject="retention", subject_id=0, details=result.as_dict()))
    session.commit()
    log.info("purge: %s notices, %s letters, %s files, %s quarantined rows", result.notices, result.letters, result.files, result.quarantined_rows)
    return result


def _chunks(ids: list[int]) -> Iterator[list[int]]:
    for start in range(0, len(ids), CHUNK):
        yield ids[start : start + CHUNK]


def _due_notices(session: Session, last_day: date) -> tuple[list[int], int]:
    """The ids of the notices to purge now, and how many finished, due ones an open batch holds back."""
    candidates = session.execute(
        select(Notice.id, Notice.status, Notice.updated_at)
        .where(Notice.purged_at.is_(None), Notice.status.in_((NoticeStatus.MAILED, NoticeStatus.UNREACHABLE)))
        .order_by(Notice.id)
    ).all()
    due: list[int] = []
    held = 0
    for start in range(0, len(candidates), CHUNK):
        part = candidates[start : start + CHUNK]
        letters = session.execute(
            select(Letter.notice_id, Letter.attempt, Letter.state, Batch.state.label("batch_state"), Batch.mail_date, ReturnedMail.returned_on)
            .outerjoin(Batch, Batch.id == Letter.batch_id)
            .outerjoin(ReturnedMail, ReturnedMail.letter_id == Letter.id)
            .where(Letter.notice_id.in_([row.id for row in part]), Letter.state != LetterState.SUPERSEDED)
            .order_by(Letter.notice_id, Letter.attempt)
        ).all()
        by_notice: dict[int, list] = {}
        for letter in letters:
            by_notice.setdefault(letter.notice_id, []).append(letter)
        for row in part:
            facts = _facts(row.status, row.updated_at, by_notice.get(row.id, []))
            if is_due(facts, last_day):
                due.append(row.id)
            elif is_held_back(facts, last_day):
                held += 1
    return due, held


def _facts(status: str, updated_at: datetime, letters: list) -> NoticeFacts:
    days = [d for letter in letters for d in (letter.mail_date, letter.returned_on) if d is not None] or [updated_at.date()]
    return NoticeFacts(
        status=status,
        current_letter_state=letters[-1].state if letters else None,
        batch_states=tuple(letter.batch_state for letter in letters if letter.batch_state is not None),
        last_activity=max(days),
    )


def _erase_notices(session: Session, ids: list[int], now: datetime, render_files: set[str]) -> int:
    """Erases one chunk of notices with their decisions, address, address changes and returns; returns their letters."""
    session.execute(sa.update(Notice).where(Notice.id.in_(ids)).values(**ERASED_NOTICE, purged_at=now))
    session.execute(sa.update(Decision).where(Decision.notice_id.in_(ids)).values(**ERASED_DECISION))
    session.execute(sa.delete(AddressChange).where(AddressChange.notice_id.in_(ids)))
    addresses = session.execute(select(Address.id, Address.reasons).where(Address.notice_id.in_(ids))).all()
    table = Address.__table__
    executemany(
        session,
        sa.update(table).where(table.c.id == sa.bindparam("address_pk")).values({name: sa.bindparam(name) for name in [*ERASED_ADDRESS, "reasons"]}),
        [{"address_pk": row.id, **ERASED_ADDRESS, "reasons": scrub_reasons(row.reasons)} for row in addresses],
    )
    letters = session.execute(select(Letter.id, Letter.render_file).where(Letter.notice_id.in_(ids))).all()
    render_files.update(row.render_file for row in letters if row.render_file)
    letter_ids = [row.id for row in letters]
    for part in _chunks(letter_ids):
        session.execute(sa.update(ReturnedMail).where(ReturnedMail.letter_id.in_(part)).values(**ERASED_RETURN))
    return len(letter_ids)


def _erase_quarantine(session: Session, due: list[int], now: datetime) -> int:
    """The quarantined rows of the purged decisions, and every row of a person with nothing left to send.

    An identity conflict that still waits for staff is open work and stays as it is."""
    decision_ids: list[str] = []
    person_ids: set[str] = set()
    for ids in _chunks(due):
        decision_ids.extend(session.scalars(select(Decision.decision_id).where(Decision.notice_id.in_(ids))))
        person_ids.update(session.scalars(select(Notice.person_id).where(Notice.id.in_(ids))))
    gone = _people_with_nothing_left(session, sorted(person_ids))
    for part in _chunks(sorted(gone)):
        session.execute(sa.delete(PersonIdentity).where(sa.or_(PersonIdentity.person_id.in_(part), PersonIdentity.resolved_person_id.in_(part))))
    waiting = sa.and_(QuarantinedRow.kind == QuarantineKind.IDENTITY_CONFLICT, QuarantinedRow.resolved_at.is_(None))
    rows: dict[int, list[dict]] = {}
    for column, values in ((QuarantinedRow.decision_id, decision_ids), (QuarantinedRow.person_id, sorted(gone))):
        for part in _chunks(values):
            query = select(QuarantinedRow.id, QuarantinedRow.reasons).where(column.in_(part), QuarantinedRow.purged_at.is_(None), sa.not_(waiting))
            rows.update((row_id, reasons) for row_id, reasons in session.execute(query))
    table = QuarantinedRow.__table__
    executemany(
        session,
        sa.update(table).where(table.c.id == sa.bindparam("row_pk")).values(raw=sa.bindparam("raw"), decision=sa.bindparam("decision"),
                                                                            reasons=sa.bindparam("reasons"), purged_at=sa.bindparam("purged_at")),
        [{"row_pk": row_id, "raw": {}, "decision": None, "reasons": scrub_reasons(reasons), "purged_at": now} for row_id, reasons in rows.items()],
    )
    return len(rows)


def _people_with_nothing_left(session: Session, person_ids: list[str]) -> set[str]:
    """Of these people, those whose every notice is purged (their identities and stray rows can go too)."""
    gone = set(person_ids)
    for part in _chunks(person_ids):
        gone -= set(session.scalars(select(Notice.person_id).where(Notice.person_id.in_(part), Notice.purged_at.is_(None))))
    return gone


def _delete_staged(session: Session, last_day: date) -> int:
    """Rows of files handed to `notifier run` whose run ended, or was begun and abandoned, by the last day
    (a finished import stage deletes its own; a run cut off while its file was staged leaves them)."""
    ended = datetime.combine(last_day, time.max, tzinfo=timezone.utc)
    runs = select(Run.id).where(sa.or_(Run.finished_at <= ended, sa.and_(Run.finished_at.is_(None), Run.started_at <= ended)))
    return session.execute(sa.delete(StagedRecord).where(StagedRecord.run_id.in_(runs))).rowcount or 0


def _render_files(session: Session, render_files: Iterable[str]) -> tuple[list[Path], dict[Path, list[int]]]:
    """What becomes of the PDFs the purged letters were drawn into (`letters render`, many letters a file):
    a file of purged letters only is deleted; a file shared with letters still kept is rewritten with
    their pages alone (pages to keep, by file). Either way the purged letters no longer name it.

    A letter's pages follow the one before it in letter id order; a file whose letters' pages do not
    add up to its own (a letter drawn again elsewhere since) is left as it is rather than cut wrongly.
    """
    deleted: list[Path] = []
    rewritten: dict[Path, list[int]] = {}
    purged = select(Notice.id).where(Notice.purged_at.is_not(None))
    for name in sorted(render_files):
        rows = session.execute(
            select(Letter.id, Letter.pages, Letter.notice_id.in_(purged).label("purged")).where(Letter.render_file == name).order_by(Letter.id)
        ).all()
        session.execute(sa.update(Letter).where(Letter.render_file == name, Letter.notice_id.in_(purged)).values(render_file=""))
        path = Path(name)
        if not path.is_file():
            continue
        if all(row.purged for row in rows):
            deleted.append(path)
            continue
        if sum(row.pages for row in rows) != page_count(path):
            log.warning("purge: %s holds pages of letters drawn again since; left as it is", path.name)
            continue
        keep, first = [], 0
        for row in rows:
            if not row.purged:
                keep.extend(range(first, first + row.pages))
            first += row.pages
        rewritten[path] = keep
    return deleted, rewritten


def _print_files_of_purged_batches(session: Session) -> list[Path]:
    """Print files, manifest and cover sheet of each settled batch whose every letter belongs to a purged notice."""
    open_letters = select(Letter.batch_id).join(Notice, Notice.id == Letter.notice_id).where(Notice.purged_at.is_(None), Letter.batch_id.is_not(None))
    batches = session.exec(select(Batch).where(Batch.state.in_(SETTLED_BATCHES), Batch.id.not_in(open_letters)).order_by(Batch.id))
    return [Path(entry["path"]) for batch in batches for entry in batch.files if Path(entry["path"]).is_file()]


def _old_uploads(uploads_dir: Path | None, last_day: date) -> list[Path]:
    """Files uploaded on the staff pages and last written by the last day: their rows are in the database."""
    if uploads_dir is None or not uploads_dir.is_dir():
        return []
    return [path for path in sorted(uploads_dir.rglob("*")) if path.is_file() and datetime.fromtimestamp(path.stat().st_mtime, timezone.utc).date() <= last_day]
