"""USPS ACS notices recorded as returns, on SQLite and PostgreSQL.

The files are built here from the letters of a real mailed batch, with positions written out
from a public ACS reader (0-based offsets), not from notifier's own acs_layout.toml: a wrong
position in either shows as a failing test.
"""

from __future__ import annotations

import json
from datetime import date

import pytest
from sqlmodel import select

from notifier import db
from notifier.errors import InputFileError
from notifier.letters import imb
from notifier.letters.ids import make_letter_id
from notifier.models import AcsNotice, Address, Letter, ReturnedMail
from notifier.returns.acs_import import import_acs
from notifier.returns.rules import load_policy
from notifier.settings import load_toml
from tests.returns.test_returns import VERIFIER, letters, mail_run, mailed, record, settings  # noqa: F401 - settings is a fixture

TODAY = date(2025, 9, 1)
HEADER = {"version": (1, 2), "customer": (3, 6), "created": (9, 8), "shipment": (17, 10), "total": (27, 9), "coa": (36, 9), "nixie": (45, 9),
          "fs_coa_fee": (203, 11), "fs_nixie_fee": (223, 11)}
DETAIL = {"version": (1, 2), "sequence": (3, 8), "mailer": (11, 9), "moved": (36, 8), "move_type": (44, 1), "code": (45, 1),
          "last_name": (49, 20), "first_name": (69, 15), "new_primary": (257, 10), "new_street": (269, 28), "new_suffix": (297, 4),
          "new_city": (317, 28), "new_state": (345, 2), "new_zip": (347, 5), "hyphen": (352, 1), "new_plus4": (353, 4),
          "imb": (440, 31), "fulfilled": (524, 8), "flag": (544, 1), "dpv": (617, 1)}
COA_CODES = (" ", "G", "K", "W")


def _record(kind: str, layout: dict, values: dict) -> str:
    chars = [" "] * 700
    chars[0] = kind
    for name, text in values.items():
        start, width = layout[name]
        text = str(text)
        assert len(text) <= width, name
        chars[start : start + len(text)] = text
    return "".join(chars)


def tracking_of(settings, number: int, mailer_id: str | None = None) -> str:
    config = load_toml(settings.config_dir / "imb.toml")
    return imb.tracking_code(config["barcode_id"], config["service_type"], mailer_id or config["mailer_id"], number)


def acs_file(path, notices: list[dict], *, version="02", total=None, fee_cents=(75, 50)) -> None:
    """notices: code, tracking, and optionally moved, new address fields."""
    coa = sum(1 for n in notices if n["code"] in COA_CODES)
    header = _record("H", HEADER, {"version": version, "customer": "123456", "created": "20250830", "shipment": "0000000042",
                                   "total": f"{total if total is not None else len(notices):09d}", "coa": f"{coa:09d}",
                                   "nixie": f"{len(notices) - coa:09d}", "fs_coa_fee": f"{fee_cents[0]:011d}",
                                   "fs_nixie_fee": f"{fee_cents[1]:011d}"})
    lines = [header]
    for sequence, notice in enumerate(notices, start=1):
        values = {"version": version, "sequence": f"{sequence:08d}", "mailer": "123456", "code": notice["code"],
                  "last_name": "NOTREAD", "first_name": "NOTREAD", "imb": notice["tracking"] + notice.get("routing", "60804"),
                  "fulfilled": "20250829", "flag": "C" if notice["code"] in COA_CODES else "N"}
        if notice["code"] in COA_CODES:
            values.update({"moved": notice.get("moved", "20250815"), "move_type": "I"})
        if "new" in notice:
            primary, street, suffix, city, state, zip5 = notice["new"]
            values.update({"new_primary": primary, "new_street": street, "new_suffix": suffix, "new_city": city, "new_state": state,
                           "new_zip": zip5})
        if version == "02":
            values["dpv"] = "Y"
        record = _record("D", DETAIL, values)
        lines.append(record[: notice["cut"]] if "cut" in notice else record)
    path.write_text("\r\n".join(lines) + "\r\n", encoding="latin-1")


def run_import(db_url, settings, path):
    with db.session_for(db_url) as session:
        return import_acs(session, path, load_policy(settings.config_dir), VERIFIER, load_toml(settings.config_dir / "imb.toml")["mailer_id"],
                          "acs", TODAY)


def returned(db_url) -> dict[int, ReturnedMail]:
    with db.session_for(db_url) as session:
        return {r.letter_id: r for r in session.exec(select(ReturnedMail))}


