"""Small helpers for tests: write export files, import them, dump database state for comparison."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import sqlalchemy as sa

from notifier import db
from notifier.intake.fields import FIELDS
from notifier.intake.importer import ImportSummary, import_file
from notifier.models import Decision, Notice, NoticeDiscrepancy, Person, QuarantinedRow

GOOD = {
    "decision_id": "D-1",
    "person_id": "P-1",
    "first_name": "Ana",
    "middle_name": "",
    "last_name": "Núñez",
    "suffix": "",
    "date_of_birth": "1980-02-29",
    "address_line1": "1234 W 63rd St",
    "address_line2": "",
    "city": "Chicago",
    "state": "IL",
    "zip": "60636",
    "language": "es",
    "case_number": "2009-CR-0012345",
    "offense": "Possession of cannabis",
    "statute": "720 ILCS 550/4(a)",
    "disposition_date": "2009-06-02",
    "outcome": "vacated_and_expunged",
    "not_granted_reason": "",
    "decision_date": "2021-01-15",
    "court": "Circuit Court of Cook County",
}


def row(**changes: str) -> dict:
    return {**GOOD, **changes}


def csv_text(rows: list[dict], header: list[str] | tuple[str, ...] = FIELDS, newline: str = "\r\n", quoting: int = csv.QUOTE_MINIMAL) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator=newline, quoting=quoting)
    writer.writerow(header)
    for item in rows:
        writer.writerow([item.get(name, "") for name in header])
    return buffer.getvalue()


def write_csv(path: Path, rows: list[dict], **kwargs) -> Path:
    path.write_text(csv_text(rows, **kwargs), encoding="utf-8", newline="")
    return path


def import_into(url: str, path: Path, **kwargs) -> ImportSummary:
    """`import_file` in a session of its own, as `notifier import` does it."""
    with db.session_for(url) as session:
        return import_file(session, path, **kwargs)


def dump_state(url: str) -> dict:
    """Everything import decides, without ids or timestamps, to compare two databases."""
    d, n, x, q = (Decision.__table__.c, Notice.__table__.c, NoticeDiscrepancy.__table__.c, QuarantinedRow.__table__.c)

    def plain(value) -> str:
        return json.dumps(value, sort_keys=True) if isinstance(value, (list, dict)) else str(value)

    with db.engine_for(url).connect() as connection:
        def rows(query) -> list[tuple]:
            return sorted(tuple(plain(v) for v in r) for r in connection.execute(query))

        return {
            "decisions": rows(sa.select(d.decision_id, d.person_id, d.row_hash, d.line_number, n.person_id, n.status).join_from(Decision, Notice)),
            "people": rows(sa.select(Person.__table__.c.person_id)),
            "notices": rows(
                sa.select(n.person_id, n.status, n.first_name, n.last_name, n.address_line1, n.city, n.state, n.zip,
                          n.source_decision_id, n.source_decision_date, n.address_decision_date)
            ),
            "discrepancies": rows(sa.select(n.person_id, x.decision_id, x.fields).join_from(NoticeDiscrepancy, Notice)),
            "quarantine": rows(sa.select(q.source_name, q.line_number, q.kind, q.decision_id, q.fields, q.raw_hash, q.resolved_at.is_(None))),
        }
