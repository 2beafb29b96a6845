"""`notifier synth --layout gogen`: the same people and decisions as gogen's full results file, and their addresses.

The file is compared with the layout tests/intake/gogen_files.py describes (from gogen's
exporter/doj_writer.go) and imported through config/mappings/gogen.toml.
"""

from __future__ import annotations

import csv
import io
import json
import re
from collections import Counter

from sqlmodel import select

from notifier import db
from notifier.addresses.check import ZipDatabaseVerifier
from notifier.addresses.store import verify_addresses
from notifier.intake.address_file import COLUMNS, import_addresses
from notifier.intake.mapping import Mapping, split_name
from notifier.models import Address, Notice
from notifier.synth import gogen
from notifier.synth.generator import SynthStats, _Generator, write_export
from notifier.synth.tables import DATA
from tests.intake import gogen_files

DECIDED = "2026-11-02"
FINDINGS = ("Not eligible", "Eligible for Reduction", "Eligible for Dismissal")
NOT_FINAL = ("Hand Review", "Maybe Eligible - Flag for Review")


def read(path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def test_the_header_is_gogens_full_results_header(tmp_path):
    write_export(tmp_path / "All_Results.csv", 50, seed=1, layout="gogen")
    first = (tmp_path / "All_Results.csv").read_text(encoding="utf-8").split("\n", 1)[0]
    assert first.split(",") == gogen_files.DOJ_FULL + gogen_files.FINDINGS
    assert len(first.split(",")) == 113


def test_same_seed_same_bytes_for_both_files_and_the_canonical_file_is_untouched(tmp_path):
    for name in ("a", "b"):
        write_export(tmp_path / f"{name}.csv", 800, seed=4, layout="gogen", addresses=tmp_path / f"{name}-addresses.csv")
    write_export(tmp_path / "c.csv", 800, seed=5, layout="gogen", addresses=tmp_path / "c-addresses.csv")
    write_export(tmp_path / "d.csv", 800, seed=4, layout="gogen")  # without the address file: the same results file
    files = {name: (tmp_path / name).read_bytes() for name in ("a.csv", "b.csv", "c.csv", "d.csv", "a-addresses.csv", "b-addresses.csv", "c-addresses.csv")}
    assert files["a.csv"] == files["b.csv"] == files["d.csv"] != files["c.csv"]
    assert files["a-addresses.csv"] == files["b-addresses.csv"] != files["c-addresses.csv"]
    write_export(tmp_path / "plain.csv", 800, seed=4)
    write_export(tmp_path / "plain-with.csv", 800, seed=4, addresses=tmp_path / "plain-addresses.csv")
    assert (tmp_path / "plain.csv").read_bytes() == (tmp_path / "plain-with.csv").read_bytes()
    assert read(tmp_path / "plain-addresses.csv")[0]["person_id"].startswith("P-")


def test_cells_are_written_as_go_writes_them(tmp_path):
    write_export(tmp_path / "g.csv", 1500, seed=3, layout="gogen")
    raw = (tmp_path / "g.csv").read_bytes()
    assert not raw.startswith(b"\xef\xbb\xbf") and b"\r" not in raw and raw.endswith(b"\n")
    text = raw.decode("utf-8")
    assert text.isascii()  # DOJ's plain upper case: Núñez -> NUNEZ, 王 -> WANG
    lines = text.splitlines()
    assert ',"                       ",' in lines[1]  # a cell that begins with a space is quoted
    assert any(re.search(r',"[A-Z\' -]+, ?[A-Z]', line) for line in lines)  # "LAST,FIRST" is quoted for its comma
    assert {len(row) for row in csv.reader(io.StringIO(text))} == {113}
    assert gogen.go_cell("x       ") == "x       " and gogen.go_cell(" x") == '" x"' and gogen.go_cell('a"b') == '"a""b"' and gogen.go_cell("") == ""


def test_rows_look_like_gogens_in_the_promised_proportions(tmp_path):
    stats = write_export(tmp_path / "g.csv", 4000, seed=2, layout="gogen")
    rows = read(tmp_path / "g.csv")
    assert len(rows) == stats.rows and stats.broken_rows == 0
    people = {row["CII_NUMBER"] for row in rows}
    assert len(people) == stats.people and all(re.fullmatch(r"A\d{8}", cii) for cii in people)
    assert all(re.fullmatch(r"\d{3}00[12]00[12]000", row["CNT_ORDER"]) for row in rows)
    assert all(re.fullmatch(r"(19|20)\d{6}", row["PRI_DOB"]) for row in rows)
    assert all(re.fullmatch(r"[A-Z][A-Z' -]*, ?[A-Z][A-Z' -]*", row["PRI_NAME"]) for row in rows)
    assert any(", " in row["PRI_NAME"] for row in rows) and any(re.search(r",\S", row["PRI_NAME"]) for row in rows)
    assert any(split_name(row["PRI_NAME"])["suffix"] in ("JR", "SR", "II", "III", "IV") for row in rows)
    assert {row["OFN"] for row in rows} >= {"NULL  "} and {row["PRI_SSN"] for row in rows} == {"x       "}
    assert {row["STP_ORI_CNTY_NAME"] for row in rows} and all(row["STP_ORI_CNTY_NAME"].isupper() for row in rows)
    determinations = Counter(row["Eligibility Determination"] for row in rows)
    decided = sum(determinations[d] for d in FINDINGS)
    assert set(determinations) == {"", *FINDINGS, *NOT_FINAL}
    assert 0.16 < determinations[""] / decided < 0.24  # arrests, other counts, other counties, a sentence's second row
    assert 0.02 < sum(determinations[d] for d in NOT_FINAL) / decided < 0.04
    assert 0.004 < stats.expected_import["identity_conflicts"] / decided < 0.02
    assert 0.003 < sum(row["Deceased"] == "Deceased" for row in rows) / decided < 0.03
    assert {row["Deceased"] for row in rows if row["Eligibility Determination"]} == {"-", "Deceased"}
    convicted = [row for row in rows if row["Eligibility Determination"]]
    assert all(re.fullmatch(r"\d\d/\d\d/\d{4}", row["Date of Conviction"]) for row in convicted)
    assert any(row["Date of Conviction"] == "01/01/0001" for row in convicted)
    assert any(row["Case Number"].startswith("NULL  ; ") for row in convicted)
    reasons = Counter((row["Eligibility Determination"], row["Eligibility Reason"]) for row in convicted)
    assert reasons[("Not eligible", "Occurred after 11/09/2016")] and reasons[("Not eligible", "PC 290")]
    assert reasons[("Eligible for Dismissal", "Dismiss all HS 11357 convictions")] and reasons[("Eligible for Reduction", "Reduce all HS 11359 convictions")]
    assert all(re.fullmatch(r"113(57|58|59|60)[^-]* ?HS-.+", row["OFFENSE_DESCR"]) for row in convicted)


def test_the_people_and_decisions_are_those_of_the_canonical_layout(tmp_path):
    stats = write_export(tmp_path / "g.csv", 1200, seed=6, layout="gogen")
    writer = gogen.GogenWriter(6)
    canonical = list(_Generator(6).rows(1200, SynthStats(tmp_path / "unused"), breakage=False))
    by_count = {(writer.cii(row["person_id"]), row["case_number"]): row for row in canonical}
    found = {}
    for row in read(tmp_path / "g.csv"):
        key = (row["CII_NUMBER"], row["Case Number"].removeprefix("NULL  ; "))
        if key in by_count and row["Eligibility Determination"] in FINDINGS:
            found[key] = row
    assert len(found) == len(canonical) and stats.people == len({row["person_id"] for row in canonical})
    for key, row in found.items():
        decision = by_count[key]
        name = split_name(row["PRI_NAME"])
        assert name["last_name"] == gogen.doj_name(decision["last_name"]) and name["first_name"] == gogen.doj_name(decision["first_name"]).split()[0]
        assert (row["Eligibility Determination"] == "Eligible for Dismissal") == (decision["outcome"] != "not_granted")
        if row["STP_EVENT_DATE"]:
            assert row["STP_EVENT_DATE"] == decision["disposition_date"].replace("-", "")
        if decision["date_of_birth"]:
            assert row["PRI_DOB"] == decision["date_of_birth"].replace("-", "")


def test_every_synthetic_name_has_a_doj_spelling():
    for name in ("first_names.csv", "last_names.csv"):
        with (DATA / name).open(encoding="utf-8", newline="") as handle:
            for row in csv.DictReader(handle):
                spelled = gogen.doj_name(row["name"])
                assert re.fullmatch(r"[A-Z][A-Z' -]*", spelled) and len(spelled) >= len(row["name"].split()[0]) // 2, row


def test_the_file_imports_with_the_gogen_mapping_and_the_address_file_attaches_addresses(cli, db_url, tmp_path):
    export, addresses = tmp_path / "All_Results.csv", tmp_path / "dmv-addresses.csv"
    made = json.loads(cli("synth", "--count", 1500, "--seed", 8, "--layout", "gogen", "--out", export, "--addresses-out", addresses, "--json").stdout.strip().splitlines()[-1])
    assert (made["layout"], made["addresses"], made["path"]) == ("gogen", str(addresses), str(export))
    summary = json.loads(cli("import", export, "--mapping", "gogen", "--decision-date", DECIDED, "--json").stdout.strip().splitlines()[-1])
    assert summary["skipped"] > 0 and summary["not_final"] > 0 and summary["identity_conflicts"] > 0
    assert (summary["quarantined"], summary["duplicates"], summary["conflicts"]) == (0, 0, summary["identity_conflicts"])
    assert {k: summary[k] for k in made["expected_import"]} == made["expected_import"]
    assert summary["read"] == made["rows"] == sum(made["expected_import"].values())

    rows = read(addresses)
    assert list(rows[0]) == [name for name in COLUMNS if name != "language"]
    assert 0.88 < len(rows) / made["people"] < 0.98 and len(rows) == made["address_rows"]  # about 95% of those with an address
    with db.session_for(db_url) as session:
        result = import_addresses(session, addresses, mapping=Mapping(), verifier=ZipDatabaseVerifier(), actor="test")
        assert (result.read, result.invalid, result.unchanged) == (len(rows), 0, 0)
        assert result.attached > 0.9 * len(rows) and result.attached + result.unknown_person == result.read  # unknown: deceased, only not final
        checked = verify_addresses(session, ZipDatabaseVerifier())
        sources = Counter(session.exec(select(Address.source)).all())
        assert sources["address_file"] == result.attached
        assert checked.addresses.get("verified", 0) + checked.addresses.get("corrected", 0) > 0.9 * result.attached
        people = set(session.exec(select(Notice.person_id)).all())
    assert len({row["person_id"] for row in rows} - people) == result.unknown_person  # the address file knows them, no notice has them
