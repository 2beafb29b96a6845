"""Synthetic USPS ACS fulfilment files, for the demo and for trying `returns import-acs` before
USPS sends a real one: the fixed-width records of returns/acs_layout.toml."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from pathlib import Path

from notifier.addresses.check import RawAddress
from notifier.returns.acs import COA_CODES, layout


@dataclass(frozen=True)
class SynthNotice:
    tracking: str  # the piece's 20-digit IMb tracking code
    code: str  # deliverability code
    moved: date | None = None
    new_address: RawAddress | None = None  # a street line "NUMBER NAME SUFFIX", city, state, 5-digit ZIP


def _record(kind: str, section: str, values: dict[str, str]) -> str:
    chars = [" "] * layout()["record_length"]
    chars[0] = kind
    for name, text in values.items():
        start, width = layout()[section][name]
        chars[start - 1 : start - 1 + width] = text[:width].ljust(width)
    return "".join(chars)


def write_acs_file(path: Path, notices: list[SynthNotice], *, created: date, shipment: str = "1", version: str = "02",
                   fee_cents_each: int = 0) -> Path:
    """One header and a detail record per notice; each notice is charged `fee_cents_each` in the
    header's Full-Service COA or nixie fee."""
    coa = [n for n in notices if n.code in COA_CODES]
    header = _record("H", "header", {
        "file_version": version, "customer_id": "000000", "create_date": created.strftime("%Y%m%d"), "shipment_number": shipment.zfill(10),
        "total_records": f"{len(notices):09d}", "total_coa": f"{len(coa):09d}", "total_nixie": f"{len(notices) - len(coa):09d}",
        "fs_records": f"{len(notices):09d}", "fs_coa": f"{len(coa):09d}", "fs_coa_fee": f"{len(coa) * fee_cents_each:011d}",
        "fs_nixie": f"{len(notices) - len(coa):09d}", "fs_nixie_fee": f"{(len(notices) - len(coa)) * fee_cents_each:011d}",
    })
    lines = [header]
    for sequence, notice in enumerate(notices, start=1):
        values = {"file_version": version, "sequence": f"{sequence:08d}", "deliverability_code": notice.code, "imb": notice.tracking,
                  "fulfillment_date": created.strftime("%Y%m%d"), "coa_nixie_flag": "C" if notice.code in COA_CODES else "N"}
        if notice.moved:
            values.update({"move_effective_date": notice.moved.strftime("%Y%m%d"), "move_type": "I"})
        if notice.new_address:
            number, _, street = notice.new_address.line1.partition(" ")
            name, _, suffix = street.rpartition(" ")
            values.update({"new_primary_number": number, "new_street_name": name, "new_street_suffix": suffix,
                           "new_city": notice.new_address.city, "new_state": notice.new_address.state, "new_zip": notice.new_address.zip})
        lines.append(_record("D", "detail", values))
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("\r\n".join(lines) + "\r\n", encoding="latin-1")
    return path
