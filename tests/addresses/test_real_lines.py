"""Address lines as real upstream files have them, one rule at a time (issue 14, point 5).

Facility names typed first or on the street line, two delivery addresses on one line, ordinal
floors, placeholder lines, General Delivery without a city and a non-existent ZIP without a
city to correct it.
"""

import pytest

from notifier.addresses.check import RawAddress, check_address
from notifier.addresses.reasons import MESSAGES, UNDELIVERABLE
from notifier.addresses.standardize import clean, is_placeholder, standardize_lines
from notifier.addresses.tables import facility_words, not_an_address, ordinal_words, street_suffixes
from notifier.addresses.verify import check_place
from tests.addresses.test_verify import Directory, codes


def lines(line1: str, line2: str = "") -> tuple[str, str, list[str]]:
    result = standardize_lines(line1, line2)
    return result.line1, result.line2, [problem.code for problem in result.problems]


# --- a facility or other name typed on line 1, the street on line 2 ---------------------------------


@pytest.mark.parametrize(
    "first, second, expected",
    [
        ("Cook County Jail", "2700 S California Ave", ("2700 S CALIFORNIA AVE", "COOK COUNTY JAIL")),
        ("Stateville Correctional Center", "16830 IL-53", ("16830 IL-53", "STATEVILLE CORRECTIONAL CENTER")),
        ("Pacific Garden Mission", "1458 S Canal St", ("1458 S CANAL ST", "PACIFIC GARDEN MISSION")),
        ("Stateville Correctional Center", "P.O. Box 112", ("PO BOX 112", "STATEVILLE CORRECTIONAL CENTER")),
        ("Cook County Jail Division 10", "2700 S California Ave", ("2700 S CALIFORNIA AVE", "COOK COUNTY JAIL DIVISION 10")),
        ("Division 9 Tier 2", "2700 S California Ave", ("2700 S CALIFORNIA AVE", "DIVISION 9 TIER 2")),
        ("Inmate 2019-0612345", "2700 S California Ave", ("2700 S CALIFORNIA AVE", "INMATE 2019-0612345")),
        ("Cook County Jail", "General Delivery", ("GENERAL DELIVERY", "COOK COUNTY JAIL")),
        ("", "1234 W 63rd St", ("1234 W 63RD ST", "")),
    ],
)
def test_a_name_line_typed_first_swaps_with_the_street_below_it(first, second, expected):
    assert lines(first, second) == (*expected, [])


def test_a_unit_typed_first_joins_the_street_typed_second():
    assert lines("Apt 4", "1234 W 63rd St") == ("1234 W 63RD ST APT 4", "", [])


def test_the_rest_of_line_2_stays_sorted_after_the_swap():
    assert lines("Cook County Jail", "2700 S California Ave\nInmate 2019-0612345") == (
        "2700 S CALIFORNIA AVE", "COOK COUNTY JAIL INMATE 2019-0612345", [])


def test_a_line_that_reads_as_a_street_swaps_only_when_it_ends_in_a_facility_word():
    assert lines("1st Baptist Church", "1234 W Main St") == ("1234 W MAIN ST", "1ST BAPTIST CHURCH", [])
    # MISSION and CENTER are street suffixes too: a street line stays the delivery line
    assert lines("1234 Mission St", "PO Box 5")[:2] == ("1234 MISSION ST", "PO BOX 5")
    assert lines("100 Town Center", "PO Box 5")[:2] == ("100 TOWN CTR", "PO BOX 5")


def test_no_swap_when_line_2_is_not_a_delivery_address():
    assert lines("Cook County Jail", "Division 10") == ("COOK COUNTY JAIL", "DIVISION 10", ["street_unparseable"])


def test_a_placeholder_line_1_is_not_taken_for_a_name():
    assert lines("N/A", "1234 W Main St")[2] == ["not_an_address"]


