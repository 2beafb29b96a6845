"""/review: the address review queue one item at a time, with the keyboard (SQLite and PostgreSQL)."""

from __future__ import annotations

import re

import pytest
from fastapi.testclient import TestClient
from sqlmodel import select

from notifier import db
from notifier.addresses.check import ZipDatabaseVerifier
from notifier.addresses.store import review_queue, verify_notices
from notifier.audit import list_events
from notifier.intake.importer import import_file
from notifier.models import Address
from tests.helpers import row, write_csv
from tests.web.conftest import csrf_of, signed_in

PEOPLE = {  # person -> address overrides; each of these waits for review after verify
    "P-a": {"first_name": "Aurelia", "last_name": "Evanstone", "city": "Evanston"},  # the ZIP is Chicago's: suggestion CHICAGO
    "P-b": {"first_name": "Bartholomew", "last_name": "Reviewski", "city": "Evanston", "address_line1": "77 Sunnyside Ave", "case_number": "2012-CR-0055555"},
    "P-c": {"first_name": "Cordelia", "last_name": "Nowhereman", "address_line1": "", "address_line2": "", "city": "", "state": "", "zip": ""},
}


@pytest.fixture
def queue(db_url, tmp_path) -> list[int]:
    """Three addresses waiting for review; their notice ids in queue order."""
    rows = [row(decision_id=f"D-{pid}", person_id=pid, **fields) for pid, fields in PEOPLE.items()]
    with db.session_for(db_url) as session:
        import_file(session, write_csv(tmp_path / "people.csv", rows))
        verify_notices(session, ZipDatabaseVerifier())
        waiting = review_queue(session)
    assert [item.person_id for item in waiting] == list(PEOPLE)
    return [item.notice_id for item in waiting]


def addresses(db_url) -> dict[int, Address]:
    with db.session_for(db_url) as session:
        return {a.notice_id: a for a in session.exec(select(Address))}


def shown(page: str) -> int:
    return int(re.search(r"notice (\d+), person", page).group(1))


def post(client: TestClient, page: str, **fields: str):
    return client.post("/review", data={"csrf_token": csrf_of(page), **fields}, follow_redirects=False)


@pytest.mark.parametrize("user, allowed", [("ada", True), ("sam", True), ("fin", False)])
def test_every_role_against_the_review_page(app, queue, user, allowed):
    client = signed_in(app, user)
    response = client.get("/review")
    assert response.status_code == (200 if allowed else 403)
    assert ('href="/review"' in client.get("/").text) == allowed
    if not allowed:
        personal = {value for fields in PEOPLE.values() for value in fields.values() if len(value) > 3}
        assert [value for value in personal if value in response.text] == []
        assert client.post("/review", data={"csrf_token": "x", "notice_id": str(queue[0]), "action": "accept"}).status_code == 403
    assert TestClient(app).get("/review", follow_redirects=False).headers["location"] == "/login"


def test_an_empty_queue_says_so(app):
    page = signed_in(app, "sam").get("/review")
    assert page.status_code == 200 and "Nothing waits for review" in page.text


@pytest.mark.parametrize("fields", [
    {"action": "accept"},
    {"action": "edit", "line1": "1234 W 63rd St", "city": "Chicago", "state": "IL", "zip": "60636"},
    {"action": "undeliverable", "reason": "no such street"},
])
def test_each_review_form_is_refused_without_its_csrf_token(app, db_url, queue, fields):
    client = signed_in(app, "sam")
    page = client.get("/review").text
    assert f'name="action" value="{fields["action"]}"' in page
    before = {n: (a.status, a.source) for n, a in addresses(db_url).items()}
    assert client.post("/review", data={"notice_id": str(queue[0]), **fields}).status_code == 403
    assert client.post("/review", data={"notice_id": str(queue[0]), "csrf_token": "forged", **fields}).status_code == 403
    assert {n: (a.status, a.source) for n, a in addresses(db_url).items()} == before


