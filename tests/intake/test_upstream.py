"""Real upstream exports on SQLite and PostgreSQL: gogen's results files, not-final rows, identity conflicts.

Files are built in the layout gogen writes (tests/intake/gogen_files.py).
"""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pytest
from sqlmodel import select

from notifier import db
from notifier.errors import ConflictError, InputFileError, InvalidInputError
from notifier.intake.conflicts import list_identity_conflicts, resolve_identity_conflict
from notifier.intake.importer import import_file
from notifier.intake.mapping import load_mapping
from notifier.intake.consume import store_message
from notifier.letters.store import mailable_notice_ids
from notifier.models import AuditEvent, Decision, Notice, QuarantinedRow
from notifier.settings import REPO_ROOT
from tests.helpers import row, write_csv
from tests.intake import gogen_files as gogen

DECIDED = "2026-11-02"


def gogen_import(db_url, path: Path, decision_date: str | None = DECIDED):
    mapping = load_mapping(REPO_ROOT / "config", "gogen")
    mapping = mapping.with_fixed(decision_date=decision_date) if decision_date else mapping
    with db.session_for(db_url) as session:
        return import_file(session, path, mapping=mapping)


def sample_rows() -> list[dict]:
    return [
        gogen.count("A1001", "SKYWALKER,LUKE S", "19600314", "101001006000"),
        gogen.count("A1001", "SKYWALKER,LUKE S", "19600314", "102001001000", offense="11357(C)HS-POSSESS MARIJUANA", case="398765; 678544"),
        gogen.arrest("A1001", "SKYWALKER,LUKE S", "19600314", "103001001000"),
        gogen.count("A1002", "LECTER, HANNIBAL", "19621122", "101001001000", determination="Not eligible", reason="Occurred after 11/09/2016", case="222"),
        gogen.count("A1003", "COUNT,COUNT VON", "19721127", "101001020000", determination="Hand Review", reason="No applicable eligibility criteria", case="444"),
        gogen.count("A1004", "SMITH JR,JOHN", "19700101", "101001001000", determination="Eligible for Reduction", reason="Reduce all HS 11359 convictions", case="333"),
        gogen.count("A1005", "BIRD,BIG", "19620822", "101001001000", deceased="Deceased", case="555"),
    ]


@pytest.mark.parametrize("variant", ["full-113", "full-112", "condensed-38"])
def test_a_gogen_results_file_imports_with_every_row_accounted_for(db_url, tmp_path, variant):
    findings = gogen.PILOTS_FINDINGS if variant == "full-112" else gogen.FINDINGS
    path = gogen.write(tmp_path / "All_Results.csv", sample_rows(), condensed=variant.startswith("condensed"), findings=findings)
    summary = gogen_import(db_url, path).as_dict()
    assert (summary["read"], summary["imported"], summary["skipped"], summary["not_final"], summary["quarantined"], summary["conflicts"]) == (7, 4, 2, 1, 0, 0)
    assert summary["read"] == summary["imported"] + summary["duplicates"] + summary["conflicts"] + summary["quarantined"] + summary["skipped"] + summary["not_final"]
    assert "PRI_NAME" not in summary["ignored_columns"] and "Eligibility Determination" not in summary["ignored_columns"]
    with db.session_for(db_url) as session:
        decisions = {d.case_number: d for d in session.exec(select(Decision)).all()}
        notices = {n.person_id: n for n in session.exec(select(Notice)).all()}
    luke = decisions["140192"]
    assert (luke.first_name, luke.middle_name, luke.last_name, luke.date_of_birth) == ("LUKE", "S", "SKYWALKER", date(1960, 3, 14))
    assert (luke.outcome, luke.disposition_date, luke.decision_date, luke.court) == ("vacated", date(1981, 4, 11), date(2026, 11, 2), "SACRAMENTO")
    assert luke.not_granted_reason == "" and luke.offense == "11358 HS-CULTIVATE CANNABIS"
    assert decisions["398765; 678544"].decision_id.startswith("A1001:")
    lecter = next(d for d in decisions.values() if d.person_id == "A1002")
    assert (lecter.first_name, lecter.last_name, lecter.outcome, lecter.not_granted_reason) == ("HANNIBAL", "LECTER", "not_granted", "Occurred after 11/09/2016")
    smith = next(d for d in decisions.values() if d.person_id == "A1004")
    assert (smith.first_name, smith.last_name, smith.suffix, smith.not_granted_reason) == ("JOHN", "SMITH", "JR", "reduced_not_cleared")
    assert set(notices) == {"A1001", "A1002", "A1004"}  # not the hand review, not the deceased
    assert all(n.address_line1 == "" for n in notices.values())  # no address in a gogen file: they wait for one


