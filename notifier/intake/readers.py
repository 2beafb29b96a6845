"""Streaming readers for decision exports, and the checks that run before anything is imported.

A file that cannot be read as a whole (wrong encoding, header without the required columns,
unknown format) fails up front with file, line and what to do. After that every row comes
out as a Record, even a broken one, so that nothing is ever dropped: structural problems
(wrong field count, a line that is not JSON) travel with the record into quarantine.
"""

from __future__ import annotations

import codecs
import csv
import io
import json
import math
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Iterator

from notifier.errors import InputFileError
from notifier.intake.fields import FIELDS, REQUIRED_COLUMNS
from notifier.intake.mapping import DECISION, Mapping
from notifier.intake.rules import Problem

FORMATS = ("csv", "jsonl")
_EXTENSIONS = {".csv": "csv", ".txt": "csv", ".jsonl": "jsonl", ".ndjson": "jsonl", ".json": "jsonl"}
_CHECK_BLOCK = 1 << 20
csv.field_size_limit(1 << 30)  # long fields are quarantined by the length rule, not crashed on


class PackedRead(str):
    """What a row said, as JSON text: how a reading process hands it over (intake/reading.py),
    decoded only if the row is quarantined."""


@dataclass
class Record:
    """One row as read: `row` holds the canonical text fields (None if unusable), `raw` what the file said."""

    line: int
    read: dict | list  # a JSON object, or a CSV row's values (turned into a dict only if it is quarantined)
    row: dict[str, str] | None
    problems: list[Problem] = field(default_factory=list)
    header: list[str] | None = None
    kind: str = DECISION  # or SKIP (not a decision) or NOT_FINAL (not decided yet), as the mapping says
    reason: str = ""  # which value made it SKIP or NOT_FINAL

    @property
    def raw(self) -> dict:
        read = json.loads(self.read) if isinstance(self.read, PackedRead) else self.read
        if self.header is None:
            return read
        raw = dict(zip(self.header, read))
        if len(read) > len(self.header):
            raw["_extra_fields"] = read[len(self.header):]
        return raw


class _CountingReader(io.RawIOBase):
    """Counts bytes as they are read, so long imports can show progress."""

    def __init__(self, raw, on_bytes: Callable[[int], None] | None):
        self._raw = raw
        self._on_bytes = on_bytes

    def readable(self) -> bool:
        return True

    def readinto(self, buffer) -> int:
        count = self._raw.readinto(buffer)
        if count and self._on_bytes:
            self._on_bytes(count)
        return count


