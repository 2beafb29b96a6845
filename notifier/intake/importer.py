"""Intake's services: validated rows become decisions, people and notices.

The services take the caller's session and commit their own work. Work is committed in chunks, each chunk in one transaction together with the run's
counters. Because a decision_id is unique and a row already stored counts as a duplicate,
an import that is interrupted anywhere and run again ends in the same state as one that
was never interrupted.
"""

from __future__ import annotations

import hashlib
import json
import logging
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Callable, Iterable

import sqlalchemy as sa
from sqlmodel import Session, select

from notifier.db import executemany, insert_ignoring_duplicates, one_of
from notifier.intake import identity, notices, reading
from notifier.intake.fields import FIELDS
from notifier.intake.mapping import NOT_FINAL, SKIP, Mapping
from notifier.intake.readers import Record, open_source
from notifier.intake.reading import Checked, batched, check
from notifier.intake.rules import Problem, Valid
from notifier.models import (
    AuditEvent,
    Decision,
    ImportRun,
    ImportStatus,
    Notice,
    NoticeDiscrepancy,
    NoticeStatus,
    Person,
    QuarantinedRow,
    QuarantineKind,
    utcnow,
)

log = logging.getLogger(__name__)

DEFAULT_CHUNK_ROWS = 2000


@dataclass
class Counts:
    """read = imported + duplicates + conflicts + quarantined + skipped + not_final."""

    read: int = 0
    imported: int = 0
    duplicates: int = 0
    conflicts: int = 0  # decision ids seen with other content, and identity conflicts
    quarantined: int = 0
    skipped: int = 0  # not decisions, as the mapping says (counted, never stored)
    not_final: int = 0  # not decided yet (kept in the quarantine until a later export decides)
    identity_conflicts: int = 0  # of the conflicts: a person id seen with another date of birth or last name

    def add(self, other: "Counts") -> None:
        for name in self.__dataclass_fields__:
            setattr(self, name, getattr(self, name) + getattr(other, name))


@dataclass
class ImportSummary:
    run_id: int
    source: str
    format: str
    counts: Counts
    people: int
    ignored_columns: list[str] = field(default_factory=list)

    def as_dict(self) -> dict:
        return {
            "run_id": self.run_id,
            "source": self.source,
            "format": self.format,
            **self.counts.__dict__,
            "people": self.people,
            "ignored_columns": self.ignored_columns,
        }


def import_file(
    session: Session,
    path: Path,
    *,
    fmt: str | None = None,
    mapping: Mapping = Mapping(),
    encoding: str | None = None,
    chunk_rows: int = DEFAULT_CHUNK_ROWS,
    on_bytes: Callable[[int], None] | None = None,
    today: date | None = None,
    actor: str = "import",
    reader_process: bool | None = None,
) -> ImportSummary:
    """Import one export file. Raises InputFileError, before writing anything, if the file is unreadable.

    A large file is read and checked by a second process while this one stores it
    (`reader_process` None: by the file's size; see intake/reading.py).
    """
    source = open_source(path, fmt=fmt, mapping=mapping, encoding=encoding)
    run_id = start_run(session, source.name, source.format, mapping.name)
    log.info("import run %s started (%s, %s)", run_id, source.format, mapping.name or "canonical columns")
    today = today or date.today()
    if reader_process if reader_process is not None else reading.worth_a_process(path):
        with reading.read_in_process(source, chunk_rows, today, on_bytes) as chunks:
            counts = store_checked_chunks(session, run_id, source.name, chunks)
    else:
        counts = store_records(session, run_id, source.name, source.records(on_bytes), chunk_rows=chunk_rows, today=today)
    return finish_run(session, run_id, source.name, source.format, counts, sorted(source.ignored_columns), actor)


def start_run(session: Session, source_name: str, fmt: str, mapping_name: str) -> int:
    """Records that an import began (committed, so a failure later still leaves the run to see)."""
    run = ImportRun(source_name=source_name, format=fmt, mapping=mapping_name, started_at=utcnow())
    session.add(run)
    session.commit()
    return run.id


def store_records(
    session: Session,
    run_id: int,
    source_name: str,
    records: Iterable[Record],
    *,
    chunk_rows: int = DEFAULT_CHUNK_ROWS,
    today: date | None = None,
) -> Counts:
    """Stores records `chunk_rows` at a time, every row of a file checked against the day it started; see store_chunks."""
    return store_chunks(session, run_id, source_name, batched(records, chunk_rows), today=today or date.today())


