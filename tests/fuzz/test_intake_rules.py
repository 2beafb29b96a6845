"""Fuzzing the decision row validator: any row gives a decision or problems, never an exception.

Why: one bad cell in a county's export must become a quarantine reason a clerk can read,
never an import that stops half way or a row that disappears.
"""

from __future__ import annotations

import re
from datetime import date

from hypothesis import example, given, settings
from hypothesis import strategies as st

from notifier.addresses.states import state_code
from notifier.intake.fields import DATE_FIELDS, FIELDS, MAX_TEXT, OUTCOMES, REQUIRED
from notifier.intake.identity import MAX_KEY, name_key
from notifier.intake.rules import Problem, Valid, validate
from tests.fuzz.strategies import TODAY, TRICKY, decision_rows, hostile_text, storable_text, valid_rows
from tests.helpers import GOOD, row

PROBLEM_CODES = frozenset({
    "too_long", "required", "bad_date", "future_date", "bad_outcome", "reason_required",
    "bad_language", "bad_state", "bad_zip", "no_city_state_or_zip", "control_character",
})
ASCII_ZIP = re.compile(r"[0-9]{5}(?:-[0-9]{4})?")
ASCII_LANGUAGE = re.compile(r"[a-z]{2}")
CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def check_valid(result: Valid) -> None:
    """What every accepted decision holds, whatever the row looked like."""
    values = result.values
    assert set(values) == set(FIELDS)
    for name in REQUIRED:
        assert values[name], name
    for name in DATE_FIELDS:
        assert values[name] is None or (isinstance(values[name], date) and values[name] <= TODAY), name
    assert values["decision_date"] is not None
    assert values["outcome"] in OUTCOMES
    assert values["outcome"] != "not_granted" or values["not_granted_reason"]
    assert ASCII_LANGUAGE.fullmatch(values["language"])
    assert values["state"] == "" or state_code(values["state"]) == values["state"]
    assert values["zip"] == "" or ASCII_ZIP.fullmatch(values["zip"]), "a ZIP the post office can print"
    for name, value in values.items():
        if isinstance(value, str):
            assert value == value.strip() and len(value) <= MAX_TEXT, name
            assert not CONTROL.search(value), f"{name} keeps a control character"
    assert re.fullmatch(r"[0-9a-f]{64}", result.row_hash)


def check_problems(result: list[Problem]) -> None:
    assert result, "an empty list of problems would let a row vanish"
    for problem in result:
        assert problem.field in FIELDS and problem.code in PROBLEM_CODES and problem.message


@settings(max_examples=400)
@given(decision_rows())
@example(row(zip="\u0666\u0660\u0666\u0663\u0666"))  # Arabic-Indic digits: no ZIP a barcode can carry
@example(row(zip="\uff16\uff10\uff16\uff13\uff16"))  # full-width digits
@example(row(first_name="Ana\x00"))  # NUL: PostgreSQL cannot store it
@example(row(first_name="A\x1fB", middle_name="", last_name="C", suffix="D"))  # the row hash's own separator
@example(row(decision_date="\u0662\u0660\u0662\u0661-01-15"))
def test_any_row_is_a_decision_or_problems(raw: dict[str, str]) -> None:
    result = validate(raw, today=TODAY)
    if isinstance(result, Valid):
        check_valid(result)
    else:
        check_problems(result)


@given(valid_rows())
def test_rows_in_the_format_are_decisions_and_normalizing_again_changes_nothing(raw: dict[str, str]) -> None:
    """Validation is a normal form: the values it keeps validate to themselves, with the same hash."""
    first = validate(raw, today=TODAY)
    assert isinstance(first, Valid), first
    check_valid(first)
    texts = {name: value.isoformat() if isinstance(value, date) else value or "" for name, value in first.values.items()}
    again = validate(texts, today=TODAY)
    assert isinstance(again, Valid) and again.values == first.values and again.row_hash == first.row_hash


@given(st.sampled_from(FIELDS), st.sampled_from([c for c in TRICKY if CONTROL.fullmatch(c)]), st.integers(0, 40))
@example("first_name", "\x00", 3)
def test_a_control_character_in_any_field_is_a_problem_for_that_field(name: str, control: str, position: int) -> None:
    """NUL cannot be stored in PostgreSQL, U+001F is the row hash's separator: a clerk must see them, not the database."""
    text = GOOD[name] or "x"
    position %= len(text) + 1
    inside = "x" + text[:position] + control + text[position:] + "x"  # inside the text: spaces around it are trimmed, as they should be
    result = validate(row(**{name: inside}), today=TODAY)
    assert not isinstance(result, Valid)
    assert (name, "control_character") in {(p.field, p.code) for p in result}


@given(st.dictionaries(st.sampled_from(FIELDS), hostile_text(), max_size=len(FIELDS)))
def test_rows_of_anything_at_all(raw: dict[str, str]) -> None:
    result = validate(raw, today=TODAY)
    if isinstance(result, Valid):
        check_valid(result)
    else:
        check_problems(result)


@given(st.text(alphabet="AB \t\x1f", max_size=8), st.integers(0, 8), st.integers(0, 8))
@example("A\x1fB\x1f", 3, 1)  # ("FA\x1fB" | "C") and ("FA" | "B\x1fC") hashed the same before the fix
def test_different_decisions_have_different_hashes(text: str, i: int, j: int) -> None:
    """Text moved across the boundary of two fields must not make two decisions look identical (a conflict counted as a duplicate)."""
    text += "C"
    a = validate(row(first_name="F" + text[:i], middle_name=text[i:]), today=TODAY)
    b = validate(row(first_name="F" + text[:j], middle_name=text[j:]), today=TODAY)
    if isinstance(a, Valid) and isinstance(b, Valid) and a.values != b.values:
        assert a.row_hash != b.row_hash


@given(storable_text())
@example("\uac01" * 334)  # a Hangul syllable is three letters in NFKD: PostgreSQL refused the 3,000-character key
@example("\ufdfa" * 60)
@example("Núñez")
def test_the_identity_key_of_any_last_name_fits_its_column(last_name: str) -> None:
    """Every last name intake accepts has a key identity can store (PersonIdentity.last_name_key)."""
    key = name_key(last_name)
    assert len(key) <= MAX_KEY and key == name_key(last_name)
    assert key == key.casefold() and not any(c.isspace() for c in key)


def test_long_identity_keys_stay_apart() -> None:
    """Two long names that differ only past the cut keep different keys: one person's cases never join another's letter."""
    assert name_key("\uac01" * 334) != name_key("\uac01" * 333 + "\ub099")
