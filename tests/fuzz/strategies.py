"""Hypothesis strategies shared by the fuzz tests: hostile text, and values near valid ones.

Why a module of its own: every parser here meets the same inputs in real files (spreadsheet
leftovers, mis-decoded bytes, NUL, fields a megabyte long), so the tests share one vocabulary.
All text is synthetic; nothing here resembles a real person.
"""

from __future__ import annotations

from datetime import date, timedelta

from hypothesis import strategies as st

from notifier.intake.fields import FIELDS, OUTCOMES
from tests.helpers import GOOD

TODAY = date(2026, 11, 25)

# Characters that break naive parsers: NUL and other controls, the CSV hash separator,
# line and paragraph separators, a BOM, combining marks, digits of other scripts,
# full-width forms, ligatures whose upper case is longer, right-to-left text.
TRICKY = (
    "\x00\x01\x08\t\n\r\x0b\x0c\x1c\x1d\x1e\x1f\x7f\x85\xa0\u2028\u2029\ufeff\u200b\u200f"
    "\u0301\u0308\u0660\u0669\u06f3\u0966\uff10\uff11\uff21\ufb01\ufb00\u00df\u0131\u0130\u017f\u212a"
    ",;:\"'-/#%_=+\\@()[]{}<>\u2010\u2013\u2014\u00bd\u2044"
    "\u05d0\u0627\u4e2d\ud55c\U0001f600\ufdfa\u3392"  # the last two are 18 and 3 characters in NFKD
)


def long_text() -> st.SearchStrategy[str]:
    """Text a few thousand characters long, cheap to generate (a short piece repeated)."""
    return st.builds(lambda piece, times: piece * times, st.text(min_size=1, max_size=4), st.integers(250, 1500))


def hostile_text(max_size: int = 30) -> st.SearchStrategy[str]:
    """Arbitrary text (every Unicode category but surrogates), text made of the tricky characters, or very long text."""
    return st.one_of(
        st.text(max_size=max_size),
        st.text(alphabet=TRICKY, max_size=max_size),
        st.text(alphabet=st.characters(codec="ascii"), max_size=max_size),
        long_text(),
    )


CONTROLS = "".join(map(chr, [*range(0x00, 0x09), 0x0B, 0x0C, *range(0x0E, 0x20), 0x7F]))  # what intake refuses (intake/rules.py CONTROL)


def storable_text(max_size: int = 30) -> st.SearchStrategy[str]:
    """Text intake lets through (no control character, at most 1,000 characters) that may still be anything to a later step."""
    characters = st.characters(exclude_characters=CONTROLS, exclude_categories=("Cs",))  # a lone surrogate is no text a file can hold
    return st.one_of(
        st.text(characters, max_size=max_size),
        st.text(alphabet=[c for c in TRICKY if c not in CONTROLS], max_size=max_size),
        st.builds(lambda piece, times: (piece * times)[:1000], st.text(characters, min_size=1, max_size=4), st.integers(250, 1500)),
    )


def mutated(valid: str) -> st.SearchStrategy[str]:
    """A valid value with one character inserted, replaced or deleted, or padded, or cased differently."""

    def edit(text: str, position: int, character: str, how: int) -> str:
        position = position % (len(text) + 1)
        if how == 0:
            return text[:position] + character + text[position:]
        if how == 1:
            return text[:position] + character + text[position + 1 :]
        if how == 2:
            return text[:position] + text[position + 1 :]
        if how == 3:
            return f"{character}{text}{character}"
        return text.swapcase()

    return st.builds(edit, st.just(valid), st.integers(0, 64), st.one_of(st.sampled_from(TRICKY), st.characters(codec="utf-8")), st.integers(0, 4))


def near(*valid: str) -> st.SearchStrategy[str]:
    """One of the valid values as is, or mutated."""
    values = st.sampled_from(valid)
    return st.one_of(values, values.flatmap(mutated))


NEAR_DATES = near("2021-01-15", "1980-02-29", "2026-11-25", "2026-11-26", "0001-01-01", "9999-12-31", "2021-02-30", "19600314", "04/11/1981")
NEAR_ZIPS = near("60636", "2134", "02134", "60640-5520", "606405520", "606", "00000", "99999-9999")
NEAR_STATES = near("IL", "il", "Illinois", " illinois ", "AE", "PR", "D.C.", "Puerto Rico")
NEAR_OUTCOMES = near(*OUTCOMES, "Vacated And Expunged", "not-granted", "Not Granted")
NEAR_LANGUAGES = near("en", "es", "PL", "", "eng")

# Per field: the values near valid ones it is most likely to meet.
NEAR_VALID: dict[str, st.SearchStrategy[str]] = {
    "date_of_birth": NEAR_DATES,
    "disposition_date": NEAR_DATES,
    "decision_date": NEAR_DATES,
    "zip": NEAR_ZIPS,
    "state": NEAR_STATES,
    "outcome": NEAR_OUTCOMES,
    "language": NEAR_LANGUAGES,
    "not_granted_reason": near("tied_to_other_charges", ""),
}


def field_value(name: str) -> st.SearchStrategy[str]:
    """What one field of a row may hold: the good value, something near valid, or anything at all."""
    return st.one_of(st.just(GOOD[name]), NEAR_VALID.get(name, near(GOOD[name])), hostile_text())


@st.composite
def decision_rows(draw, fields: tuple[str, ...] = FIELDS) -> dict[str, str]:
    """A canonical row: the good example row with a few fields replaced (some dropped, some extra keys)."""
    row = dict(GOOD)
    for name in draw(st.lists(st.sampled_from(fields), max_size=5, unique=True)):
        row[name] = draw(field_value(name))
    for name in draw(st.lists(st.sampled_from(FIELDS), max_size=2, unique=True)):
        row.pop(name, None)  # a missing key means an empty field
    return row


@st.composite
def valid_rows(draw) -> dict[str, str]:
    """Rows the export format accepts: printable text, real past dates, a usable address or none."""
    printable = st.text(st.characters(exclude_categories=("Cc", "Cs", "Zl", "Zp")), min_size=1, max_size=20).filter(str.strip)
    day = st.dates(min_value=date(1900, 1, 1), max_value=TODAY).map(date.isoformat)
    outcome = draw(st.sampled_from(OUTCOMES))
    row = {
        "decision_id": draw(printable),
        "person_id": draw(printable),
        "first_name": draw(printable),
        "last_name": draw(printable),
        "case_number": draw(printable),
        "outcome": outcome,
        "not_granted_reason": draw(printable) if outcome == "not_granted" else "",
        "decision_date": draw(day),
        "date_of_birth": draw(st.one_of(st.just(""), day)),
        "language": draw(st.sampled_from(["", "en", "es", "pl", "ZH"])),
    }
    if draw(st.booleans()):
        row.update(address_line1=draw(printable), city=draw(printable), state=draw(st.sampled_from(["IL", "il", "Illinois", "PR", "AE"])),
                   zip=draw(st.sampled_from(["60636", "2134", "60640-5520", "606405520", ""])))
    return row


def days_before(today: date, days: int) -> str:
    return (today - timedelta(days=days)).isoformat()
