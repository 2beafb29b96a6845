"""PostgreSQL's connections cut mid-command: during an import, `run`, `letters render` and `batches print`.

A second connection ends the command's server processes (pg_terminate_backend) just before a
chosen statement goes out, so the cut lands at a known point of the work. Afterwards either the
command finished by itself (its tasks are tried again, as tasks are) or it stopped with one
line that says the connection was lost, to which database, and to run the same command again;
run again, it finishes. Either way the database and every file end as in one clean run: no
decision, letter, print file or audit event lost or doubled.
"""

from __future__ import annotations

import pytest
from sqlmodel import select

from notifier import db
from notifier.models import ImportRun, ImportStatus
from tests.faults.conftest import (
    MAIL_DATE,
    ConnectionCut,
    assert_one_clear_line,
    counts,
    files,
    leftovers,
    letters,
    print_events,
)
from tests.helpers import dump_state


def assert_lost_connection(outcome, pg) -> None:
    assert_one_clear_line(outcome, "lost the connection to the database", db.safe_url(pg.url), "run the same command again")


def test_an_import_cut_mid_file_says_so_and_the_same_command_finishes_it(pg, notifier, fault_export, reference):
    with ConnectionCut(pg, "INSERT INTO decision", nth=2) as cut:  # the second chunk's decisions
        stopped = notifier("import", fault_export, "--json", ok=False)
    assert cut.terminated >= 1
    assert_lost_connection(stopped, pg)
    kept = counts(pg.url)["decisions"]
    assert 0 < kept < reference.counts_after_run["decisions"], "the first chunk is kept, the rest is not"

    again = notifier("import", fault_export, "--json").json()
    assert again["duplicates"] == kept and again["imported"] == reference.imported["imported"] - kept
    assert again["read"] == reference.imported["read"]
    assert dump_state(pg.url) == reference.state  # decisions, people, notices, discrepancies, quarantine: as one clean import
    with db.session_for(pg.url) as session:
        statuses = session.exec(select(ImportRun.status).order_by(ImportRun.id)).all()
    assert statuses == [ImportStatus.FAILED, ImportStatus.COMPLETED]


RUN_CUTS = {  # where the connection goes: (statement marker, nth, counted after, whether `run` finishes by itself)
    "while the file is staged": ("INSERT INTO staged_record", 1, None, False),
    "mid import task": ("INSERT INTO decision", 2, None, True),
    "as a verify task is marked done": ("result=", 1, "INSERT INTO address", True),
    "as the run moves on to verify": ("AND run.stage =", 1, None, True),
}


@pytest.mark.parametrize("where", RUN_CUTS)
def test_run_cut_mid_way_finishes_by_itself_or_says_to_run_it_again(where, pg, output, notifier, fault_export, reference):
    marker, nth, after, finishes = RUN_CUTS[where]
    with ConnectionCut(pg, marker, nth, after) as cut:
        first = notifier("run", fault_export, "--json", ok=False)
    assert cut.fired and cut.terminated >= 1
    if finishes:
        assert first.code == 0, first.stderr[-2000:]
        result = first.json()
        assert result["done"] and (result["queued"], result["in_progress"], result["failed"]) == (0, 0, 0)
        assert result["import"] == reference.imported
    else:
        assert_lost_connection(first, pg)
        again = notifier("run", fault_export, "--json").json()
        assert again["done"] and again["failed"] == 0
    assert counts(pg.url) == reference.counts_after_run
    assert dump_state(pg.url) == reference.state
    assert letters(pg.url) == reference.letters_after_run  # the same letters, under the same numbers
    assert leftovers(output) == []


def test_letters_render_cut_between_chunks_says_so_and_the_same_command_renders_the_rest(pg, output, notifier, fault_export, reference, monkeypatch):
    import notifier.workers as workers

    real = workers.render_locally
    # Chunks of 20 notices instead of 500, as `run`'s render tasks have here: the cut then falls
    # after one chunk is stored and while the next one's letters are claimed and drawn.
    monkeypatch.setattr(workers, "render_locally", lambda *args, **kwargs: real(*args, **kwargs, chunk=20))
    notifier("import", fault_export)
    notifier("addresses", "verify")
    with ConnectionCut(pg, "UPDATE letter SET state", nth=2) as cut:  # storing the second chunk's results
        stopped = notifier("letters", "render", "--json", ok=False)
    assert cut.terminated >= 1
    assert_lost_connection(stopped, pg)
    rendered_before = sum(n for state, n in counts(pg.url)["letters"].items() if state != "pending")
    assert rendered_before == 20

    again = notifier("letters", "render", "--json").json()
    assert again["rendered"] == len(reference.letters_after_run) - rendered_before
    assert letters(pg.url) == reference.letters_after_run  # the claimed letters were drawn again under their numbers
    assert leftovers(output) == []


PRINT_CUTS = {  # as RUN_CUTS, during `batches print`
    "as the print run is planned": ("INSERT INTO run", 1, None, False),
    "mid print file": ("letter.sequence >", 2, None, True),
    "as a print file is marked done": ("result=", 1, None, True),
    "as the run moves on to the manifest": ("AND run.stage =", 1, None, True),
}


@pytest.mark.parametrize("where", PRINT_CUTS)
def test_batch_print_cut_mid_way_finishes_by_itself_or_says_to_run_it_again(where, pg, output, notifier, fault_export, reference):
    marker, nth, after, finishes = PRINT_CUTS[where]
    notifier("run", fault_export)
    batch = notifier("batches", "create", "--mail-date", MAIL_DATE, "--json").json()["id"]
    notifier("batches", "freeze", batch)
    with ConnectionCut(pg, marker, nth, after) as cut:
        first = notifier("batches", "print", batch, "--json", ok=False)
    assert cut.fired and cut.terminated >= 1
    if finishes:
        assert first.code == 0, first.stderr[-2000:]
        printed = first.json()
    else:
        assert_lost_connection(first, pg)
        printed = notifier("batches", "print", batch, "--json").json()
    assert printed["state"] == "printed"
    assert files(output / "batches") == reference.print_files  # every print file, the manifest and the cover, byte for byte
    assert letters(pg.url) == reference.letters_after_print
    assert counts(pg.url) == reference.counts_after_print
    assert print_events(pg.url) == 1
    assert leftovers(output) == []
