"""The pure validation rule, one bad-input case at a time."""

from datetime import date

import pytest

from notifier.intake.rules import Valid, validate
from tests.helpers import row

TODAY = date(2026, 11, 25)


def problems(**changes):
    result = validate(row(**changes), today=TODAY)
    assert not isinstance(result, Valid), f"expected problems for {changes}"
    return {(p.field, p.code) for p in result}


def valid(**changes) -> dict:
    result = validate(row(**changes), today=TODAY)
    assert isinstance(result, Valid), result
    return result.values


def test_good_row_is_valid_and_typed():
    values = valid()
    assert values["decision_date"] == date(2021, 1, 15)
    assert values["date_of_birth"] == date(1980, 2, 29)


@pytest.mark.parametrize("name", ["decision_id", "person_id", "first_name", "last_name", "case_number", "outcome", "decision_date"])
def test_required_fields(name):
    assert (name, "required") in problems(**{name: "  "})


@pytest.mark.parametrize("text", ["2021-02-30", "2021-13-01", "01/15/2021", "20210115", "2021-W02-1", "yesterday"])
def test_dates_must_be_real_iso_dates(text):
    assert ("decision_date", "bad_date") in problems(decision_date=text)


def test_future_date_is_refused():
    assert ("disposition_date", "future_date") in problems(disposition_date="2027-01-01")


def test_optional_date_may_be_empty():
    assert valid(date_of_birth="")["date_of_birth"] is None


def test_outcome_must_be_in_the_allowed_set_but_case_and_spacing_are_forgiven():
    assert ("outcome", "bad_outcome") in problems(outcome="banana")
    assert valid(outcome="Vacated and Expunged")["outcome"] == "vacated_and_expunged"


def test_not_granted_needs_a_reason():
    assert ("not_granted_reason", "reason_required") in problems(outcome="not_granted")
    assert valid(outcome="not_granted", not_granted_reason="tied_to_other_charges")["outcome"] == "not_granted"


def test_text_longer_than_1000_characters_is_refused():
    assert ("offense", "too_long") in problems(offense="x" * 1001)
    assert valid(offense="x" * 1000)["offense"] == "x" * 1000


@pytest.mark.parametrize("given, code", [("Illinois", "IL"), (" illinois ", "IL"), ("il", "IL"), ("District of Columbia", "DC"), ("Puerto Rico", "PR"), ("AE", "AE")])
def test_state_names_map_to_codes(given, code):
    assert valid(state=given)["state"] == code


def test_unknown_state_is_refused():
    assert ("state", "bad_state") in problems(state="Ill.")


@pytest.mark.parametrize(
    "given, expected",
    [("2134", "02134"), ("601", "00601"), ("60636", "60636"), ("60640-5520", "60640-5520"), ("606405520", "60640-5520"), ("2134-1234", "02134-1234")],
)
def test_zip_gets_leading_zeros_back(given, expected):
    assert valid(zip=given)["zip"] == expected


@pytest.mark.parametrize("given", ["6O636", "12", "1234567", "60636-12", "ABCDE"])
def test_malformed_zip_is_refused(given):
    assert ("zip", "bad_zip") in problems(zip=given)


def test_language_defaults_to_english_and_must_be_iso_639_1():
    assert valid(language="")["language"] == "en"
    assert valid(language="ES")["language"] == "es"
    assert ("language", "bad_language") in problems(language="spanish")


def test_no_address_at_all_is_valid():
    values = valid(address_line1="", address_line2="", city="", state="", zip="")
    assert values["address_line1"] == ""


def test_partial_address_must_be_usable():
    assert ("address_line1", "required") in problems(address_line1="", address_line2="Apt 2")
    assert ("zip", "no_city_state_or_zip") in problems(zip="", city="")
    assert valid(zip="", city="Chicago", state="IL")["zip"] == ""
    assert valid(city="", state="")["zip"] == "60636"


def test_formula_looking_text_is_just_data():
    text = '=HYPERLINK("http://example.org","x")'
    assert valid(offense=text, court="+SUM(A1:A2)")["offense"] == text


def test_every_problem_is_reported_at_once():
    found = problems(outcome="banana", decision_date="2021-02-30", last_name="")
    assert {("outcome", "bad_outcome"), ("decision_date", "bad_date"), ("last_name", "required")} <= found


def test_identical_rows_hash_alike_and_changed_rows_do_not():
    a = validate(row(), today=TODAY)
    b = validate(row(city=" Chicago "), today=TODAY)
    c = validate(row(city="Cicero"), today=TODAY)
    assert a.row_hash == b.row_hash != c.row_hash
