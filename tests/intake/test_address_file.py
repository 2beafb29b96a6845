"""Addresses from a second file (`notifier addresses import`), on SQLite and PostgreSQL."""

from __future__ import annotations

import json
import logging

import pytest
import sqlalchemy as sa
from sqlmodel import select

from notifier import db
from notifier.addresses.check import ZipDatabaseVerifier
from notifier.addresses.store import Fix, fix_address, verify_notices
from notifier.errors import InputFileError
from notifier.intake.address_file import AddressRow, check_row, import_addresses
from notifier.intake.fields import ADDRESS_FIELDS, FIELDS
from notifier.intake.mapping import load_mapping
from notifier.letters.renderer import Renderer
from notifier.letters.store import render_letters
from notifier.models import Address, AuditEvent, Letter, Notice, NoticeStatus
from notifier.settings import Settings
from tests.helpers import import_into, row, write_csv
from tests.letters.conftest import TODAY

HEADER = ["person_id", "address_line1", "address_line2", "city", "state", "zip", "language"]
CHICAGO = {"person_id": "P-1", "address_line1": "1234 W 63rd St", "city": "Chicago", "state": "IL", "zip": "60636", "language": "es"}
ALLSTON = {"person_id": "P-2", "address_line1": "15 Everett St", "address_line2": "Apt 2", "city": "Allston", "state": "Massachusetts", "zip": "2134"}


def decisions_without_address(url, tmp_path, people=("P-1", "P-2", "P-3")):
    """Decisions as a criminal-history export gives them: no address columns at all (the CLI test imports empty ones)."""
    rows = [row(decision_id=f"D-{pid}", person_id=pid, language="en") for pid in people]
    summary = import_into(url, write_csv(tmp_path / "decisions.csv", rows, header=[name for name in FIELDS if name not in ADDRESS_FIELDS]))
    assert summary.counts.imported == len(people)


def address_file(tmp_path, rows, name="addresses.csv", header=HEADER, **kwargs):
    return write_csv(tmp_path / name, rows, header=header, **kwargs)


def run(url, path, *, mapping=None, actor="clerk"):
    with db.session_for(url) as session:
        return import_addresses(session, path, mapping=mapping or load_mapping(Settings().config_dir, None), verifier=ZipDatabaseVerifier(), actor=actor)


def addresses(url) -> dict[str, dict]:
    """Each person's Address row as plain values (without ids)."""
    with db.engine_for(url).connect() as connection:
        n = Notice.__table__.c
        query = sa.select(n.person_id, n.language, *(c for c in Address.__table__.c if c.name not in ("id", "notice_id"))).join_from(Address, Notice)
        return {r.person_id: dict(r._mapping) for r in connection.execute(query)}


def verify(url) -> dict[str, int]:
    with db.session_for(url) as session:
        return verify_notices(session, ZipDatabaseVerifier())


def test_attach_verify_render(db_url, tmp_path):
    decisions_without_address(db_url, tmp_path)
    assert verify(db_url) == {"undeliverable": 3}  # no address yet: empty_address, the notices wait
    path = address_file(tmp_path, [CHICAGO, ALLSTON])  # P-3 is not in the file
    result = run(db_url, path)
    assert result.as_dict() == {"read": 2, "attached": 2, "unchanged": 0, "unknown_person": 0, "invalid": 0, "errors": []}

    stored = addresses(db_url)
    p1, p2 = stored["P-1"], stored["P-2"]
    assert (p1["status"], p1["line1"], p1["city"], p1["zip5"], p1["source"], p1["source_detail"]) == (
        "verified", "1234 W 63RD ST", "CHICAGO", "60636", "address_file", "addresses.csv:2")
    assert p1["language"] == "es"  # the file's language goes onto the notice
    # the raw fields as validated (state as a code, ZIP zeros restored), then Pub 28
    assert (p2["raw_state"], p2["raw_zip"], p2["line1"], p2["state"], p2["zip5"], p2["source_detail"]) == (
        "MA", "02134", "15 EVERETT ST APT 2", "MA", "02134", "addresses.csv:3")
    assert p2["language"] == "en"  # no language in the row: the notice's stays
    assert stored["P-3"]["status"] == "undeliverable" and stored["P-3"]["source"] == "import"

    assert verify(db_url) == {}  # nothing stale: verify leaves the file's addresses alone
    with db.session_for(db_url) as session:
        rendered = render_letters(session, Renderer.from_settings(Settings(output_dir=tmp_path / "out"), TODAY))
        letters = session.exec(select(Letter.notice_id, Letter.language, Letter.state)).all()
        notices = dict(session.exec(select(Notice.id, Notice.person_id)).all())
    assert rendered.by_state == {"rendered": 2}
    assert sorted((notices[n], language, state) for n, language, state in letters) == [("P-1", "es", "rendered"), ("P-2", "en", "rendered")]


