"""Decisions as messages: `notifier consume` (JSON lines on stdin, consume_stream) and the queue actor's store_message."""

from __future__ import annotations

import io
import json
import time

import pytest
import sqlalchemy as sa
from sqlmodel import select

from notifier import db
from notifier.cli.main import app
from notifier.intake.consume import consume_stream, lines_in_batches, store_message
from notifier.models import Decision, ImportRun, QuarantinedRow
from tests.helpers import row


def count(url, model, *where) -> int:
    with db.session_for(url) as session:
        return session.scalar(select(sa.func.count()).select_from(model).where(*where))


def test_consume_applies_the_import_rules_and_a_repeat_imports_once(cli, db_url):
    lines = [
        json.dumps(row(decision_id="D-1", person_id="P-1")),
        json.dumps(row(decision_id="D-2", person_id="P-1", case_number="2011-CR-1")),
        json.dumps(row(decision_id="D-3", person_id="P-2", disposition_date="31/12/2009")),  # invalid date
        "not json at all",
        "",
    ]
    text = "\n".join(lines) + "\n"
    first = json.loads(cli.runner.invoke(app, ["consume", "--json"], input=text).stdout)
    assert (first["read"], first["imported"], first["quarantined"], first["duplicates"]) == (4, 2, 2, 0)
    assert first["people"] == 1
    again = json.loads(cli.runner.invoke(app, ["consume", "--json"], input=text).stdout)
    assert (again["imported"], again["duplicates"]) == (0, 2)
    assert count(db_url, Decision) == 2
    assert count(db_url, QuarantinedRow) == 2  # the same bad lines are quarantined once


def test_a_queue_message_delivered_twice_imports_once_and_a_changed_one_is_a_conflict(db_url):
    message = row(decision_id="D-9", person_id="P-9")
    with db.session_for(db_url) as session:
        assert store_message(session, message).imported == 1
        assert store_message(session, json.dumps(message)).duplicates == 1
        assert store_message(session, {**message, "outcome": "not_granted", "not_granted_reason": "tied_to_other_charges"}).conflicts == 1
        assert store_message(session, {"decision_id": "D-10"}).quarantined == 1
    assert count(db_url, Decision) == 1
    with db.session_for(db_url) as session:
        runs = session.exec(select(ImportRun)).all()
    assert len(runs) == 1 and runs[0].source_name.startswith("queue ") and runs[0].read == 4  # one run per day


def test_lines_arriving_slowly_are_handed_on_after_a_quiet_moment():
    class Slow(io.StringIO):
        def __iter__(self):
            yield "a\n"
            yield "b\n"
            time.sleep(0.4)
            yield "c\n"

    batches = list(lines_in_batches(Slow(), size=100, wait_seconds=0.1))
    assert [[text for _, text in b] for b in batches] == [["a", "b"], ["c"]]
    assert [number for b in batches for number, _ in b] == [1, 2, 3]


def test_a_stream_that_breaks_off_keeps_what_arrived_and_marks_its_run_failed(db_url):
    class Broken(io.StringIO):
        def __iter__(self):
            yield json.dumps(row(decision_id="D-1")) + "\n"
            yield json.dumps(row(decision_id="D-2", person_id="P-2")) + "\n"
            raise UnicodeDecodeError("utf-8", b"\xe9", 0, 1, "invalid continuation byte")

    with db.session_for(db_url) as session, pytest.raises(UnicodeDecodeError):
        consume_stream(session, Broken(), chunk_rows=1, wait_seconds=0.1)
    assert count(db_url, Decision) == 2
    with db.session_for(db_url) as session:
        [run] = session.exec(select(ImportRun)).all()
    assert (run.source_name, run.status, run.read) == ("stdin", "failed", 2)