def store_chunks(session: Session, run_id: int, source_name: str, chunks: Iterable[list[Record]], *, today: date | None = None) -> Counts:
    """Commits each chunk as it comes, so an interruption keeps the finished ones.

    On any exception (an interrupt too) the unfinished chunk is rolled back and the run is
    marked failed before the exception goes on. Without `today` each chunk is checked
    against the date it is stored on (a consumer may run for days).
    """
    return store_checked_chunks(session, run_id, source_name, (check(chunk, today or date.today()) for chunk in chunks))


def store_checked_chunks(session: Session, run_id: int, source_name: str, chunks: Iterable[list[Checked]]) -> Counts:
    """Commits each checked chunk as it comes, with the run's counters; see store_chunks."""
    total = Counts()
    try:
        for checked in chunks:
            counts = _count_in_run(session, run_id, store_checked(session, run_id, source_name, checked))
            session.commit()
            total.add(counts)
    except BaseException:
        session.rollback()
        session.execute(sa.update(ImportRun).where(ImportRun.id == run_id).values(status=ImportStatus.FAILED, finished_at=utcnow()))
        session.commit()
        log.warning("import run %s stopped after %s rows", run_id, total.read)
        raise
    return total


def finish_run(session: Session, run_id: int, source_name: str, fmt: str, counts: Counts, ignored: list[str], actor: str) -> ImportSummary:
    """Marks the run completed (committed) and sums it up."""
    people = complete_run(session, run_id, actor)
    session.commit()
    log.info("import run %s completed: %s", run_id, counts.__dict__)
    return ImportSummary(run_id, source_name, fmt, counts, people, ignored)


def complete_run(session: Session, run_id: int, actor: str) -> int:
    """Marks the import run completed, settles fixed quarantine rows and records the import in the audit trail (counts only),
    in the caller's transaction; returns the people it imported."""
    now = utcnow()
    session.execute(sa.update(ImportRun).where(ImportRun.id == run_id).values(status=ImportStatus.COMPLETED, finished_at=now))
    # A row that staff fixed and imported again, or that a later export decided, settles its quarantine entry.
    session.execute(
        sa.update(QuarantinedRow)
        .where(QuarantinedRow.resolved_at.is_(None), QuarantinedRow.kind.in_((QuarantineKind.INVALID, QuarantineKind.NOT_FINAL)))
        .where(QuarantinedRow.decision_id.in_(select(Decision.decision_id)))
        .values(resolved_at=now)
    )
    names = list(Counts.__dataclass_fields__)
    row = session.execute(select(ImportRun.format, ImportRun.mapping, *(getattr(ImportRun, name) for name in names)).where(ImportRun.id == run_id)).one()
    details = {"format": row[0], "mapping": row[1], **dict(zip(names, row[2:]))}
    session.add(AuditEvent(at=now, actor=actor, action="import.decisions", subject="import_run", subject_id=run_id, details=details))
    return session.scalar(select(sa.func.count(sa.distinct(Decision.person_id))).where(Decision.import_run_id == run_id)) or 0


def store_chunk(session: Session, run_id: int, source_name: str, records: list[Record], today: date) -> Counts:
    """One chunk and the run's counters, in the caller's transaction (a worker adds its task's state to it)."""
    return _count_in_run(session, run_id, _store_chunk(session, run_id, source_name, records, today))


def _count_in_run(session: Session, run_id: int, counts: Counts) -> Counts:
    session.execute(
        sa.update(ImportRun)
        .where(ImportRun.id == run_id)
        .values({name: getattr(ImportRun, name) + value for name, value in counts.__dict__.items()})
    )
    return counts


def _store_chunk(session: Session, run_id: int, source_name: str, records: Iterable[Record], today: date) -> Counts:
    return store_checked(session, run_id, source_name, check(records, today))


