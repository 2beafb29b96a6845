"""`notifier run` and `notifier batches print` killed (SIGKILL) in the middle of a step.

The command runs as its own process, as a person starts it; tests/faults/stall.py holds it
half-way through writing a file (the step's letter rows claimed, nothing of its result stored)
and the test kills it there: no clean-up, no message. What staff see next is `notifier
status`; then `notifier resume` (once the dead process's claims expire) or the same command
again finishes the work, with the counts, letters and files of one clean run and nothing twice.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.faults.conftest import MAIL_DATE, counts, files, leftovers, letters, print_events

REPO = Path(__file__).resolve().parents[2]
LEASE_SECONDS = 1  # the killed process's claims expire this soon (300 s by default)


def run_until_stalled(tmp_path: Path, args: list[object], prefix: str, nth: int = 1) -> float:
    """Starts `notifier ARGS`, waits until it stalls half-way through the file, and kills it with SIGKILL; returns when."""
    signal_file = tmp_path / f"stalled-{prefix}"
    env = {**os.environ, "NOTIFIER_TASK_LEASE_SECONDS": str(LEASE_SECONDS), "NOTIFIER_TEST_STALL_PREFIX": prefix,
           "NOTIFIER_TEST_STALL_NTH": str(nth), "NOTIFIER_TEST_STALL_SIGNAL": str(signal_file)}
    code = "import sys, tests.faults.stall; from notifier.cli.main import run; sys.argv[0] = 'notifier'; run()"
    log = (tmp_path / "killed.log").open("w")
    process = subprocess.Popen([sys.executable, "-c", code, *map(str, args)], env=env, cwd=REPO, stdout=log, stderr=subprocess.STDOUT)
    try:
        deadline = time.monotonic() + 60
        while not signal_file.exists():
            assert process.poll() is None, f"notifier {args} ended ({process.returncode}) before it stalled: {(tmp_path / 'killed.log').read_text()[-2000:]}"
            assert time.monotonic() < deadline, "notifier did not reach the file"
            time.sleep(0.02)
    finally:
        process.send_signal(signal.SIGKILL)
        process.wait(timeout=30)
    assert process.returncode == -signal.SIGKILL
    return time.monotonic()


def wait_for_claims_to_expire(killed_at: float) -> None:
    time.sleep(max(0.0, killed_at + LEASE_SECONDS + 0.2 - time.monotonic()))


def test_run_killed_mid_render_is_resumed_with_the_letters_and_files_of_a_clean_run(db_url, output, notifier, fault_export, reference, monkeypatch, tmp_path):
    monkeypatch.setenv("NOTIFIER_DATABASE_URL", db_url)
    killed_at = run_until_stalled(tmp_path, ["run", fault_export], "call:notifier.letters.store._store_results", nth=2)  # in the second render task

    status = notifier("status", "--json").json()
    [stopped] = status["runs_in_progress"]
    assert stopped["stage"] == "render" and stopped["steps"]["render"] == {"queued": 1, "in_progress": 1, "done": 1, "failed": 0}
    assert counts(db_url)["letters"] == {"rendered": 20, "pending": 20}
    assert files(output) == {} and leftovers(output) == []  # render writes no file: letters are drawn when their batch prints

    wait_for_claims_to_expire(killed_at)
    resumed = notifier("resume", "--json").json()
    assert (resumed["expired"], resumed["sent"]) == (1, 2)
    assert notifier("status", "--json").json()["runs_in_progress"] == []
    assert counts(db_url) == reference.counts_after_run
    assert letters(db_url) == reference.letters_after_run  # the claimed letters drawn again under their numbers


@pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)  # the kill itself is tried on PostgreSQL by the test above
def test_batch_print_killed_mid_file_prints_identical_files_when_run_again(db_url, output, notifier, fault_export, reference, monkeypatch, tmp_path):
    monkeypatch.setenv("NOTIFIER_DATABASE_URL", db_url)
    notifier("run", fault_export)
    batch = notifier("batches", "create", "--mail-date", MAIL_DATE, "--json").json()["id"]
    notifier("batches", "freeze", batch)
    killed_at = run_until_stalled(tmp_path, ["batches", "print", batch, "--json"], "print-002.pdf")

    folder = output / "batches" / "batch-00001"
    assert notifier("batches", "show", batch, "--json").json()["state"] == "frozen"
    assert sorted(files(folder)) == ["print-001.pdf"] and len(leftovers(output)) == 1

    printed = notifier("batches", "print", batch, "--json").json()  # what a person does: the same command again
    assert printed["state"] == "printed"
    assert files(output / "batches") == reference.print_files
    assert letters(db_url) == reference.letters_after_print and counts(db_url) == reference.counts_after_print
    assert print_events(db_url) == 1

    # The killed process's print run is still open; `resume` finishes it, and that changes nothing.
    wait_for_claims_to_expire(killed_at)
    assert notifier("resume", "--json").json()["expired"] == 1
    assert notifier("status", "--json").json()["runs_in_progress"] == []
    assert files(output / "batches") == reference.print_files and print_events(db_url) == 1
