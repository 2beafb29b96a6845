"""Waves and presort order, as pure rules."""

from datetime import date

from notifier.batches.rules import load_waves, sort_levels, wave_of
from notifier.settings import REPO_ROOT


def test_waves_from_config_choose_and_order():
    waves = load_waves(REPO_ROOT / "config")
    assert [w.name for w in waves] == ["recent", "older"]
    assert wave_of(waves, date(2016, 10, 1)).name == "recent"
    assert wave_of(waves, date(2012, 12, 31)).name == "older"
    recent = waves[0]
    ordered = sorted([(date(2014, 1, 1), 3), (date(2020, 1, 1), 2), (date(2020, 1, 1), 1)], key=lambda item: recent.sort_key(*item))
    assert ordered == [(date(2020, 1, 1), 1), (date(2020, 1, 1), 2), (date(2014, 1, 1), 3)]


def test_sort_levels_five_digit_then_three_digit_then_mixed():
    counts = {"60636": 3, "60601": 1, "60602": 1, "60603": 1, "02134": 1, "94102": 1}
    assert sort_levels(counts, min_5_digit=3, min_3_digit=3) == {
        "60636": "5_digit", "60601": "aadc", "60602": "aadc", "60603": "aadc", "02134": "mixed_aadc", "94102": "mixed_aadc",
    }
    assert sort_levels(counts, min_5_digit=4, min_3_digit=3)["60636"] == "aadc"  # joins its 3-digit group 606
