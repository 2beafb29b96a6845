"""errors.describe: what a task keeps of a failure says what failed, never the values it failed on."""

from __future__ import annotations

import errno

import pytest
import sqlalchemy as sa

from notifier import db
from notifier.errors import InvalidInputError, describe
from tests.conftest import postgres_schema

SECRET = "Ana Núñez 1980-02-29"


def test_our_own_errors_keep_their_words():
    assert describe(InvalidInputError("row 3: date_of_birth is not a date", todo="fix it")) == "InvalidInputError: row 3: date_of_birth is not a date; fix it"


def test_other_errors_keep_only_their_type():
    assert describe(ValueError(f"invalid literal for int() with base 10: '{SECRET}'")) == "ValueError"
    assert describe(KeyError(SECRET)) == "KeyError"


def test_a_full_disk_names_the_file():
    assert describe(OSError(errno.ENOSPC, "No space left on device", "/out/print-001.pdf")) == "OSError: No space left on device (/out/print-001.pdf)"


def test_database_errors_lose_the_statement_and_parameters_on_sqlite(tmp_path):
    url = f"sqlite:///{tmp_path / 'x.db'}"
    with db.engine_for(url).begin() as connection:
        connection.exec_driver_sql("CREATE TABLE t (name TEXT NOT NULL UNIQUE)")
        connection.execute(sa.text("INSERT INTO t VALUES (:name)"), {"name": SECRET})
        with pytest.raises(sa.exc.IntegrityError) as raised:
            connection.execute(sa.text("INSERT INTO t VALUES (:name)"), {"name": SECRET})
    assert SECRET in str(raised.value)  # what sqlalchemy would say
    assert describe(raised.value) == "IntegrityError (IntegrityError): UNIQUE constraint failed: t.name"
    db.dispose(url)


def test_database_errors_lose_the_quoted_value_and_detail_on_postgresql():
    with postgres_schema() as url:
        with db.engine_for(url).connect() as connection:
            with pytest.raises(sa.exc.DataError) as bad_date:
                connection.execute(sa.text("SELECT CAST(:born AS DATE)"), {"born": SECRET})
        with db.engine_for(url).begin() as connection:
            connection.exec_driver_sql("CREATE TABLE t (name TEXT, born DATE NOT NULL)")
            with pytest.raises(sa.exc.IntegrityError) as missing:
                connection.execute(sa.text("INSERT INTO t VALUES (:name, NULL)"), {"name": SECRET})
        db.dispose(url)
    assert SECRET in str(bad_date.value) and SECRET in str(missing.value)  # the value, and the DETAIL's failing row
    assert describe(bad_date.value) == "DataError (InvalidDatetimeFormat): invalid input syntax for type date"
    assert SECRET not in describe(missing.value) and "not-null constraint" in describe(missing.value)
