"""Engine, sessions and schema upgrades: the storage edge.

The embedded default (a SQLite file) creates and upgrades itself on first use; a shared
PostgreSQL database is only changed by an explicit `notifier db upgrade`, so that many
workers starting at once never race to migrate it.
"""

from __future__ import annotations

import json
import os
import re
from contextlib import contextmanager
from datetime import date
from operator import itemgetter
from pathlib import Path
from typing import Iterator

import orjson
import sqlalchemy as sa
from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlmodel import Session

from notifier.csvfiles import private_dir
from notifier.errors import DatabaseError
from notifier.settings import REPO_ROOT

MIGRATIONS_DIR = REPO_ROOT / "migrations"

_engines: dict[str, sa.Engine] = {}


def is_sqlite(url: str) -> bool:
    return url.startswith("sqlite")


def engine_for(url: str) -> sa.Engine:
    """One engine per URL per process."""
    if url not in _engines:
        _engines[url] = _create_engine(url)
    return _engines[url]


def json_dumps(value) -> str:
    """JSON columns written with orjson: staging a 100,000-row file encodes 300,000 of them, and
    orjson took a seventh of the json module's time. Where orjson refuses a value (a lone
    surrogate from a JSONL escape, an integer over 64 bits), json writes it as before."""
    try:
        return orjson.dumps(value).decode()
    except TypeError:  # orjson.JSONEncodeError
        return json.dumps(value)


_LONG_NUMBER = re.compile(r"\d{19}")


def json_loads(text: str | bytes):
    """JSON columns read with orjson (a third of json's time); json where orjson refuses the text, or
    where a run of 19 digits may be an integer over 64 bits (orjson reads one as a float, losing digits)."""
    if isinstance(text, bytes):
        text = text.decode()
    if _LONG_NUMBER.search(text):
        return json.loads(text)
    try:
        return orjson.loads(text)
    except orjson.JSONDecodeError:
        return json.loads(text)


def _create_engine(url: str) -> sa.Engine:
    json_options = {"json_serializer": json_dumps, "json_deserializer": json_loads}
    if not is_sqlite(url):
        return sa.create_engine(url, pool_pre_ping=True, **json_options)
    path = sa.engine.make_url(url).database
    if path and path != ":memory:":
        private_dir(Path(path).parent)
        if not Path(path).exists():  # the database holds every name and case: owner-only from its first byte
            os.close(os.open(path, os.O_WRONLY | os.O_CREAT, 0o600))
    engine = sa.create_engine(url, connect_args={"timeout": 30}, **json_options)

    @sa.event.listens_for(engine, "connect")
    def _pragmas(dbapi_connection, _record):
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA cache_size=-65536")  # 64 MiB: keeps index pages of a large import in memory
        cursor.close()

    return engine


def dispose(url: str) -> None:
    engine = _engines.pop(url, None)
    if engine is not None:
        engine.dispose()


def _alembic_config(connection: sa.Connection) -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    config.attributes["connection"] = connection
    return config


def head_revision() -> str:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    return ScriptDirectory.from_config(config).get_current_head()


def current_revision(url: str) -> str | None:
    try:
        with engine_for(url).connect() as connection:
            return MigrationContext.configure(connection).get_current_revision()
    except sa.exc.OperationalError as exc:
        raise _unreachable(url, exc) from None


def upgrade(url: str) -> str:
    """Bring the schema to the newest migration; returns the revision reached.

    SQLite alters a table by copying it (alembic's batch mode), which foreign keys referring
    to it forbid while they are enforced: they are switched off for the migration (outside a
    transaction, where SQLite honours the switch) and back on after it.
    """
    try:
        with engine_for(url).connect() as connection:
            if is_sqlite(url):
                connection.exec_driver_sql("PRAGMA foreign_keys=OFF")
                connection.commit()
            try:
                with connection.begin():
                    command.upgrade(_alembic_config(connection), "head")
            finally:
                if is_sqlite(url):
                    connection.exec_driver_sql("PRAGMA foreign_keys=ON")
                    connection.commit()
    except sa.exc.OperationalError as exc:
        raise _unreachable(url, exc) from None
    return head_revision()


def ensure_schema(url: str) -> None:
    """Called by every command before it touches the database."""
    current = current_revision(url)
    if current == head_revision():
        return
    if is_sqlite(url):
        upgrade(url)
        return
    raise DatabaseError(
        f"database schema is at revision {current or 'none'}, this version of notifier needs {head_revision()}",
        where=safe_url(url),
        todo="run `notifier db upgrade`",
    )


def _unreachable(url: str, exc: Exception) -> DatabaseError:
    return DatabaseError(
        f"cannot open the database ({type(exc.orig).__name__ if hasattr(exc, 'orig') else type(exc).__name__})",
        where=safe_url(url),
        todo="check NOTIFIER_DATABASE_URL and that the server is running",
    )


