"""Signing in, sessions, roles and CSRF, through the app's test client, on SQLite and PostgreSQL."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from notifier import db
from notifier.intake.importer import import_file
from tests.web.conftest import PASSWORD, csrf_of, signed_in

PAGES = {"/": ("staff", "finance", "admin"), "/users": ("admin",)}


@pytest.mark.parametrize("path", sorted(PAGES))
def test_every_page_but_login_needs_a_session(app, path):
    response = TestClient(app).get(path, follow_redirects=False)
    assert response.status_code == 303 and response.headers["location"] == "/login"


@pytest.mark.parametrize("role, user", [("admin", "ada"), ("staff", "sam"), ("finance", "fin")])
def test_every_role_against_every_page(app, role, user):
    client = signed_in(app, user)
    for path, roles in PAGES.items():
        assert client.get(path).status_code == (200 if role in roles else 403), (role, path)


def test_sign_in_sets_a_safe_cookie_and_wrong_passwords_say_the_same_for_every_name(app):
    client = TestClient(app)
    form = client.get("/login")
    assert 'name="username"' in form.text and 'name="password"' in form.text
    wrong = client.post("/login", data={"username": "ada", "password": "nope", "csrf_token": csrf_of(form.text)})
    unknown = client.post("/login", data={"username": "nobody", "password": "nope", "csrf_token": csrf_of(wrong.text)})
    assert wrong.status_code == unknown.status_code == 401 and "wrong user name or password" in wrong.text and "wrong user name or password" in unknown.text
    ok = client.post("/login", data={"username": "ada", "password": PASSWORD, "csrf_token": csrf_of(unknown.text)}, follow_redirects=False)
    cookie = ok.headers["set-cookie"].lower()
    assert ok.status_code == 303 and "httponly" in cookie and "samesite=lax" in cookie and "secure" not in cookie
    assert "ada" not in ok.headers["location"]


def test_cookies_are_secure_over_https_and_links_keep_the_proxy_prefix(app):
    client = TestClient(app, base_url="https://testserver", root_path="/notifier")
    form = client.get("/login")
    assert 'action="/notifier/login"' in form.text
    ok = client.post("/login", data={"username": "ada", "password": PASSWORD, "csrf_token": csrf_of(form.text)}, follow_redirects=False)
    assert "secure" in ok.headers["set-cookie"].lower() and ok.headers["location"] == "/notifier/"


def test_a_post_without_the_csrf_token_is_refused(app):
    client = signed_in(app, "ada")
    assert client.post("/users", data={"action": "add", "name": "eve", "role": "staff", "password": PASSWORD}).status_code == 403
    assert client.post("/logout", data={}).status_code == 403
    assert TestClient(app).post("/login", data={"username": "ada", "password": PASSWORD}).status_code == 403


def test_sign_in_attempts_are_limited(app):
    client = TestClient(app)
    statuses = []
    for _ in range(7):
        form = client.get("/login")
        statuses.append(client.post("/login", data={"username": "sam", "password": "guess", "csrf_token": csrf_of(form.text)}).status_code)
    assert statuses[:5] == [401] * 5 and statuses[-1] == 429
    form = client.get("/login")
    blocked = client.post("/login", data={"username": "sam", "password": PASSWORD, "csrf_token": csrf_of(form.text)})
    assert blocked.status_code == 429  # even the right password waits


def test_disabling_a_user_ends_their_session(app):
    staff = signed_in(app, "sam")
    assert staff.get("/").status_code == 200
    admin = signed_in(app, "ada")
    page = admin.get("/users")
    done = admin.post("/users", data={"action": "disable", "name": "sam", "csrf_token": csrf_of(page.text)}, follow_redirects=False)
    assert done.status_code == 303
    after = staff.get("/", follow_redirects=False)
    assert after.status_code == 303 and after.headers["location"] == "/login"


def test_sign_out_ends_the_session(app):
    client = signed_in(app, "fin")
    page = client.get("/")
    assert client.post("/logout", data={"csrf_token": csrf_of(page.text)}, follow_redirects=False).status_code == 303
    assert client.get("/", follow_redirects=False).status_code == 303


def test_finance_sees_counts_and_never_a_name_street_or_case(app, db_url, sample_csv):
    with db.session_for(db_url) as session:
        import_file(session, sample_csv)
    client = signed_in(app, "fin")
    text = client.get("/").text
    assert "decisions" in text
    import csv

    with sample_csv.open(encoding="utf-8-sig") as handle:
        rows = list(csv.DictReader(handle))
    personal = {value for row in rows for key, value in row.items() if key in ("first_name", "last_name", "address_line1", "case_number") and len(value) > 3}
    assert personal and [value for value in personal if value in text] == []


def test_an_admin_adds_a_user_who_can_then_sign_in(app):
    admin = signed_in(app, "ada")
    page = admin.get("/users")
    admin.post("/users", data={"action": "add", "name": "eve", "role": "staff", "password": PASSWORD, "csrf_token": csrf_of(page.text)})
    assert "eve" in admin.get("/users").text
    assert signed_in(app, "eve").get("/").status_code == 200
    short = admin.post("/users", data={"action": "add", "name": "bob", "role": "staff", "password": "short", "csrf_token": csrf_of(page.text)})
    assert short.status_code == 400 and "12" in short.text
