"""/batches through the app's test client, on SQLite and PostgreSQL: roles, CSRF, a mail run end to end."""

from __future__ import annotations

import csv
import io
import re
import time
from datetime import date

import pytest
from fastapi.testclient import TestClient

from notifier import db
from notifier.addresses.check import ZipDatabaseVerifier
from notifier.addresses.store import verify_notices
from notifier.audit import list_events
from notifier.intake.importer import import_file
from notifier.letters.renderer import Renderer
from notifier.letters.store import render_letters
from notifier.pipeline import start_print
from notifier.tasks import claim, mark_failed
from notifier.workers import run_locally
from tests.helpers import row, write_csv
from tests.web.conftest import csrf_of, signed_in

MAIL_DATE = date(2025, 8, 4)
PERSONAL_FIELDS = ("first_name", "last_name", "address_line1", "case_number")


def prepare(app, tmp_path, people: int = 6) -> list[dict]:
    """Rendered letters waiting for a batch, as in tests/batches/test_store.py; returns the rows imported."""
    rows = [
        row(decision_id=f"D-{n}", person_id=f"P-{n}", first_name=f"Marisol{n}", last_name=f"Quintanilla{n}", address_line1=f"{100 + n} W 63rd St",
            case_number=f"2014-CR-00{n}77", zip="60636" if n % 2 else "60601", disposition_date="2015-01-01" if n < 4 else "2009-01-01")
        for n in range(people)
    ]
    settings = app.state.settings
    with db.session_for(settings.database_url) as session:
        import_file(session, write_csv(tmp_path / "decisions.csv", rows))
        verify_notices(session, ZipDatabaseVerifier())
        render_letters(session, Renderer.from_settings(settings, MAIL_DATE))
    return rows


def personal_values(rows: list[dict]) -> set[str]:
    return {value for item in rows for key, value in item.items() if key in PERSONAL_FIELDS and len(value) > 3}


def create(client: TestClient, wave: str = "", **fields) -> int:
    form = client.get("/batches")
    response = client.post("/batches", data={"wave": wave, "mail_date": MAIL_DATE.isoformat(), "csrf_token": csrf_of(form.text), **fields}, follow_redirects=False)
    assert response.status_code == 303, response.text
    return int(re.fullmatch(r"/batches/(\d+)\?done=create", response.headers["location"]).group(1))


def act(client: TestClient, batch_id: int, action: str, **fields):
    form = client.get(f"/batches/{batch_id}")
    return client.post(f"/batches/{batch_id}", data={"action": action, "csrf_token": csrf_of(form.text), **fields}, follow_redirects=False)


def printed(client: TestClient, batch_id: int, seconds: float = 120) -> str:
    """The batch page once its print run has ended (the page stops refreshing)."""
    deadline = time.monotonic() + seconds
    while True:
        response = client.get(f"/batches/{batch_id}")
        assert response.status_code == 200
        if "data-reload-after" not in response.text:
            return response.text
        assert 'data-reload-after="2"' in response.text and 'role="status"' in response.text
        assert time.monotonic() < deadline, "the print run did not end"
        time.sleep(0.2)


@pytest.fixture
def batch_id(app, tmp_path) -> int:
    prepare(app, tmp_path)
    return create(signed_in(app, "sam"))


def test_every_role_against_the_batch_pages(app, batch_id):
    paths = {"/batches": 200, f"/batches/{batch_id}": 200, f"/batches/{batch_id}/preflight": 200, f"/batches/{batch_id}/files/manifest.csv": 404}  # no files before printing
    for user, allowed in (("ada", True), ("sam", True), ("fin", False)):
        client = signed_in(app, user)
        for path, status in paths.items():
            assert client.get(path).status_code == (status if allowed else 403), (user, path)
    finance = signed_in(app, "fin")
    assert "/batches" not in finance.get("/").text  # nor in the menu
    assert finance.post(f"/batches/{batch_id}", data={"action": "cancel", "csrf_token": csrf_of(finance.get("/").text)}).status_code == 403