@pytest.mark.parametrize("version", ["01", "02"])
def test_every_code_is_recorded_with_its_reason(db_url, tmp_path, settings, version):
    policy = load_policy(settings.config_dir)
    codes = sorted(policy.acs_codes)
    sent = mailed(db_url, tmp_path, settings, people=len(codes))
    notices = [{"code": code, "tracking": tracking_of(settings, letter.id)} for code, letter in zip(codes, sent)]
    path = tmp_path / "acs.txt"
    acs_file(path, notices, version=version)
    report = run_import(db_url, settings, path)
    assert (report.read, report.recorded, report.already_recorded, report.unknown, report.invalid) == (len(codes), len(codes), 0, 0, 0)
    assert report.fee_cents == 125
    found = returned(db_url)
    assert {code: found[letter.id].reason for code, letter in zip(codes, sent)} == policy.acs_codes
    temporary = next(letter for code, letter in zip(codes, sent) if code == "W")
    assert found[temporary.id].outcome == "noted"  # a temporary move is noted, not re-mailed


def test_a_new_address_becomes_attempt_two_in_the_next_batch_and_a_temporary_move_is_not_remailed(db_url, tmp_path, settings):
    moved, away, gone = mailed(db_url, tmp_path, settings, people=3)
    new = ("9", "Elm", "St", "Cicero", "IL", "60804")
    path = tmp_path / "acs.txt"
    acs_file(path, [{"code": " ", "tracking": tracking_of(settings, moved.id), "new": new},
                    {"code": "W", "tracking": tracking_of(settings, away.id), "new": new},
                    {"code": "P", "tracking": tracking_of(settings, gone.id)}])
    report = run_import(db_url, settings, path)
    assert (report.recorded, report.forwarded) == (3, 1)
    found = returned(db_url)
    assert (found[moved.id].outcome, found[moved.id].forward_line1) == ("remail", "9 Elm St")
    assert (found[away.id].outcome, found[away.id].forward_line1) == ("noted", "")
    assert (found[gone.id].reason, found[gone.id].outcome) == ("deceased", "dead_address")
    mail_run(db_url, settings)
    again = [letter for letter in letters(db_url) if letter.attempt == 2]
    assert [letter.notice_id for letter in again] == [moved.notice_id]
    with db.session_for(db_url) as session:
        address = session.exec(select(Address).where(Address.notice_id == moved.notice_id)).one()
    assert (address.line1, address.city, address.zip5) == ("9 ELM ST", "CICERO", "60804")


def test_the_same_file_twice_records_nothing_new_and_unknown_pieces_are_reported_and_kept(db_url, tmp_path, settings):
    first, second = mailed(db_url, tmp_path, settings, people=2)
    path = tmp_path / "acs.txt"
    acs_file(path, [{"code": "K", "tracking": tracking_of(settings, first.id)},
                    {"code": "N", "tracking": tracking_of(settings, 987654)},  # no such letter
                    {"code": "A", "tracking": tracking_of(settings, second.id, mailer_id="654321")}])  # another mailer's piece
    report = run_import(db_url, settings, path)
    assert (report.read, report.recorded, report.unknown) == (3, 1, 2)
    assert [p["line"] for p in report.problems] == [3, 4]
    assert "654321" in report.problems[1]["message"]
    again = run_import(db_url, settings, path)
    assert (again.read, again.recorded, again.already_recorded, again.unknown) == (3, 0, 1, 2)
    with db.session_for(db_url) as session:
        kept = session.exec(select(AcsNotice).order_by(AcsNotice.line)).all()
    assert [(k.line, k.status, k.letter_id) for k in kept] == [(2, "recorded", first.id), (3, "unknown", None), (4, "foreign_mailer_id", None)]
    assert set(returned(db_url)) == {first.id}


def test_a_short_record_or_a_bad_date_is_reported_by_line_and_the_rest_recorded(db_url, tmp_path, settings):
    first, second, third = mailed(db_url, tmp_path, settings, people=3)
    path = tmp_path / "acs.txt"
    acs_file(path, [{"code": "K", "tracking": tracking_of(settings, first.id), "cut": 650},
                    {"code": "V", "tracking": tracking_of(settings, second.id)},
                    {"code": "K", "tracking": tracking_of(settings, third.id), "moved": "20251345"}])
    report = run_import(db_url, settings, path)
    assert (report.read, report.recorded, report.invalid) == (3, 1, 2)
    assert report.problems == [{"line": 2, "field": "record", "message": "the record is 650 characters long; an ACS record is 700"},
                               {"line": 4, "field": "date", "message": "move effective date 20251345 is not a real calendar date"}]
    assert set(returned(db_url)) == {second.id}


def test_a_header_whose_counts_do_not_match_refuses_the_whole_file(db_url, tmp_path, settings):
    [letter] = mailed(db_url, tmp_path, settings, people=1)
    path = tmp_path / "acs.txt"
    acs_file(path, [{"code": "K", "tracking": tracking_of(settings, letter.id)}], total=2)
    with pytest.raises(InputFileError, match="header counts 2 records; the file holds 1"):
        run_import(db_url, settings, path)
    assert returned(db_url) == {}


