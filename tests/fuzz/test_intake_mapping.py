"""Fuzzing the mapping parsers for upstream exports: names, dates, whole gogen rows.

Why: a mapping reads what an office's tool wrote, padding and junk included. Whatever a
cell holds, a row must come out as a canonical row (or a skip, or not final) whose problems
say what is wrong; the name must keep every word it was given.
"""

from __future__ import annotations

from collections import Counter
from datetime import date

from hypothesis import example, given, settings
from hypothesis import strategies as st

from notifier.intake.fields import FIELDS, NAME_FIELDS
from notifier.intake.mapping import DECISION, NOT_FINAL, SKIP, Mapped, load_mapping, parse_date, split_name
from notifier.intake.rules import Valid, validate
from notifier.settings import REPO_ROOT
from tests.fuzz.strategies import TODAY, hostile_text, near
from tests.fuzz.test_intake_rules import check_problems, check_valid

CONFIG = REPO_ROOT / "config"
GOGEN = load_mapping(CONFIG, "gogen").with_fixed(decision_date="2026-11-02")
EXAMPLE_COUNTY = load_mapping(CONFIG, "example-county")
SHIPPED_FORMATS = tuple(sorted({fmt for name in ("gogen", "example-county") for formats in load_mapping(CONFIG, name).dates.values() for fmt in formats}))
FORMATS = tuple(sorted({*SHIPPED_FORMATS, "%m/%d/%Y", "%Y%m%d", "%m/%d/%y", "%d.%m.%Y", "%Y-%m-%d"}))


def name_characters(text: str) -> Counter:
    """The characters a name is made of: spacing, the commas that separate its parts and the dots after a suffix do not count."""
    return Counter(c for c in text if not c.isspace() and c not in ",.")


@settings(max_examples=300)
@given(st.one_of(hostile_text(), near("SKYWALKER,LUKE S", "LECTER, HANNIBAL", "SMITH JR,JOHN", "DE LA CRUZ,  MARIA   ELENA III", "Ana Núñez", "JR", "SMITH,JR", ",,,", " , ")))
@example("SMITH,JOHN JR.")
@example("\u00a0,\u2028")
def test_a_name_splits_into_the_four_fields_and_keeps_every_character(text: str) -> None:
    parts = split_name(text)
    if not parts:
        assert not text.strip(), "a name with letters in it gave no name"
        return
    assert set(parts) == set(NAME_FIELDS)
    for name, value in parts.items():
        assert value == value.strip() and "  " not in value, name
    assert " " not in parts["first_name"]
    assert name_characters(" ".join(parts.values())) == name_characters(text)


@settings(max_examples=300)
@given(st.one_of(hostile_text(), near("19600314", "04/11/1981", "1960-03-14", "02/29/2021", "00000000", "99991231", "01/01/0001")),
       st.lists(st.sampled_from(FORMATS), min_size=1, max_size=3).map(tuple))
@example("\u0661\u0669\u0666\u0660\u0660\u0663\u0661\u0664", ("%Y%m%d",))
@example("1960031\x00", ("%Y%m%d",))
def test_a_date_in_any_format_is_a_real_iso_date_or_none(text: str, formats: tuple[str, ...]) -> None:
    parsed = parse_date(text, formats)
    assert parsed is None or date.fromisoformat(parsed).isoformat() == parsed


@given(st.dates(min_value=date(1000, 1, 1)), st.sampled_from(FORMATS).filter(lambda f: "%y" not in f))
def test_a_date_written_in_a_format_reads_back_as_the_same_day(day: date, fmt: str) -> None:
    assert parse_date(day.strftime(fmt), (fmt,)) == day.isoformat()


GOGEN_CELLS: dict[str, st.SearchStrategy[str]] = {
    "CII_NUMBER": near("A01234567", "NULL"),
    "CNT_ORDER": near("101001000", "-"),
    "CYC_DATE": near("19810411"),
    "STP_EVENT_DATE": near("19810411"),
    "PRI_NAME": near("SKYWALKER,LUKE S", "SMITH JR,JOHN", "NULL"),
    "PRI_DOB": near("19600314", "01/01/0001", "NULL"),
    "Case Number": near("NULL  ; 140192; 140193", "140192"),
    "OFFENSE_DESCR": near("11358 HS-CULTIVATE CANNABIS"),
    "STP_ORI_CNTY_NAME": near("SACRAMENTO"),
    "Date of Conviction": near("04/11/1981", "-"),
    "Eligibility Determination": near("Eligible for Dismissal", "Eligible for Reduction", "Not eligible", "Hand Review", ""),
    "Eligibility Reason": near("Dismiss all HS 11358 convictions", "Reduce all HS 11358 convictions", "Occurred after 11/09/2016"),
    "Deceased": near("-", "Deceased"),
}


@st.composite
def gogen_rows(draw) -> tuple[list[str], dict[str, str]]:
    """A gogen header (full or condensed decision id) and one row under it, each cell near valid or anything."""
    header = list(GOGEN_CELLS)
    if draw(st.booleans()):
        header.remove("CNT_ORDER")  # the condensed file: the id is built from the dates and the offense
    row = {name: draw(st.one_of(GOGEN_CELLS[name], hostile_text())) for name in header}
    return header, row


def check_mapped(mapped: Mapped) -> None:
    """A mapped row is canonical text, and a skip or not-final row says which value made it so."""
    assert mapped.kind in (DECISION, SKIP, NOT_FINAL)
    assert set(mapped.row) <= set(FIELDS) and all(isinstance(value, str) for value in mapped.row.values())
    assert mapped.kind == DECISION or mapped.reason
    for problem in mapped.problems:
        assert problem.field in FIELDS and problem.code in ("bad_date", "required") and problem.message
    if mapped.kind == DECISION:
        result = validate(mapped.row, today=TODAY)
        if isinstance(result, Valid) and not mapped.problems:
            check_valid(result)
        elif not isinstance(result, Valid):
            check_problems(result)


@settings(max_examples=300)
@given(gogen_rows())
@example((list(GOGEN_CELLS), {**{name: "" for name in GOGEN_CELLS}, "Eligibility Determination": "Eligible for Dismissal", "PRI_NAME": "\x00"}))
def test_any_gogen_row_is_a_canonical_row_a_skip_or_not_final(header_and_row: tuple[list[str], dict[str, str]]) -> None:
    header, raw = header_and_row
    check_mapped(GOGEN.for_header(header).apply(raw))


@given(st.dictionaries(st.sampled_from(sorted(EXAMPLE_COUNTY.columns)), st.one_of(hostile_text(), st.sampled_from(["EXP", "VAC/EXP", "DENIED", "OTHER CHGS"]))))
def test_any_row_of_an_office_export_is_a_canonical_row(raw: dict[str, str]) -> None:
    check_mapped(EXAMPLE_COUNTY.for_header(list(raw)).apply(raw))