def test_importing_the_same_gogen_file_again_is_a_no_op_and_a_later_final_decision_imports(db_url, tmp_path):
    path = gogen.write(tmp_path / "run1.csv", sample_rows())
    gogen_import(db_url, path)
    again = gogen_import(db_url, path).as_dict()
    assert (again["imported"], again["duplicates"], again["not_final"]) == (0, 4, 1)
    later = sample_rows()
    later[4] = gogen.count("A1003", "COUNT,COUNT VON", "19721127", "101001020000", determination="Eligible for Dismissal", case="444")
    decided = gogen_import(db_url, gogen.write(tmp_path / "run2.csv", later)).as_dict()
    assert (decided["imported"], decided["not_final"]) == (1, 0)
    with db.session_for(db_url) as session:
        waiting = session.exec(select(QuarantinedRow).where(QuarantinedRow.kind == "not_final")).all()
    assert [w.resolved_at is not None for w in waiting] == [True]  # the waiting row is settled


def test_a_file_without_a_decision_date_asks_for_one_before_importing(db_url, tmp_path):
    path = gogen.write(tmp_path / "All_Results.csv", sample_rows())
    with pytest.raises(InputFileError, match="does not say when the decisions became final") as refused:
        gogen_import(db_url, path, decision_date=None)
    assert refused.value.action == "import.decision_date"


def test_cli_import_with_mapping_and_decision_date_and_the_not_final_list(cli, tmp_path):
    path = gogen.write(tmp_path / "All_Results.csv", sample_rows())
    result = json.loads(cli("import", path, "--mapping", "gogen", "--decision-date", DECIDED, "--json").stdout.strip().splitlines()[-1])
    assert (result["skipped"], result["not_final"]) == (2, 1)
    waiting = [json.loads(line) for line in cli("quarantine", "list", "--kind", "not_final", "--json").stdout.splitlines()]
    assert [w["line"] for w in waiting] == [6] and waiting[0]["reasons"][0]["code"] == "not_final"
    status = json.loads(cli("status", "--json").stdout.strip().splitlines()[-1])
    assert (status["not_final"], status["notices_without_address"]) == (1, 3)
    bad = cli("import", path, "--mapping", "gogen", ok=False)
    assert bad.exit_code == 1 and "--decision-date" in bad.stderr


# --- identity conflicts ------------------------------------------------------------------------------------


def canonical(db_url, tmp_path, name: str, rows: list[dict]):
    with db.session_for(db_url) as session:
        return import_file(session, write_csv(tmp_path / name, rows)).as_dict()


def held(db_url) -> bool:
    with db.session_for(db_url) as session:
        notice = session.exec(select(Notice).where(Notice.person_id == "P-1")).one()
        from notifier.addresses.check import ZipDatabaseVerifier
        from notifier.addresses.store import verify_notices

        verify_notices(session, ZipDatabaseVerifier())
        return notice.id not in mailable_notice_ids(session)


