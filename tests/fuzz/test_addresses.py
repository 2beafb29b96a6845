"""Fuzzing the address rules: any raw address gets a status and reasons, never an exception.

Why: addresses come typed by people (decision exports, address files, forwarding addresses
off returned envelopes, staff fixes). Whatever they hold, the letter either goes to an address
the post office can read, or a person sees the reasons why not.
"""

from __future__ import annotations

import re
import time

from hypothesis import example, given, settings
from hypothesis import strategies as st

from notifier.addresses.check import MAILABLE, MAX_LINE, AddressStatus, RawAddress, ZipDatabaseVerifier
from notifier.addresses.reasons import MESSAGES, UNDELIVERABLE
from notifier.addresses.standardize import StreetLines, clean, is_placeholder, standardize_lines
from notifier.addresses.states import state_code
from notifier.addresses.verify import city_key, split_zip
from tests.fuzz.strategies import NEAR_STATES, NEAR_ZIPS, hostile_text, near

VERIFIER = ZipDatabaseVerifier()
VERIFIER.check(RawAddress("1234 W 63rd St", "", "Chicago", "IL", "60636"))  # loads usaddress's model and the ZIP database before any example is timed
# Reading an address must stay fast whatever it holds: a line of facility words and numbers once took minutes.
SECONDS = 5.0
STATUSES = (AddressStatus.VERIFIED, AddressStatus.CORRECTED, AddressStatus.NEEDS_REVIEW, AddressStatus.UNDELIVERABLE)
KINDS = ("street", "po_box", "rural", "military", "general_delivery", "none")
CHANGES = frozenset({"city_corrected", "city_filled", "state_filled", "zip_filled", "zip_zeros_restored"})

LINE1_VALUES = ("1234 W 63rd St", "1234 W. 63rd St. Apt 2", "PO Box 112", "P.O. BOX 7", "RR 2 Box 15", "PSC 1234, Box 5678", "General Delivery",
                "C/O Jane Roe", "Cook County Jail Div 10 2700 S California Ave", "1458 S Canal St Pacific Garden Mission", "N/A", "-", "Homeless",
                "123 Main St & 456 Oak Ave", "PO Box 5 1234 Main St", "Urb Las Gladiolas 150 Calle A", "1 - 3 Elm St", "RR 2", "PO Box")
LINE2_VALUES = ("", "Apt 2", "#5", "2nd Floor", "Rear", "C/O Jane Roe", "Attn: Records", "Urb Las Gladiolas", "N/A", "Apt 1; Unit 2", "Ste 1800\nFloor 3")
CITY_VALUES = ("Chicago", "chicgo", "St. Louis", "Saint Louis", "Evanston", "Vienna", "APO", "San Juan", "")
LINES1, LINES2, CITIES = near(*LINE1_VALUES), near(*LINE2_VALUES), near(*CITY_VALUES)


def address_texts(hostile: bool = True) -> st.SearchStrategy[RawAddress]:
    """Raw addresses whose fields are near valid ones, or (with `hostile`) anything at all."""

    def part(near_valid: st.SearchStrategy[str]) -> st.SearchStrategy[str]:
        return st.one_of(near_valid, hostile_text()) if hostile else near_valid

    return st.builds(RawAddress, part(LINES1), part(LINES2), part(CITIES), part(NEAR_STATES), part(NEAR_ZIPS))


@settings(max_examples=300, deadline=None)
@given(st.one_of(hostile_text(), LINES1), st.one_of(hostile_text(), LINES2))
@example("\x00", "\x00")
@example("1234\u0660 Main St", "Apt \uff12")
@example("JAIL 1 " * 17, "")  # every tail read again for each name in it: 14 s before the fix, twice that per word more
@example("JAIL 1 " * 140, "JAIL 1 " * 140)
def test_any_street_lines_standardize_to_a_kind_and_reasons(line1: str, line2: str) -> None:
    start = time.perf_counter()
    lines = standardize_lines(line1, line2)
    assert time.perf_counter() - start < SECONDS, "reading one address must not hold up a verify run"
    assert isinstance(lines, StreetLines) and lines.kind in KINDS
    assert all(reason.code in MESSAGES for reason in lines.problems)
    assert lines.kind != "none" or lines.problems, "no delivery line must say why"
    assert lines.line1 == lines.line1.strip() and lines.line2 == lines.line2.strip()