@pytest.mark.parametrize(
    "given, expected",
    [
        ("Cook County Jail, 2700 S. California Ave.", ("2700 S CALIFORNIA AVE", "COOK COUNTY JAIL")),
        ("Cook County Jail Div 10 2700 S California Ave", ("2700 S CALIFORNIA AVE", "COOK COUNTY JAIL DIV 10")),
        ("Stateville Correctional Center PO Box 112", ("PO BOX 112", "STATEVILLE CORRECTIONAL CENTER")),
        ("Stateville Correctional Center 16830 IL-53", ("16830 IL-53", "STATEVILLE CORRECTIONAL CENTER")),
        ("Harbor Light 1515 W Monroe St", ("1515 W MONROE ST", "HARBOR LIGHT")),
        ("c/o Jane Doe 1234 W Main St", ("1234 W MAIN ST", "C/O JANE DOE")),
        ("1458 S Canal St Pacific Garden Mission", ("1458 S CANAL ST", "PACIFIC GARDEN MISSION")),
    ],
)
def test_a_name_on_the_street_line_moves_to_its_own_line(given, expected):
    assert lines(given) == (*expected, [])


def test_a_name_on_the_street_line_goes_before_the_second_line():
    assert lines("Cook County Jail, 2700 S California Ave", "Inmate 2019-0612345")[:2] == (
        "2700 S CALIFORNIA AVE", "COOK COUNTY JAIL INMATE 2019-0612345")


def test_a_name_inside_the_street_line_is_never_dropped():
    line1, _, problems = lines("1 Dr. Carlton B. Goodlett Place")
    assert (line1, problems) == ("1 DR CARLTON B GOODLETT PLACE", ["street_unparseable"])


def test_facility_words_are_data():
    assert {"JAIL", "PRISON", "CORRECTIONAL", "DETENTION", "CENTER", "MISSION", "SHELTER", "HOSPITAL"} <= facility_words()
    assert "MISSION" in street_suffixes()  # why a street line needs a non-suffix facility word to swap


# --- two delivery addresses on one line ---------------------------------------------------------------


@pytest.mark.parametrize(
    "given, named",
    [
        ("PO Box 123 1234 W Main St", "PO BOX 123 and 1234 W MAIN ST"),
        ("1234 W Main St, PO Box 55", "PO BOX 55 and 1234 W MAIN ST"),
        ("1234 W Main St Apt 2 PO Box 5", "PO BOX 5 and 1234 W MAIN ST APT 2"),
        ("Rural Route 2 Box 15 410 Sunset Lane", "RR 2 BOX 15 and 410 SUNSET LN"),
    ],
)
def test_two_delivery_addresses_on_one_line_go_to_review_with_both_named(given, named):
    result = standardize_lines(given, "")
    assert [problem.code for problem in result.problems] == ["two_delivery_addresses"]
    assert result.problems[0].message.endswith(f"({named})")
    assert result.line1 == clean(given)  # kept as typed: nothing dropped


def test_box_in_a_street_name_is_not_a_box():
    assert lines("123 Box Elder Dr") == ("123 BOX ELDER DR", "", [])


def test_two_delivery_addresses_need_review():
    result = check_address(RawAddress(line1="PO Box 123 1234 W 63rd St", city="Chicago", state="IL", zip="60636"), Directory())
    assert (result.status, [r.code for r in result.reasons]) == ("needs_review", ["two_delivery_addresses"])


# --- ordinal floors --------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "first, second, expected",
    [
        ("1234 W Main St 2nd Floor", "", "1234 W MAIN ST FL 2"),
        ("1234 W Main St 3rd Fl", "", "1234 W MAIN ST FL 3"),
        ("1234 W Main St Floor 2nd", "", "1234 W MAIN ST FL 2"),
        ("1234 W Main St Second Floor", "", "1234 W MAIN ST FL 2"),
        ("1234 W Main St 13th Floor", "", "1234 W MAIN ST FL 13"),
        ("1234 W Main St", "Floor 2", "1234 W MAIN ST FL 2"),
        ("1234 W Main St", "1st floor", "1234 W MAIN ST FL 1"),
        ("1234 W Main St", "3rd Fl", "1234 W MAIN ST FL 3"),
        ("1234 W Main St", "Second Floor", "1234 W MAIN ST FL 2"),
        ("1234 W Main St", "Floor 2nd", "1234 W MAIN ST FL 2"),
    ],
)
def test_ordinal_floors_are_numbered(first, second, expected):
    assert lines(first, second) == (expected, "", [])


