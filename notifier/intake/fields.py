"""The canonical decision export: field names, which are required, which are dates."""

from __future__ import annotations

FIELDS: tuple[str, ...] = (
    "decision_id",
    "person_id",
    "first_name",
    "middle_name",
    "last_name",
    "suffix",
    "date_of_birth",
    "address_line1",
    "address_line2",
    "city",
    "state",
    "zip",
    "language",
    "case_number",
    "offense",
    "statute",
    "disposition_date",
    "outcome",
    "not_granted_reason",
    "decision_date",
    "court",
)

# Every row must give these.
REQUIRED: tuple[str, ...] = (
    "decision_id",
    "person_id",
    "first_name",
    "last_name",
    "case_number",
    "outcome",
    "decision_date",
)

# A file's header must give these (through its columns or its mapping); a file without address
# columns is fine: its notices wait for an address (`notifier addresses import`).
REQUIRED_COLUMNS: tuple[str, ...] = REQUIRED

DATE_FIELDS: tuple[str, ...] = ("date_of_birth", "disposition_date", "decision_date")
ADDRESS_FIELDS: tuple[str, ...] = ("address_line1", "address_line2", "city", "state", "zip")
NAME_FIELDS: tuple[str, ...] = ("first_name", "middle_name", "last_name", "suffix")

OUTCOMES: tuple[str, ...] = ("expunged", "vacated", "vacated_and_expunged", "sealed", "not_granted")

MAX_TEXT = 1000