def lost_connection(exc: BaseException, url: str) -> DatabaseError | None:
    """The error to show when the database server went away mid-command (restarted, failed over,
    the network or the connection cut); None for any other exception.

    PostgreSQL only: the driver says so by invalidating the connection, by an error without a
    SQLSTATE (raised by the client: the server stopped answering) or by one of class 08
    (connection exception) or 57P (the server shutting down or ending the session).
    """
    if not isinstance(exc, sa.exc.DBAPIError) or is_sqlite(url):
        return None
    sqlstate = getattr(exc.orig, "sqlstate", None) or ""
    if not (exc.connection_invalidated or (isinstance(exc, sa.exc.OperationalError) and (not sqlstate or sqlstate.startswith(("08", "57P"))))):
        return None
    return DatabaseError(
        f"lost the connection to the database ({type(exc.orig).__name__})",
        where=safe_url(url),
        todo="what was committed before is kept; once the database server answers again, run the same command again",
    )


def safe_url(url: str) -> str:
    """The URL without its password, for messages."""
    return sa.engine.make_url(url).render_as_string(hide_password=True)


@contextmanager
def session_for(url: str) -> Iterator[Session]:
    with Session(engine_for(url), expire_on_commit=False) as session:
        yield session


def executemany(session: Session, statement: sa.Executable, rows: list[dict]) -> None:
    """Runs one INSERT or UPDATE for many rows of the same shape with the driver's executemany.

    SQLAlchemy's own executemany processes every parameter of every row through its
    compiler, which bench/intake.py measured as the largest single cost of an import. Here
    the statement is compiled once, each parameter's bind processor (the conversion
    SQLAlchemy would apply: dates on SQLite, aware UTC times) is looked up once, and the
    driver receives plain tuples or dicts.
    """
    if not rows:
        return
    connection = session.connection()
    dialect = connection.dialect
    compiled = statement.compile(dialect=dialect, column_keys=list(rows[0]), for_executemany=True)
    steps = {name: (bind.key, _bind_processor(bind.type, dialect)) for bind, name in compiled.bind_names.items()}
    missing = sorted({key for key, _ in steps.values()} - set(rows[0]))
    if missing:
        raise ValueError(f"executemany rows lack {missing}: give every column, defaults included")
    names = list(compiled.positiontup) if compiled.positional else list(steps)
    keys = [steps[name][0] for name in names]
    take = itemgetter(*keys) if len(keys) > 1 else lambda row: (row[keys[0]],)
    convert, constant = [], []
    for index, name in enumerate(names):
        key, processor = steps[name]
        if processor is None:
            continue
        first = rows[0][key]
        if all(row[key] is first for row in rows):  # e.g. the chunk's one timestamp: convert it once
            constant.append((index, processor(first)))
        else:
            convert.append((index, processor))
    params = []
    for row in rows:
        values = list(take(row))
        for index, fn in convert:
            values[index] = fn(values[index])
        for index, value in constant:
            values[index] = value
        params.append(tuple(values) if compiled.positional else dict(zip(names, values)))
    connection.exec_driver_sql(str(compiled), params)


def one_of(session: Session, column: sa.ColumnElement, values: list) -> sa.ColumnElement[bool]:
    """`column IN values` for a long list, as one parameter: the list as a JSON array read by
    json_each on SQLite, an array on PostgreSQL. SQLAlchemy expands `in_` into a parameter per
    value and processes each in Python: for a chunk of 2,000 ids that cost more than the query."""
    if session.get_bind().dialect.name == "postgresql":
        from sqlalchemy.dialects.postgresql import ARRAY

        return column == sa.any_(sa.bindparam(None, list(values), type_=ARRAY(column.type)))
    listed = sa.func.json_each(sa.bindparam(None, json_dumps(list(values)), type_=sa.String)).table_valued("value")
    return column.in_(sa.select(listed.c.value))


def _bind_processor(type_: sa.types.TypeEngine, dialect: sa.engine.Dialect):
    """The conversion SQLAlchemy applies to a parameter of this type. A date on SQLite is stored as
    YYYY-MM-DD, which date.isoformat writes in C: an import converts three dates a row, and
    SQLAlchemy's own formatting of them took a tenth of its database time."""
    processor = type_.dialect_impl(dialect).bind_processor(dialect)
    if processor is None or dialect.name != "sqlite" or not isinstance(type_, sa.Date):
        return processor

    def sqlite_date(value):
        return value.isoformat() if type(value) is date else processor(value)

    return sqlite_date


def insert_ignoring_duplicates(session: Session, table: sa.Table, rows: list[dict]) -> None:
    """INSERT ... ON CONFLICT DO NOTHING, on SQLite and PostgreSQL alike: the idempotent write."""
    if session.get_bind().dialect.name == "postgresql":
        from sqlalchemy.dialects.postgresql import insert
    else:
        from sqlalchemy.dialects.sqlite import insert
    executemany(session, insert(table).on_conflict_do_nothing(), rows)
