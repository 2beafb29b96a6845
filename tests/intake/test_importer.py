"""Importing files into storage, on SQLite and PostgreSQL (the db_url fixture)."""

from __future__ import annotations

import csv
import json
import re
from datetime import date
from pathlib import Path

import pytest
import sqlalchemy as sa
from sqlmodel import select

from notifier import db
from notifier.cli.hints import error_line
from notifier.errors import InputFileError
from notifier.intake import importer
from notifier.intake.mapping import load_mapping
from notifier.models import Decision, ImportRun, Notice, NoticeDiscrepancy, QuarantinedRow
from notifier.settings import REPO_ROOT
from notifier.synth.generator import write_export
from tests.helpers import FIELDS, csv_text, dump_state, import_into, row, write_csv

TODAY = date(2026, 11, 25)


def load(url: str, path: Path, **kwargs):
    return import_into(url, path, today=TODAY, **kwargs)


def all_of(url, model, *where):
    with db.session_for(url) as session:
        return list(session.exec(select(model).where(*where)).all())


def test_sample_export(db_url, sample_csv):
    summary = load(db_url, sample_csv)
    c = summary.counts
    assert (c.read, c.imported, c.duplicates, c.conflicts, c.quarantined) == (12, 11, 0, 0, 1)
    assert summary.people == 10  # P-100 has two decisions: one notice
    [bad] = all_of(db_url, QuarantinedRow)
    assert (bad.source_name, bad.line_number, bad.fields, bad.raw["outcome"]) == ("sample-decisions.csv", 13, ["outcome"], "banana")
    assert "banana" in bad.reasons[0]["message"]
    [maria] = all_of(db_url, Notice, Notice.person_id == "P-100")
    assert len(all_of(db_url, Decision, Decision.notice_id == maria.id)) == 2
    [luis] = all_of(db_url, Notice, Notice.person_id == "P-109")
    assert luis.zip == "06062"  # leading zero restored; the address step will question it
    [james] = all_of(db_url, Notice, Notice.person_id == "P-101")
    assert james.state == "IL"  # "Illinois"
    [john] = all_of(db_url, Notice, Notice.person_id == "P-108")
    assert john.address_line1 == ""  # no address: imported, waits for one


def test_reimport_is_a_no_op(db_url, sample_csv):
    load(db_url, sample_csv)
    before = dump_state(db_url)
    again = load(db_url, sample_csv).counts
    assert (again.read, again.imported, again.duplicates, again.quarantined) == (12, 0, 11, 1)
    assert dump_state(db_url) == before


def test_changed_row_with_same_id_is_a_conflict_and_never_overwrites(db_url, tmp_path):
    load(db_url, write_csv(tmp_path / "a.csv", [row()]))
    summary = load(db_url, write_csv(tmp_path / "b.csv", [row(last_name="Smith", outcome="sealed")]))
    assert (summary.counts.imported, summary.counts.conflicts) == (0, 1)
    [decision] = all_of(db_url, Decision)
    assert decision.last_name == "Núñez" and decision.outcome == "vacated_and_expunged"
    [conflict] = all_of(db_url, QuarantinedRow)
    assert conflict.kind == "conflict" and conflict.fields == ["last_name", "outcome"] and conflict.line_number == 2


def test_repeats_inside_one_file(db_url, tmp_path):
    path = write_csv(tmp_path / "a.csv", [row(), row(), row(city="Cicero")])
    c = load(db_url, path).counts
    assert (c.read, c.imported, c.duplicates, c.conflicts) == (3, 1, 1, 1)


def test_every_bad_row_is_quarantined_with_file_line_field_and_raw_row(db_url, tmp_path):
    rows = [
        row(decision_id="D-1", decision_date="2021-02-30"),
        row(decision_id="D-2", outcome="not_granted"),
        row(decision_id="D-3", offense="x" * 1001),
        row(decision_id="D-4", case_number=""),
        row(decision_id="D-5", state="Atlantis"),
        row(decision_id="D-6", zip="6O636"),
        row(decision_id="D-7"),
    ]
    text = csv_text(rows) + "D-8,P-8,only,three\r\n"
    (tmp_path / "bad.csv").write_text(text, encoding="utf-8", newline="")
    c = load(db_url, tmp_path / "bad.csv").counts
    assert (c.read, c.imported, c.quarantined) == (8, 1, 7)
    found = {q.line_number: (q.fields[0], q.reasons[0]["code"]) for q in all_of(db_url, QuarantinedRow)}
    assert found == {
        2: ("decision_date", "bad_date"),
        3: ("not_granted_reason", "reason_required"),
        4: ("offense", "too_long"),
        5: ("case_number", "required"),
        6: ("state", "bad_state"),
        7: ("zip", "bad_zip"),
        9: ("-", "field_count"),
    }
    short = next(q for q in all_of(db_url, QuarantinedRow) if q.line_number == 9)
    assert short.reasons[0] == {"field": "-", "code": "field_count", "message": "row has 4 fields, the header has 21"}
    assert short.raw == {"decision_id": "D-8", "person_id": "P-8", "first_name": "only", "middle_name": "three"}
    assert all(q.source_name == "bad.csv" for q in all_of(db_url, QuarantinedRow))


