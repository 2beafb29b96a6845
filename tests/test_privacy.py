"""The whole demo at DEBUG: no name, street line, date of birth or case number of its input in the logs
(its own and its task processes'), in what its summary commands print, or in an error message."""

from __future__ import annotations

import os
import re
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from tests.personal import leaks, values_of_file, values_of_rows

REPO = Path(__file__).resolve().parent.parent
NOTIFIER = str(Path(sys.executable).parent / "notifier")
SUMMARIES = [  # commands that show figures and ids, not a person's data (unlike review, quarantine show, proofs)
    ("status",),
    ("status", "--json"),
    ("audit", "--json"),
    ("costs", "report"),
    ("returns", "report", "--by", "zip"),
    ("returns", "unreachable"),
    ("batches", "show", "1", "--json"),
    ("letters", "list", "--limit", "200", "--json"),
    ("quarantine", "list"),
    ("purge", "--older-than", "0", "--dry-run"),
]


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    """`notifier demo` at DEBUG with a log file, then its summary commands; returns (personal values, {where: text})."""
    tmp = tmp_path_factory.mktemp("privacy")
    workdir, log_file = tmp / "demo", tmp / "logs" / "notifier.log"
    env = {**os.environ, "NOTIFIER_LOG_LEVEL": "DEBUG", "NOTIFIER_LOG_FILE": str(log_file)}
    env.pop("NOTIFIER_DATABASE_URL", None)
    ran = subprocess.run([NOTIFIER, "demo", "--count", "600", "--workdir", str(workdir)], env=env, cwd=tmp, capture_output=True, text=True, timeout=600)
    assert ran.returncode == 0, ran.stderr[-3000:]
    seen = {"demo stdout": ran.stdout, "demo stderr": ran.stderr}
    env["NOTIFIER_DATABASE_URL"] = f"sqlite:///{workdir / 'notifier.db'}"
    for args in SUMMARIES:
        done = subprocess.run([NOTIFIER, *args], env=env, cwd=tmp, capture_output=True, text=True, timeout=120)
        assert done.returncode == 0, (args, done.stderr[-2000:])
        seen[" ".join(args)] = done.stdout + done.stderr
    seen["log file"] = log_file.read_text(encoding="utf-8")
    inputs = [workdir / "decisions.csv", workdir / "county-b" / "decisions.jsonl", workdir / "office" / "dmv-addresses.csv"]
    values = set().union(*(values_of_file(path) for path in inputs))
    with sqlite3.connect(workdir / "office" / "notifier.db") as office:  # the office's own export, as its mapping read it
        office.row_factory = sqlite3.Row
        values |= values_of_rows([dict(r) for r in office.execute("SELECT first_name, last_name, address_line1, date_of_birth, case_number FROM decision")])
    return values, seen, log_file


def test_the_inputs_give_values_to_look_for(demo):
    values, _, _ = demo
    assert len(values) > 1500 and any(re.fullmatch(r"\d{4}-\d\d-\d\d", v) for v in values)


def test_the_log_is_written_at_debug_by_every_process_owner_only(demo):
    _, seen, log_file = demo
    log = seen["log file"]
    assert re.search(r" DEBUG \d+ notifier\.pipeline: task \d+ \(render", log) and " INFO " in log
    assert len(set(re.findall(r" (?:DEBUG|INFO|WARNING) (\d+) notifier\.", log))) >= 2  # the demo and its spawned task processes (one or both)
    assert oct(log_file.stat().st_mode & 0o777) == "0o600"


@pytest.mark.parametrize("where", ["demo stdout", "demo stderr", "log file", *(" ".join(args) for args in SUMMARIES)])
def test_no_personal_value_is_printed_or_logged(demo, where):
    values, seen, _ = demo
    assert leaks(seen[where], values) == []
