"""Fuzzing the letter id and IMb parsers: whatever a clerk types or a scanner reads.

Why: a returned envelope is found again from its printed id or its barcode digits. Any text
must give exactly one letter number or a ValueError that says what is wrong (the documented
refusal: `find_letter` turns it into an InvalidInputError); ids made by the code must read back.
"""

from __future__ import annotations

import re

import pytest
from hypothesis import assume, example, given, settings
from hypothesis import strategies as st

from notifier.letters import imb
from notifier.letters.ids import ALIASES, ALPHABET, LENGTH, MAX_NUMBER, make_letter_id, parse_letter_id
from tests.fuzz.strategies import hostile_text, mutated

numbers = st.integers(1, MAX_NUMBER)
SEPARATORS = [" ", "-", "\u2010", "\u2013", "\u2014", "\t", "\n", "\xa0"]


@st.composite
def typed(draw, number: int) -> str:
    """The id as a clerk might type it: any case, look-alikes for 0 and 1, other separators or none."""
    text = make_letter_id(number).replace("-", "")
    text = "".join(draw(st.sampled_from([k for k, v in ALIASES.items() if v == c] + [c])) if c in "01" else c for c in text)
    text = "".join(c.lower() if draw(st.booleans()) else c for c in text)
    separator = draw(st.sampled_from(["", *SEPARATORS]))
    return draw(st.sampled_from(["", " "])) + separator.join(text[i : i + 3] for i in range(0, len(text), 3)) + draw(st.sampled_from(["", " \n"]))


@settings(max_examples=300)
@given(st.one_of(hostile_text(), numbers.map(make_letter_id).flatmap(mutated), st.text(alphabet=ALPHABET + "-OIL", min_size=8, max_size=12)))
@example("")
@example("000-000-000")  # a valid check character, but no letter 0
@example("K7M-4QP-2X\x00")
@example("\u0131" * 9)  # dotless i, whose upper case is I
@example("\ufb01\ufb01\ufb01\ufb01")  # the ligature fi, whose upper case is two letters
def test_any_text_is_one_letter_number_or_a_value_error(text: str) -> None:
    try:
        number = parse_letter_id(text)
    except ValueError as exc:
        assert str(exc), "a refusal says what is wrong"
        return
    assert isinstance(number, int) and 1 <= number <= MAX_NUMBER
    canonical = make_letter_id(number).replace("-", "")
    assert re.sub(r"[\s\-\u2010-\u2015]", "", text).upper().translate(str.maketrans(ALIASES)) == canonical


@given(numbers.flatmap(lambda n: st.tuples(st.just(n), typed(n))))
@example((1, "000-000-01?".replace("?", make_letter_id(1)[-1])))
@example((MAX_NUMBER, make_letter_id(MAX_NUMBER).lower()))
def test_an_id_reads_back_as_its_number_however_it_is_typed(number_and_text: tuple[int, str]) -> None:
    number, text = number_and_text
    assert parse_letter_id(text) == number


@given(numbers, st.integers(0, LENGTH - 1), st.sampled_from(ALPHABET))
def test_every_single_typo_is_caught(number: int, position: int, symbol: str) -> None:
    symbols = list(make_letter_id(number).replace("-", ""))
    assume(symbols[position] != symbol)
    symbols[position] = symbol
    with pytest.raises(ValueError):
        parse_letter_id("".join(symbols))


@given(st.one_of(st.integers(), st.booleans(), st.floats(), st.text(max_size=5), st.none()))
def test_make_letter_id_refuses_what_is_no_letter_number(value) -> None:
    if isinstance(value, int) and not isinstance(value, bool) and 1 <= value <= MAX_NUMBER:
        assert parse_letter_id(make_letter_id(value)) == value
        return
    with pytest.raises((TypeError, ValueError)):
        make_letter_id(value)


DIGITS = st.text(alphabet="0123456789", min_size=20, max_size=31)


@settings(max_examples=300)
@given(st.one_of(hostile_text(40), DIGITS, DIGITS.flatmap(mutated)))
@example("0" * 20)
@example("\u0660" * 20)  # Arabic-Indic digits: str.isdigit is true, but no scanner sends them
@example("00040123456000000001" + "6063" + "\x00")
@example(" 00040123456000000001 ")
def test_any_scanned_text_is_tracking_and_routing_or_a_value_error(text: str) -> None:
    try:
        tracking, routing = imb.parse_scanned(text)
    except ValueError as exc:
        assert str(exc)
        return
    assert re.fullmatch(r"[0-9]{20}", tracking) and len(routing) in imb.ROUTING_LENGTHS and re.fullmatch(r"[0-9]*", routing)
    assert tracking + routing == text.strip()
    assert imb.serial_of(tracking) >= 0 and re.fullmatch(r"[0-9]{6}|9[0-9]{8}", imb.mailer_id_of(tracking))
    assert len(imb.encode(tracking, routing)) == 65


@st.composite
def barcodes(draw) -> tuple[str, str, str, int, str]:
    """Valid parts of an IMb: barcode id, service type, a 6- or 9-digit mailer id, a serial that fits, a routing code."""
    barcode_id = draw(st.sampled_from("0123456789")) + draw(st.sampled_from("01234"))
    service = draw(st.text(alphabet="0123456789", min_size=3, max_size=3))
    mailer = draw(st.one_of(st.integers(0, 899_999).map("{:06d}".format), st.integers(900_000_000, 999_999_999).map(str)))
    serial = draw(st.integers(0, 10 ** (15 - len(mailer)) - 1))
    zip5 = draw(st.sampled_from(["", "60636"]))
    routing = imb.routing_code(zip5, *(("5520", draw(st.sampled_from(["", "12"]))) if zip5 and draw(st.booleans()) else ("", "")))
    return barcode_id, service, mailer, serial, routing


@given(barcodes())
def test_a_barcode_reads_back_as_its_mailer_and_serial(parts: tuple[str, str, str, int, str]) -> None:
    barcode_id, service, mailer, serial, routing = parts
    tracking = imb.tracking_code(barcode_id, service, mailer, serial)
    assert imb.parse_scanned(tracking + routing) == (tracking, routing)
    assert (imb.mailer_id_of(tracking), imb.serial_of(tracking)) == (mailer, serial)
