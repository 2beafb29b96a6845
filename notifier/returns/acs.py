"""USPS ACS notices: a fulfilment file read into plain records, the pure part of `returns import-acs`.

An office that mails with a Full-Service Intelligent Mail barcode receives, instead of most
returned envelopes, one electronic notice per piece USPS could not deliver as addressed: a
change of address (with the new address, or the reason there is none) or a nixie (the
reason the piece was undeliverable). The file is fixed width (acs_layout.toml): a header
record ("H") with counts and fees, then detail records ("D"). Nothing here reads the
database; what the notices mean for the letters is intake of returns (returns/acs_import.py).

Every record the file holds is accounted for: a notice, or a problem naming its line.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal, InvalidOperation
from functools import cache
from pathlib import Path

from notifier.addresses.check import RawAddress
from notifier.errors import InputFileError
from notifier.letters import imb
from notifier.settings import load_toml

VERSIONS = ("01", "02")
COA_CODES = (" ", "G", "K", "W")  # the deliverability codes of a change-of-address notice; the others are nixies
LAYOUT = Path(__file__).with_name("acs_layout.toml")


@dataclass(frozen=True)
class AcsHeader:
    version: str
    customer_id: str
    created: date | None
    shipment_number: str
    total_records: int
    total_coa: int
    total_nixie: int
    fee_cents: int  # every ACS fee the file charges (the record types' fee amounts added up)


@dataclass(frozen=True)
class AcsNotice:
    line: int
    sequence: str
    code: str  # deliverability code; " " for a change of address with a new address
    coa: bool  # a change-of-address notice (else a nixie)
    move_effective: date | None
    move_type: str
    tracking: str  # the IMb's 20-digit tracking code
    fulfilled: date | None
    new_address: RawAddress | None


@dataclass(frozen=True)
class AcsProblem:
    line: int
    field: str
    message: str

    def as_dict(self) -> dict:
        return {"line": self.line, "field": self.field, "message": self.message}


@dataclass
class AcsFile:
    header: AcsHeader
    sha256: str  # of the bytes read: a file imported again is known by it
    notices: list[AcsNotice] = field(default_factory=list)
    problems: list[AcsProblem] = field(default_factory=list)  # records that could not be read, by line

    @property
    def records(self) -> int:
        return len(self.notices) + len(self.problems)


@cache
def layout() -> dict:
    return load_toml(LAYOUT)


def _cut(record: str, spec: list[int]) -> str:
    start, width = spec
    return record[start - 1 : start - 1 + width]


def _fields(record: str, section: str) -> dict[str, str]:
    return {name: _cut(record, spec) for name, spec in layout()[section].items()}


def _date(text: str, name: str, *, required: bool) -> date | None:
    """YYYYMMDD; blank is None where the field may be empty. ValueError says what was found."""
    if not text.strip():
        if required:
            raise ValueError(f"{name} is blank; expected a date as YYYYMMDD")
        return None
    if not (len(text) == 8 and text.isascii() and text.isdigit()):
        raise ValueError(f"{name} '{text.strip()}' is not a date as YYYYMMDD")
    try:
        return date(int(text[:4]), int(text[4:6]), int(text[6:]))
    except ValueError:
        raise ValueError(f"{name} {text} is not a real calendar date") from None


def _count(text: str, name: str) -> int:
    if not (text.isascii() and text.strip().isdigit()):
        raise ValueError(f"header {name} '{text.strip()}' is not a number")
    return int(text)


def fee_cents(text: str) -> int:
    """A fee amount: digits in cents (implied decimal point), or dollars with a point."""
    text = text.strip()
    if not text:
        return 0
    try:
        if "." in text:
            return int((Decimal(text) * 100).to_integral_value())
        if text.isascii() and text.isdigit():
            return int(text)
    except InvalidOperation:
        pass
    raise ValueError(f"fee amount '{text}' is not a number")


def read_acs(path: Path, known_codes: set[str]) -> AcsFile:
    """Reads a whole ACS file. InputFileError, before anything is recorded, when the file as a
    whole cannot be trusted: no header, an unknown version, or counts the records do not add up to."""
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        raise InputFileError("file not found", where=str(path), todo="check the path") from None
    lines = data.decode("latin-1").splitlines()  # every byte is a character: a wrong length is found, never a decode error
    if not lines or not lines[0].startswith("H"):
        raise InputFileError("the first record is not an ACS header (record type H)", where=f"{path}, line 1",
                             todo="give the ACS fulfilment file as USPS sent it (its first record starts with H)")
    header = _header(lines[0], path)
    result = AcsFile(header, hashlib.sha256(data).hexdigest())
    for number, record in enumerate(lines[1:], start=2):
        if not record.strip():
            continue  # a blank line at the end of a download
        try:
            result.notices.append(_notice(number, record, header.version, known_codes))
        except _Refused as refused:
            result.problems.append(AcsProblem(number, refused.field, refused.message))
    _check_counts(result, path)
    return result


def _header(record: str, path: Path) -> AcsHeader:
    length = layout()["record_length"]
    where = f"{path}, line 1"
    if len(record) != length:
        raise InputFileError(f"the header record is {len(record)} characters long; an ACS record is {length}", where=where,
                             todo="the file may be cut short or re-wrapped: download it again")
    values = _fields(record, "header")
    if values["file_version"] not in VERSIONS:
        raise InputFileError(f"file version '{values['file_version']}' is not one notifier reads ({', '.join(VERSIONS)})", where=where,
                             todo="ask USPS for the ACS fulfilment file in version 02")
    try:
        fees = sum(fee_cents(value) for name, value in values.items() if name.endswith("_fee"))
        return AcsHeader(
            version=values["file_version"],
            customer_id=values["customer_id"].strip(),
            created=_date(values["create_date"], "create date", required=False),
            shipment_number=values["shipment_number"].strip(),
            total_records=_count(values["total_records"], "total records"),
            total_coa=_count(values["total_coa"], "COA count"),
            total_nixie=_count(values["total_nixie"], "nixie count"),
            fee_cents=fees,
        )
    except ValueError as exc:
        raise InputFileError(str(exc), where=where, todo="the header is damaged: download the file again") from None


class _Refused(Exception):
    def __init__(self, field_name: str, message: str):
        super().__init__(message)
        self.field = field_name
        self.message = message


def _notice(line: int, record: str, version: str, known_codes: set[str]) -> AcsNotice:
    length = layout()["record_length"]
    if len(record) != length:
        raise _Refused("record", f"the record is {len(record)} characters long; an ACS record is {length}")
    values = _fields(record, "detail")
    if values["record_type"] != "D":
        raise _Refused("record_type", f"record type '{values['record_type']}' is not D (a notice)")
    if values["file_version"] != version:
        raise _Refused("file_version", f"file version '{values['file_version']}' differs from the header's '{version}'")
    code = values["deliverability_code"]
    if code not in known_codes:
        raise _Refused("deliverability_code", f"deliverability code '{code}' is not one config/returns.toml [acs.codes] maps")
    digits = values["imb"].strip()
    try:
        tracking, _routing = imb.parse_scanned(digits)
    except ValueError as exc:
        raise _Refused("imb", f"the IMb '{digits}' cannot be read: {exc}") from None
    try:
        moved = _date(values["move_effective_date"], "move effective date", required=False)
        fulfilled = _date(values["fulfillment_date"], "fulfillment date", required=False)
    except ValueError as exc:
        raise _Refused("date", str(exc)) from None
    flag = values["coa_nixie_flag"].strip().upper()
    coa = flag == "C" if flag in ("C", "N") else code in COA_CODES
    return AcsNotice(line, values["sequence"].strip(), code, coa, moved, values["move_type"].strip(), tracking, fulfilled, _new_address(values))


def _new_address(values: dict[str, str]) -> RawAddress | None:
    """The address a change-of-address notice gives, in the parts the address checks read."""
    street = " ".join(values[name].strip() for name in ("new_primary_number", "new_predirectional", "new_street_name",
                                                          "new_street_suffix", "new_postdirectional") if values[name].strip())
    unit = " ".join(values[name].strip() for name in ("new_unit_designator", "new_secondary_number") if values[name].strip())
    if values["new_pmb"].strip():
        unit = " ".join(part for part in (unit, f"PMB {values['new_pmb'].strip()}") if part)
    zip5, plus4 = values["new_zip"].strip(), values["new_plus4"].strip()
    if not (street and (zip5 or values["new_city"].strip())):
        return None
    return RawAddress(line1=street, line2=unit, city=values["new_city"].strip(), state=values["new_state"].strip(),
                      zip=f"{zip5}-{plus4}" if zip5 and plus4 else zip5)


def _check_counts(result: AcsFile, path: Path) -> None:
    """The header's counts against the records: a file cut short in transfer is refused whole."""
    header = result.header
    coa = sum(1 for notice in result.notices if notice.coa)
    nixie = len(result.notices) - coa
    found = [("records", header.total_records, result.records)]
    if not result.problems:  # an unreadable record cannot be told apart: COA and nixie counts only when every record was read
        found += [("COA notices", header.total_coa, coa), ("nixie notices", header.total_nixie, nixie)]
    for what, said, counted in found:
        if said != counted:
            raise InputFileError(f"the header counts {said} {what}; the file holds {counted}", where=str(path),
                                 todo="the file may be cut short or damaged: download it again; nothing was recorded")