def test_one_person_id_with_another_birth_date_or_last_name_is_not_joined_within_a_file(db_url, tmp_path):
    rows = [row(), row(decision_id="D-2", case_number="2010-CR-2"),
            row(decision_id="D-3", case_number="2011-CR-3", date_of_birth="1975-05-05"),  # another date of birth
            row(decision_id="D-4", case_number="2012-CR-4", last_name="Smith"),  # another last name
            row(decision_id="D-5", case_number="2013-CR-5", last_name="NUNEZ")]  # the same name, written without accents
    summary = canonical(db_url, tmp_path, "one.csv", rows)
    assert (summary["imported"], summary["conflicts"], summary["identity_conflicts"]) == (3, 2, 2)
    with db.session_for(db_url) as session:
        assert sorted(d.decision_id for d in session.exec(select(Decision)).all()) == ["D-1", "D-2", "D-5"]
        conflicts = list_identity_conflicts(session)
    assert [(c.person_id, c.row["last_name"], c.row["date_of_birth"]) for c in conflicts] == [("P-1", "Núñez", "1975-05-05"), ("P-1", "Smith", "1980-02-29")]
    assert conflicts[0].known == [{"last_name_key": "NUNEZ", "date_of_birth": "1980-02-29"}]
    assert held(db_url)  # no letter while it waits


def test_conflicts_across_files_and_via_consume_and_their_resolution(db_url, tmp_path, cli):
    canonical(db_url, tmp_path, "first.csv", [row()])
    canonical(db_url, tmp_path, "second.csv", [row(decision_id="D-2", case_number="2010-CR-2", last_name="Garcia", first_name="Ana")])
    with db.session_for(db_url) as session:
        store_message(session, {**row(decision_id="D-3", case_number="2011-CR-3", last_name="Garcia"), "first_name": "Ana"})
        store_message(session, row(decision_id="D-9", person_id="P-9", first_name="Other", last_name="Person", case_number="2014-CR-9"))
        conflicts = list_identity_conflicts(session)
    assert [c.decision_id for c in conflicts] == ["D-2", "D-3"]
    # a changed last name after marriage: the same person; the waiting row from the queue follows
    with db.session_for(db_url) as session:
        done = resolve_identity_conflict(session, conflicts[0].id, same_person=True, actor="clerk")
    assert (done.resolution, done.joined_to, done.decisions) == ("same_person", "P-1", 2)
    with db.session_for(db_url) as session:
        notice = session.exec(select(Notice).where(Notice.person_id == "P-1")).one()
        assert sorted(d.decision_id for d in session.exec(select(Decision).where(Decision.notice_id == notice.id))) == ["D-1", "D-2", "D-3"]
        audit = session.exec(select(AuditEvent).where(AuditEvent.action == "identity.resolve")).one()
        assert audit.actor == "clerk" and "Garcia" not in json.dumps(audit.details)  # ids, never names
        assert list_identity_conflicts(session) == []
    assert not held(db_url)
    # the answer is remembered: a later file with that identity joins without asking
    later = canonical(db_url, tmp_path, "third.csv", [row(decision_id="D-4", case_number="2012-CR-4", last_name="Garcia")])
    assert (later["imported"], later["identity_conflicts"]) == (1, 0)


def test_split_under_a_new_person_id_and_refusals(db_url, tmp_path, cli):
    canonical(db_url, tmp_path, "one.csv", [row(), row(decision_id="D-2", case_number="2010-CR-2", date_of_birth="1975-05-05", first_name="Eva")])
    canonical(db_url, tmp_path, "two.csv", [row(decision_id="D-7", person_id="P-7", first_name="Someone", last_name="Else", case_number="2016-CR-7")])
    with db.session_for(db_url) as session:
        [conflict] = list_identity_conflicts(session)
        with pytest.raises(InvalidInputError):
            resolve_identity_conflict(session, conflict.id, actor="clerk")  # neither answer given
        with pytest.raises(ConflictError, match="already in use"):
            resolve_identity_conflict(session, conflict.id, new_person_id="P-7", actor="clerk")
    listed = [json.loads(line) for line in cli("identities", "list", "--json").stdout.splitlines()]
    assert [c["id"] for c in listed] == [conflict.id] and listed[0]["row"]["first_name"] == "Eva"
    result = json.loads(cli("identities", "resolve", conflict.id, "--new-person-id", "P-1b", "--by", "clerk", "--json").stdout.strip().splitlines()[-1])
    assert result == {"id": conflict.id, "person_id": "P-1", "resolution": "new_person", "joined_to": "P-1b", "decisions": 1}
    with db.session_for(db_url) as session:
        by_person = {n.person_id: [d.decision_id for d in session.exec(select(Decision).where(Decision.notice_id == n.id))] for n in session.exec(select(Notice))}
    assert by_person == {"P-1": ["D-1"], "P-1b": ["D-2"], "P-7": ["D-7"]}  # never another person's case in a letter
    again = cli("identities", "resolve", conflict.id, "--same-person", ok=False)
    assert again.exit_code == 1 and "was resolved" in again.stderr
    later = canonical(db_url, tmp_path, "three.csv", [row(decision_id="D-8", case_number="2017-CR-8", date_of_birth="1975-05-05", first_name="Eva")])
    assert later["imported"] == 1
    with db.session_for(db_url) as session:
        assert session.exec(select(Decision.person_id).where(Decision.decision_id == "D-8")).one() == "P-1b"  # remembered


