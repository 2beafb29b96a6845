"""Pub 28 standardization of the street lines, one rule at a time."""

import pytest
import usaddress

from notifier.addresses.standardize import clean, standardize_lines


def line1(text: str, line2: str = "") -> str:
    result = standardize_lines(text, line2)
    assert not result.problems, result.problems
    return result.line1


@pytest.mark.parametrize(
    "given, expected",
    [
        ("123 Main Street", "123 MAIN ST"),
        ("123 Main Str", "123 MAIN ST"),
        ("123 main st.", "123 MAIN ST"),
        ("5 Oak Avenue", "5 OAK AVE"),
        ("5 Oak Av", "5 OAK AVE"),
        ("9 Lake Shore Boulevard", "9 LAKE SHORE BLVD"),
        ("10 Elm Road", "10 ELM RD"),
        ("11 Pine Drive", "11 PINE DR"),
        ("12 Birch Place", "12 BIRCH PL"),
        ("13 Cedar Court", "13 CEDAR CT"),
        ("14 Grand Parkway", "14 GRAND PKWY"),
        ("15 Maple Lane", "15 MAPLE LN"),
        ("16 Hill Terrace", "16 HILL TER"),
        ("17 Rose Circle", "17 ROSE CIR"),
        ("18 Union Square", "18 UNION SQ"),
    ],
)
def test_street_suffixes_follow_appendix_c1(given, expected):
    assert line1(given) == expected


@pytest.mark.parametrize(
    "given, expected",
    [
        ("4500 north sheridan road", "4500 N SHERIDAN RD"),
        ("1234 W. 63rd St.", "1234 W 63RD ST"),
        ("1600 Pennsylvania Ave Northwest", "1600 PENNSYLVANIA AVE NW"),
        ("1600 North Ave", "1600 NORTH AVE"),  # North is the street's name here
        ("2000 W North Avenue", "2000 W NORTH AVE"),
    ],
)
def test_directionals_only_where_they_are_directionals(given, expected):
    assert line1(given) == expected


@pytest.mark.parametrize(
    "given, second, expected",
    [
        ("77 W Wacker Dr Suite 1800", "", "77 W WACKER DR STE 1800"),
        ("4500 N Sheridan Rd #1203", "", "4500 N SHERIDAN RD # 1203"),
        ("425 Flower Blvd # 72", "", "425 FLOWER BLVD # 72"),
        ("3301 W 26th St Fl 2", "", "3301 W 26TH ST FL 2"),
        ("3301 W 26th St 2nd Floor", "", "3301 W 26TH ST FL 2"),
        ("3301 W 26th St", "3rd Fl", "3301 W 26TH ST FL 3"),
        ("123 Main St", "Apt 4", "123 MAIN ST APT 4"),
        ("123 Main St", "Apartment 4B", "123 MAIN ST APT 4B"),
        ("123 Main St", "#5", "123 MAIN ST # 5"),
        ("123 Main St", "Ste. 100", "123 MAIN ST STE 100"),
    ],
)
def test_units_use_appendix_c2_and_go_on_the_delivery_line(given, second, expected):
    result = standardize_lines(given, second)
    assert (result.line1, result.line2, result.problems) == (expected, "", [])


@pytest.mark.parametrize("given", ["P.O. Box 4521", "PO BOX 4521", "Post Office Box 4521", "p o box 4521", "Box 4521", "POB 4521"])
def test_po_box_from_every_spelling(given):
    result = standardize_lines(given, "")
    assert (result.line1, result.kind) == ("PO BOX 4521", "po_box")


@pytest.mark.parametrize(
    "given, expected, kind",
    [
        ("Rural Route 2 Box 15", "RR 2 BOX 15", "rural"),
        ("R.R. 2 Box 15", "RR 2 BOX 15", "rural"),
        ("HC 1 Box 10", "HC 1 BOX 10", "rural"),
        ("PSC 1234 Box 5678", "PSC 1234 BOX 5678", "military"),
        ("Unit 2050 Box 4190", "UNIT 2050 BOX 4190", "military"),
    ],
)
def test_rural_routes_highway_contracts_and_military(given, expected, kind):
    result = standardize_lines(given, "")
    assert (result.line1, result.kind) == (expected, kind)


@pytest.mark.parametrize(
    "second, expected",
    [
        ("c/o Legal Aid", "C/O LEGAL AID"),
        ("care of Jane Doe", "C/O JANE DOE"),
        ("Attn: Records", "ATTN RECORDS"),
        ("Inmate 2019-0612345", "INMATE 2019-0612345"),
        ("Urb. Las Gladiolas", "URB LAS GLADIOLAS"),
        ("Urbanizacion Las Gladiolas", "URB LAS GLADIOLAS"),
    ],
)
def test_care_of_attention_facility_and_urbanization_lines_stay_separate(second, expected):
    result = standardize_lines("150 Calle Luna", second)
    assert (result.line1, result.line2) == ("150 CALLE LUNA", expected)


def test_unit_and_care_of_on_separate_lines_of_line2():
    result = standardize_lines("77 W Wacker Dr", "c/o Legal Aid\nSuite 5")
    assert (result.line1, result.line2) == ("77 W WACKER DR STE 5", "C/O LEGAL AID")


def test_fractions_and_hyphenated_numbers_keep_their_punctuation():
    assert line1("9 1/2 Elm Street") == "9 1/2 ELM ST"
    assert line1("123-45 Queens Blvd.") == "123-45 QUEENS BLVD"


def test_leading_street_type_is_spelled_out():
    assert line1("500 Hwy 61") == "500 HIGHWAY 61"


@pytest.mark.parametrize("given", ["Homeless", "UNKNOWN", "n/a", "Refused", "none", "-", "?", "--", "."])
def test_not_an_address(given):
    assert [p.code for p in standardize_lines(given, "").problems] == ["not_an_address"]


def test_empty_and_unreadable_lines():
    assert [p.code for p in standardize_lines("", "").problems] == ["empty_address"]
    assert [p.code for p in standardize_lines("asdf qwer", "").problems] == ["street_unparseable"]
    assert [p.code for p in standardize_lines("Main St & Elm St", "").problems] == ["street_unparseable"]
    assert [p.code for p in standardize_lines("100 Main St Apt 4 Apt 5", "").problems] == ["repeated_labels"]


def test_clean():
    assert clean("  1234 w. 63rd st.,  apt #2 ") == "1234 W 63RD ST APT #2"


def _tag_or_none(line: str):
    try:
        return usaddress.tag(line)
    except usaddress.RepeatedLabelError:
        return None


def test_labelled_parts_is_what_usaddress_tag_gives_without_parsing_twice():
    """Every corpus line, every synthetic street line and some intersections and repeats: the same parts and type as tag."""
    import json
    import random
    from pathlib import Path

    from notifier.addresses.standardize import labelled_parts

    corpus = [json.loads(l)["input"]["line1"] for l in (Path(__file__).parent / "corpus.jsonl").read_text(encoding="utf-8").splitlines() if l.strip()]
    lines = corpus + ["W Belmont Ave & N Clark St", "Corner of 5th St and Main St", "123 Main St 456 Oak Ave", "PO Box 12 PO Box 14", "c/o Jane Roe 12 Elm St Apt 3", ""]
    random.seed(3)
    words = " ".join(lines).split()
    lines += [" ".join(random.choices(words, k=random.randint(1, 9))) for _ in range(500)]
    repeated = 0
    for line in lines:
        expected = _tag_or_none(line)
        assert labelled_parts(usaddress.parse(line)) == expected, line
        repeated += expected is None
    assert repeated > 5  # the RepeatedLabelError side was exercised too
