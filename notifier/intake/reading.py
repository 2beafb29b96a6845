"""Reading and checking an export, the part of an import that needs no database, and doing it
in a second process for a large file while this one stores.

An import reads the file (csv, json), checks each row against the rules and stores what
they passed. For a large file a second process reads and checks and hands the checked
chunks over in file order; this one only stores (bench/intake.py: 100,000 rows in about 10%
less time). What is stored, and in which order, is exactly what one process stores.

Handing a row over costs pickling, so a row the rules passed crosses in a compact form: its
checked fields joined by U+001F (which the rules refuse inside any field), its dates as
text, and what the file said as one JSON text, decoded only if the row ends up quarantined.
Every other record (a broken row, one that is not a decision) crosses as it is.
"""

from __future__ import annotations

import multiprocessing
import queue as queues
import signal
from contextlib import contextmanager
from datetime import date
from pathlib import Path
from itertools import islice
from typing import Callable, Iterable, Iterator

from notifier.db import json_dumps
from notifier.intake.fields import DATE_FIELDS, FIELDS
from notifier.intake.mapping import NOT_FINAL, SKIP
from notifier.intake.readers import PackedRead, Record, Source
from notifier.intake.rules import Problem, Valid, validate

READER_PROCESS_BYTES = 8 << 20  # a smaller file is read where it is stored: starting a process would cost more than it saves
QUEUED_CHUNKS = 4  # chunks read ahead of the store: bounds the memory the reader may fill
_SEPARATOR = "\x1f"
_DATE_INDEXES = [FIELDS.index(name) for name in DATE_FIELDS]


Checked = tuple[Record, "Valid | list[Problem] | None"]  # a record and its rules' verdict (None: not a decision)


def check(records: Iterable[Record], today: date) -> list[Checked]:
    """Each record with what the rules say of it."""
    return [(record, None if record.kind in (SKIP, NOT_FINAL) else validate(record.row, today=today) if record.row is not None else []) for record in records]


def batched(items: Iterable[Record], size: int) -> Iterator[list[Record]]:
    """itertools.batched, which Python 3.11 does not have yet."""
    iterator = iter(items)
    while chunk := list(islice(iterator, size)):
        yield chunk


def worth_a_process(path: Path) -> bool:
    return path.stat().st_size >= READER_PROCESS_BYTES


Packed = tuple  # (line, joined fields, row hash, what the file said) or (record, verdict)


def pack(checked: list[Checked]) -> list[Packed]:
    packed: list[Packed] = []
    for record, result in checked:
        if isinstance(result, Valid) and not record.problems:
            fields = [result.values[name] for name in FIELDS]
            for index in _DATE_INDEXES:
                fields[index] = fields[index].isoformat() if fields[index] is not None else ""
            packed.append((record.line, _SEPARATOR.join(fields), result.row_hash, json_dumps(record.read), record.header is not None))
        else:
            packed.append((record, result))
    return packed


def unpack(packed: list[Packed], header: list[str]) -> list[Checked]:
    checked: list[Checked] = []
    for item in packed:
        if len(item) == 2:
            checked.append(item)
            continue
        line, joined, row_hash, read, has_header = item
        fields: list = joined.split(_SEPARATOR)
        for index in _DATE_INDEXES:
            fields[index] = date.fromisoformat(fields[index]) if fields[index] else None
        values = dict(zip(FIELDS, fields))
        checked.append((Record(line, PackedRead(read), values, [], header if has_header else None), Valid(values, row_hash)))
    return checked


@contextmanager
def read_in_process(source: Source, chunk_rows: int, today: date, on_bytes: Callable[[int], None] | None = None) -> Iterator[Iterator[list[Checked]]]:
    """The file's checked chunks, in order, read by a child process; `source.ignored_columns` is complete once they are all taken."""
    context = multiprocessing.get_context("spawn")  # a fresh interpreter: nothing of this process's database or threads
    handover = context.Queue(maxsize=QUEUED_CHUNKS)
    process = context.Process(target=_read, args=(source, chunk_rows, today, handover), daemon=True, name="notifier-import-reader")
    process.start()
    try:
        yield _chunks(process, handover, source, on_bytes)
    finally:
        if process.is_alive():
            process.terminate()  # the store stopped early (an error, an interrupt): nothing more to read
        process.join()


def _chunks(process, handover, source: Source, on_bytes: Callable[[int], None] | None) -> Iterator[list[Checked]]:
    while True:
        try:
            kind, payload, read_bytes = handover.get(timeout=1.0)
        except queues.Empty:
            if not process.is_alive():
                raise RuntimeError(f"the process reading {source.name} stopped (exit code {process.exitcode}) before the end of the file") from None
            continue
        if on_bytes and read_bytes:
            on_bytes(read_bytes)
        if kind == "chunk":
            yield unpack(payload, source.header)
        elif kind == "done":
            source.ignored_columns.update(payload)
            return
        else:
            raise payload


def _read(source: Source, chunk_rows: int, today: date, handover) -> None:
    """The child: reads, checks and packs chunk after chunk. An interrupt is the parent's to handle."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    read = 0

    def count(n: int) -> None:
        nonlocal read
        read += n

    try:
        for chunk in batched(source.records(count), chunk_rows):
            packed = pack(check(chunk, today))
            handover.put(("chunk", packed, read))
            read = 0
        handover.put(("done", sorted(source.ignored_columns), read))
    except Exception as exc:  # noqa: BLE001 - any failure ends the import, in the parent
        handover.put(("error", exc, 0))
