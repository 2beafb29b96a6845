"""A file read and checked in a second process stores exactly what one process stores."""

from __future__ import annotations

import csv
import json
from datetime import date

import pytest
from sqlmodel import select

from notifier import db
from notifier.intake import importer, reading
from notifier.intake.mapping import Mapping
from notifier.intake.readers import open_source
from notifier.models import ImportRun, QuarantinedRow
from notifier.synth.generator import write_export
from tests.helpers import dump_state, import_into

TODAY = date(2026, 11, 25)


def _fresh(tmp_path, name: str) -> str:
    url = f"sqlite:///{tmp_path / name}"
    db.ensure_schema(url)
    return url


@pytest.mark.parametrize("suffix", [".csv", ".jsonl"])
def test_a_reader_process_stores_what_one_process_stores(db_url, tmp_path, suffix):
    export = tmp_path / f"synth{suffix}"
    stats = write_export(export, 1500, seed=5)
    # A second import of changed rows meets its decisions stored: duplicates and conflicts, quarantined with what the file said.
    changed = tmp_path / f"changed{suffix}"
    _change_some_rows(export, changed)
    reference = _fresh(tmp_path, "reference.db")
    for url, in_process in ((reference, False), (db_url, True)):
        first = import_into(url, export, today=TODAY, chunk_rows=200, reader_process=in_process)
        second = import_into(url, changed, today=TODAY, chunk_rows=200, reader_process=in_process)
        assert first.counts.quarantined == stats.broken_rows > 0
        assert second.counts.conflicts > 0 and second.counts.duplicates > 0
    assert dump_state(db_url) == dump_state(reference)
    db.dispose(reference)


def _change_some_rows(source, target) -> None:
    """Every tenth row with another offense (a conflict), the rest unchanged (duplicates)."""
    if source.suffix == ".csv":
        with source.open(newline="", encoding="utf-8") as handle:
            rows = list(csv.reader(handle))
        column = rows[0].index("offense")
        for number, values in enumerate(rows[1:]):
            if number % 10 == 0 and len(values) > column:
                values[column] = "Changed offense"
        with target.open("w", newline="", encoding="utf-8") as handle:
            csv.writer(handle).writerows(rows)
        return
    lines = source.read_text(encoding="utf-8").splitlines()
    out = []
    for number, text in enumerate(lines):
        try:
            data = json.loads(text)
        except ValueError:
            out.append(text)
            continue
        if number % 10 == 0 and isinstance(data, dict):
            data["offense"] = "Changed offense"
        out.append(json.dumps(data, ensure_ascii=False))
    target.write_text("\n".join(out) + "\n", encoding="utf-8")


def test_a_quarantined_row_keeps_what_the_file_said_when_read_in_another_process(tmp_path):
    export = tmp_path / "odd.jsonl"
    first = {"decision_id": "D-1", "person_id": "P-1", "first_name": "Ana", "last_name": "Núñez", "date_of_birth": "1980-02-03",
             "case_number": "C-1", "outcome": "expunged", "decision_date": "2026-01-05", "address_line1": "1 Main St", "city": "Chicago",
             "state": "IL", "zip": "60601", "extra": {"nested": [1, 2.5, 123456789012345678901234567890]}}
    second = dict(first, offense="Something else")  # the same decision id with other content: a conflict
    export.write_text(json.dumps(first, ensure_ascii=False) + "\n" + json.dumps(second, ensure_ascii=False) + "\n", encoding="utf-8")
    url = _fresh(tmp_path, "odd.db")
    summary = import_into(url, export, today=TODAY, reader_process=True)
    assert (summary.counts.imported, summary.counts.conflicts) == (1, 1)
    assert summary.ignored_columns == ["extra"]  # found by the reading process, reported by this one
    with db.session_for(url) as session:
        [quarantined] = session.exec(select(QuarantinedRow)).all()
    assert quarantined.raw == second  # every value as written, the 30-digit integer too
    assert quarantined.line_number == 2


def test_when_the_reading_process_fails_the_run_is_marked_failed(tmp_path):
    export = tmp_path / "gone.csv"
    write_export(export, 50, seed=1)
    url = _fresh(tmp_path, "gone.db")
    source = open_source(export, fmt=None, mapping=Mapping(), encoding=None)
    export.unlink()  # checked, then gone before the reading process opens it
    with db.session_for(url) as session:
        run_id = importer.start_run(session, source.name, source.format, "")
        with pytest.raises(FileNotFoundError):
            with reading.read_in_process(source, 20, TODAY) as chunks:
                importer.store_checked_chunks(session, run_id, source.name, chunks)
        assert session.get(ImportRun, run_id).status == "failed"


def test_large_files_get_a_reader_process_and_small_ones_do_not(tmp_path):
    small = tmp_path / "small.csv"
    write_export(small, 10, seed=1)
    assert not reading.worth_a_process(small)
    large = tmp_path / "large.csv"
    with large.open("wb") as handle:
        handle.truncate(reading.READER_PROCESS_BYTES)
    assert reading.worth_a_process(large)