@dataclass
class Source:
    path: Path
    format: str
    encoding: str
    mapping: Mapping
    header: list[str] = field(default_factory=list)  # as written in the file
    ignored_columns: set[str] = field(default_factory=set)

    @property
    def name(self) -> str:
        return self.path.name

    def _text(self, on_bytes: Callable[[int], None] | None = None) -> io.TextIOWrapper:
        raw = self.path.open("rb", buffering=0)
        return io.TextIOWrapper(io.BufferedReader(_CountingReader(raw, on_bytes), 1 << 16), encoding=self.encoding, newline="")

    def records(self, on_bytes: Callable[[int], None] | None = None) -> Iterator[Record]:
        with self._text(on_bytes) as text:
            yield from (self._csv_records(text) if self.format == "csv" else self._jsonl_records(text))

    def _csv_records(self, text: io.TextIOWrapper) -> Iterator[Record]:
        reader = csv.reader(text)
        next(reader, None)  # header, checked by open_source
        columns = [self.mapping.canonical(name) for name in self.header]
        wanted = [(i, name) for i, name in enumerate(columns) if name in FIELDS]
        all_canonical = len(wanted) == len(columns)
        simple = self.mapping.simple
        last_line = reader.line_num
        for values in reader:
            line, last_line = last_line + 1, reader.line_num
            if not any(value.strip() for value in values):
                continue  # blank line or a spreadsheet's empty row: no data to keep
            problems: list[Problem] = []
            if len(values) != len(self.header):
                problems.append(Problem("-", "field_count", f"row has {len(values)} fields, the header has {len(self.header)}"))
            if not simple:
                mapped = self.mapping.apply(dict(zip(self.header, values)))
                yield Record(line, values, mapped.row, problems + mapped.problems, self.header, mapped.kind, mapped.reason)
                continue
            if all_canonical and not problems:
                row = dict(zip(columns, values))
            else:
                row = {name: values[i] for i, name in wanted if i < len(values)}
            yield Record(line, values, self.mapping.translate(row), problems, self.header)

    def _jsonl_records(self, text: io.TextIOWrapper) -> Iterator[Record]:
        for line, content in enumerate(text, start=1):
            content = content.strip()
            if not content:
                continue
            yield self.json_record(line, content)

    def json_record(self, line: int, content: str) -> Record:
        """One JSON object (a JSONL line or a queue message) as a Record."""
        try:
            data = json.loads(content, parse_int=_json_int, parse_float=_json_float, parse_constant=_json_constant)
        except json.JSONDecodeError as exc:
            return Record(line, {"line": content}, None, [Problem("-", "bad_json", f"not a JSON object: {exc.msg} at column {exc.colno}")])
        except ValueError as exc:  # from the three hooks: a number JSON or Python cannot hold
            return Record(line, {"line": content}, None, [Problem("-", "bad_json", f"not a JSON object: {exc}")])
        except RecursionError:
            return Record(line, {"line": content}, None, [Problem("-", "bad_json", "not a JSON object: arrays or objects nested too deeply")])
        if not isinstance(data, dict):
            return Record(line, {"line": content}, None, [Problem("-", "bad_json", f"expected a JSON object, found {type(data).__name__}")])
        texts: dict[str, str] = {}
        problems: list[Problem] = []
        for key, value in data.items():
            name = self.mapping.canonical(str(key))
            if name not in FIELDS and self.mapping.simple:
                if len(self.ignored_columns) < 100:
                    self.ignored_columns.add(str(key))
                continue
            if value is None:
                texts[str(key)] = ""
            elif isinstance(value, (str, int, float)) and not isinstance(value, bool):
                texts[str(key)] = str(value)
            else:
                problems.append(Problem(name, "not_text", f"{name} should be text, found {type(value).__name__}"))
        if not self.mapping.simple:
            mapped = self.mapping.for_header(list(texts)).apply(texts)
            return Record(line, data, mapped.row, problems + mapped.problems, None, mapped.kind, mapped.reason)
        return Record(line, data, self.mapping.translate({self.mapping.canonical(k): v for k, v in texts.items()}), problems)


def _json_int(text: str) -> int:
    """Python reads integers of at most 4,300 digits (sys.get_int_max_str_digits); a longer one is a bad line, not a crashed import."""
    try:
        return int(text)
    except ValueError:
        raise ValueError(f"a number too long to read ({len(text)} digits)") from None


def _json_float(text: str) -> float:
    """A number too large for a float would become Infinity, which the quarantine's JSON column cannot store."""
    value = float(text)
    if math.isinf(value):
        raise ValueError(f"the number {text[:20]} is too large")
    return value


def _json_constant(name: str) -> float:
    """NaN, Infinity and -Infinity, which Python writes but JSON (and PostgreSQL's json type) does not have."""
    raise ValueError(f"{name} is not a JSON value")


def detect_format(path: Path, given: str | None) -> str:
    if given:
        if given not in FORMATS:
            raise InputFileError(f"unknown format '{given}'", where=str(path), todo="give the format as csv or jsonl", action="import.format")
        return given
    found = _EXTENSIONS.get(path.suffix.lower())
    if not found:
        raise InputFileError(
            f"cannot tell the format from the file name ending '{path.suffix or '(none)'}'",
            where=str(path),
            todo="say which format it is: csv or jsonl",
            action="import.format",
        )
    return found


