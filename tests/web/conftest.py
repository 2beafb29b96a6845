"""A web app on the test database, and users of each role (SQLite and PostgreSQL)."""

from __future__ import annotations

import re

import pytest
from fastapi.testclient import TestClient

from notifier import db
from notifier.accounts.store import add_user
from notifier.settings import Settings
from notifier.web.app import create_app

PASSWORD = "correct horse battery"


@pytest.fixture
def app(db_url, tmp_path):
    with db.session_for(db_url) as session:
        for name, role in (("ada", "admin"), ("sam", "staff"), ("fin", "finance")):
            add_user(session, name, role, PASSWORD, actor="test")
    return create_app(Settings(database_url=db_url, output_dir=tmp_path / "out"))


def csrf_of(html: str) -> str:
    return re.search(r'name="csrf_token" value="([^"]+)"', html).group(1)


def signed_in(app, name: str, **client_options) -> TestClient:
    client = TestClient(app, **client_options)
    form = client.get("/login")
    response = client.post("/login", data={"username": name, "password": PASSWORD, "csrf_token": csrf_of(form.text)}, follow_redirects=False)
    assert response.status_code == 303, response.text
    return client