def test_every_batch_form_refuses_a_post_without_the_csrf_token(app, batch_id):
    client = signed_in(app, "sam")
    assert client.post("/batches", data={"wave": "", "mail_date": MAIL_DATE.isoformat()}).status_code == 403
    for action in ("freeze", "print", "mark-mailed", "close", "cancel"):
        assert client.post(f"/batches/{batch_id}", data={"action": action, "postage": "1.00", "statement": "S"}).status_code == 403
        assert client.post(f"/batches/{batch_id}", data={"action": action, "csrf_token": "forged"}).status_code == 403
    assert "draft" in client.get(f"/batches/{batch_id}").text


def test_a_mail_run_from_a_wave_to_mailed(app, db_url, tmp_path):
    rows = prepare(app, tmp_path)
    staff = signed_in(app, "sam")
    batches = staff.get("/batches")
    assert 'for="wave"' in batches.text and "recent" in batches.text and 'for="mail-date"' in batches.text
    batch_id = create(staff, wave="recent")
    page = staff.get(f"/batches/{batch_id}?done=create").text
    assert "The draft is created." in page and "draft" in page and "4 to 4 people" in page  # the four recent dispositions

    assert act(staff, batch_id, "freeze").headers["location"] == f"/batches/{batch_id}?done=freeze"
    frozen = staff.get(f"/batches/{batch_id}").text
    assert "frozen" in frozen and "Estimate" in frozen and "$" in frozen

    started = time.monotonic()
    response = act(staff, batch_id, "print")
    assert response.status_code == 303 and response.headers["location"] == f"/batches/{batch_id}?done=print"
    assert time.monotonic() - started < 30  # returned without waiting for the files (a thread writes them)
    page = printed(staff, batch_id)
    assert "Preflight passed." in page and "The print run finished." in page
    assert re.search(r"1 print files, \d+ pages, 4 letters", page)
    assert "<th scope=\"row\">State</th><td>printed</td>" in page
    for name in ("print-001.pdf", "manifest.csv", "cover.pdf"):
        assert f'href="/batches/{batch_id}/files/{name}"' in page

    manifest = staff.get(f"/batches/{batch_id}/files/manifest.csv")
    assert manifest.status_code == 200 and manifest.headers["content-type"].startswith("text/csv")
    assert len(list(csv.DictReader(io.StringIO(manifest.text)))) == 4
    pdf = staff.get(f"/batches/{batch_id}/files/print-001.pdf")
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF") and pdf.headers["content-type"] == "application/pdf"
    assert staff.get(f"/batches/{batch_id}/files/cover.pdf").content.startswith(b"%PDF")
    assert staff.get(f"/batches/{batch_id}/files/..%2Fmanifest.csv").status_code == 404
    assert staff.get(f"/batches/{batch_id}/files/notifier.db").status_code == 404
    with db.session_for(db_url) as session:
        views = list_events(session, action="view.batches.")
    assert [(e.actor, e.action, e.subject, e.subject_id, e.details["ids"]) for e in views] == [
        ("sam", "view.batches.print_file", "batch", batch_id, ["print-001.pdf"]),
        ("sam", "view.batches.manifest", "batch", batch_id, ["manifest.csv"]),
    ]  # the cover sheet holds counts only: not recorded

    wrong = act(staff, batch_id, "mark-mailed", postage="12,34.5x", statement="PS-1")
    assert wrong.status_code == 400 and "Actual postage" in wrong.text
    assert act(staff, batch_id, "mark-mailed", postage="", statement="PS-1").status_code == 400
    assert act(staff, batch_id, "mark-mailed", postage="3.20", statement="").status_code == 400
    assert act(staff, batch_id, "mark-mailed", postage="$3.20", statement="PS-77", invoice="INV-9").status_code == 303
    mailed = staff.get(f"/batches/{batch_id}").text
    assert "<td>mailed</td>" in mailed and "PS-77" in mailed and "INV-9" in mailed and "$3.20" in mailed and "Variance" in mailed
    assert act(staff, batch_id, "cancel").status_code == 409  # a mailed batch is not cancelled
    assert act(staff, batch_id, "close").status_code == 303 and "<td>closed</td>" in staff.get(f"/batches/{batch_id}").text

    listing = staff.get("/batches").text
    assert f'href="/batches/{batch_id}"' in listing and "<td>closed</td>" in listing and "not mailed" not in listing
    assert [value for value in personal_values(rows) if value in listing] == []