def test_working_the_queue_accept_edit_and_undeliverable_each_leading_to_the_next_item(app, db_url, queue):
    a, b, c = queue
    client = signed_in(app, "sam")
    page = client.get("/review").text
    assert shown(page) == a and "Item 1 of 3" in page
    # raw beside standardized, the reasons and the suggestion
    assert re.search(r"<th scope=\"row\">City</th><td>Evanston</td><td>[A-Z]*</td>", page)
    assert "CHICAGO" in page and 'scope="col">As imported' in page and 'scope="col">Standardized' in page
    # keyboard: the first field has the focus, every submit button has its key, and the page says which
    assert re.search(r'<input id="edit-line1"[^>]* autofocus>', page) and page.count("autofocus") == 1
    assert all(re.search(rf'<button type="submit" accesskey="{key}"', page) for key in "asu") and 'accesskey="n"' in page
    assert "Keys: <kbd>A</kbd> accepts the suggestion" in page and "Skip to the next item" in page
    for field in ("line1", "line2", "city", "state", "zip"):
        assert f'<label for="edit-{field}">' in page
    assert '<label for="undeliverable-reason">' in page

    accepted = post(client, page, notice_id=str(a), action="accept")
    assert (accepted.status_code, accepted.headers["location"]) == (303, f"/review?after={a}&fixed={a}&status=verified")
    assert "Evanston" not in accepted.headers["location"] and "Aurelia" not in accepted.headers["location"]
    page = client.get(accepted.headers["location"]).text
    assert shown(page) == b and f"Notice {a} saved: its address is now verified" in page and 'role="status"' in page
    assert (addresses(db_url)[a].city, addresses(db_url)[a].source) == ("CHICAGO", "staff")

    edited = post(client, page, notice_id=str(b), action="edit", line1="77 Sunnyside Ave", was_line1="77 Sunnyside Ave",
                  line2="", was_line2="", city="Chicago", was_city="Evanston", state="IL", was_state="IL", zip="60636", was_zip="60636")
    assert edited.status_code == 303
    page = client.get(edited.headers["location"]).text
    assert shown(page) == c and f"Notice {b} saved" in page
    fixed = addresses(db_url)[b]
    assert (fixed.raw_city, fixed.city, fixed.source, fixed.status in ("verified", "corrected")) == ("Chicago", "CHICAGO", "staff", True)

    gave_up = post(client, page, notice_id=str(c), action="undeliverable", reason="no address in any source")
    assert gave_up.status_code == 303 and gave_up.headers["location"].endswith("status=undeliverable")
    assert "no address in any source" not in gave_up.headers["location"]
    gone = addresses(db_url)[c]
    assert (gone.status, gone.source, gone.reasons[0]["code"]) == ("undeliverable", "staff", "staff_undeliverable")
    page = client.get(gave_up.headers["location"]).text
    assert shown(page) == c and "Item 1 of 1" in page  # only the one given up on still waits: from the start again

    with db.session_for(db_url) as session:
        changes = list_events(session, actor="sam", action="address.")
        seen = list_events(session, action="view.review.item")
    assert sorted((e.action, e.subject_id) for e in changes) == sorted([("address.fix", a), ("address.fix", b), ("address.undeliverable", c)])
    assert [(e.actor, e.subject, e.details["ids"]) for e in reversed(seen)] == [("sam", "notice", [str(n)]) for n in (a, b, c, c)]


def test_skipping_moves_to_the_next_item_and_wraps_around(app, queue):
    a, b, c = queue
    client = signed_in(app, "ada")
    page = client.get("/review").text
    link = re.search(r'<a href="([^"]+)" accesskey="n">', page).group(1)
    assert link == f"/review?after={a}"
    assert shown(client.get(link).text) == b
    assert shown(client.get(f"/review?after={c}").text) == a
    assert shown(client.get("/review?after=nonsense").text) == a


def test_a_form_that_changes_nothing_or_gives_no_reason_is_refused(app, db_url, queue):
    a = queue[0]
    client = signed_in(app, "sam")
    page = client.get("/review").text
    same = {f: v for name, value in (("line1", "1234 W 63rd St"), ("line2", ""), ("city", "Evanston"), ("state", "IL"), ("zip", "60636")) for f, v in ((name, value), (f"was_{name}", value))}
    unchanged = post(client, page, notice_id=str(a), action="edit", **same)
    assert unchanged.status_code == 400 and "nothing to change" in unchanged.text
    assert post(client, page, notice_id=str(a), action="undeliverable", reason="  ").status_code == 400
    assert post(client, page, notice_id="abc", action="accept").status_code == 400
    assert post(client, page, notice_id=str(a), action="delete").status_code == 400
    assert post(client, page, notice_id="999999", action="accept").status_code == 404
    assert addresses(db_url)[a].source == "import"


def test_a_notice_without_a_suggestion_has_no_accept_button_and_accepting_is_refused(app, queue):
    c = queue[2]
    client = signed_in(app, "sam")
    page = client.get(f"/review?after={queue[1]}").text
    assert shown(page) == c and "no suggestion" in page and 'value="accept"' not in page
    refused = post(client, page, notice_id=str(c), action="accept")
    assert refused.status_code == 409 and "has no suggested fix" in refused.text