@settings(max_examples=300, deadline=None)
@given(address_texts())
@example(RawAddress("1234 W 63rd St", "", "Chicago", "IL", "\u0666\u0660\u0666\u0663\u0666"))  # Arabic-Indic digits
@example(RawAddress("1234 W 63rd St", "", "Chicago", "IL", "\uff16\uff10\uff16\uff13\uff16"))  # full-width digits
@example(RawAddress("PSC 1234, Box 5678", "", "APO", "AE", "\u0660\u0669\u0660\u0661\u0662"))
@example(RawAddress("1234 W 63rd St", "", "Chicago\x00", "IL\x00", "60636\x00"))
@example(RawAddress("1234 W 63rd St", "", "%", "IL", ""))  # a wildcard where pyzipcode searches a city
@example(RawAddress("1 " + "\u00bd" * 900, "", "Chicago", "IL", "60636"))  # ½ standardizes as 1/2: 2,700 characters
@example(RawAddress("", "\ufdfa" * 100, "", "", ""))  # one Arabic ligature, eighteen letters in NFKD
@example(RawAddress("1234 W 63rd St", "", "\u00bd" * 900, "IL", ""))
@example(RawAddress("JAIL 1 " * 17, "", "Chicago", "IL", "60636"))
def test_any_raw_address_gets_a_status_with_its_reasons(raw: RawAddress) -> None:
    start = time.perf_counter()
    result = VERIFIER.check(raw)
    assert time.perf_counter() - start < SECONDS, "reading one address must not hold up a verify run"
    assert result.status in STATUSES
    for name in ("line1", "line2", "city", "state"):  # the Address columns (PostgreSQL refuses longer text)
        assert len(getattr(result, name)) <= MAX_LINE, name
    assert len(result.zip5) <= 5 and len(result.zip4) <= 4
    assert all(reason.code in MESSAGES for reason in result.reasons)
    review = [reason.code for reason in result.reasons if reason.code not in CHANGES]
    assert result.status == AddressStatus.UNDELIVERABLE or not any(code in UNDELIVERABLE for code in review)
    if result.status in MAILABLE:
        assert not review, "a mailable address has nothing left for a person to look at"
        assert result.line1 and result.city
        assert re.fullmatch(r"[0-9]{5}", result.zip5) and re.fullmatch(r"(?:[0-9]{4})?", result.zip4), "a ZIP a barcode can carry"
        assert state_code(result.state) == result.state
        assert (result.status == AddressStatus.CORRECTED) == any(reason.code in CHANGES for reason in result.reasons)
    else:
        assert review, "an address held back must say why"


def retyped(values: tuple[str, ...]) -> st.SearchStrategy[str]:
    """One of the values as people type it: any case, doubled spaces, dots and commas added or left out."""
    edits = (str, str.upper, str.lower, str.title, lambda t: t.replace(" ", "  "), lambda t: t.replace(".", ""), lambda t: t.replace(" ", ", ", 1), lambda t: f" {t}. ")
    return st.builds(lambda text, edit: edit(text), st.sampled_from(values), st.sampled_from(edits))


TYPED = st.builds(RawAddress, retyped(LINE1_VALUES), retyped(LINE2_VALUES), retyped(CITY_VALUES),
                  st.sampled_from(["IL", "il", "Illinois", "AE", "PR", ""]), st.sampled_from(["60636", "2134", "60640-5520", "606405520", "62995", "09021", ""]))


