"""The retention rules, pure: finished, held, due; and what a reason keeps."""

from __future__ import annotations

from datetime import date

import pytest

from notifier.errors import ConfigError
from notifier.retention.rules import NoticeFacts, cutoff, is_due, is_finished, is_held, load_retention_days, scrub_reasons
from notifier.settings import REPO_ROOT

DAY = date(2025, 1, 31)


def facts(status="mailed", letter="presumed_delivered", batches=("closed",), last=DAY) -> NoticeFacts:
    return NoticeFacts(status, letter, tuple(batches), last)


@pytest.mark.parametrize(
    ("case", "finished"),
    [
        (facts(), True),
        (facts(status="unreachable", letter="returned"), True),
        (facts(letter="mailed"), False),  # not returned yet, not presumed delivered yet
        (facts(letter="returned"), False),  # came back; a new address may still come
        (facts(status="open", letter=None, batches=()), False),
        (facts(status="locked", letter="batched"), False),
    ],
)
def test_finished(case, finished):
    assert is_finished(case) is finished


def test_a_letter_in_a_batch_not_closed_holds_the_notice():
    assert is_held(facts(batches=("closed", "mailed"))) and not is_held(facts(batches=("closed", "cancelled")))
    assert not is_due(facts(batches=("mailed",)), DAY)


def test_due_only_after_the_period():
    last_day = cutoff(date(2026, 1, 31), 365)
    assert last_day == date(2025, 1, 31)
    assert is_due(facts(last=last_day), last_day) and not is_due(facts(last=date(2025, 2, 1)), last_day)


def test_reasons_keep_their_code_and_field_only():
    assert scrub_reasons([{"field": "date_of_birth", "code": "bad_date", "message": "'1980-13-45' is not a date"}]) == [{"field": "date_of_birth", "code": "bad_date"}]


def test_the_period_comes_from_config(tmp_path):
    assert load_retention_days(REPO_ROOT / "config") == 730
    (tmp_path / "retention.toml").write_text("purge_after_days = -1\n")
    with pytest.raises(ConfigError, match="purge_after_days"):
        load_retention_days(tmp_path)
