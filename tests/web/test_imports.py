"""/imports: uploads imported in the background, import runs, each run's quarantine and its rows to fix (SQLite and PostgreSQL)."""

from __future__ import annotations

import csv
import io
import re
import stat
import threading
import time
from datetime import date
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlmodel import select

from notifier import db
from notifier.audit import list_events
from notifier.intake.fields import ADDRESS_FIELDS, FIELDS
from notifier.intake.importer import import_file, start_run
from notifier.intake.runs import list_import_runs
from notifier.models import Decision, Notice
from notifier.web.routes import imports as imports_page
from tests.helpers import row, write_csv
from tests.intake import gogen_files as gogen
from tests.intake.test_upstream import sample_rows as gogen_rows
from tests.web.conftest import csrf_of, signed_in

BAD_ZIP = row(decision_id="D-2", person_id="P-2", first_name="Berenice", last_name="Quarantino", zip="6063X", case_number="2010-CR-0077777")


def decisions_file(tmp_path: Path, name: str = "export.csv") -> Path:
    return write_csv(tmp_path / name, [row(), BAD_ZIP, row(decision_id="D-3", person_id="P-3", first_name="Carla", last_name="Ortiz")])


def upload(client: TestClient, kind: str, path: Path, **fields: str):
    token = csrf_of(client.get("/imports").text)
    with path.open("rb") as handle:
        return client.post("/imports", data={"csrf_token": token, "kind": kind, **fields}, files={"file": (path.name, handle, "text/csv")}, follow_redirects=False)


def settled(client: TestClient, seconds: float = 60) -> str:
    """The imports page once nothing runs any more (it stops reloading itself)."""
    deadline = time.monotonic() + seconds
    while True:
        text = client.get("/imports").text
        if 'data-reload-after' not in text:
            return text
        assert time.monotonic() < deadline, "the import did not end"
        time.sleep(0.05)


def run_ids(db_url) -> list[int]:
    with db.session_for(db_url) as session:
        return [run.id for run in list_import_runs(session)]


def views(db_url, what: str) -> list:
    with db.session_for(db_url) as session:
        return list_events(session, action=f"view.{what}")


def personal_values(path: Path) -> set[str]:
    with path.open(encoding="utf-8-sig") as handle:
        return {value for item in csv.DictReader(handle) for key, value in item.items() if key in ("first_name", "last_name", "address_line1", "case_number") and len(value) > 3}


@pytest.mark.parametrize("user, allowed", [("ada", True), ("sam", True), ("fin", False)])
def test_every_role_against_the_imports_pages(app, db_url, tmp_path, user, allowed):
    path = decisions_file(tmp_path)
    with db.session_for(db_url) as session:
        run = import_file(session, path).run_id
    client = signed_in(app, user)
    pages = ["/imports", f"/imports/{run}", f"/imports/{run}/rows-to-fix.csv"]
    for address in pages:
        response = client.get(address)
        assert response.status_code == (200 if allowed else 403), address
        if not allowed:  # finance never sees a name, a street or a case number
            assert [value for value in personal_values(path) if value in response.text] == []
    menu = client.get("/").text
    assert ('href="/imports"' in menu) == allowed
    for address in pages:
        assert TestClient(app).get(address, follow_redirects=False).headers["location"] == "/login"


@pytest.mark.parametrize("kind", ["decisions", "addresses"])
def test_each_upload_form_is_refused_without_its_csrf_token(app, tmp_path, kind):
    client = signed_in(app, "sam")
    path = decisions_file(tmp_path)
    page = client.get("/imports").text
    assert f'name="kind" value="{kind}"' in page
    with path.open("rb") as handle:
        refused = client.post("/imports", data={"kind": kind}, files={"file": (path.name, handle, "text/csv")})
    assert refused.status_code == 403
    with path.open("rb") as handle:
        forged = client.post("/imports", data={"kind": kind, "csrf_token": "forged"}, files={"file": (path.name, handle, "text/csv")})
    assert forged.status_code == 403
    assert not (tmp_path / "out" / "uploads").exists() and "Uploads" not in client.get("/imports").text


