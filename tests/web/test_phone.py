"""/phone through the app's test client, on SQLite and PostgreSQL: find a caller, see what was sent, where, and what came back."""

from __future__ import annotations

import re

import pytest
from fastapi.testclient import TestClient

from notifier import db
from notifier.addresses.check import ZipDatabaseVerifier
from notifier.addresses.store import Fix, fix_address
from notifier.letters.ids import make_letter_id
from tests.returns.test_returns import mail_run
from tests.web.conftest import csrf_of, signed_in
from tests.web.test_returns import events, mailed_people, personal_values, scan

FORWARD = {"forward_line1": "9 Elm Street", "forward_city": "Cicero", "forward_state": "IL", "forward_zip": "60804"}


def by_name(client: TestClient, last_name: str, date_of_birth: str):
    form = client.get("/phone")
    return client.post("/phone", data={"last_name": last_name, "date_of_birth": date_of_birth, "csrf_token": csrf_of(form.text)}, follow_redirects=False)


def rows_of(html: str) -> list[str]:
    """Each letter row of the history as plain text, cells separated by " | "."""
    return [" | ".join(re.sub(r"<[^>]+>", "", cell).strip() for cell in re.findall(r"<t[hd][^>]*>(.*?)</t[hd]>", tr, re.S))
            for tr in re.findall(r"<tr>\s*<th scope=\"row\">.*?</tr>", html, re.S)]


@pytest.mark.parametrize("user, status", [("ada", 200), ("sam", 200), ("fin", 403)])
def test_every_role_against_the_phone_desk(app, tmp_path, user, status):
    rows, (letter, *_) = mailed_people(app, tmp_path, 1)
    client = signed_in(app, user)
    for response in (client.get("/phone"), client.get(f"/phone?letter={make_letter_id(letter.id)}"), client.get("/phone?person=P-0")):
        assert response.status_code == status
        if status == 403:
            assert [value for value in personal_values(rows) if value in response.text] == []
    assert TestClient(app).get("/phone", follow_redirects=False).headers["location"] == "/login"


def test_looking_up_by_name_without_the_csrf_token_is_refused(app, tmp_path):
    mailed_people(app, tmp_path, 1)
    refused = signed_in(app, "sam").post("/phone", data={"last_name": "Quintanilla0", "date_of_birth": "1971-03-10"})
    assert refused.status_code == 403 and "Quintanilla0" not in refused.text
    assert signed_in(app, "fin").post("/phone", data={"last_name": "Quintanilla0", "date_of_birth": "1971-03-10"}).status_code == 403


def test_a_caller_with_a_letter_id_hears_what_was_sent_where_and_what_came_back(app, tmp_path):
    _, (first, second, _) = mailed_people(app, tmp_path)
    clerk = signed_in(app, "sam")
    scan(clerk, make_letter_id(first.id), reason="moved_left_no_address", **FORWARD)  # attempt 1 back, with a forwarding address
    mail_run(app.state.settings.database_url, app.state.settings)  # attempt 2 goes to it

    page = clerk.get(f"/phone?letter={make_letter_id(first.id)}")
    assert page.status_code == 200 and "Marisol0 Quintanilla0 (person P-0)" in page.text and "Quintanilla1" not in page.text
    attempt1, attempt2 = rows_of(page.text)
    assert attempt1.startswith(f"{make_letter_id(first.id)} | 1 | returned | 2025-08-04 (batch 1) | 100 W 63rd St, Chicago IL 60601 (import) | ")
    assert "Moved, Left No Address; re-mail" in attempt1 and "forwarding address 9 Elm Street, Cicero IL 60804" in attempt1
    assert re.fullmatch(r"\d{3}-\d{3}-\d{3} \| 2 \| mailed \| 2025-08-04 \(batch 2\) \| 9 ELM ST, CICERO IL 60804(-\d{4})? \(forward\) \| nothing so far", attempt2)
    [viewed] = events(app, "view.phone.history")
    assert (viewed.actor, viewed.details["ids"]) == ("sam", ["P-0"])

    # a dead address: the letter's lines stay what they were; after a clerk's fix, attempt 2 goes to the new address
    scan(clerk, make_letter_id(second.id), reason="vacant")
    [dead] = rows_of(clerk.get(f"/phone?letter={make_letter_id(second.id)}").text)
    assert "101 W 63RD ST" in dead and "Vacant; dead address" in dead
    with db.session_for(app.state.settings.database_url) as session:
        fix_address(session, Fix(second.notice_id, {"line1": "5 Elm Street", "city": "Cicero", "zip": "60804"}), ZipDatabaseVerifier(), "sam")
    mail_run(app.state.settings.database_url, app.state.settings)
    dead, fixed = rows_of(clerk.get("/phone?person=P-1").text)
    assert "| 101 W 63rd St, Chicago IL 60636 (import) |" in dead and "| 5 ELM ST, CICERO IL 60804" in fixed and "(staff)" in fixed


def test_a_caller_found_by_last_name_and_date_of_birth_never_in_a_url(app, tmp_path):
    _, (first, *_) = mailed_people(app, tmp_path)
    clerk = signed_in(app, "sam")
    found = by_name(clerk, "quíntanilla0", "1971-03-10")  # accents and case do not count
    assert found.status_code == 303 and found.headers["location"] == "/phone?person=P-0"
    page = clerk.get(found.headers["location"]).text
    assert "Marisol0 Quintanilla0 (person P-0)" in page and make_letter_id(first.id) in page and "2025-08-04 (batch 1)" in page
    assert [e.details["ids"] for e in events(app, "view.phone.history")] == [["P-0"]]

    wrong_date = by_name(clerk, "Quintanilla0", "1971-03-11")
    assert wrong_date.headers["location"] == "/phone?found=0"
    nobody = clerk.get(wrong_date.headers["location"])
    assert nobody.status_code == 200 and "Nobody with that last name and date of birth" in nobody.text and "Marisol" not in nobody.text
    assert by_name(clerk, "Quintanilla0", "10/03/1971").status_code == 400
    assert len(events(app, "view.phone.history")) == 1  # only the page that showed a person is a view


def test_an_unknown_letter_id_says_so_on_the_page(app, tmp_path):
    _, (letter,) = mailed_people(app, tmp_path, 1)
    page = signed_in(app, "sam").get(f"/phone?letter={make_letter_id(letter.id + 100)}")
    assert page.status_code == 404 and "no letter" in page.text and 'role="alert"' in page.text
    assert events(app, "view.") == []
