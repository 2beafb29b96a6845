"""What the fault tests share: one small export, the outcome of a clean run to compare with, the
real `notifier` entry point, and a PostgreSQL schema whose connections a test can cut.

Every test here runs the embedded default (no broker: the tasks run in the command's own
process), with small chunks, so that a fault lands between work already committed and work
still to do. The clean run is done once, on SQLite: the same export carried through the same
commands gives byte-identical letters and print files on SQLite and on PostgreSQL, so each
faulted run, on either, is compared with it.
"""

from __future__ import annotations

import hashlib
import json
import re
import shutil
import sys
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Iterator

import pytest
import sqlalchemy as sa
from typer.testing import CliRunner

from notifier import db
from notifier.models import AuditEvent, Letter, Notice
from notifier.settings import REPO_ROOT
from notifier.synth.generator import write_export
from tests.conftest import postgres_schema, service_url
from tests.helpers import dump_state

MAIL_DATE = "2026-12-01"
# The status counts that say what is stored; not runs or import runs, of which a re-run adds one.
COUNTED = ("decisions", "people", "notices", "notices_by_status", "quarantined", "conflicts", "not_final",
           "identity_conflicts", "people_with_discrepancies", "addresses", "letters", "batches")
SETTINGS = {  # small chunks: 100 decisions make 4 import tasks, 3 render tasks and 3 print files
    "NOTIFIER_IMPORT_CHUNK_ROWS": "25",
    "NOTIFIER_RENDER_TASK_NOTICES": "20",
}
LETTERS_PER_FILE = 20


@pytest.fixture(scope="session")
def fault_export(tmp_path_factory) -> Path:
    """100 synthetic decisions (two of them broken on purpose, so the quarantine is exercised too)."""
    path = tmp_path_factory.mktemp("faults-export") / "decisions.csv"
    write_export(path, 100, seed=8)
    return path


@pytest.fixture(scope="session")
def fault_config(tmp_path_factory) -> Path:
    """The repository's config/ with 20 letters per print file."""
    config = tmp_path_factory.mktemp("faults-config") / "config"
    shutil.copytree(REPO_ROOT / "config", config)
    toml = config / "batches.toml"
    toml.write_text(re.sub(r"letters_per_file = \d+", f"letters_per_file = {LETTERS_PER_FILE}", toml.read_text()))
    return config


def set_environment(patch: pytest.MonkeyPatch, url: str, output: Path, config: Path) -> None:
    patch.setenv("NOTIFIER_DATABASE_URL", url)
    patch.setenv("NOTIFIER_OUTPUT_DIR", str(output))
    patch.setenv("NOTIFIER_CONFIG_DIR", str(config))
    for name, value in SETTINGS.items():
        patch.setenv(name, value)
    for name in ("NOTIFIER_BROKER_URL", "NOTIFIER_DEBUG", "NOTIFIER_TASK_LEASE_SECONDS"):
        patch.delenv(name, raising=False)


@pytest.fixture
def output(tmp_path, monkeypatch, fault_config) -> Path:
    """This test's NOTIFIER_OUTPUT_DIR, with the fault settings in the environment; the database is
    tmp_path's SQLite file (db_url's), or the test's PostgreSQL schema once `pg` sets it."""
    folder = tmp_path / "out"
    set_environment(monkeypatch, f"sqlite:///{tmp_path / 'notifier.db'}", folder, fault_config)
    return folder


# --- what a run leaves behind -------------------------------------------------------------------


def counts(url: str) -> dict:
    from notifier.status import status

    with db.session_for(url) as session:
        found = status(session)
    return {name: found[name] for name in COUNTED}


def letters(url: str) -> list[tuple]:
    """Every letter: its number (printed on it as the letter id and IMb serial), person, attempt, state, content, pages, batch place."""
    with db.engine_for(url).connect() as connection:
        rows = connection.execute(
            sa.select(Letter.id, Notice.person_id, Letter.attempt, Letter.state, Letter.content_hash, Letter.pages, Letter.batch_id, Letter.sequence)
            .join(Notice, Notice.id == Letter.notice_id)
            .order_by(Letter.id)
        )
        return [tuple(r) for r in rows]