def test_a_decision_file_uploaded_imports_in_the_background_and_its_quarantine_is_shown_and_downloaded(app, db_url, tmp_path):
    client = signed_in(app, "sam")
    path = decisions_file(tmp_path, "county export.csv")
    sent = upload(client, "decisions", path)
    assert sent.status_code == 303 and sent.headers["location"].startswith("/imports?started=")
    assert "Berenice" not in sent.headers["location"]
    page = settled(client)
    assert "county_export.csv" in page and "done" in page and "Not imported" not in page
    (run,) = run_ids(db_url)
    assert f'href="/imports/{run}"' in page
    cells = re.findall(r"<td[^>]*>(.*?)</td>", page.split(f"Run {run}</a>")[1].split("</tr>")[0])
    assert [cells[0], cells[1], *cells[3:]] == ["county_export.csv", "none", "completed", "3", "2", "0", "0", "1", "0", "0"]

    # the upload is kept under the output folder, for its owner only
    (saved,) = (tmp_path / "out" / "uploads").glob("*/county_export.csv")
    assert stat.S_IMODE(saved.stat().st_mode) == 0o600
    assert stat.S_IMODE(saved.parent.stat().st_mode) == stat.S_IMODE(saved.parent.parent.stat().st_mode) == 0o700
    assert saved.read_bytes() == path.read_bytes()

    detail = client.get(f"/imports/{run}")
    assert detail.status_code == 200 and "6063X" in detail.text and "D-2" in detail.text and "D-1<" not in detail.text
    (seen,) = views(db_url, "imports.quarantine")
    assert (seen.actor, seen.subject, seen.subject_id, len(seen.details["ids"])) == ("sam", "import_run", run, 1)

    download = client.get(f"/imports/{run}/rows-to-fix.csv")
    assert download.status_code == 200 and download.headers["content-type"].startswith("text/csv")
    assert f"import-run-{run}-rows-to-fix.csv" in download.headers["content-disposition"]
    rows = list(csv.DictReader(io.StringIO(download.text)))
    assert [(r["decision_id"], r["first_name"], r["zip"], r["quarantine_id"]) for r in rows] == [("D-2", "Berenice", "6063X", seen.details["ids"][0])]
    assert "zip" in rows[0]["problems"]
    (downloaded,) = views(db_url, "imports.rows_download")
    assert (downloaded.actor, downloaded.subject_id, downloaded.details["ids"]) == ("sam", run, seen.details["ids"])

    # the fixed file, uploaded again without a mapping, settles the row
    fixed = tmp_path / "fixed.csv"
    fixed.write_text(download.text.replace("6063X", "60636"), encoding="utf-8")
    assert upload(client, "decisions", fixed).status_code == 303
    settled(client)
    with db.session_for(db_url) as session:
        assert sorted(session.exec(select(Decision.decision_id)).all()) == ["D-1", "D-2", "D-3"]
    assert "No row of this run waits to be fixed" in client.get(f"/imports/{run}").text
    assert "Every quarantined row" in client.get(f"/imports/{run}?all=1").text


def test_the_request_returns_at_once_and_the_page_reloads_only_while_an_import_runs(app, db_url, tmp_path, monkeypatch):
    release = threading.Event()
    real = imports_page.run_locally

    def slow_run(*args, **kwargs):  # the file is staged; its tasks wait
        assert release.wait(30)
        return real(*args, **kwargs)

    monkeypatch.setattr(imports_page, "run_locally", slow_run)
    client = signed_in(app, "ada")
    assert 'data-reload-after' not in client.get("/imports").text
    assert upload(client, "decisions", decisions_file(tmp_path)).status_code == 303  # while the import waits
    running = client.get("/imports").text
    assert 'data-reload-after="2"' in running and 'role="status"' in running and "running" in running
    assert 'data-reload-after' not in client.get("/imports?refresh=off").text  # the clerk may stop it
    release.set()
    settled(client)
    with db.session_for(db_url) as session:
        start_run(session, "big.csv", "csv", "")  # a run still going (in a worker, or another server)
    (run, _) = run_ids(db_url)
    assert 'data-reload-after' in client.get("/imports").text and 'data-reload-after' in client.get(f"/imports/{run}").text