def test_an_envelope_scanned_after_its_acs_notice_is_already_recorded(db_url, tmp_path, settings):
    [letter] = mailed(db_url, tmp_path, settings, people=1)
    path = tmp_path / "acs.txt"
    acs_file(path, [{"code": "I", "tracking": tracking_of(settings, letter.id)}])
    assert run_import(db_url, settings, path).recorded == 1
    scanned = record(db_url, settings, make_letter_id(letter.id), reason="insufficient_address")
    assert scanned.already and scanned.reason == "insufficient_address"


def test_the_command_prints_the_counts_as_json(db_url, tmp_path, settings, monkeypatch):
    from typer.testing import CliRunner

    from notifier.cli.main import app

    [letter] = mailed(db_url, tmp_path, settings, people=1)
    path = tmp_path / "acs.txt"
    acs_file(path, [{"code": "K", "tracking": tracking_of(settings, letter.id)}])
    monkeypatch.setenv("NOTIFIER_DATABASE_URL", db_url)
    monkeypatch.setenv("NOTIFIER_CONFIG_DIR", str(settings.config_dir))
    result = CliRunner().invoke(app, ["returns", "import-acs", str(path), "--json"])
    assert result.exit_code == 0, result.output
    out = json.loads(result.output)
    assert {k: out[k] for k in ("read", "recorded", "already_recorded", "forwarded", "unknown", "invalid")} == \
        {"read": 1, "recorded": 1, "already_recorded": 0, "forwarded": 0, "unknown": 0, "invalid": 0}


def test_the_files_fees_are_a_cost_of_the_batch_in_the_costs_report(db_url, tmp_path, settings):
    from notifier.costs.report import cost_report

    first, second = mailed(db_url, tmp_path, settings, people=2)
    path = tmp_path / "acs.txt"
    acs_file(path, [{"code": "K", "tracking": tracking_of(settings, first.id)}, {"code": "V", "tracking": tracking_of(settings, second.id)}],
             fee_cents=(31, 33))
    report = run_import(db_url, settings, path)
    assert report.fee_batches == {first.batch_id: 64}
    run_import(db_url, settings, path)  # the same file again charges nothing more
    with db.session_for(db_url) as session:
        costs = cost_report(session, by="batch")
    assert [(row["group"], row["fee_cents"]) for row in costs["rows"]] == [(str(first.batch_id), 64)]
    assert costs["total"]["fee_cents"] == 64 and costs["reconciled"]


def test_a_folder_of_files_is_imported_and_each_moved_to_done_or_failed(db_url, tmp_path, settings):
    from notifier.returns.acs_import import import_acs_folder

    first, second = mailed(db_url, tmp_path, settings, people=2)
    folder = tmp_path / "drop"
    folder.mkdir()
    acs_file(folder / "a.txt", [{"code": "K", "tracking": tracking_of(settings, first.id)}])
    acs_file(folder / "b.txt", [{"code": "V", "tracking": tracking_of(settings, second.id)}], total=5)  # cut short: refused whole
    with db.session_for(db_url) as session:
        results = import_acs_folder(session, folder, load_policy(settings.config_dir), VERIFIER,
                                    load_toml(settings.config_dir / "imb.toml")["mailer_id"], "acs", TODAY)
    assert [(r["file"], r.get("recorded"), "error" in r) for r in results] == [("a.txt", 1, False), ("b.txt", None, True)]
    assert sorted(p.name for p in (folder / "done").iterdir()) == ["a.txt"]
    assert sorted(p.name for p in (folder / "failed").iterdir()) == ["b.txt", "b.txt.reason.txt"]
    assert "header counts 5 records" in (folder / "failed" / "b.txt.reason.txt").read_text()
    assert [p.name for p in folder.iterdir() if p.is_file()] == []
    assert set(returned(db_url)) == {first.id}


def test_the_synthetic_writer_writes_what_the_reader_reads(tmp_path, settings):
    from notifier.addresses.check import RawAddress
    from notifier.returns.acs import read_acs
    from notifier.synth.acs import SynthNotice, write_acs_file

    new = RawAddress("77 W Madison St", "", "Chicago", "IL", "60602")
    notices = [SynthNotice(tracking_of(settings, 5), " ", moved=date(2025, 8, 15), new_address=new), SynthNotice(tracking_of(settings, 6), "P")]
    path = write_acs_file(tmp_path / "synth.txt", notices, created=date(2025, 8, 30), fee_cents_each=13)
    read = read_acs(path, set(load_policy(settings.config_dir).acs_codes))
    assert read.problems == [] and read.header.fee_cents == 26 and (read.header.total_coa, read.header.total_nixie) == (1, 1)
    assert [(n.tracking, n.code, n.coa, n.move_effective, n.new_address) for n in read.notices] == [
        (notices[0].tracking, " ", True, date(2025, 8, 15), new), (notices[1].tracking, "P", False, None, None)]
