"""/returns, the returns desk, through the app's test client, on SQLite and PostgreSQL.

`mailed_people` (letters imported, verified, rendered, batched, frozen, printed and marked
mailed, as tests/returns/test_returns.py does it) serves the letters and phone page tests too.
"""

from __future__ import annotations

import re

import pytest
from fastapi.testclient import TestClient
from sqlmodel import select

from notifier import db
from notifier.audit import list_events
from notifier.letters import imb
from notifier.letters.ids import make_letter_id
from notifier.models import Letter, ReturnedMail
from notifier.returns.rules import load_policy
from tests.helpers import row, write_csv
from tests.returns.test_returns import imported_and_verified, mail_run
from tests.web.conftest import csrf_of, signed_in

PERSONAL_FIELDS = ("first_name", "last_name", "address_line1", "case_number")


def people_rows(count: int) -> list[dict]:
    return [
        row(decision_id=f"D-{n}", person_id=f"P-{n}", first_name=f"Marisol{n}", last_name=f"Quintanilla{n}", date_of_birth=f"1971-03-1{n}",
            address_line1=f"{100 + n} W 63rd St", case_number=f"2014-CR-00{n}77", zip="60636" if n % 2 else "60601")
        for n in range(count)
    ]


def mailed_people(app, tmp_path, count: int = 3) -> tuple[list[dict], list[Letter]]:
    """`count` people, each with one mailed letter (attempt 1): the rows imported and the letters, in person order."""
    rows = people_rows(count)
    settings = app.state.settings
    imported_and_verified(settings.database_url, write_csv(tmp_path / "decisions.csv", rows))
    mail_run(settings.database_url, settings)
    return rows, stored_letters(app)


def stored_letters(app) -> list[Letter]:
    with db.session_for(app.state.settings.database_url) as session:
        return list(session.exec(select(Letter).order_by(Letter.id)))


def personal_values(rows: list[dict]) -> set[str]:
    return {value for item in rows for key, value in item.items() if key in PERSONAL_FIELDS and len(value) > 3}


def events(app, action: str, actor: str = ""):
    with db.session_for(app.state.settings.database_url) as session:
        return list_events(session, actor=actor, action=action)


def scan(client: TestClient, text: str, reason: str = "refused", **forward):
    desk = client.get("/returns")
    return client.post("/returns", data={"scan": text, "reason": reason, "csrf_token": csrf_of(desk.text), **forward}, follow_redirects=False)


def tally(html: str) -> int:
    return int(re.search(r'id="tally"><strong>(\d+)</strong>', html).group(1))


@pytest.mark.parametrize("user, status", [("ada", 200), ("sam", 200), ("fin", 403)])
def test_every_role_against_the_returns_desk(app, user, status):
    client = signed_in(app, user)
    assert client.get("/returns").status_code == status
    assert TestClient(app).get("/returns", follow_redirects=False).headers["location"] == "/login"


def test_the_desk_keeps_the_focus_on_the_scan_field_and_labels_every_field(app):
    html = signed_in(app, "sam").get("/returns").text
    assert re.search(r'<input id="scan" name="scan"[^>]*\bautofocus\b', html)
    assert html.count("autofocus") == 1
    for field in ("scan", "reason", "forward_line1", "forward_line2", "forward_city", "forward_state", "forward_zip"):
        assert f'<label for="{field}">' in html and f'id="{field}"' in html
    for code, reason in load_policy(app.state.settings.config_dir).reasons.items():
        assert f'value="{code}"' in html and reason.endorsement in html
    assert tally(html) == 0


def test_recording_without_the_csrf_token_is_refused(app, tmp_path):
    _, letters = mailed_people(app, tmp_path, 1)
    client = signed_in(app, "sam")
    refused = client.post("/returns", data={"scan": make_letter_id(letters[0].id), "reason": "refused"})
    assert refused.status_code == 403
    with db.session_for(app.state.settings.database_url) as session:
        assert session.exec(select(ReturnedMail)).all() == []