def test_attach_before_verify_and_a_checked_address_that_needs_review(db_url, tmp_path):
    decisions_without_address(db_url, tmp_path, people=("P-1",))
    result = run(db_url, address_file(tmp_path, [{**CHICAGO, "city": "Evanston"}]))  # no Address row yet: one is made
    assert (result.attached, result.errors) == (1, [])
    p1 = addresses(db_url)["P-1"]
    assert (p1["status"], p1["suggestion"], p1["source"]) == ("needs_review", {"city": "CHICAGO"}, "address_file")
    assert verify(db_url) == {}


def test_the_same_file_again_changes_nothing(db_url, tmp_path):
    decisions_without_address(db_url, tmp_path)
    path = address_file(tmp_path, [CHICAGO, ALLSTON, {**ALLSTON, "city": " Allston "}])  # line 4 repeats line 3
    first = run(db_url, path)
    assert (first.read, first.attached, first.unchanged, first.errors) == (3, 2, 1, [])
    before = addresses(db_url)
    again = run(db_url, path)
    assert again.as_dict() == {"read": 3, "attached": 0, "unchanged": 3, "unknown_person": 0, "invalid": 0, "errors": []}
    assert addresses(db_url) == before  # not even checked_at moved

    # the same addresses from another file change nothing either; a new address is attached
    moved = run(db_url, address_file(tmp_path, [CHICAGO, {**ALLSTON, "address_line1": "17 Everett St"}], name="legal-aid.csv"))
    assert (moved.attached, moved.unchanged) == (1, 1)
    after = addresses(db_url)
    assert after["P-1"] == before["P-1"]
    assert (after["P-2"]["line1"], after["P-2"]["source_detail"]) == ("17 EVERETT ST APT 2", "legal-aid.csv:3")


def test_a_staff_fix_is_never_replaced(db_url, tmp_path):
    decisions_without_address(db_url, tmp_path, people=("P-1", "P-2"))
    run(db_url, address_file(tmp_path, [{**CHICAGO, "city": "Evanston"}, ALLSTON]))
    p1_notice = addresses(db_url)["P-1"]
    with db.session_for(db_url) as session:
        notice_id = session.exec(select(Notice.id).where(Notice.person_id == "P-1")).one()
        fix_address(session, Fix(notice_id, accept_suggestion=True), ZipDatabaseVerifier(), "clerk")
    assert p1_notice["source"] == "address_file"
    fixed = addresses(db_url)["P-1"]
    assert (fixed["source"], fixed["city"], fixed["status"]) == ("staff", "CHICAGO", "verified")

    result = run(db_url, address_file(tmp_path, [{**CHICAGO, "address_line1": "9 Other St", "language": "pl"}, ALLSTON], name="dmv.csv"))
    assert (result.attached, result.unchanged, result.invalid, result.unknown_person) == (0, 2, 0, 0)
    assert result.errors == [
        {"line": 2, "person_id": "P-1", "field": "address", "message": f"notice {notice_id}'s address was fixed by staff and is kept; this row changed nothing"}
    ]
    assert addresses(db_url)["P-1"] == fixed  # address, source and language as staff left them


def test_unknown_people_and_notices_no_longer_open(db_url, tmp_path):
    decisions_without_address(db_url, tmp_path, people=("P-1", "P-2"))
    with db.session_for(db_url) as session:
        session.execute(sa.update(Notice).where(Notice.person_id == "P-2").values(status=NoticeStatus.MAILED))
        session.commit()
    result = run(db_url, address_file(tmp_path, [{**CHICAGO, "person_id": "P-404"}, CHICAGO, {**ALLSTON, "person_id": " P-2 "}]))
    assert (result.read, result.attached, result.unknown_person) == (3, 1, 2)
    by_line = {e["line"]: e for e in result.errors}
    assert sorted(by_line) == [2, 4]
    assert (by_line[2]["person_id"], by_line[2]["field"]) == ("P-404", "person_id") and "no notice has this person id" in by_line[2]["message"]
    assert by_line[4]["person_id"] == "P-2" and "notice is mailed" in by_line[4]["message"]
    assert set(addresses(db_url)) == {"P-1"}