def test_a_gogen_file_end_to_end_every_letter_names_one_person(db_url, tmp_path):
    """Import with the gogen mapping, addresses from a second file, verify, render: no letter carries another person's case."""
    from notifier.addresses.check import ZipDatabaseVerifier
    from notifier.addresses.store import verify_notices
    from notifier.intake.address_file import import_addresses
    from notifier.letters.renderer import Renderer
    from notifier.letters.store import proof_letter, render_letters
    from notifier.settings import Settings
    from tests.letters.conftest import page_texts

    rows = sample_rows() + [gogen.count("A1001", "SKYWALKER,LEIA", "19650101", "104001001000", case="777")]  # same CII, another person
    gogen_import(db_url, gogen.write(tmp_path / "All_Results.csv", rows))
    addresses = tmp_path / "dmv.csv"
    addresses.write_text("person_id,address_line1,address_line2,city,state,zip\n"
                         "A1001,1234 W 63rd St,,Chicago,IL,60636\nA1002,4500 N Sheridan Rd,Apt 1203,Chicago,IL,60640\n"
                         "A1004,PO Box 55,,Chicago,IL,60601\nA9999,1 Nowhere Ln,,Chicago,IL,60601\n", encoding="utf-8")
    settings = Settings(output_dir=tmp_path / "out")
    renderer = Renderer.from_settings(settings, date(2026, 11, 25))
    with db.session_for(db_url) as session:
        attached = import_addresses(session, addresses, verifier=ZipDatabaseVerifier(), actor="clerk").as_dict()
        assert (attached["attached"], attached["unknown_person"]) == (3, 1)
        verify_notices(session, ZipDatabaseVerifier())
        assert render_letters(session, renderer).by_state == {"rendered": 2}  # A1001 is held: Leia's row waits for staff
        [conflict] = list_identity_conflicts(session)
        resolve_identity_conflict(session, conflict.id, new_person_id="A1001-LEIA", actor="clerk")
        assert render_letters(session, renderer).by_state == {"rendered": 1}  # Luke's letter, without Leia's case; Leia waits for an address
        cases = {n.person_id: {d.case_number for d in session.exec(select(Decision).where(Decision.notice_id == n.id))} for n in session.exec(select(Notice))}
        letters = {pid: " ".join(page_texts(proof_letter(session, renderer, pid, tmp_path / f"{pid}.pdf").path)) for pid in ("A1001", "A1002", "A1004")}
    assert cases["A1001"] == {"140192", "398765; 678544"} and cases["A1001-LEIA"] == {"777"}
    for pid, text in letters.items():
        mine = cases[pid]
        others = set().union(*(c for p, c in cases.items() if p != pid)) - mine
        assert all(case in text for case in mine) and not any(case in text for case in others), pid
    assert "LUKE S SKYWALKER" in letters["A1001"] and "LEIA" not in letters["A1001"]
    assert "The reason recorded: Occurred after 11/09/2016." in letters["A1002"]  # gogen's reason, as it wrote it
    assert "reduced to a misdemeanor" in letters["A1004"]