def test_a_gogen_file_with_the_mapping_and_a_decision_date(app, db_url, tmp_path):
    client = signed_in(app, "sam")
    page = client.get("/imports").text
    assert '<option value="gogen">gogen</option>' in page and '<option value="example-county">' in page
    path = gogen.write(tmp_path / "All_Results.csv", gogen_rows())
    assert upload(client, "decisions", path, mapping="gogen").status_code == 303
    refused = settled(client)
    assert "does not say when the decisions became final" in refused and str(tmp_path) not in refused and "uploads/" not in refused
    assert upload(client, "decisions", path, mapping="gogen", decision_date="2026-11-02").status_code == 303
    settled(client)
    with db.session_for(db_url) as session:
        assert set(session.exec(select(Decision.decision_date)).all()) == {date(2026, 11, 2)}
    with db.session_for(db_url) as session:
        (run,) = list_import_runs(session)
    assert (run.mapping, run.read, run.imported, run.skipped, run.not_final) == ("gogen", 7, 4, 2, 1)


@pytest.mark.parametrize("fields, name, expected", [
    ({}, "export.xlsx", "cannot tell the format"),
    ({"mapping": "../../pyproject"}, "export.csv", "is not one of the column mappings"),
    ({"decision_date": "2/11/2026"}, "export.csv", "is not a date"),
])
def test_a_wrong_upload_is_refused_at_once(app, tmp_path, fields, name, expected):
    client = signed_in(app, "sam")
    refused = upload(client, "decisions", decisions_file(tmp_path, name), **fields)
    assert refused.status_code == 400 and expected in refused.text
    assert not list((tmp_path / "out").glob("uploads/*/*"))


def test_an_unreadable_file_is_reported_on_the_page(app, tmp_path):
    client = signed_in(app, "sam")
    path = tmp_path / "notes.csv"
    path.write_text("hello,world\n1,2\n", encoding="utf-8")
    upload(client, "decisions", path)
    page = settled(client)
    assert 'role="alert">Not imported: notes.csv' in page and "header" in page


def test_an_address_file_attaches_addresses_and_its_problems_are_shown_audited(app, db_url, tmp_path):
    header = [name for name in FIELDS if name not in ADDRESS_FIELDS]
    with db.session_for(db_url) as session:
        import_file(session, write_csv(tmp_path / "decisions.csv", [row(), row(decision_id="D-2", person_id="P-2")], header=header))
    addresses = write_csv(tmp_path / "dmv.csv", [
        {"person_id": "P-1", "address_line1": "1234 W 63rd St", "city": "Chicago", "state": "IL", "zip": "60636"},
        {"person_id": "P-9", "address_line1": "77 Nowhere Rd", "city": "Chicago", "state": "IL", "zip": "60636"},
    ], header=["person_id", "address_line1", "address_line2", "city", "state", "zip"])
    client = signed_in(app, "ada")
    assert upload(client, "addresses", addresses).status_code == 303
    page = settled(client)
    assert "2 read: 1 attached, 0 unchanged, 1 unknown person ids, 0 invalid" in page
    with db.session_for(db_url) as session:
        assert session.exec(select(Notice.person_id).where(Notice.address_line1 != "")).all() == []  # the file's address is the Address row's
        assert [e.details["attached"] for e in list_events(session, action="address.import")] == [1]
    link = next(part.split('"')[0] for part in page.split('href="') if part.startswith("/imports/uploads/"))
    problems = client.get(link)
    assert problems.status_code == 200 and "P-9" in problems.text and "no notice has this person id" in problems.text
    (seen,) = views(db_url, "imports.address_problems")
    assert (seen.actor, seen.details["ids"]) == ("ada", ["P-9"])
    assert signed_in(app, "fin").get(link).status_code == 403
    assert client.get("/imports/uploads/999").status_code == 404


def test_an_unknown_run_is_not_found(app):
    client = signed_in(app, "sam")
    assert client.get("/imports/999").status_code == 404 and "no import run with id 999" in client.get("/imports/999").text
    assert client.get("/imports/999/rows-to-fix.csv").status_code == 404
