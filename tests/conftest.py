"""Fixtures shared by all tests.

`db_url` runs a test on SQLite and again on PostgreSQL when NOTIFIER_TEST_POSTGRES_URL is
set; each PostgreSQL test gets its own schema, dropped afterwards, so runs never see each
other's rows. With NOTIFIER_REQUIRE_SERVICES=1 (CI) a missing service fails instead of skipping.
"""

from __future__ import annotations

import os
import uuid
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator

import pytest
import sqlalchemy as sa
from hypothesis import settings as hypothesis_settings
from typer.testing import CliRunner

from notifier import db

# CI (NOTIFIER_REQUIRE_SERVICES=1) runs the fuzz tests' examples in a fixed order, so that a run
# passes or fails on the code, not on the draw; a developer's runs keep exploring at random, and
# a failure they find is kept as an @example.
hypothesis_settings.register_profile("ci", derandomize=True, print_blob=True)
if os.environ.get("NOTIFIER_REQUIRE_SERVICES") == "1":
    hypothesis_settings.load_profile("ci")

SAMPLE = Path(__file__).parent / "data" / "sample-decisions.csv"  # a copy of ../shared/data/sample-decisions.csv


def service_url(variable: str) -> str:
    url = os.environ.get(variable)
    if not url:
        if os.environ.get("NOTIFIER_REQUIRE_SERVICES") == "1":
            pytest.fail(f"{variable} is not set but NOTIFIER_REQUIRE_SERVICES=1")
        pytest.skip(f"{variable} not set")
    return url


@contextmanager
def postgres_schema() -> Iterator[str]:
    """A database URL whose search_path is a new, empty schema; the schema is dropped afterwards."""
    base = service_url("NOTIFIER_TEST_POSTGRES_URL")
    schema = f"test_{uuid.uuid4().hex[:16]}"
    admin = sa.create_engine(base)
    with admin.begin() as connection:
        connection.execute(sa.text(f'CREATE SCHEMA "{schema}"'))
    url = sa.engine.make_url(base).update_query_dict({"options": f"-csearch_path={schema}"}).render_as_string(hide_password=False)
    try:
        yield url
    finally:
        db.dispose(url)
        with admin.begin() as connection:
            connection.execute(sa.text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()


@pytest.fixture(scope="session", autouse=True)
def cheap_password_hashes():
    """argon2id with its smallest parameters in tests: the same code paths (hash, verify, rehash),
    about a hundredth of the cost of the RFC 9106 parameters notifier uses (0.16 s a hash here),
    which would otherwise be most of the suite's time. tests/accounts checks the real ones."""
    from argon2 import PasswordHasher

    from notifier.accounts import passwords

    real = passwords._HASHER
    passwords._HASHER = PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1)
    yield real
    passwords._HASHER = real


@pytest.fixture(params=["sqlite", "postgresql"])
def db_url(request, tmp_path) -> Iterator[str]:
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path / 'notifier.db'}"
        db.ensure_schema(url)
        yield url
        db.dispose(url)
        return
    with postgres_schema() as url:
        db.upgrade(url)
        yield url


@pytest.fixture
def sample_csv() -> Path:
    return SAMPLE


class Cli:
    """Runs `notifier ...` in-process against one database."""

    def __init__(self, url: str, monkeypatch):
        monkeypatch.setenv("NOTIFIER_DATABASE_URL", url)
        self.runner = CliRunner()

    def __call__(self, *args: str, ok: bool = True):
        from notifier.cli.main import app

        result = self.runner.invoke(app, [str(a) for a in args])
        if ok and result.exit_code != 0:
            raise AssertionError(f"notifier {' '.join(map(str, args))} exited {result.exit_code}: {result.stderr}{result.exception!r}")
        return result


@pytest.fixture
def cli(db_url, monkeypatch) -> Cli:
    return Cli(db_url, monkeypatch)