def test_invalid_rows_are_reported_by_line_and_field(db_url, tmp_path):
    decisions_without_address(db_url, tmp_path, people=("P-1", "P-2", "P-3", "P-4"))
    path = tmp_path / "addresses.csv"
    path.write_text(
        "person_id,address_line1,address_line2,city,state,zip,language\r\n"
        "P-1,1234 W 63rd St,,Chicago,IL,ABCDE,\r\n"  # 2
        "P-2,15 Everett St,,Allston,Narnia,,\r\n"  # 3
        ",1234 W 63rd St,,Chicago,IL,60636,\r\n"  # 4
        "P-3,,,Chicago,IL,60636,\r\n"  # 5
        "\r\n"  # a blank line: no data, not a row
        "P-4,,,,,,\r\n"  # 7
        "P-4,1234 W 63rd St,,Chicago,IL,60636,english\r\n"  # 8
        "P-4,too,few\r\n"  # 9
        '"P-4","1234 W 63rd St","Unit\r\n2",Chicago,IL,60636,\r\n'  # 10-11: a quoted line break
        "P-4,1234 W 63rd St,,Chicago,IL,60636,\r\n"  # 12: the same person, another address than line 10
        "P-3,1234 W 63rd St,,,,,\r\n",  # 13
        encoding="utf-8",
        newline="",
    )
    result = run(db_url, path)
    assert (result.read, result.attached, result.invalid, result.unchanged, result.unknown_person) == (10, 0, 10, 0, 0)
    found = [(e["line"], e["person_id"], e["field"]) for e in result.errors]
    assert found == [
        (2, "P-1", "zip"),
        (3, "P-2", "state"),
        (4, "", "person_id"),
        (5, "P-3", "address_line1"),
        (7, "P-4", "address_line1"),
        (7, "P-4", "zip"),
        (8, "P-4", "language"),
        (9, "P-4", "-"),
        (10, "P-4", "person_id"),
        (12, "P-4", "person_id"),
        (13, "P-3", "zip"),
    ]
    messages = {(e["line"], e["field"]): e["message"] for e in result.errors}
    assert "'ABCDE' is not a 5-digit ZIP" in messages[2, "zip"] and "'Narnia' is not a US state" in messages[3, "state"]
    assert "different addresses (lines 10, 12)" in messages[10, "person_id"] and "none was used" in messages[12, "person_id"]
    assert "needs a ZIP, or a city and a state" in messages[13, "zip"]
    assert addresses(db_url) == {}


def test_check_row_is_the_decision_address_rule():
    assert check_row(5, {"person_id": " P-1 ", "address_line1": " 1 Main St ", "state": "illinois", "city": "Chicago", "zip": "606 36", "language": "ES"}) == AddressRow(
        5, "P-1", check_row(5, {"person_id": "P-1", "address_line1": "1 Main St", "city": "Chicago", "state": "IL", "zip": "60636"}).address, "es")
    assert check_row(1, {"person_id": "P", "address_line1": "PO Box 1", "zip": "2134-0001"}).address.zip == "02134-0001"
    assert [p.code for p in check_row(1, {"person_id": "P", "address_line1": "x" * 1001, "zip": "60636"})] == ["too_long"]


def test_a_mapping_reads_other_headers(db_url, tmp_path):
    decisions_without_address(db_url, tmp_path, people=("P-1", "P-2"))
    config = tmp_path / "config"
    (config / "mappings").mkdir(parents=True)
    (config / "mappings" / "dmv.toml").write_text(
        '[columns]\n"Client ID" = "person_id"\n"Street" = "address_line1"\n"Apt" = "address_line2"\n"Town" = "city"\n'
        '"St" = "state"\n"Postal Code" = "zip"\n"Lang" = "language"\n\n[values.language]\n"SPA" = "es"\n',
        encoding="utf-8",
    )
    mapping = load_mapping(config, "dmv")
    header = ["Client ID", "Street", "Apt", "Town", "St", "Postal Code", "Lang", "Eye Color"]
    theirs = [
        {"Client ID": "P-1", "Street": "1234 W 63rd St", "Town": "Chicago", "St": "IL", "Postal Code": "60636", "Lang": "SPA", "Eye Color": "brown"},
        {"Client ID": "P-2", "Street": "15 Everett St", "Apt": "Apt 2", "Town": "Allston", "St": "MA", "Postal Code": "02134"},
    ]
    path = address_file(tmp_path, theirs, name="dmv.csv", header=header)
    assert run(db_url, path, mapping=mapping).as_dict() == {"read": 2, "attached": 2, "unchanged": 0, "unknown_person": 0, "invalid": 0, "errors": []}
    stored = addresses(db_url)
    assert (stored["P-1"]["line1"], stored["P-1"]["language"], stored["P-2"]["line1"]) == ("1234 W 63RD ST", "es", "15 EVERETT ST APT 2")

    with pytest.raises(InputFileError) as missing:
        run(db_url, path)  # the same file without its mapping
    assert "person_id, address_line1, zip (or city and state)" in str(missing.value) and missing.value.action == "import.mapping"
    partial = address_file(tmp_path, [], name="partial.csv", header=["Client ID", "Town", "St"])
    with pytest.raises(InputFileError) as named:
        run(db_url, partial, mapping=mapping)
    assert "no column for: address_line1" in str(named.value) and "config/mappings/dmv.toml" in str(named.value)