def print_events(url: str) -> int:
    with db.engine_for(url).connect() as connection:
        return connection.scalar(sa.select(sa.func.count()).select_from(AuditEvent).where(AuditEvent.action == "batch.print"))


def files(folder: Path) -> dict[str, str]:
    """SHA-256 of every finished file under `folder`, by relative path (temporary files left by a writer are not output)."""
    return {
        str(path.relative_to(folder)): hashlib.sha256(path.read_bytes()).hexdigest()
        for path in sorted(folder.rglob("*"))
        if path.is_file() and not path.name.startswith(".")
    }


def leftovers(folder: Path) -> list[str]:
    """Temporary files a writer left behind (a hidden name ending in .tmp)."""
    return sorted(p.name for p in folder.rglob(".*.tmp"))


# --- the clean run ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Reference:
    """What one uninterrupted pass leaves: `run`, then a batch of everything created, frozen and printed."""

    imported: dict  # `run --json`'s import counts
    state: dict  # tests.helpers.dump_state after the run
    counts_after_run: dict
    letters_after_run: list[tuple]
    render_tasks: int
    counts_after_print: dict
    letters_after_print: list[tuple]
    print_files: dict[str, str]  # batch-00001/... -> sha256


@pytest.fixture(scope="session")
def reference(tmp_path_factory, fault_export, fault_config) -> Reference:
    from notifier.cli.main import app

    tmp = tmp_path_factory.mktemp("faults-reference")
    url = f"sqlite:///{tmp / 'notifier.db'}"
    out = tmp / "out"
    runner = CliRunner()

    def ok(*args: str) -> dict:
        result = runner.invoke(app, [*args, "--json"])
        assert result.exit_code == 0, f"clean `notifier {' '.join(args)}` failed: {result.stderr}{result.exception!r}"
        return json.loads(result.stdout.strip().splitlines()[-1])

    with pytest.MonkeyPatch.context() as patch:
        set_environment(patch, url, out, fault_config)
        run = ok("run", str(fault_export))
        assert run["done"] and run["failed"] == 0
        after_run = (dump_state(url), counts(url), letters(url), run["steps"]["render"]["done"])
        batch = ok("batches", "create", "--mail-date", MAIL_DATE)
        ok("batches", "freeze", str(batch["id"]))
        ok("batches", "print", str(batch["id"]))
        reference = Reference(run["import"], *after_run, counts(url), letters(url), files(out / "batches"))
    db.dispose(url)
    assert reference.render_tasks == 3 and len([n for n in reference.print_files if "print-" in n]) == 3, "the chunk settings no longer split the work"
    return reference


# --- the command line, as a person runs it ------------------------------------------------------


@dataclass
class Outcome:
    code: int
    stdout: str
    stderr: str

    def json(self) -> dict:
        return json.loads(self.stdout.strip().splitlines()[-1])

    @property
    def error(self) -> str:
        """The last line on stderr: where the CLI says what failed (log lines may come before it)."""
        lines = [line for line in self.stderr.splitlines() if line.strip()]
        return lines[-1] if lines else ""


class Notifier:
    """`notifier ...` through its real entry point (notifier.cli.main:run), in this process.

    In-process, so that a test's hooks (a cut connection, a full disk) reach the command's
    own work; through `run()`, so that what is printed for an unexpected exception is what a
    person would see, not what a test runner would.
    """

    def __init__(self, capsys, monkeypatch):
        self.capsys, self.monkeypatch = capsys, monkeypatch

    def __call__(self, *args: object, ok: bool = True) -> Outcome:
        from notifier.cli.main import run

        self.capsys.readouterr()
        with self.monkeypatch.context() as patch:
            patch.setattr(sys, "argv", ["notifier", *map(str, args)])
            try:
                run()
                code = 0
            except SystemExit as exc:
                code = exc.code if isinstance(exc.code, int) else (0 if exc.code is None else 1)
        out, err = self.capsys.readouterr()
        outcome = Outcome(code, out, err)
        if ok:
            assert code == 0, f"notifier {' '.join(map(str, args))} exited {code}: {err[-2000:]}"
        return outcome


