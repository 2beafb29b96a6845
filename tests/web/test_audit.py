"""/audit through the app's test client, on SQLite and PostgreSQL: admin only, newest first, filters."""

from __future__ import annotations

from notifier import db
from notifier.audit import record_view
from tests.web.conftest import signed_in


def test_only_an_admin_reads_the_audit_trail(app):
    for user, status in (("ada", 200), ("sam", 403), ("fin", 403)):
        client = signed_in(app, user)
        assert client.get("/audit").status_code == status, user
        assert ('href="/audit"' in client.get("/").text) == (status == 200)


def test_the_trail_newest_first_and_filtered(app, db_url):
    with db.session_for(db_url) as session:
        record_view(session, "sam", "letters.pdf", [41])
        record_view(session, "fin", "phone.lookup", [42, 43], subject="letter", subject_id=42)
    client = signed_in(app, "ada")
    page = client.get("/audit").text
    assert 'for="since"' in page and 'for="actor"' in page and 'for="action"' in page
    newest, older, oldest = page.index("view.phone.lookup"), page.index("view.letters.pdf"), page.index("user.add")  # the test users came first
    assert newest < older < oldest and "42, 43" in page and "letter 42" in page

    by_sam = client.get("/audit?actor=sam").text
    assert "view.letters.pdf" in by_sam and "view.phone.lookup" not in by_sam and 'value="sam"' in by_sam
    views = client.get("/audit?action=view.").text
    assert "view.letters.pdf" in views and "view.phone.lookup" in views and "user.add" not in views and "2 events" in views
    exact = client.get("/audit?action=view.letters.pdf&actor=fin").text
    assert "0 events" in exact and "<table>" not in exact
    assert "0 events" in client.get("/audit?since=2999-01-01").text
    assert "view.letters.pdf" in client.get("/audit?since=2000-01-01").text
    assert client.get("/audit?since=yesterday").status_code == 400