def store_checked(session: Session, run_id: int, source_name: str, checked: list[Checked]) -> Counts:
    """Stores checked records (in the caller's transaction); returns the chunk's counts."""
    counts = Counts()
    now = utcnow()
    quarantine: list[dict] = []
    valid: list[tuple[Record, Valid]] = []
    for record, result in checked:
        counts.read += 1
        if record.kind == SKIP:
            counts.skipped += 1  # an arrest, another count: no decision to keep
            continue
        if record.kind == NOT_FINAL:
            counts.not_final += 1
            waiting = Problem("outcome", "not_final", f"not decided yet ({record.reason}); an export in which it is final imports it")
            quarantine.append(_quarantined(run_id, source_name, record, QuarantineKind.NOT_FINAL, [waiting, *record.problems], now))
            continue
        problems = record.problems + (result if isinstance(result, list) else [])
        if problems:
            quarantine.append(_quarantined(run_id, source_name, record, QuarantineKind.INVALID, problems, now))
        else:
            valid.append((record, result))

    new = _sort_out_repeats(session, run_id, source_name, valid, quarantine, counts, now)
    new, conflicted = route_identities(session, new)
    for record, result, known in conflicted:
        quarantine.append(_quarantined(run_id, source_name, record, QuarantineKind.IDENTITY_CONFLICT, [_identity_problem(result.values, known)], now,
                                       fields=["person_id", "date_of_birth", "last_name"], decision=_decision_json(result)))
    store_decisions(session, run_id, new, now)
    counts.imported = len(new)
    kinds = [row["kind"] for row in quarantine]
    counts.quarantined = kinds.count(QuarantineKind.INVALID)
    counts.identity_conflicts = kinds.count(QuarantineKind.IDENTITY_CONFLICT)
    counts.conflicts = kinds.count(QuarantineKind.CONFLICT) + counts.identity_conflicts
    insert_ignoring_duplicates(session, QuarantinedRow.__table__, quarantine)
    return counts


def _sort_out_repeats(
    session: Session,
    run_id: int,
    source_name: str,
    valid: list[tuple[Record, Valid]],
    quarantine: list[dict],
    counts: Counts,
    now: datetime,
) -> list[tuple[Record, Valid]]:
    """Splits valid rows into new decisions, duplicates (counted) and conflicts (quarantined)."""
    ids = list({v.values["decision_id"] for _, v in valid})
    known: dict[str, str] = dict(session.execute(select(Decision.decision_id, Decision.row_hash).where(one_of(session, Decision.decision_id, ids))).all())
    earlier_in_chunk: dict[str, dict] = {}
    new: list[tuple[Record, Valid]] = []
    for record, result in valid:
        decision_id = result.values["decision_id"]
        seen = known.get(decision_id)
        if seen is None:
            known[decision_id] = result.row_hash
            earlier_in_chunk[decision_id] = result.values
            new.append((record, result))
        elif seen == result.row_hash:
            counts.duplicates += 1
        else:
            earlier = earlier_in_chunk.get(decision_id) or _stored_values(session, decision_id)
            differing = [name for name in FIELDS if earlier[name] != result.values[name]]
            problem = Problem(
                ",".join(differing),
                "conflict",
                f"decision {decision_id} was imported before with a different {', '.join(differing)}; "
                "the earlier version is kept. If this one is right, correct the decision in the source system and contact the notifier administrator",
            )
            quarantine.append(_quarantined(run_id, source_name, record, QuarantineKind.CONFLICT, [problem], now, fields=differing))
    return new


def route_identities(session: Session, new: list[tuple[Record, Valid]]) -> tuple[list[tuple[Record, Valid]], list[tuple[Record, Valid, identity.Identity]]]:
    """Each new decision goes to the person its identity belongs to; one whose person id is
    known with another date of birth or last name comes back as a conflict, not joined."""
    known = identity.known_identities(session, list({v.values["person_id"] for _, v in new}))
    routed, conflicted, first_seen = [], [], []
    for record, result in new:
        values = result.values
        pid, born, key = values["person_id"], values["date_of_birth"], identity.name_key(values["last_name"])
        identities = known.setdefault(pid, [])
        match = identity.find(identities, born, key)
        if match is None and not identities:
            match = identity.Identity(born, key, pid)
            identities.append(match)
            first_seen.append((pid, match))
        if match is None:
            conflicted.append((record, result, identities[0]))
            continue
        if match.date_of_birth is None and born is not None:
            identities[identities.index(match)] = identity.complete(session, pid, match, born)
        if match.resolved_person_id != pid:
            result = Valid({**values, "person_id": match.resolved_person_id}, result.row_hash)
        routed.append((record, result))
    identity.remember(session, first_seen, "import")
    return routed, conflicted


def _identity_problem(values: dict, known: identity.Identity) -> Problem:
    born = values["date_of_birth"].isoformat() if values["date_of_birth"] else "unknown"
    known_born = known.date_of_birth.isoformat() if known.date_of_birth else "unknown"
    return Problem(
        "person_id",
        "identity_conflict",
        f"person id {values['person_id']} belongs to someone else (last name {known.last_name_key.upper()}, born {known_born}); "
        f"this row names {values['last_name']}, born {born}. It is not joined to their letter: "
        "staff confirm it is the same person (for example a changed last name) or give it its own person id",
    )


def _decision_json(result: Valid) -> dict:
    """A validated decision as JSON, to import once staff resolve its identity conflict."""
    return {"values": {k: (v.isoformat() if isinstance(v, date) else v) for k, v in result.values.items()}, "row_hash": result.row_hash}