@pytest.fixture
def notifier(capsys, monkeypatch) -> Notifier:
    return Notifier(capsys, monkeypatch)


def assert_one_clear_line(outcome: Outcome, *phrases: str) -> None:
    """Exit code 1, no traceback, and the error line says each phrase (what happened, where, what to do)."""
    assert outcome.code == 1, f"exit code {outcome.code}: {outcome.stderr[-2000:]}"
    assert "Traceback" not in outcome.stderr and "internal error" not in outcome.stderr, outcome.stderr[-2000:]
    line = outcome.error
    assert line.startswith("notifier: error: "), outcome.stderr[-2000:]
    for phrase in phrases:
        assert phrase in line, f"{phrase!r} not in {line!r}"


# --- PostgreSQL whose connections can be cut ---------------------------------------------------


@dataclass(frozen=True)
class Postgres:
    url: str
    application_name: str  # every connection of this test's URL carries it: the cut takes these and no others


@pytest.fixture
def pg(output, monkeypatch) -> Iterator[Postgres]:
    """A fresh schema (tests/conftest.py's postgres_schema: skipped without NOTIFIER_TEST_POSTGRES_URL) at head, as NOTIFIER_DATABASE_URL."""
    with postgres_schema() as schema_url:
        name = f"notifier-faults-{uuid.uuid4().hex[:12]}"
        url = sa.engine.make_url(schema_url).update_query_dict({"application_name": name}).render_as_string(hide_password=False)
        db.upgrade(url)
        monkeypatch.setenv("NOTIFIER_DATABASE_URL", url)
        try:
            yield Postgres(url, name)
        finally:
            db.dispose(url)


def terminate_backends(application_name: str) -> int:
    """From a connection of its own: ends every server process of the test's connections, and waits until they are gone."""
    engine = sa.create_engine(service_url("NOTIFIER_TEST_POSTGRES_URL"), poolclass=sa.pool.NullPool)
    try:
        with engine.connect() as connection:
            return connection.scalar(
                sa.text(
                    "SELECT count(*) FILTER (WHERE pg_terminate_backend(pid, 5000)) FROM pg_stat_activity "
                    "WHERE datname = current_database() AND pid <> pg_backend_pid() AND application_name = :name"
                ),
                {"name": application_name},
            )
    finally:
        engine.dispose()


class ConnectionCut:
    """Cuts the test's database connections just before the `nth` statement containing `marker` is
    sent (counting only once a statement containing `after` has gone out, when given).

    The statement then meets a connection the server has closed, as after a server restart, a
    failover or a network cut; the engine's pool is left to find that out the way it would.
    """

    def __init__(self, pg: Postgres, marker: str, nth: int = 1, after: str | None = None):
        self.pg, self.marker, self.nth, self.after = pg, marker, nth, after
        self.seen, self.terminated, self.fired = 0, 0, False
        self.armed = after is None

    def __enter__(self) -> "ConnectionCut":
        sa.event.listen(db.engine_for(self.pg.url), "before_cursor_execute", self._before)
        return self

    def __exit__(self, *exc) -> None:
        sa.event.remove(db.engine_for(self.pg.url), "before_cursor_execute", self._before)

    def _before(self, connection, cursor, statement, parameters, context, executemany) -> None:
        if self.fired:
            return
        if not self.armed:
            self.armed = self.after in statement
            return
        if self.marker in statement:
            self.seen += 1
            if self.seen == self.nth:
                self.fired = True
                self.terminated = terminate_backends(self.pg.application_name)  # the test checks it ended some
