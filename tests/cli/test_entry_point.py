"""The installed `notifier` command, run as a separate process the way offices run it."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time

import sqlalchemy as sa

from notifier import db
from notifier.synth.generator import write_export
from tests.helpers import dump_state

NOTIFIER = [sys.executable, "-c", "from notifier.cli.main import run; run()"]


def notifier(*args, url: str, **kwargs) -> subprocess.CompletedProcess:
    env = {**os.environ, "NOTIFIER_DATABASE_URL": url}
    return subprocess.run([*NOTIFIER, *map(str, args)], env=env, capture_output=True, text=True, timeout=120, **kwargs)


def test_missing_file_is_one_line_on_stderr(tmp_path):
    result = notifier("import", tmp_path / "nope.csv", url=f"sqlite:///{tmp_path / 'n.db'}")
    assert result.returncode == 1
    assert result.stderr.strip().count("\n") == 0 and "nope.csv" in result.stderr and "file not found" in result.stderr
    assert result.stdout == ""


def test_import_killed_mid_run_then_rerun_ends_as_one_clean_run(db_url, tmp_path):
    export = tmp_path / "big.csv"
    write_export(export, 20000, seed=5)
    reference = f"sqlite:///{tmp_path / 'reference.db'}"
    notifier("import", export, url=reference, check=True)

    env = {**os.environ, "NOTIFIER_DATABASE_URL": db_url, "NOTIFIER_IMPORT_CHUNK_ROWS": "250"}
    process = subprocess.Popen([*NOTIFIER, "import", str(export)], env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    engine = db.engine_for(db_url)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        with engine.connect() as connection:
            if connection.scalar(sa.text("SELECT count(*) FROM decision")) >= 2000:
                break
        time.sleep(0.02)
    process.send_signal(signal.SIGKILL)
    process.wait()
    with engine.connect() as connection:
        assert 0 < connection.scalar(sa.text("SELECT count(*) FROM decision")) < 19000

    rerun = notifier("import", export, "--json", url=db_url, check=True)
    assert json.loads(rerun.stdout.splitlines()[-1])["read"] == 20000
    assert dump_state(db_url) == dump_state(reference)
    db.dispose(reference)