def test_line_endings_bom_and_quoted_newlines(db_url, tmp_path):
    body = csv_text([row(decision_id="D-1", address_line2="c/o Legal Aid\nSuite 5"), row(decision_id="D-2", outcome="banana")], newline="\r", quoting=csv.QUOTE_ALL)
    (tmp_path / "mac.csv").write_bytes(b"\xef\xbb\xbf" + body.encode("utf-8"))
    summary = load(db_url, tmp_path / "mac.csv")
    assert (summary.counts.imported, summary.counts.quarantined) == (1, 1)
    [decision] = all_of(db_url, Decision)
    assert decision.decision_id == "D-1" and decision.address_line2 == "c/o Legal Aid\nSuite 5"
    [bad] = all_of(db_url, QuarantinedRow)
    assert bad.line_number == 4  # the quoted newline makes D-1 span lines 2 and 3


def test_jsonl_with_bad_lines(db_url, tmp_path):
    lines = [
        json.dumps(row(decision_id="D-1")),
        "",
        '{"decision_id": "D-2", "person_id": ',
        json.dumps(["not", "an", "object"]),
        json.dumps({**row(decision_id="D-3"), "zip": 2134, "extra_key": "ignored"}),
        json.dumps({**row(decision_id="D-4"), "first_name": {"nested": 1}}),
    ]
    path = tmp_path / "d.jsonl"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    summary = load(db_url, path)
    assert (summary.counts.read, summary.counts.imported, summary.counts.quarantined) == (5, 2, 3)
    assert summary.ignored_columns == ["extra_key"]
    assert {q.line_number: q.reasons[0]["code"] for q in all_of(db_url, QuarantinedRow)} == {3: "bad_json", 4: "bad_json", 6: "not_text"}
    [d3] = all_of(db_url, Decision, Decision.decision_id == "D-3")
    assert d3.zip == "02134"


@pytest.mark.parametrize(
    "content, fmt, message",
    [
        (b"decision_id,person_id\nD-1,\xe9\n", None, "line 2"),
        (b"decision_id,person_id,first_name\nD-1,P-1,Ana\n", None, "header has no column for: last_name, case_number, outcome, decision_date"),
        (b"", None, "empty"),
        (csv_text([row()]).encode(), "xml", "unknown format"),
    ],
)
def test_unreadable_file_fails_before_anything_is_imported(db_url, tmp_path, content, fmt, message):
    path = tmp_path / "export.csv"
    path.write_bytes(content)
    with pytest.raises(InputFileError) as caught:
        load(db_url, path, fmt=fmt)
    assert message in str(caught.value) and str(path) in str(caught.value)
    assert all_of(db_url, ImportRun) == [] and all_of(db_url, Decision) == []


def test_not_utf8_suggests_encoding_and_encoding_option_reads_it(db_url, tmp_path):
    path = tmp_path / "windows.csv"
    path.write_bytes(csv_text([row(last_name="Muñoz")]).encode("cp1252"))
    with pytest.raises(InputFileError) as caught:  # the words are the error's, the option the command line's
        load(db_url, path)
    assert re.search("--encoding cp1252", error_line(caught.value))
    load(db_url, path, encoding="cp1252")
    assert all_of(db_url, Decision)[0].last_name == "Muñoz"


def test_unknown_extension_needs_format(db_url, tmp_path):
    path = tmp_path / "export.dat"
    path.write_text(csv_text([row()]), encoding="utf-8")
    with pytest.raises(InputFileError) as caught:
        load(db_url, path)
    assert re.search("--format csv", error_line(caught.value))
    assert load(db_url, path, fmt="csv").counts.imported == 1


