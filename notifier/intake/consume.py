"""Decisions handed over as messages (a queue, or JSON lines on stdin) instead of a file.

Each message is one canonical decision object and goes through exactly the rules of
`notifier import`: validation, quarantine, duplicates and conflicts. A message delivered
twice finds its decision_id already stored and counts as a duplicate. Queue messages of one
day share an import run named "queue YYYY-MM-DD" so that `status` and the quarantine can
say where a row came from; a stream of lines is one import run of its own, named "stdin".
"""

from __future__ import annotations

import json
import queue
import threading
import time
from datetime import date
from pathlib import Path
from typing import Iterable, Iterator, TextIO

import sqlalchemy as sa
from sqlmodel import Session, select

from notifier.intake.importer import DEFAULT_CHUNK_ROWS, Counts, ImportSummary, finish_run, start_run, store_chunk, store_chunks
from notifier.intake.mapping import Mapping
from notifier.intake.readers import Record, Source
from notifier.models import ImportRun, utcnow

QUEUE_FORMAT = "message"
STREAM_NAME = "stdin"


def message_source(name: str, mapping: Mapping = Mapping()) -> Source:
    """A Source used only to turn message bodies into records (no file behind it)."""
    return Source(path=Path(name), format="jsonl", encoding="utf-8", mapping=mapping)


def queue_run_id(session: Session, day: date) -> int:
    """The import run of the day's queue messages, created by whichever worker comes first."""
    name = f"queue {day.isoformat()}"
    if session.get_bind().dialect.name == "postgresql":
        session.execute(sa.select(sa.func.pg_advisory_xact_lock(sa.func.hashtext(name))))  # one creator at a time
    found = session.scalar(select(ImportRun.id).where(ImportRun.source_name == name, ImportRun.format == QUEUE_FORMAT))
    if found is not None:
        return found
    run = ImportRun(source_name=name, format=QUEUE_FORMAT, started_at=utcnow())
    session.add(run)
    session.flush()
    return run.id


def store_message(session: Session, body: dict | str, today: date | None = None) -> Counts:
    """One queue message: a decision object (or its JSON text) stored under the day's queue run (committed)."""
    today = today or date.today()
    text = body if isinstance(body, str) else json.dumps(body, ensure_ascii=False)
    record = message_source("queue").json_record(0, text)
    run_id = queue_run_id(session, today)
    counts = store_chunk(session, run_id, f"queue {today.isoformat()}", [record], today)
    session.commit()
    return counts


def consume_stream(
    session: Session,
    stream: TextIO,
    *,
    mapping: Mapping = Mapping(),
    chunk_rows: int = DEFAULT_CHUNK_ROWS,
    wait_seconds: float = 1.0,
    today: date | None = None,
    actor: str = "import",
) -> ImportSummary:
    """Decision objects as JSON lines from `stream`, until it ends, as one import run (see lines_in_batches).

    Each batch is committed as it is stored; if anything stops the stream part way (an
    interrupt too), the run is marked failed and the exception goes on.
    """
    source = message_source(STREAM_NAME, mapping)
    run_id = start_run(session, source.name, source.format, mapping.name)
    batches = records_of(source, lines_in_batches(stream, chunk_rows, wait_seconds))
    counts = store_chunks(session, run_id, source.name, batches, today=today)
    return finish_run(session, run_id, source.name, source.format, counts, sorted(source.ignored_columns), actor)


def lines_in_batches(stream: TextIO, size: int, wait_seconds: float) -> Iterator[list[tuple[int, str]]]:
    """(line number, text) in lists of up to `size`, handed on after `wait_seconds` of quiet.

    A sender that writes a few lines and then waits sees them stored at once, while a file
    piped in is still stored in large chunks. If reading the stream fails (bytes that are not
    text, a broken pipe), the lines read before are handed on and then the error is raised here.
    """
    lines: queue.Queue = queue.Queue(maxsize=size * 4)

    def read() -> None:
        try:
            for number, line in enumerate(stream, start=1):
                lines.put((number, line))
        except BaseException as exc:  # passed on: the reading side would otherwise wait forever
            lines.put(exc)
            return
        lines.put(None)

    threading.Thread(target=read, daemon=True).start()
    batch: list[tuple[int, str]] = []
    deadline = None
    while True:
        timeout = None if deadline is None else max(deadline - time.monotonic(), 0)
        try:
            item = lines.get(timeout=timeout)
        except queue.Empty:
            yield batch
            batch, deadline = [], None
            continue
        if item is None or isinstance(item, BaseException):
            if batch:
                yield batch
            if item is None:
                return
            raise item
        if item[1].strip():
            batch.append((item[0], item[1].strip()))
            deadline = deadline or time.monotonic() + wait_seconds
        if len(batch) >= size:
            yield batch
            batch, deadline = [], None


def records_of(source: Source, batches: Iterable[list[tuple[int, str]]]) -> Iterator[list[Record]]:
    for batch in batches:
        yield [source.json_record(number, text) for number, text in batch]