def open_source(path: Path, *, fmt: str | None, mapping: Mapping, encoding: str | None) -> Source:
    """Checks the whole file can be read and, for CSV, that its header is usable."""
    if not path.is_file():
        raise InputFileError("file not found", where=str(path), todo="check the path")
    encoding = encoding or mapping.encoding or "utf-8"
    try:
        codec = codecs.lookup(encoding).name
    except LookupError:
        raise InputFileError(
            f"unknown encoding '{encoding}'", where=str(path), todo="name an encoding such as utf-8, cp1252 or latin-1", action="import.encoding"
        ) from None
    source = Source(path, detect_format(path, fmt), "utf-8-sig" if codec == "utf-8" else encoding, mapping)
    _check_decodes(source)
    if source.format == "csv":
        _check_header(source)
    return source


def _check_decodes(source: Source) -> None:
    decoder = codecs.getincrementaldecoder(source.encoding)()
    line = 1
    with source.path.open("rb") as handle:
        while True:
            block = handle.read(_CHECK_BLOCK)
            try:
                decoder.decode(block, final=not block)
            except UnicodeDecodeError as exc:
                line += exc.object[: exc.start].count(b"\n")
                raise InputFileError(
                    f"not valid {source.encoding.removesuffix('-sig')} text (byte 0x{exc.object[exc.start]:02x})",
                    where=f"{source.path}, line {line}",
                    todo="if a spreadsheet or Windows program saved it, read it as cp1252",
                    action="import.encoding",
                ) from None
            if not block:
                return
            line += block.count(b"\n")


def _check_header(source: Source) -> None:
    with source._text() as text:
        header = next(csv.reader(text), None)
    if not header or not any(cell.strip() for cell in header):
        raise InputFileError("the file is empty or its first line is blank", where=f"{source.path}, line 1", todo="the first line must be the header row")
    columns = [source.mapping.canonical(cell) for cell in header]
    repeated = sorted({name for name in columns if name in FIELDS and columns.count(name) > 1})
    if repeated:
        raise InputFileError(
            f"header gives {', '.join(repeated)} more than once",
            where=f"{source.path}, line 1",
            todo="remove the extra column or fix config/mappings",
        )
    source.mapping = source.mapping.for_header(header)
    if source.mapping.name_column and source.mapping.name_column not in header:
        raise InputFileError(f"the mapping reads the name from column '{source.mapping.name_column}', which the header lacks", where=f"{source.path}, line 1",
                             todo=f"check that this is the export config/mappings/{source.mapping.name}.toml describes")
    if source.mapping.id_options and not source.mapping.id_columns:
        options = " or ".join("+".join(option) for option in source.mapping.id_options)
        raise InputFileError(f"the mapping builds the decision id from {options}, which the header lacks", where=f"{source.path}, line 1",
                             todo=f"check that this is the export config/mappings/{source.mapping.name}.toml describes")
    provided = source.mapping.provides(header)
    missing = [name for name in REQUIRED_COLUMNS if name not in provided]
    if missing == ["decision_date"]:
        raise InputFileError("the file does not say when the decisions became final (no decision_date column)", where=f"{source.path}, line 1",
                             todo="give the date the decisions became final (the run date of the tool that made the file)", action="import.decision_date")
    if missing:
        what, where = f"header has no column for: {', '.join(missing)}", f"{source.path}, line 1"
        if source.mapping.name:
            raise InputFileError(what, where=where, todo=f"add them to config/mappings/{source.mapping.name}.toml")
        raise InputFileError(what, where=where, todo="rename the columns, or map your headers onto them with a column mapping", action="import.mapping")
    source.header = header
    source.ignored_columns = {cell for cell, name in zip(header, columns) if name not in FIELDS and cell not in source.mapping.reads()}
