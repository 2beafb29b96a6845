"""Migrations produce exactly the tables the models describe, on SQLite and PostgreSQL."""

from datetime import datetime, timedelta, timezone

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlmodel import SQLModel

import notifier.models  # noqa: F401
from notifier import db
from notifier.errors import DatabaseError
from notifier.models import ImportRun
from tests.conftest import postgres_schema


def test_migrations_match_the_models(db_url):
    with db.engine_for(db_url).connect() as connection:
        differences = compare_metadata(MigrationContext.configure(connection), SQLModel.metadata)
    assert differences == []
    assert db.current_revision(db_url) == db.head_revision()


def test_times_are_stored_and_read_back_as_aware_utc(db_url):
    chicago = timezone(timedelta(hours=-6))
    with db.session_for(db_url) as session:
        run = ImportRun(source_name="x.csv", format="csv", started_at=datetime(2026, 3, 1, 18, 0, tzinfo=chicago))
        session.add(run)
        session.commit()
        run_id = run.id
    with db.session_for(db_url) as session:
        stored = session.get(ImportRun, run_id)
    assert stored.started_at == datetime(2026, 3, 2, 0, 0, tzinfo=timezone.utc)
    assert stored.started_at.tzinfo is not None


def test_naive_times_are_refused(db_url):
    with db.session_for(db_url) as session:
        session.add(ImportRun(source_name="x.csv", format="csv", started_at=datetime(2026, 3, 1)))
        with pytest.raises(Exception, match="naive datetime"):
            session.commit()


def test_sqlite_creates_itself_on_first_use(tmp_path):
    url = f"sqlite:///{tmp_path / 'new' / 'notifier.db'}"
    db.ensure_schema(url)
    assert db.current_revision(url) == db.head_revision()
    db.dispose(url)


def test_postgres_behind_the_code_is_not_migrated_behind_your_back():
    with postgres_schema() as url:
        with pytest.raises(DatabaseError, match="run `notifier db upgrade`"):
            db.ensure_schema(url)
        assert db.upgrade(url) == db.head_revision()
        db.ensure_schema(url)


def test_unreachable_database_says_what_to_check():
    url = "postgresql+psycopg://nobody@127.0.0.1:1/none"
    with pytest.raises(DatabaseError, match="NOTIFIER_DATABASE_URL"):
        db.ensure_schema(url)
    db.dispose(url)
