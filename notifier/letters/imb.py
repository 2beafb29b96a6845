"""Intelligent Mail barcode (USPS-B-3200): the digits around the bars.

Why: every letter carries an IMb whose serial number identifies the letter, so when an
envelope comes back undeliverable, scanning (or typing) its barcode digits finds the letter
again. The bar encoding itself is reportlab's (`reportlab.graphics.barcode.usps4s.USPS_4State`);
this module only builds, validates and splits the digit strings, so that bad input fails
here with a clear message instead of deep inside the encoder or, worse, on a bad barcode.

Tracking code (20 digits): barcode id (2, second digit 0-4), service type id (3),
mailer id (6 digits starting 0-8, or 9 digits starting 9), serial (9 or 6 digits, so that
mailer id + serial is always 15). Routing code: none, ZIP (5), ZIP+4 (9) or ZIP+4+delivery
point (11).
"""

from __future__ import annotations

import re

from reportlab.graphics.barcode.usps4s import USPS_4State

TRACKING_LENGTH = 20
ROUTING_LENGTHS = (0, 5, 9, 11)
SCANNED_LENGTHS = tuple(TRACKING_LENGTH + n for n in ROUTING_LENGTHS)  # 20, 25, 29, 31

_MID_START = 5  # barcode id (2) + service type id (3)
_MID_AND_SERIAL = 15


def _digits(value: str, what: str, lengths: tuple[int, ...]) -> str:
    """`value` if it is all ASCII digits and one of `lengths` long; ValueError naming `what` otherwise."""
    if not isinstance(value, str):
        raise TypeError(f"{what} must be a string of digits, not {type(value).__name__}")
    if not re.fullmatch(r"[0-9]*", value):
        raise ValueError(f"{what} must contain only digits 0-9, got {value!r}")
    if len(value) not in lengths:
        expected = " or ".join(str(n) for n in lengths)
        raise ValueError(f"{what} must be {expected} digits, got {len(value)} ({value!r})")
    return value


def _barcode_id(value: str, what: str) -> None:
    if value[1] not in "01234":
        raise ValueError(f"{what}: the barcode id's second digit must be 0-4, got {value[:2]!r}")


def _mid_length(tracking: str) -> int:
    """USPS-B-3200: a mailer id starting with 9 is 9 digits long, any other is 6."""
    return 9 if tracking[_MID_START] == "9" else 6


def _check_tracking(tracking: str) -> str:
    _digits(tracking, "tracking code", (TRACKING_LENGTH,))
    _barcode_id(tracking, "tracking code")
    return tracking


def _check_routing(routing: str) -> str:
    return _digits(routing, "routing code", ROUTING_LENGTHS)


def encode(tracking: str, routing: str) -> str:
    """The 65 bars, left to right, as letters: A ascender, D descender, T tracker, F full."""
    _check_tracking(tracking)
    _check_routing(routing)
    return USPS_4State(tracking, routing).barcodes


def tracking_code(barcode_id: str, service_type: str, mailer_id: str, serial: int) -> str:
    """The 20-digit tracking code; the serial is zero-padded to fill the 15 digits the mailer id leaves."""
    _digits(barcode_id, "barcode id", (2,))
    _barcode_id(barcode_id, "barcode id")
    _digits(service_type, "service type id", (3,))
    _digits(mailer_id, "mailer id", (6, 9))
    if len(mailer_id) == 9 and mailer_id[0] != "9":
        raise ValueError(f"a 9-digit mailer id starts with 9, got {mailer_id!r}")
    if len(mailer_id) == 6 and mailer_id[0] == "9":
        raise ValueError(f"a 6-digit mailer id cannot start with 9 (9 marks a 9-digit mailer id), got {mailer_id!r}")
    if isinstance(serial, bool) or not isinstance(serial, int):
        raise TypeError(f"serial must be an int, not {type(serial).__name__}")
    width = _MID_AND_SERIAL - len(mailer_id)
    if not 0 <= serial < 10**width:
        raise ValueError(f"serial {serial} does not fit in {width} digits (the width left by a {len(mailer_id)}-digit mailer id)")
    return f"{barcode_id}{service_type}{mailer_id}{serial:0{width}d}"


def routing_code(zip5: str, zip4: str = "", delivery_point: str = "") -> str:
    """"" (no ZIP), ZIP (5), ZIP+4 (9) or ZIP+4 plus the 2-digit delivery point (11)."""
    _digits(zip5, "ZIP code", (0, 5))
    _digits(zip4, "ZIP+4 add-on", (0, 4))
    _digits(delivery_point, "delivery point", (0, 2))
    if zip4 and not zip5:
        raise ValueError("a ZIP+4 add-on needs the 5-digit ZIP code")
    if delivery_point and not zip4:
        raise ValueError("a delivery point needs the ZIP+4 add-on")
    return zip5 + zip4 + delivery_point


def parse_scanned(digits: str) -> tuple[str, str]:
    """Split what a scanner reads off an IMb (tracking then routing, 20-31 digits) into (tracking, routing)."""
    digits = _digits(digits.strip() if isinstance(digits, str) else digits, "scanned IMb", SCANNED_LENGTHS)
    tracking, routing = digits[:TRACKING_LENGTH], digits[TRACKING_LENGTH:]
    _check_tracking(tracking)
    return tracking, routing


def mailer_id_of(tracking: str) -> str:
    """The mailer id (6 or 9 digits) inside a tracking code."""
    _check_tracking(tracking)
    return tracking[_MID_START : _MID_START + _mid_length(tracking)]


def serial_of(tracking: str) -> int:
    """The serial number inside a tracking code: what finds the letter again."""
    _check_tracking(tracking)
    return int(tracking[_MID_START + _mid_length(tracking) :])