def test_scan_enter_confirm_and_a_running_tally(app, tmp_path):
    rows, (first, second, third) = mailed_people(app, tmp_path)
    clerk = signed_in(app, "sam")

    done = scan(clerk, make_letter_id(first.id).lower(), reason="refused")
    assert done.status_code == 303
    location = done.headers["location"]
    assert location.startswith("/returns?") and [v for v in personal_values(rows) if v in location] == []
    page = clerk.get(location).text
    assert f"Recorded letter {make_letter_id(first.id)} (attempt 1)" in page and "Refused" in page and "noted" in page
    assert re.search(r'<option value="refused" selected>', page)  # the reason stays chosen for the next envelope
    assert re.search(r'<input id="scan" name="scan"[^>]*\bautofocus\b', page) and 'value="' not in re.search(r"<input id=\"scan\"[^>]*>", page).group(0)
    assert tally(page) == 1

    again = clerk.get(scan(clerk, make_letter_id(first.id), reason="vacant").headers["location"]).text
    assert "Already recorded" in again and "Refused" in again and tally(again) == 1  # a repeat changes nothing

    barcode = imb.tracking_code("00", "040", "123456", second.id) + "60636"
    dead = clerk.get(scan(clerk, barcode, reason="moved_left_no_address").headers["location"]).text
    assert f"Recorded letter {make_letter_id(second.id)}" in dead and "Moved, Left No Address" in dead and "dead address" in dead

    forward = {"forward_line1": "9 Elm Street", "forward_city": "Cicero", "forward_state": "IL", "forward_zip": "60804"}
    remail = clerk.get(scan(clerk, make_letter_id(third.id), reason="moved_left_no_address", **forward).headers["location"]).text
    assert f"Recorded letter {make_letter_id(third.id)}" in remail and "re-mail" in remail and tally(remail) == 3
    assert 'value="9 Elm Street"' not in remail  # the forwarding fields are empty again for the next envelope

    with db.session_for(app.state.settings.database_url) as session:
        stored = {r.letter_id: (r.reason, r.outcome, r.recorded_by, r.forward_line1) for r in session.exec(select(ReturnedMail))}
    assert stored == {
        first.id: ("refused", "noted", "sam", ""),
        second.id: ("moved_left_no_address", "dead_address", "sam", ""),
        third.id: ("moved_left_no_address", "remail", "sam", "9 Elm Street"),
    }
    assert len(events(app, "return.record", "sam")) == 3
    assert tally(signed_in(app, "ada").get("/returns").text) == 0  # the tally is the visitor's own


def test_a_refused_scan_comes_back_at_once_focused_with_the_reason_kept(app, tmp_path):
    _, (letter,) = mailed_people(app, tmp_path, 1)
    clerk = signed_in(app, "sam")
    code = make_letter_id(letter.id)
    typo = scan(clerk, code[:-1] + ("0" if code[-1] != "0" else "1"), reason="vacant")
    assert typo.status_code == 400 and 'role="alert"' in typo.text and "typo" in typo.text
    assert re.search(r'<input id="scan" name="scan"[^>]*\bautofocus\b', typo.text) and re.search(r'<option value="vacant" selected>', typo.text)
    unknown = scan(clerk, make_letter_id(letter.id + 1000))
    assert unknown.status_code == 404 and "no letter" in unknown.text
    bad_reason = scan(clerk, code, reason="lost_in_space")
    assert bad_reason.status_code == 400 and "unknown reason" in bad_reason.text
    with db.session_for(app.state.settings.database_url) as session:
        assert session.exec(select(ReturnedMail)).all() == []


def test_finance_sees_nothing_of_the_desk(app, tmp_path):
    rows, (letter, *_) = mailed_people(app, tmp_path)
    scan(signed_in(app, "sam"), make_letter_id(letter.id))
    finance = signed_in(app, "fin")
    for response in (finance.get("/returns"), finance.post("/returns", data={"scan": make_letter_id(letter.id), "reason": "refused"})):
        assert response.status_code == 403
        assert [value for value in personal_values(rows) if value in response.text] == []