def test_the_whole_file_is_checked_before_anything_is_written(db_url, tmp_path):
    decisions_without_address(db_url, tmp_path, people=("P-1",))
    good = "person_id,address_line1,city,state,zip\r\nP-1,1234 W 63rd St,Chicago,IL,60636\r\n"
    latin = tmp_path / "latin.csv"
    latin.write_bytes(good.encode() + "P-2,1 Peña St,Chicago,IL,60636\r\n".encode("cp1252"))
    with pytest.raises(InputFileError) as not_utf8:
        run(db_url, latin)
    assert "line 3" in str(not_utf8.value) and "not valid utf-8" in str(not_utf8.value)
    with pytest.raises(InputFileError, match="file not found"):
        run(db_url, tmp_path / "nope.csv")
    empty = tmp_path / "empty.csv"
    empty.write_text("", encoding="utf-8")
    with pytest.raises(InputFileError, match="empty"):
        run(db_url, empty)
    twice = tmp_path / "twice.csv"
    twice.write_text("person_id,address_line1,zip,zip\r\nP-1,1 Main St,60636,60636\r\n", encoding="utf-8")
    with pytest.raises(InputFileError, match="zip more than once"):
        run(db_url, twice)
    with db.session_for(db_url) as session:
        assert [e.action for e in session.exec(select(AuditEvent))] == ["import.decisions"] and session.exec(select(Address)).all() == []

    bom = tmp_path / "bom.csv"
    bom.write_bytes(b"\xef\xbb\xbf" + good.encode())
    assert run(db_url, bom).attached == 1


def test_verify_never_puts_the_decisions_older_address_back(db_url, tmp_path):
    import_into(db_url, write_csv(tmp_path / "d1.csv", [row(decision_id="D-1", city="Evanston")]))  # the decision's own address
    assert verify(db_url) == {"needs_review": 1}
    run(db_url, address_file(tmp_path, [CHICAGO]))
    attached = addresses(db_url)["P-1"]
    assert (attached["source"], attached["status"]) == ("address_file", "verified")
    # a later decision brings another address onto the notice: verify re-checks only addresses from decisions
    import_into(db_url, write_csv(tmp_path / "d2.csv", [row(decision_id="D-2", address_line1="77 Old Rd", decision_date="2022-03-01")]))
    with db.session_for(db_url) as session:
        assert session.exec(select(Notice.address_line1)).one() == "77 Old Rd"
    assert verify(db_url) == {}
    assert addresses(db_url)["P-1"] == attached


def test_audited_with_counts_and_no_personal_values_in_logs(db_url, tmp_path, caplog):
    decisions_without_address(db_url, tmp_path, people=("P-1",))
    caplog.set_level(logging.DEBUG)
    run(db_url, address_file(tmp_path, [CHICAGO, {**ALLSTON, "person_id": "P-9"}, {**CHICAGO, "person_id": "P-8", "zip": "bad"}]), actor="dmv-clerk")
    with db.session_for(db_url) as session:
        [event] = session.exec(select(AuditEvent).where(AuditEvent.action == "address.import")).all()
    assert (event.actor, event.action, event.subject) == ("dmv-clerk", "address.import", "address_file")
    assert event.details == {"file": "addresses.csv", "mapping": "", "read": 3, "attached": 1, "unchanged": 0, "unknown_person": 1, "invalid": 1}
    text = json.dumps(event.details) + caplog.text
    for personal in ("P-1", "P-8", "P-9", "63rd", "Everett", "Chicago", "CHICAGO", "60636", "02134"):
        assert personal not in text


def test_chunks_commit_one_by_one_and_give_the_same_answer(db_url, tmp_path, monkeypatch):
    import notifier.intake.address_file as address_file_module

    decisions_without_address(db_url, tmp_path)
    rows = [CHICAGO, {**ALLSTON, "zip": "x"}, {**CHICAGO, "person_id": "P-3"}, CHICAGO, {**CHICAGO, "person_id": "P-3", "address_line1": "1 Main St"}, ALLSTON]
    path = address_file(tmp_path, rows)
    monkeypatch.setattr(address_file_module, "CHUNK_ROWS", 2)
    result = run(db_url, path)
    assert (result.read, result.attached, result.unchanged, result.invalid) == (6, 2, 1, 3)  # P-3's two addresses: none used
    assert [(e["line"], e["person_id"], e["field"]) for e in result.errors] == [(3, "P-2", "zip"), (4, "P-3", "person_id"), (6, "P-3", "person_id")]
    assert {pid: a["source_detail"] for pid, a in addresses(db_url).items()} == {"P-1": "addresses.csv:2", "P-2": "addresses.csv:7"}
    assert run(db_url, path).as_dict() == {**result.as_dict(), "attached": 0, "unchanged": 3}
