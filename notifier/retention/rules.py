"""The retention rules, pure: which notice is finished, when it is due, and what its erased fields become.

A notice is finished when nothing more will be sent or learnt about it: its current letter
was delivered (presumed: not returned within the configured days), or the person is
unreachable. It is due when its last activity (the mail date of its newest batch, or the
day a letter came back) is older than the retention period. A notice with a letter in a batch that is not closed
or cancelled is held, whatever its age: that batch's figures may still change.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path

from notifier.errors import ConfigError
from notifier.models import BatchState, LetterState, NoticeStatus
from notifier.settings import load_toml

SETTLED_BATCHES = (BatchState.CLOSED, BatchState.CANCELLED)

# What the purge writes over personal data: "" for text, None for dates, per table.
NAME_AND_ADDRESS = {name: "" for name in ("first_name", "middle_name", "last_name", "suffix", "address_line1", "address_line2", "city", "state", "zip")}
ERASED_NOTICE = dict(NAME_AND_ADDRESS)
ERASED_DECISION = {
    **NAME_AND_ADDRESS,
    "date_of_birth": None,
    "case_number": "",
    "offense": "",
    "statute": "",
    "court": "",
    "disposition_date": None,
    "not_granted_reason": "",
}
# The 5-digit ZIP code stays: `returns report --by zip` groups by it, and thousands of households share one.
ERASED_ADDRESS = {
    **{f"raw_{name}": "" for name in ("line1", "line2", "city", "state", "zip")},
    **{name: "" for name in ("line1", "line2", "city", "state", "zip4")},
    "suggestion": {},
}
ERASED_RETURN = {**{f"forward_{name}": "" for name in ("line1", "line2", "city", "state", "zip")}, "note": ""}


@dataclass(frozen=True)
class NoticeFacts:
    """What the rules need to know of one notice, read from the database by the store."""

    status: str
    current_letter_state: str | None  # the state of its newest attempt; None when it has no letter
    batch_states: tuple[str, ...]  # of every batch any of its letters is in
    last_activity: date  # its last mail date or return date


def load_retention_days(config_dir: Path) -> int:
    path = config_dir / "retention.toml"
    value = load_toml(path).get("purge_after_days")
    if not isinstance(value, int) or isinstance(value, bool) or value < 0:
        raise ConfigError("purge_after_days must be a whole number of days, 0 or more", where=str(path), todo="see the shipped config/retention.toml")
    return value


def cutoff(today: date, older_than_days: int) -> date:
    """The last day of activity a notice may have had to be purged today."""
    return today - timedelta(days=older_than_days)


def is_finished(facts: NoticeFacts) -> bool:
    if facts.status == NoticeStatus.UNREACHABLE:
        return True
    return facts.status == NoticeStatus.MAILED and facts.current_letter_state == LetterState.PRESUMED_DELIVERED


def is_held(facts: NoticeFacts) -> bool:
    """A letter in a batch still open (draft to mailed): its figures may change, so nothing of it is touched."""
    return any(state not in SETTLED_BATCHES for state in facts.batch_states)


def is_due(facts: NoticeFacts, last_day: date) -> bool:
    return is_finished(facts) and not is_held(facts) and facts.last_activity <= last_day


def is_held_back(facts: NoticeFacts, last_day: date) -> bool:
    """Finished and past the period, but a batch still open holds it: counted (`held`), untouched."""
    return is_finished(facts) and is_held(facts) and facts.last_activity <= last_day


def scrub_reasons(reasons: list[dict]) -> list[dict]:
    """Reasons keep their code and the field they concern; their messages may quote what the person's row said."""
    return [{key: reason[key] for key in ("code", "field") if key in reason} for reason in reasons]
