"""Fuzzing the JSONL reader: one line (or queue message) of anything becomes a record, never an exception.

Why: a line of a JSONL export or a queue message is parsed before any rule sees it; what
the JSON parser refuses (not JSON, a number too long, nesting too deep, NaN) must become a
`bad_json` quarantine reason for that line, and the rest of the file must still be imported.
"""

from __future__ import annotations

import json

from hypothesis import example, given, settings
from hypothesis import strategies as st

from notifier.intake.consume import message_source
from notifier.intake.fields import FIELDS
from notifier.intake.mapping import load_mapping
from notifier.intake.readers import Record
from notifier.intake.rules import Valid, validate
from notifier.settings import REPO_ROOT
from tests.fuzz.strategies import TODAY, hostile_text, near
from tests.fuzz.test_intake_rules import check_problems, check_valid
from tests.helpers import GOOD

SOURCES = (message_source("fuzz.jsonl"), message_source("fuzz.jsonl", load_mapping(REPO_ROOT / "config", "gogen").with_fixed(decision_date="2026-11-02")))
READER_CODES = frozenset({"bad_json", "not_text", "bad_date", "required"})

json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | hostile_text(),
    lambda children: st.lists(children, max_size=3) | st.dictionaries(st.text(max_size=5), children, max_size=3),
    max_leaves=6,
)


@st.composite
def decision_objects(draw) -> dict:
    """The good decision as a JSON object, with some values replaced by any JSON value and some keys added."""
    data: dict = dict(GOOD)
    for name in draw(st.lists(st.sampled_from(FIELDS), max_size=4, unique=True)):
        data[name] = draw(st.one_of(json_values, near(GOOD[name])))
    data.update(draw(st.dictionaries(st.one_of(st.text(max_size=8), st.sampled_from(["PRI_NAME", "CII_NUMBER", "CNT_ORDER"])), json_values, max_size=2)))
    return data


def json_lines() -> st.SearchStrategy[str]:
    """A line as a JSONL file or a queue may carry it: JSON (NaN and Infinity too, as Python writes them), or anything."""
    return st.one_of(
        st.builds(lambda data, ascii: json.dumps(data, ensure_ascii=ascii), decision_objects(), st.booleans()),
        st.builds(json.dumps, json_values),
        hostile_text(60),
        st.builds(lambda depth: "[" * depth + "]" * depth, st.integers(1, 50_000)),
        st.builds(lambda digits: '{"decision_id": ' + "7" * digits + "}", st.integers(1, 10_000)),
    )


def check_record(record: Record) -> None:
    """A record either has a canonical row or says why not; what is kept of it can be stored as JSON anywhere."""
    assert isinstance(record, Record)
    assert record.row is not None or record.problems
    if record.row is not None:
        assert all(isinstance(key, str) and isinstance(value, str) for key, value in record.row.items())
    for problem in record.problems:
        assert problem.code in READER_CODES and problem.message
    # The quarantine keeps `raw` in a JSON column; PostgreSQL's json type refuses NaN and Infinity.
    json.dumps(record.raw, allow_nan=False)


@settings(max_examples=300)
@given(json_lines(), st.sampled_from(SOURCES))
@example('{"decision_id": ' + "7" * 5000 + "}", SOURCES[0])  # longer than Python's int limit: ValueError from json.loads
@example("[" * 100_000 + "]" * 100_000, SOURCES[0])  # RecursionError from json.loads
@example(json.dumps({**GOOD, "offense": float("nan")}), SOURCES[0])  # NaN: not JSON, refused by PostgreSQL's json type
@example(json.dumps({**GOOD, "court": {"x": float("inf")}}), SOURCES[0])
@example(json.dumps({**GOOD, "first_name": "\x00"}), SOURCES[0])
def test_any_line_is_a_record_with_a_row_or_its_problems(line: str, source) -> None:
    record = source.json_record(1, line)
    check_record(record)
    if record.row is not None and record.kind == "decision":
        result = validate(record.row, today=TODAY)
        if isinstance(result, Valid):
            if not record.problems:
                check_valid(result)
        else:
            check_problems(result)
