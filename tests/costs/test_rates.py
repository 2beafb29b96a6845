"""Postage and print arithmetic against the published prices, either side of each price change."""

from datetime import date
from decimal import Decimal

import pytest

from notifier.costs.rates import Rates, letter_cost, postage_cents, share_out
from notifier.errors import RateError
from notifier.settings import REPO_ROOT

RATES = Rates.load(REPO_ROOT / "config")


def postage(day: str, postage_class: str, ounces: str, **kwargs) -> int:
    return postage_cents(RATES.postage.on(date.fromisoformat(day)), postage_class, Decimal(ounces), **kwargs)


@pytest.mark.parametrize(
    "day, stamped, metered",
    [("2024-01-21", 68, 64), ("2024-07-13", 68, 64), ("2024-07-14", 73, 69), ("2025-07-12", 73, 69), ("2025-07-13", 78, 74), ("2026-07-11", 78, 74), ("2026-07-12", 82, 78)],
)
def test_one_ounce_letters_on_both_sides_of_each_price_change(day, stamped, metered):
    assert postage(day, "first_class_stamped", "0.36") == stamped
    assert postage(day, "first_class_metered", "1.00") == metered


def test_each_additional_ounce_or_fraction():
    assert postage("2024-07-13", "first_class_metered", "1.01") == 64 + 24
    assert postage("2024-07-14", "first_class_metered", "2.00") == 69 + 28
    assert postage("2025-07-13", "first_class_stamped", "3.50") == 78 + 3 * 29
    assert postage("2025-07-13", "first_class_stamped", "1.00", nonmachinable=True) == 78 + 49


def test_limits_and_unknown_prices_are_refused():
    with pytest.raises(RateError, match="3.5 oz limit"):
        postage("2025-07-13", "first_class_stamped", "3.6")
    with pytest.raises(RateError, match="only known through"):
        RATES.postage.on(date(2030, 1, 1))
    with pytest.raises(RateError, match="no postage prices before"):
        RATES.postage.on(date(2023, 12, 31))
    with pytest.raises(RateError, match="no prices for postage class"):
        postage("2025-07-13", "first_class_carrier_pigeon", "1")
    with pytest.raises(RateError, match="nonmachinable_surcharge"):
        postage("2024-01-21", "first_class_stamped", "1", nonmachinable=True)  # not published in our sources


def test_letter_cost_adds_print_and_envelope():
    cost = letter_cost(RATES, date(2025, 7, 13), "first_class_metered", sheets=2, pages=3, ounces=Decimal("0.52"), sort_level="")
    assert (cost.postage_cents, cost.print_cents, cost.envelope_cents, cost.total_cents) == (74, 2 * 3 + 3 * 2, 5, 74 + 12 + 5)


@pytest.mark.parametrize("total, weights", [(39150, [78] * 500), (100, [1, 1, 1]), (7, [0, 0]), (12345, [78, 107, 78, 136])])
def test_share_out_adds_up_to_the_cent(total, weights):
    parts = share_out(total, weights)
    assert sum(parts) == total and len(parts) == len(weights)
    base = sum(weights) or len(weights)
    for part, weight in zip(parts, weights if sum(weights) else [1] * len(weights)):
        assert abs(part - Decimal(total) * weight / base) < 1  # each letter's share is its exact share, rounded
