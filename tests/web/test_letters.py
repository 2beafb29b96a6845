"""/letters through the app's test client, on SQLite and PostgreSQL: search by letter id, IMb digits or person id; a letter's PDF."""

from __future__ import annotations

import re

import pytest
from fastapi.testclient import TestClient

from notifier.letters import imb
from notifier.letters.ids import make_letter_id
from tests.pdftools import words
from tests.web.conftest import signed_in
from tests.web.test_returns import events, mailed_people, personal_values, scan


@pytest.mark.parametrize("user, status", [("ada", 200), ("sam", 200), ("fin", 403)])
def test_every_role_against_the_letters_pages(app, tmp_path, user, status):
    rows, (letter, *_) = mailed_people(app, tmp_path, 1)
    client = signed_in(app, user)
    for path in ("/letters", f"/letters?q={make_letter_id(letter.id)}", f"/letters/{letter.id}.pdf"):
        response = client.get(path)
        assert response.status_code == status, path
        if status == 403:
            assert [value for value in personal_values(rows) if value in response.text] == []
    assert TestClient(app).get(f"/letters/{letter.id}.pdf", follow_redirects=False).headers["location"] == "/login"


def test_find_a_letter_by_its_id_its_barcode_or_the_person(app, tmp_path):
    rows, (first, second, _) = mailed_people(app, tmp_path)
    client = signed_in(app, "sam")
    code = make_letter_id(first.id)
    by_id = client.get(f"/letters?q={code.lower()}").text
    assert f'<th scope="row">{code}</th><td>P-0</td><td>{first.notice_id}</td><td>1</td>' in by_id
    assert f'href="/letters/{first.id}.pdf"' in by_id and "mailed" in by_id
    barcode = imb.tracking_code("00", "040", "123456", second.id) + "60601"
    assert f'<th scope="row">{make_letter_id(second.id)}</th><td>P-1</td>' in client.get(f"/letters?q={barcode}").text
    # a returned letter and the person's next attempt: the person id lists both
    scan(client, code, reason="moved_left_no_address", forward_line1="9 Elm Street", forward_city="Cicero", forward_state="IL", forward_zip="60804")
    from tests.returns.test_returns import mail_run

    mail_run(app.state.settings.database_url, app.state.settings)
    by_person = client.get("/letters?q=P-0").text
    assert "2 letters" in by_person and re.search(r"<td>returned</td>", by_person) and re.search(r"<td>mailed</td>", by_person)
    searched = events(app, "view.letters.search", "sam")
    assert [e.details["ids"] for e in reversed(searched)][:2] == [[code], [make_letter_id(second.id)]]
    assert len(searched[0].details["ids"]) == 2
    assert [value for value in personal_values(rows) if value in by_person] == []  # ids, states and counts only


def test_unknown_or_mistyped_ids_say_so_on_the_page(app, tmp_path):
    _, (letter,) = mailed_people(app, tmp_path, 1)
    client = signed_in(app, "sam")
    code = make_letter_id(letter.id)
    typo = client.get(f"/letters?q={code[:-1] + ('0' if code[-1] != '0' else '1')}")
    assert typo.status_code == 404 and 'role="alert"' in typo.text and "typo" in typo.text and 'id="q"' in typo.text
    assert client.get(f"/letters?q={make_letter_id(letter.id + 500)}").status_code == 404
    assert client.get("/letters?q=P-nobody").status_code == 404
    assert client.get(f"/letters/{letter.id + 500}.pdf").status_code == 404
    assert events(app, "view.") == []  # nothing was shown, nothing to audit


def test_a_letters_pdf_is_drawn_and_its_view_audited(app, tmp_path):
    _, (letter, *_) = mailed_people(app, tmp_path, 2)
    client = signed_in(app, "ada")
    response = client.get(f"/letters/{letter.id}.pdf")
    assert response.status_code == 200 and response.headers["content-type"] == "application/pdf"
    assert response.content.startswith(b"%PDF") and f'filename="letter-{make_letter_id(letter.id)}.pdf"' in response.headers["content-disposition"]
    assert response.headers["cache-control"] == "no-store"
    saved = tmp_path / "got.pdf"
    saved.write_bytes(response.content)
    text = " ".join(word.text for word in words(saved))
    assert make_letter_id(letter.id) in text and "MARISOL0" in text and "4 de agosto de 2025" in text  # dated with the batch's mail date (a letter in Spanish)
    [event] = events(app, "view.letters.pdf")
    assert (event.actor, event.subject, event.subject_id, event.details["ids"]) == ("ada", "letter", letter.id, [make_letter_id(letter.id)])


def test_a_purged_letter_is_not_drawn_again(app, tmp_path):
    from sqlalchemy import update

    from notifier import db
    from notifier.models import Notice, utcnow

    rows, (letter, *_) = mailed_people(app, tmp_path, 1)
    with db.session_for(app.state.settings.database_url) as session:  # as `notifier purge` leaves a notice (tests/retention)
        session.execute(update(Notice).where(Notice.id == letter.notice_id).values(first_name="", last_name="", purged_at=utcnow()))
        session.commit()
    response = signed_in(app, "sam").get(f"/letters/{letter.id}.pdf")
    assert response.status_code == 409 and "retention purge erased its name and address" in response.text
    assert events(app, "view.letters.pdf") == []  # nothing was shown
