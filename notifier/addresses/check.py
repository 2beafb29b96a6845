"""One address from raw fields to a result: standardize the lines, verify the place, decide.

`Verifier` is the seam for a certified verifier: anything with `check(RawAddress)` can
replace `ZipDatabaseVerifier` without callers changing.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Protocol

from notifier.addresses.reasons import UNDELIVERABLE, Reason
from notifier.addresses.standardize import clean, standardize_lines
from notifier.addresses.verify import PyZipCodeDirectory, ZipDirectory, check_place


class AddressStatus:
    RAW = "raw"  # not verified yet
    VERIFIED = "verified"
    CORRECTED = "corrected"
    NEEDS_REVIEW = "needs_review"
    UNDELIVERABLE = "undeliverable"


MAILABLE = frozenset({AddressStatus.VERIFIED, AddressStatus.CORRECTED})
MAX_LINE = 1000  # characters an Address column holds, raw or standardized (notifier/models.py)
REVIEW_STATUSES = (AddressStatus.NEEDS_REVIEW, AddressStatus.UNDELIVERABLE)  # what waits for a person


@dataclass(frozen=True)
class RawAddress:
    line1: str = ""
    line2: str = ""
    city: str = ""
    state: str = ""
    zip: str = ""


@dataclass
class AddressResult:
    status: str
    line1: str = ""
    line2: str = ""
    city: str = ""
    state: str = ""
    zip5: str = ""
    zip4: str = ""
    reasons: list[Reason] = field(default_factory=list)
    suggestion: dict[str, str] = field(default_factory=dict)

    def as_dict(self) -> dict:
        return {
            "status": self.status,
            "line1": self.line1,
            "line2": self.line2,
            "city": self.city,
            "state": self.state,
            "zip5": self.zip5,
            "zip4": self.zip4,
            "reasons": [reason.as_dict() for reason in self.reasons],
            "suggestion": self.suggestion,
        }


def address_key(line1: str, line2: str, city: str, state: str, zip5: str) -> str:
    """One standardized address, as the dead-address list knows it."""
    return "|".join(part.strip().upper() for part in (line1, line2, city, state, zip5))[:255]


class Verifier(Protocol):
    def check(self, raw: RawAddress) -> AddressResult: ...


class ZipDatabaseVerifier:
    """Pub 28 rules plus pyzipcode: the default, uncertified verifier."""

    def __init__(self, directory: ZipDirectory | None = None):
        self.directory = directory or PyZipCodeDirectory()

    def check(self, raw: RawAddress) -> AddressResult:
        return check_address(raw, self.directory)


def general_delivery_without_city(kind: str, city: str) -> list[Reason]:
    """GENERAL DELIVERY waits at one city's post office: with no city given or filled in from the ZIP, there is none."""
    return [Reason.of("general_delivery_no_city")] if kind == "general_delivery" and not city else []


def check_address(raw: RawAddress, directory: ZipDirectory) -> AddressResult:
    lines = standardize_lines(raw.line1, raw.line2)
    city, state, zip_text = clean(raw.city) or lines.city, raw.state.strip() or lines.state, raw.zip.strip() or lines.zip
    if lines.kind == "none" and not (city or state or zip_text):
        return _fitted(AddressResult(status=AddressStatus.UNDELIVERABLE, line2=lines.line2, reasons=lines.problems))
    place = check_place(city, state, zip_text, directory)
    review = lines.problems + place.review + general_delivery_without_city(lines.kind, place.city)
    if any(reason.code in UNDELIVERABLE for reason in review):
        status = AddressStatus.UNDELIVERABLE
    elif review:
        status = AddressStatus.NEEDS_REVIEW
    elif place.changes:
        status = AddressStatus.CORRECTED
    else:
        status = AddressStatus.VERIFIED
    return _fitted(AddressResult(
        status=status,
        line1=lines.line1,
        line2=lines.line2,
        city=place.city,
        state=place.state,
        zip5=place.zip5,
        zip4=place.zip4,
        reasons=review + place.changes,
        suggestion=place.suggestion,
    ))


def _fitted(result: AddressResult) -> AddressResult:
    """A standardized line can be longer than what was typed (NFKD writes ½ as 1/2, a unit moves onto line 1).

    Past MAX_LINE it is no address anyone can mail to, and it would not fit its column: it
    goes to review, cut to fit (the raw fields keep the whole text).
    """
    long = [name for name in ("line1", "line2", "city", "state") if len(getattr(result, name)) > MAX_LINE]
    if long:
        for name in long:
            setattr(result, name, getattr(result, name)[:MAX_LINE])
        result.reasons.append(Reason.of("line_too_long", ", ".join(long)))
        if result.status in MAILABLE:
            result.status = AddressStatus.NEEDS_REVIEW
    return result
