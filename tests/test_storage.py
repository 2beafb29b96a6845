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


@pytest.mark.parametrize("kind", ["sqlite", "postgresql"])
def test_upgrading_records_the_identities_people_were_imported_with(kind, tmp_path):
    """Migration 0007: decisions imported before identities were recorded give their people theirs,
    so a later row with another date of birth is a conflict, not joined."""
    from contextlib import nullcontext

    with (nullcontext(f"sqlite:///{tmp_path / 'old.db'}") if kind == "sqlite" else postgres_schema()) as url:
        _upgrade_with_old_rows(url)
        db.dispose(url)


def _upgrade_with_old_rows(db_url: str) -> None:
    import sqlalchemy as sa
    from alembic import command

    from notifier.intake.identity import known_identities

    with db.engine_for(db_url).connect() as connection:  # the schema of the last release, as an office has it
        if db.is_sqlite(db_url):
            connection.exec_driver_sql("PRAGMA foreign_keys=OFF")
            connection.commit()
        with connection.begin():
            command.upgrade(db._alembic_config(connection), "0006")
    now = datetime(2026, 1, 1, tzinfo=timezone.utc)
    with db.engine_for(db_url).begin() as connection:
        connection.execute(sa.text("INSERT INTO import_run (source_name, format, mapping, status, started_at, read, imported, duplicates, conflicts, quarantined) "
                                   "VALUES ('old.csv', 'csv', '', 'completed', :now, 1, 1, 0, 0, 0)"), {"now": now})
        connection.execute(sa.text("INSERT INTO person (person_id, created_at) VALUES ('P-1', :now)"), {"now": now})
        connection.execute(sa.text("INSERT INTO notice (person_id, status, source_decision_id, source_decision_date, first_name, middle_name, last_name, suffix, language, "
                                   "address_line1, address_line2, city, state, zip, created_at, updated_at) VALUES ('P-1', 'open', 'D-1', '2021-01-15', 'Ana', '', 'Núñez', '', 'es', "
                                   "'', '', '', '', '', :now, :now)"), {"now": now})
        connection.execute(sa.text("INSERT INTO decision (decision_id, person_id, notice_id, import_run_id, line_number, row_hash, date_of_birth, case_number, offense, statute, "
                                   "disposition_date, outcome, not_granted_reason, decision_date, court, first_name, middle_name, last_name, suffix, language, "
                                   "address_line1, address_line2, city, state, zip, created_at) VALUES ('D-1', 'P-1', 1, 1, 2, 'x', '1980-02-29', 'C-1', '', '', NULL, "
                                   "'expunged', '', '2021-01-15', '', 'Ana', '', 'Núñez', '', 'es', '', '', '', '', '', :now)"), {"now": now})
    assert db.upgrade(db_url) == db.head_revision()
    with db.session_for(db_url) as session:
        [known] = known_identities(session, ["P-1"])["P-1"]
    assert (known.date_of_birth.isoformat(), known.last_name_key, known.resolved_person_id) == ("1980-02-29", "nunez", "P-1")


@pytest.mark.parametrize("kind", ["sqlite", "postgresql"])
def test_upgrading_moves_fixed_addresses_out_of_the_audit_trail(kind, tmp_path):
    """Migration 0009: an address fix's event kept the addresses; they move to address_change, the event keeps field names."""
    from contextlib import nullcontext

    import sqlalchemy as sa
    from alembic import command
    from sqlmodel import select

    from notifier.models import AddressChange, AuditEvent

    with (nullcontext(f"sqlite:///{tmp_path / 'old.db'}") if kind == "sqlite" else postgres_schema()) as url:
        with db.engine_for(url).connect() as connection:
            with connection.begin():
                command.upgrade(db._alembic_config(connection), "0008")
        now = datetime(2026, 1, 1, tzinfo=timezone.utc)
        before = {"line1": "9 Elm St", "line2": "", "city": "Evanston", "state": "IL", "zip": "60601"}
        after = {**before, "city": "CHICAGO"}
        with db.engine_for(url).begin() as connection:
            connection.execute(sa.text("INSERT INTO person (person_id, created_at) VALUES ('P-1', :now)"), {"now": now})
            connection.execute(sa.text("INSERT INTO notice (person_id, status, source_decision_id, source_decision_date, first_name, middle_name, last_name, suffix, language, "
                                       "address_line1, address_line2, city, state, zip, created_at, updated_at) VALUES ('P-1', 'open', 'D-1', '2021-01-15', '', '', '', '', 'en', "
                                       "'', '', '', '', '', :now, :now)"), {"now": now})
            events = sa.table("audit_event", sa.column("at", notifier.models.UTCDateTime()), sa.column("actor"), sa.column("action"), sa.column("subject"),
                              sa.column("subject_id"), sa.column("details", sa.JSON))
            connection.execute(sa.insert(events).values(at=now, actor="clerk", action="address.fix", subject="notice", subject_id=1,
                                                        details={"before": before, "after": after, "status": "verified", "accepted_suggestion": False}))
            connection.execute(sa.insert(events).values(at=now, actor="boss", action="user.add", subject="web_user", subject_id=1, details={"role": "staff"}))
        assert db.upgrade(url) == db.head_revision()
        with db.session_for(url) as session:
            fix, user = session.exec(select(AuditEvent).order_by(AuditEvent.id)).all()
            [change] = session.exec(select(AddressChange)).all()
        db.dispose(url)
    assert fix.details == {"fields": ["city"], "status": "verified", "accepted_suggestion": False, "change": change.id}
    assert (change.notice_id, change.before, change.after, change.at) == (1, before, after, now)
    assert user.details == {"role": "staff"}


def test_json_columns_keep_every_value_they_are_given(db_url):
    """orjson writes and reads JSON columns, and json takes over where orjson would refuse or round."""
    from notifier.models import AuditEvent, utcnow

    details = {"big": 2**70, "long_int": 123456789012345678901, "text": "Núñez 李 🙂", "nested": [1, 2.5, None, True, {"k": "v"}]}
    if db_url.startswith("sqlite"):
        details["surrogate"] = "\ud800"  # a JSONL file may escape one; PostgreSQL's jsonb refuses it anyway
    with db.session_for(db_url) as session:
        event = AuditEvent(at=utcnow(), actor="test", action="test.json", subject="test", subject_id=1, details=details)
        session.add(event)
        session.commit()
        event_id = event.id
    with db.session_for(db_url) as session:
        assert session.get(AuditEvent, event_id).details == details


def test_json_text_round_trips_through_the_column_codec():
    for value in ({"a": "\ud800"}, [2**64, -(2**63) - 1, 10**30], {"x": "\x00é"}, "plain", 1.5):
        assert db.json_loads(db.json_dumps(value)) == value