def test_ordinal_street_names_keep_their_ordinal():
    assert lines("1234 W 2nd St") == ("1234 W 2ND ST", "", [])
    assert ordinal_words()["SECOND"] == "2"


# --- placeholders, General Delivery without a city, a ZIP that does not exist ---------------------------


@pytest.mark.parametrize("given", ["-", "?", "--", ".", "N/A", "n.a.", "none", "Homeless", " - ", "___"])
def test_placeholder_lines_are_not_an_address(given):
    assert is_placeholder(given)
    assert lines(given)[2] == ["not_an_address"]
    result = check_address(RawAddress(line1=given, city="Chicago", state="IL", zip="60636"), Directory())
    assert (result.status, [r.code for r in result.reasons]) == ("undeliverable", ["not_an_address"])


@pytest.mark.parametrize("given", ["1234 W Main St", "#5", "1/2", "0 Main St", "General Delivery"])
def test_lines_with_content_are_no_placeholders(given):
    assert not is_placeholder(given)


@pytest.mark.parametrize("given", ["N/A", "-", "none", "?"])
def test_a_placeholder_second_line_is_dropped(given):
    assert lines("1234 W 63rd St", given) == ("1234 W 63RD ST", "", [])


def test_only_a_placeholder_second_line_is_an_empty_address():
    assert lines("", "-")[2] == ["empty_address"]


def test_punctuation_is_no_entry_of_the_not_an_address_table():
    assert all(any(c.isalnum() for c in text) for text in not_an_address())  # punctuation-only lines are a rule


def status_and_codes(**fields) -> tuple[str, list[str]]:
    result = check_address(RawAddress(**fields), Directory())
    return result.status, [reason.code for reason in result.reasons]


def test_general_delivery_needs_a_city():
    assert status_and_codes(line1="General Delivery") == ("undeliverable", ["missing_zip_and_city", "general_delivery_no_city"])
    assert status_and_codes(line1="General Delivery", state="IL")[0] == "undeliverable"
    assert status_and_codes(line1="General Delivery", zip="60804") == ("corrected", ["state_filled", "city_filled"])
    assert status_and_codes(line1="General Delivery", city="Cicero", state="IL") == ("corrected", ["zip_filled"])
    assert status_and_codes(line1="General Delivery", city="Chicago", state="IL") == ("needs_review", ["zip_ambiguous"])


def test_a_zip_that_does_not_exist_without_a_city_is_undeliverable():
    assert codes(check_place("", "", "99999", Directory())) == (["zip_not_found", "zip_not_found_no_city"], [])
    assert codes(check_place("", "IL", "60699", Directory()))[0] == ["zip_not_found", "zip_not_found_no_city"]
    assert status_and_codes(line1="1234 W 63rd St", zip="99999") == ("undeliverable", ["zip_not_found", "zip_not_found_no_city"])
    # with a city and state it stays a review, or is corrected where the city has one ZIP (as before)
    assert status_and_codes(line1="1234 W 63rd St", city="Chicago", state="IL", zip="60699") == ("needs_review", ["zip_not_found"])
    assert status_and_codes(line1="1234 W 63rd St", city="Cicero", state="IL", zip="60899") == ("corrected", ["zip_filled"])


def test_new_reason_codes_are_listed():
    for code in ("two_delivery_addresses", "general_delivery_no_city", "zip_not_found_no_city"):
        assert code in MESSAGES
    assert {"general_delivery_no_city", "zip_not_found_no_city"} <= UNDELIVERABLE
    assert "two_delivery_addresses" not in UNDELIVERABLE
