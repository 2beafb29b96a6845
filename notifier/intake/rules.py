"""Validation of one decision row: a pure function from text fields to a decision or problems.

Each problem names the field and says, in words a clerk understands, what was expected.
The codes are stable: scripts and the quarantine export rely on them.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from datetime import date

from notifier.addresses.states import state_code
from notifier.intake.fields import (
    ADDRESS_FIELDS,
    DATE_FIELDS,
    FIELDS,
    MAX_TEXT,
    OUTCOMES,
    REQUIRED,
)

# ASCII digits only: \d would also take Arabic-Indic or full-width digits, which no barcode carries.
ISO_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
ZIP = re.compile(r"([0-9]{3,5})(?:-([0-9]{4}))?|([0-9]{5})([0-9]{4})")
LANGUAGE = re.compile(r"[a-z]{2}")
# C0 controls (but tab and line breaks, which quoted CSV fields may hold) and DEL: NUL cannot be
# stored in PostgreSQL, U+001F is row_hash's separator, and none of them can be printed.
CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_EMPTY = ("",) * len(FIELDS)


@dataclass(frozen=True)
class Problem:
    field: str
    code: str
    message: str

    def as_dict(self) -> dict[str, str]:
        return {"field": self.field, "code": self.code, "message": self.message}


@dataclass(frozen=True)
class Valid:
    """A validated decision: canonical field -> value (text, date or None), and its content hash."""

    values: dict
    row_hash: str


def validate(row: dict[str, str], *, today: date) -> Valid | list[Problem]:
    """Check one row (canonical field -> text; missing keys mean empty) against the export format."""
    values = dict(zip(FIELDS, map(str.strip, map(row.get, FIELDS, _EMPTY))))
    problems: list[Problem] = []

    if max(map(len, values.values())) > MAX_TEXT:
        for name, text in values.items():
            if len(text) > MAX_TEXT:
                problems.append(Problem(name, "too_long", f"{name} is {len(text)} characters long; at most {MAX_TEXT} are allowed"))
    if CONTROL.search("".join(values.values())):
        for name, text in values.items():
            if found := CONTROL.search(text):
                problems.append(Problem(name, "control_character", f"{name} contains the control character U+{ord(found.group()):04X}, which cannot be printed; remove it in the source"))
    for name in REQUIRED:
        if not values[name]:
            problems.append(Problem(name, "required", f"{name} is required but empty"))

    dates = {name: _parse_date(name, values[name], today, problems) for name in DATE_FIELDS if values[name]}

    outcome = values["outcome"].lower().replace(" ", "_").replace("-", "_")
    if outcome:
        if outcome in OUTCOMES:
            values["outcome"] = outcome
        else:
            problems.append(Problem("outcome", "bad_outcome", f"outcome '{values['outcome']}' is not one of: {', '.join(OUTCOMES)}"))
    if values["outcome"] == "not_granted" and not values["not_granted_reason"]:
        problems.append(
            Problem("not_granted_reason", "reason_required", "not_granted_reason is required when outcome is not_granted (for example tied_to_other_charges)")
        )

    language = values["language"].lower() or "en"
    if LANGUAGE.fullmatch(language):
        values["language"] = language
    else:
        problems.append(Problem("language", "bad_language", f"language '{values['language']}' is not a two-letter ISO 639-1 code such as en or es"))

    _check_address(values, problems)

    if problems:
        return problems
    fingerprint = row_hash(values)  # over the normalized text, dates still in their checked ISO form
    for name in DATE_FIELDS:
        values[name] = dates.get(name)
    return Valid(values=values, row_hash=fingerprint)


def _parse_date(name: str, text: str, today: date, problems: list[Problem]) -> date | None:
    if not ISO_DATE.fullmatch(text):
        problems.append(Problem(name, "bad_date", f"{name} '{text}' is not a date in the form YYYY-MM-DD"))
        return None
    try:
        value = date.fromisoformat(text)
    except ValueError:
        problems.append(Problem(name, "bad_date", f"{name} '{text}' is not a real calendar date"))
        return None
    if value > today:
        problems.append(Problem(name, "future_date", f"{name} {text} is in the future"))
        return None
    return value


def _check_address(values: dict, problems: list[Problem]) -> None:
    """No address at all is fine (the notice waits for one); a partial address must be usable."""
    if not any(values[name] for name in ADDRESS_FIELDS):
        return
    if values["state"]:
        code = state_code(values["state"])
        if code:
            values["state"] = code
        else:
            problems.append(Problem("state", "bad_state", f"state '{values['state']}' is not a US state, territory or military code or name"))
    if values["zip"]:
        match = ZIP.fullmatch(values["zip"].replace(" ", ""))
        if match:
            zip5, plus4 = (match.group(1), match.group(2)) if match.group(1) else (match.group(3), match.group(4))
            values["zip"] = zip5.zfill(5) + (f"-{plus4}" if plus4 else "")
        else:
            problems.append(Problem("zip", "bad_zip", f"zip '{values['zip']}' is not a 5-digit ZIP or ZIP+4 (such as 60636 or 60640-5520)"))
    if not values["address_line1"]:
        problems.append(Problem("address_line1", "required", "address_line1 is empty although other address fields are given"))
    if not values["zip"] and not (values["city"] and values["state"]):
        problems.append(Problem("zip", "no_city_state_or_zip", "the address needs a ZIP, or a city and a state"))


def row_hash(texts: dict[str, str]) -> str:
    """Content fingerprint of a normalized row (all text): equal hashes mean an identical decision."""
    return hashlib.sha256("\x1f".join(map(texts.__getitem__, FIELDS)).encode("utf-8")).hexdigest()