@settings(max_examples=150, deadline=None)
@given(TYPED)
@example(RawAddress("1234 W. 63rd St.", "Apt 2", "chicago", "Illinois", "60636"))
@example(RawAddress("PO Box 112", "", "Chicago", "IL", "2134"))
@example(RawAddress("1234 W. 63rd St. Apt 2", "Apt 2", "Chicago", "IL", "60636"))  # was verified as ... APT 2 APT 2
@example(RawAddress("1234 W 63rd St Apt 2", "Apt 3", "Chicago", "IL", "60636"))  # was verified as ... APT 2 APT 3: which one?
@example(RawAddress("PO Box 112", "Apt 2", "Chicago", "IL", "60636"))  # PO BOX 112 APT 2, then the unit silently dropped
@example(RawAddress("1234 W 63rd St", "Apt 1; Unit 2", "Chicago", "IL", "60636"))  # was verified with UNIT 2 kept above the street line
@example(RawAddress("PO Box 112", "#5", "Chicago", "IL", "60636"))  # PO BOX 112 # 5, read again as PO BOX 112  5
@example(RawAddress("Box Elder St 5", "", "Chicago", "IL", "60636"))  # verified as PO BOX ELDER ST 5, then unreadable
@example(RawAddress("RR 2 Box 15", "#5", "Vienna", "IL", "62995"))  # RR 2 BOX 15 # 5: usaddress reads "15 # 5" as the box number
@example(RawAddress("RR 2 Box 15 # 5", "Apt 3", "Vienna", "IL", "62995"))
@example(RawAddress("RR 2 Box 15", "Rear", "Vienna", "IL", "62995"))  # REAR read back as a subaddress the box line had no place for
@example(RawAddress("00000 0\x1b1", "", "Chicago", "IL", "60636"))  # usaddress read 0<ESC>1 as a street name, written as 01
@example(RawAddress("RR 2", "", "Vienna", "IL", "62995"))  # a route without a box: verified as RR BOX 2, then as PO BOX 2
def test_checking_a_mailable_address_again_keeps_it_as_it_is(raw: RawAddress) -> None:
    """The standardized form is a fixed point: a verified address, checked again (a staff fix, a re-import), stays verified and unchanged."""
    first = VERIFIER.check(raw)
    if first.status not in MAILABLE:
        return
    again = VERIFIER.check(RawAddress(first.line1, first.line2, first.city, first.state, first.zip5 + (f"-{first.zip4}" if first.zip4 else "")))
    assert again.status == AddressStatus.VERIFIED, [reason.code for reason in again.reasons]
    assert (again.line1, again.line2, again.city, again.state, again.zip5, again.zip4) == (first.line1, first.line2, first.city, first.state, first.zip5, first.zip4)


@given(st.one_of(st.integers(1, 99999).map(str), st.sampled_from(["", "#", "A"])),
       st.sampled_from(["", "Apt 2", "# 5", "Rear", "Ste 4B", "Main St", "W Main St", "1234 Main St"]), st.sampled_from(["PO Box", "P.O. Box", "Post Office Box", "RR 2 Box"]))
@example("112", "Main St", "PO Box")  # was verified as PO BOX 112: MAIN ST dropped in silence
@example("", "", "PO Box")  # was verified as PO BOX OX
@example("#", "", "PO Box")  # was verified as PO BOX, with no number
@example("15", "# 5", "RR 2 Box")
def test_a_box_line_keeps_every_word_and_adds_none_or_goes_to_review(number: str, more: str, box: str) -> None:
    """Words usaddress reads as a city or state after the box are the city typed into line 1 (StreetLines.city), so none are drawn here."""
    result = VERIFIER.check(RawAddress(f"{box} {number} {more}", "", "Vienna" if box.startswith("RR") else "Chicago", "IL", "62995" if box.startswith("RR") else "60636"))
    if result.status in MAILABLE:
        given_words = set(clean(f"{box} {number} {more}").replace("#", " ").split())
        kept = set(result.line1.replace("#", " ").split())
        assert set(clean(f"{number} {more}").replace("#", " ").split()) <= kept, result.line1
        assert kept - {"PO", "BOX", "RR"} <= given_words, result.line1
        assert result.line1.split("BOX", 1)[-1].strip(), "a box with no number"


@given(hostile_text())
@example("\u0666\u0660\u0666\u0663\u0666")
def test_zip_city_state_and_placeholder_rules_take_any_text(text: str) -> None:
    parsed = split_zip(text)
    assert parsed is None or (re.fullmatch(r"[0-9]{5}", parsed[0]) and re.fullmatch(r"(?:[0-9]{4})?", parsed[1]))
    assert state_code(text) is None or state_code(state_code(text)) == state_code(text)
    assert isinstance(city_key(text.upper()), str)
    assert isinstance(is_placeholder(text), bool)