def test_the_page_refreshes_only_while_the_print_run_runs(app, batch_id):
    settings, staff = app.state.settings, signed_in(app, "ada")
    assert act(staff, batch_id, "freeze").status_code == 303
    assert "data-reload-after" not in staff.get(f"/batches/{batch_id}").text
    with db.session_for(settings.database_url) as session:
        _, task_ids = start_print(session, settings, batch_id, "ada")  # planned, not done yet
    waiting = staff.get(f"/batches/{batch_id}")
    assert 'data-reload-after="2"' in waiting.text and "This page reloads itself every 2 seconds" in waiting.text
    assert "Print:" not in waiting.text and 'name="action" value="print"' not in waiting.text  # no second print while one runs
    run_locally(settings.database_url, settings, task_ids)
    done = staff.get(f"/batches/{batch_id}")
    assert "data-reload-after" not in done.text and "Preflight passed." in done.text


def test_the_files_read_back_again_on_request(app, batch_id):
    staff = signed_in(app, "sam")
    assert act(staff, batch_id, "freeze").status_code == 303 and act(staff, batch_id, "print").status_code == 303
    assert f'href="/batches/{batch_id}/preflight"' in printed(staff, batch_id)
    again = staff.get(f"/batches/{batch_id}/preflight").text
    assert "Preflight passed." in again and re.search(r"1 print files, \d+ pages, 6 letters", again)
    manifest = app.state.settings.output_dir / "batches" / f"batch-{batch_id:05d}" / "manifest.csv"
    manifest.write_text(manifest.read_text() + "7,L-0000007,7,60601,1,0.20,first_class_metered,74\r\n")
    broken = staff.get(f"/batches/{batch_id}/preflight").text
    assert 'role="alert"' in broken and "checksum mismatch" in broken and "manifest.csv" in broken
    assert signed_in(app, "fin").get(f"/batches/{batch_id}/preflight").status_code == 403


def test_a_print_run_with_parked_tasks_stops_refreshing_and_says_so(app, batch_id):
    settings, staff = app.state.settings, signed_in(app, "sam")
    assert act(staff, batch_id, "freeze").status_code == 303
    with db.session_for(settings.database_url) as session:
        _, task_ids = start_print(session, settings, batch_id, "sam")
        claim(session, task_ids[0], "w1", 60)
        mark_failed(session, task_ids[0], "w1", "OSError: disk full", max_attempts=1)
    page = staff.get(f"/batches/{batch_id}")
    assert "data-reload-after" not in page.text and 'role="alert"' in page.text and "The print run stopped" in page.text
    assert "<td>frozen</td>" in page.text and 'value="print"' in page.text  # print again once the cause is fixed


def test_a_cancelled_draft_gives_its_letters_back(app, batch_id):
    staff = signed_in(app, "sam")
    assert act(staff, batch_id, "cancel").headers["location"] == f"/batches/{batch_id}?done=cancel"
    page = staff.get(f"/batches/{batch_id}").text
    assert "cancelled" in page and 'value="freeze"' not in page
    assert act(staff, batch_id, "freeze").status_code == 409
    assert act(staff, batch_id, "shred").status_code == 400
    again = create(staff)
    assert "6 to 6 people" in staff.get(f"/batches/{again}").text  # every rendered letter waits again


def test_creating_refuses_what_cannot_be_a_batch(app, tmp_path):
    staff = signed_in(app, "sam")
    assert staff.get("/batches/999").status_code == 404
    token = csrf_of(staff.get("/batches").text)
    nothing = staff.post("/batches", data={"wave": "", "mail_date": MAIL_DATE.isoformat(), "csrf_token": token})
    assert nothing.status_code == 409 and "no rendered letters wait for a batch" in nothing.text
    prepare(app, tmp_path)
    for fields in ({"mail_date": "04/08/2025"}, {"mail_date": ""}, {"wave": "someday"}, {"limit": "a few"}):
        data = {"wave": "", "mail_date": MAIL_DATE.isoformat(), "csrf_token": token, **fields}
        assert staff.post("/batches", data=data).status_code == 400, fields
    limited = create(staff, limit="2")
    assert "2 to 2 people" in staff.get(f"/batches/{limited}").text
