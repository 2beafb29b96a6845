"""Dollars typed by staff become cents; cents are shown as dollars, the same way everywhere."""

import pytest

from notifier.costs.money import dollars, parse_dollars
from notifier.errors import InvalidInputError


@pytest.mark.parametrize("text, cents", [("1234.56", 123456), ("$1,000.50", 100050), ("0", 0), ("1.5", 150), (None, None)])
def test_amounts_in_dollars_and_cents(text, cents):
    assert parse_dollars(text, "--postage") == cents


@pytest.mark.parametrize("text, message", [("abc", "'abc' is not an amount"), ("1.234", "is not an amount in dollars and cents"), ("-1", "in dollars and cents")])
def test_what_is_not_an_amount_is_refused(text, message):
    with pytest.raises(InvalidInputError, match=message) as caught:
        parse_dollars(text, "postage")
    assert caught.value.what.startswith(f"postage '{text}'")


@pytest.mark.parametrize("cents, text", [(0, "$0.00"), (7, "$0.07"), (123456, "$1,234.56"), (-2, "$-0.02"), (100080, "$1,000.80")])
def test_dollars(cents, text):
    assert dollars(cents) == text