def _stored_values(session: Session, decision_id: str) -> dict:
    stored = session.exec(select(Decision).where(Decision.decision_id == decision_id)).one()
    return {name: getattr(stored, name) for name in FIELDS}


def store_decisions(session: Session, run_id: int, new: list[tuple[Record, Valid]], now: datetime) -> None:
    """Creates people, joins each decision to its person's open notice, stores the decisions (in the caller's transaction).

    The decisions are new (their ids unseen) and routed to their person (route_identities).
    """
    if not new:
        return
    person_ids = list({v.values["person_id"] for _, v in new})
    insert_ignoring_duplicates(session, Person.__table__, [{"person_id": pid, "created_at": now} for pid in person_ids])

    # Locked (on PostgreSQL) so that two workers importing chunks with the same person join in turn.
    n = Notice.__table__.c
    open_notices = session.execute(
        sa.select(n.person_id, n.id, *(n[name] for name in notices.SNAPSHOT_FIELDS))
        .where(n.status == NoticeStatus.OPEN, one_of(session, n.person_id, person_ids))
        .order_by(n.id)
        .with_for_update()
    ).all()
    notice_ids = {row[0]: row[1] for row in open_notices}
    snapshots = {row[0]: dict(zip(notices.SNAPSHOT_FIELDS, row[2:])) for row in open_notices}
    discrepancies: list[tuple[str, str, list[str]]] = []
    for _, result in new:
        values = result.values
        pid = values["person_id"]
        if pid in snapshots:
            snapshots[pid], differing = notices.join(snapshots[pid], values)
            if differing:
                discrepancies.append((pid, values["decision_id"], differing))
        else:
            snapshots[pid] = notices.start(values)

    notice = Notice.__table__
    changed = [{"notice_pk": notice_ids[pid], **snap, "updated_at": now} for pid, snap in snapshots.items() if pid in notice_ids]
    if changed:
        columns = list(notices.SNAPSHOT_FIELDS) + ["updated_at"]
        executemany(
            session,
            sa.update(notice).where(notice.c.id == sa.bindparam("notice_pk")).values({name: sa.bindparam(name) for name in columns}),
            changed,
        )
    created = [
        {"person_id": pid, "status": NoticeStatus.OPEN, **snap, "created_at": now, "updated_at": now}
        for pid, snap in snapshots.items()
        if pid not in notice_ids
    ]
    if created:
        executemany(session, sa.insert(notice), created)
        # The partial unique index allows one open notice per person, so this finds exactly the new ones.
        new_ids = session.execute(
            sa.select(notice.c.person_id, notice.c.id).where(
                notice.c.status == NoticeStatus.OPEN, one_of(session, notice.c.person_id, [row["person_id"] for row in created])
            )
        )
        notice_ids.update(dict(new_ids.all()))

    executemany(
        session,
        sa.insert(Decision.__table__),
        [
            {
                **result.values,
                "notice_id": notice_ids[result.values["person_id"]],
                "import_run_id": run_id,
                "line_number": record.line,
                "row_hash": result.row_hash,
                "created_at": now,
            }
            for record, result in new
        ],
    )
    if discrepancies:
        session.execute(
            sa.insert(NoticeDiscrepancy.__table__),
            [{"notice_id": notice_ids[pid], "decision_id": did, "fields": fields, "created_at": now} for pid, did, fields in discrepancies],
        )


def _id_column(record: Record, name: str) -> str:
    """An id a quarantine entry is found by. PostgreSQL text cannot hold NUL, so it shows as U+FFFD
    here (the rules refused the row for it); `raw` keeps the row as it was, NUL and all (JSON escapes it)."""
    return str((record.row or {}).get(name, "")).strip().replace("\x00", "\ufffd")[:1000]


def _quarantined(
    run_id: int,
    source_name: str,
    record: Record,
    kind: QuarantineKind,
    problems: list[Problem],
    now: datetime,
    fields: list[str] | None = None,
    decision: dict | None = None,
) -> dict:
    raw = record.raw
    raw_text = json.dumps(raw, sort_keys=True, ensure_ascii=False, default=str)
    return {
        "import_run_id": run_id,
        "source_name": source_name,
        "line_number": record.line,
        "kind": kind,
        "decision_id": _id_column(record, "decision_id"),
        "person_id": _id_column(record, "person_id"),
        "fields": fields if fields is not None else sorted({p.field for p in problems}),
        "reasons": [p.as_dict() for p in problems],
        "raw": raw,
        "raw_hash": hashlib.sha256(raw_text.encode("utf-8")).hexdigest(),
        "decision": decision,
        "created_at": now,
    }
