"""Fuzzing the letter lookups against a database (SQLite and PostgreSQL): what a clerk types or scans.

Why: the id parsers are pure, but the text then goes into a query. Whatever is typed into the
letter search (the web page) or `letters show` must find the letters it names, or be refused
with an InvalidInputError or NotFoundError; never a database error.
"""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from sqlmodel import select

from notifier import db
from notifier.addresses.check import ZipDatabaseVerifier
from notifier.addresses.store import verify_notices
from notifier.errors import InvalidInputError, NotFoundError
from notifier.letters import imb
from notifier.letters.ids import make_letter_id, parse_letter_id
from notifier.letters.renderer import Renderer
from notifier.letters.store import LetterRow, find_letter, render_letters, search_letters
from notifier.models import Letter
from notifier.settings import Settings
from tests.fuzz.strategies import TODAY, hostile_text
from tests.helpers import csv_text, import_into, row

FORMS = ("person", "id", "lower", "imb", "imb+zip", "person+garbage", "id+garbage", "anything")


@pytest.fixture
def rendered(db_url, tmp_path) -> tuple[str, list[int], Renderer]:
    """Three people with a rendered letter each."""
    path = tmp_path / "d.csv"
    path.write_text(csv_text([row(decision_id=f"D-{n}", person_id=f"P-{n}") for n in range(3)]), encoding="utf-8", newline="")
    import_into(db_url, path, today=TODAY)
    renderer = Renderer.from_settings(Settings(output_dir=tmp_path / "out"), TODAY)
    with db.session_for(db_url) as session:
        verify_notices(session, ZipDatabaseVerifier())
        render_letters(session, renderer)
        numbers = list(session.exec(select(Letter.id).order_by(Letter.id)))
    assert len(numbers) == 3
    return db_url, numbers, renderer


def typed(form: str, number: int, person: str, garbage: str, renderer: Renderer) -> str:
    code = make_letter_id(number)
    tracking = imb.tracking_code(renderer.barcode.barcode_id, renderer.barcode.service_type, renderer.barcode.mailer_id, number)
    return {"person": person, "id": code, "lower": code.lower(), "imb": tracking, "imb+zip": tracking + "60636",
            "person+garbage": person + garbage, "id+garbage": code + garbage, "anything": garbage}[form]


def named_number(text: str) -> int | None:
    """The letter number the text names as a letter id or IMb digits, if it names one."""
    digits = "".join(text.split())
    try:
        return imb.serial_of(imb.parse_scanned(digits)[0]) if digits.isdigit() and len(digits) >= 20 else parse_letter_id(text)
    except ValueError:
        return None


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(form=st.sampled_from(FORMS), index=st.integers(0, 2), garbage=hostile_text())
@example(form="person+garbage", index=0, garbage="\x00")  # a NUL in the person id: PostgreSQL refused the query
@example(form="anything", index=0, garbage="\x00")
def test_any_text_finds_the_letters_it_names_or_is_refused(rendered, form, index, garbage) -> None:
    url, numbers, renderer = rendered
    text = typed(form, numbers[index], f"P-{index}", garbage, renderer)
    with db.session_for(url) as session:
        try:
            found = search_letters(session, text)
        except (InvalidInputError, NotFoundError) as exc:
            assert str(exc) and form not in ("person", "id", "lower", "imb", "imb+zip"), "a letter that exists was not found"
            found = None
        if found is not None:
            assert found and all(isinstance(r, LetterRow) for r in found)
            assert all(r.person_id == text.strip() for r in found) or [r.number for r in found] == [named_number(text)]
        try:
            letter = find_letter(session, text)
        except (InvalidInputError, NotFoundError) as exc:
            assert str(exc) and form not in ("id", "lower", "imb", "imb+zip")
        else:
            assert letter.number == named_number(text)