def test_office_mapping_renames_columns_and_translates_codes(db_url, tmp_path):
    mapping = load_mapping(REPO_ROOT / "config", "example-county")
    theirs = {ours: theirs for theirs, ours in mapping.columns.items()}
    rows = [{theirs[k]: v for k, v in row(outcome="VAC/EXP").items()}, {theirs[k]: v for k, v in row(decision_id="D-2", outcome="DENIED", not_granted_reason="OTHER CHGS").items()}]
    path = write_csv(tmp_path / "county.csv", rows, header=[theirs[name] for name in FIELDS] + ["Internal Flag"])
    summary = load(db_url, path, mapping=mapping)
    assert summary.counts.imported == 2 and summary.ignored_columns == ["Internal Flag"]
    outcomes = {d.decision_id: (d.outcome, d.not_granted_reason) for d in all_of(db_url, Decision)}
    assert outcomes == {"D-1": ("vacated_and_expunged", ""), "D-2": ("not_granted", "tied_to_other_charges")}


def test_two_files_a_week_apart_give_one_notice_until_it_is_mailed(db_url, tmp_path):
    load(db_url, write_csv(tmp_path / "week1.csv", [row(decision_id="D-1")]))
    load(db_url, write_csv(tmp_path / "week2.csv", [row(decision_id="D-2", decision_date="2021-02-01", address_line1="9 Elm St")]))
    [notice] = all_of(db_url, Notice)
    assert notice.address_line1 == "9 Elm St" and notice.source_decision_id == "D-2"
    [discrepancy] = all_of(db_url, NoticeDiscrepancy)
    assert discrepancy.fields == ["address_line1"] and discrepancy.decision_id == "D-2"

    with db.session_for(db_url) as session:
        session.execute(sa.update(Notice).values(status="mailed"))
        session.commit()
    load(db_url, write_csv(tmp_path / "week3.csv", [row(decision_id="D-3")]))
    notices = all_of(db_url, Notice)
    assert sorted(n.status for n in notices) == ["mailed", "open"]
    [newer] = [n for n in notices if n.status == "open"]
    assert [d.decision_id for d in all_of(db_url, Decision, Decision.notice_id == newer.id)] == ["D-3"]


def test_fixed_row_settles_its_quarantine_entry(db_url, tmp_path):
    load(db_url, write_csv(tmp_path / "a.csv", [row(outcome="banana")]))
    assert all_of(db_url, QuarantinedRow)[0].resolved_at is None
    load(db_url, write_csv(tmp_path / "fixed.csv", [row()]))
    assert all_of(db_url, QuarantinedRow)[0].resolved_at is not None


@pytest.mark.parametrize("stop_after_chunks", [0, 1, 3])
def test_interrupted_import_ends_like_an_uninterrupted_one(db_url, tmp_path, monkeypatch, stop_after_chunks):
    export = tmp_path / "synth.csv"
    write_export(export, 600, seed=3)
    reference_url = f"sqlite:///{tmp_path / 'reference.db'}"
    db.ensure_schema(reference_url)
    load(reference_url, export, chunk_rows=100)

    real = importer.store_checked
    calls = {"n": 0}

    def crash_after_some_chunks(*args, **kwargs):
        if calls["n"] == stop_after_chunks:
            real(*args, **kwargs)  # the work is done but the transaction never commits
            raise KeyboardInterrupt
        calls["n"] += 1
        return real(*args, **kwargs)

    monkeypatch.setattr(importer, "store_checked", crash_after_some_chunks)
    with pytest.raises(KeyboardInterrupt):
        load(db_url, export, chunk_rows=100)
    monkeypatch.setattr(importer, "store_checked", real)
    assert len(all_of(db_url, Decision)) < 600
    assert [r.status for r in all_of(db_url, ImportRun)] == ["failed"]

    load(db_url, export, chunk_rows=100)
    assert dump_state(db_url) == dump_state(reference_url)
    db.dispose(reference_url)


def test_synthetic_export_quarantines_exactly_its_broken_rows(db_url, tmp_path):
    export = tmp_path / "synth.csv"
    stats = write_export(export, 2000, seed=11)
    summary = load(db_url, export)
    assert summary.counts.read == 2000
    assert summary.counts.quarantined == stats.broken_rows > 0
    assert summary.counts.imported == 2000 - stats.broken_rows


def test_formula_looking_text_is_stored_as_it_was_given(db_url, tmp_path):
    text = '=HYPERLINK("http://example.org","record")'
    load(db_url, write_csv(tmp_path / "f.csv", [row(offense=text, court="+SUM(A1:A2)")]))
    [decision] = all_of(db_url, Decision)
    assert (decision.offense, decision.court) == (text, "+SUM(A1:A2)")
