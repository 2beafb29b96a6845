"""Rendering through the database, on SQLite and PostgreSQL."""

from __future__ import annotations

import json

import pytest
import sqlalchemy as sa

from sqlmodel import select

from notifier import db
from notifier.addresses.check import ZipDatabaseVerifier
from notifier.addresses.store import verify_notices
from notifier.intake.importer import import_file
from notifier.letters.ids import make_letter_id, parse_letter_id
from notifier.letters.renderer import Renderer
from notifier.letters.store import letter_proof, render_letters
from notifier.workers import render_locally
from notifier.models import Letter
from notifier.settings import Settings
from tests.helpers import row, write_csv
from tests.letters.conftest import TODAY, page_texts


def prepared(db_url, tmp_path, rows):
    with db.session_for(db_url) as session:
        import_file(session, write_csv(tmp_path / "d.csv", rows))
        verify_notices(session, ZipDatabaseVerifier())
    return Renderer.from_settings(Settings(output_dir=tmp_path / "out"), TODAY)


def render(db_url, renderer):
    with db.session_for(db_url) as session:
        return render_letters(session, renderer)


def letters(db_url) -> list[Letter]:
    with db.session_for(db_url) as session:
        return list(session.exec(select(Letter).order_by(Letter.id)).all())


def test_one_letter_per_person_idempotent_and_superseded_when_the_notice_changes(db_url, tmp_path):
    renderer = prepared(db_url, tmp_path, [
        row(decision_id="D-1", person_id="P-1"),
        row(decision_id="D-2", person_id="P-1", case_number="2011-CR-0098765"),
        row(decision_id="D-3", person_id="P-2", first_name="Luis", language="es"),
        row(decision_id="D-4", person_id="P-3", city="Evanston"),  # needs review: no letter
    ])
    assert render(db_url, renderer).by_state == {"rendered": 2}
    assert render(db_url, renderer).by_state == {}
    first = letters(db_url)
    assert [(l.attempt, l.state, l.language) for l in first] == [(1, "rendered", "es"), (1, "rendered", "es")]
    assert all(l.pages >= 1 and l.sheets == (l.pages + 1) // 2 and l.weight_hundredths_oz > 0 for l in first)
    assert not (tmp_path / "out").exists()  # render lays letters out and checks them; they are drawn when printed
    with db.session_for(db_url) as session:
        drawn = letter_proof(session, renderer, first[0].id, tmp_path / "proof.pdf")
    assert drawn.pages == first[0].pages and drawn.failures == [] and drawn.readback == []
    text = " ".join(page_texts(drawn.path))
    assert text.count("2009-CR-0012345") >= 1 and "2011-CR-0098765" in text  # both of P-1's cases in one letter
    assert make_letter_id(first[0].id) in text and parse_letter_id(make_letter_id(first[0].id)) == first[0].id

    with db.session_for(db_url) as session:
        import_file(session, write_csv(tmp_path / "later.csv", [row(decision_id="D-5", person_id="P-1", case_number="2013-CR-0000001", decision_date="2022-01-01")]))
    assert render(db_url, renderer).by_state == {"rendered": 1}
    after = letters(db_url)
    assert [(l.state, l.attempt) for l in after] == [("superseded", 1), ("rendered", 1), ("rendered", 1)]
    assert after[2].notice_id == after[0].notice_id


def test_jobs_render_each_letter_once(db_url, tmp_path):
    rows = [row(decision_id=f"D-{n}", person_id=f"P-{n}") for n in range(12)]
    renderer = prepared(db_url, tmp_path, rows)
    assert render_locally(db_url, renderer.settings, 2, chunk=4, today=renderer.today).by_state == {"rendered": 12}
    assert sorted(l.notice_id for l in letters(db_url)) == list(range(1, 13))


def test_letter_that_fails_its_checks_is_not_printable_and_says_why(db_url, tmp_path):
    renderer = prepared(db_url, tmp_path, [row(offense="Possession ก")])  # Thai: no shipped font draws it (a Han name now prints)
    assert render(db_url, renderer).by_state == {"failed": 1}
    [letter] = letters(db_url)
    assert [c["code"] for c in letter.checks] == ["missing_glyph"]


def test_cli_render_list_proof(cli, tmp_path, monkeypatch):
    monkeypatch.setenv("NOTIFIER_OUTPUT_DIR", str(tmp_path / "out"))
    cli("import", write_csv(tmp_path / "d.csv", [row(), row(decision_id="D-2", person_id="P-2")]))
    cli("addresses", "verify")
    summary = json.loads(cli("letters", "render", "--json").stdout.splitlines()[-1])
    assert summary["rendered"] == 2
    listed = [json.loads(line) for line in cli("letters", "list", "--json").stdout.splitlines()]
    assert set(listed[0]) >= {"letter_id", "person_id", "notice_id", "attempt", "state", "batch_id", "pages", "sheets"}
    assert [item["person_id"] for item in listed] == ["P-1", "P-2"]
    proof = tmp_path / "proof.pdf"
    before = listed
    cli("letters", "proof", "P-2", "--out", proof)
    assert listed[1]["letter_id"] in " ".join(page_texts(proof))
    assert [json.loads(line) for line in cli("letters", "list", "--json").stdout.splitlines()] == before
    assert cli("letters", "proof", "P-404", "--out", proof, ok=False).exit_code == 1


def test_a_letter_is_found_from_its_id_or_its_barcode(db_url, tmp_path):
    from notifier.errors import NotifierError
    from notifier.letters import imb
    from notifier.letters.store import find_letter

    renderer = prepared(db_url, tmp_path, [row(), row(decision_id="D-2", person_id="P-2")])
    render(db_url, renderer)
    second = letters(db_url)[1]
    code = make_letter_id(second.id)
    tracking = imb.tracking_code(renderer.barcode.barcode_id, renderer.barcode.service_type, renderer.barcode.mailer_id, second.id)
    typo = code[:-1] + ("0" if code[-1] != "0" else "1")
    with db.session_for(db_url) as session:
        assert find_letter(session, code.lower()).number == second.id
        assert find_letter(session, tracking + "60636").person_id == "P-2"
        with pytest.raises(NotifierError, match="typo"):
            find_letter(session, typo)


@pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)
def test_render_walks_the_notice_id_range_not_every_mailable_address(db_url, tmp_path):
    """Each render chunk asks for the next open notices by id. Asked with the address status in SQL,
    SQLite answered through the address-status index, reading every mailable address per chunk
    (render grew with the square of the notices: 12 s at 100,000 decisions, 250 s at 1,000,000)."""
    from notifier.letters import store

    prepared(db_url, tmp_path, [row(decision_id=f"D-{n}", person_id=f"P-{n}") for n in range(30)])
    engine = db.engine_for(db_url)
    plans: list[str] = []

    def explain(conn, cursor, statement, parameters, context, executemany):
        if statement.lstrip().upper().startswith("SELECT NOTICE.ID, ADDRESS.STATUS"):
            plans.append(" ".join(str(step[-1]) for step in conn.exec_driver_sql("EXPLAIN QUERY PLAN " + statement, parameters)))

    sa.event.listen(engine, "before_cursor_execute", explain)
    try:
        with db.session_for(db_url) as session:
            ids, last = store._next_mailable(session, 5, 20, 10)
    finally:
        sa.event.remove(engine, "before_cursor_execute", explain)
    assert ids == list(range(6, 16)) and last == 15
    assert plans and all("SEARCH notice USING INTEGER PRIMARY KEY (rowid>? AND rowid<?)" in plan for plan in plans), plans
