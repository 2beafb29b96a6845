"""Waves and presort order, as pure rules."""

from datetime import date

from notifier.batches.rules import load_waves, presort, wave_of
from notifier.settings import REPO_ROOT


def test_waves_from_config_choose_and_order():
    waves = load_waves(REPO_ROOT / "config")
    assert [w.name for w in waves] == ["recent", "older"]
    assert wave_of(waves, date(2016, 10, 1)).name == "recent"
    assert wave_of(waves, date(2012, 12, 31)).name == "older"
    recent = waves[0]
    ordered = sorted([(date(2014, 1, 1), 3), (date(2020, 1, 1), 2), (date(2020, 1, 1), 1)], key=lambda item: recent.sort_key(*item))
    assert ordered == [(date(2020, 1, 1), 1), (date(2020, 1, 1), 2), (date(2014, 1, 1), 3)]


def test_presort_five_digit_then_three_digit_then_mixed():
    letters = [(i, "60636") for i in range(1, 4)] + [(10, "60601"), (11, "60602"), (12, "60603"), (20, "02134"), (21, "94102")]
    order = presort(letters, min_5_digit=3, min_3_digit=3)
    assert [(s.letter_id, s.sort_level) for s in order] == [
        (1, "5_digit"), (2, "5_digit"), (3, "5_digit"),
        (10, "aadc"), (11, "aadc"), (12, "aadc"),
        (20, "mixed_aadc"), (21, "mixed_aadc"),
    ]
    assert presort(list(reversed(letters)), 3, 3) == order
