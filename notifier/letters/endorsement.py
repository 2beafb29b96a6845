"""The ancillary service endorsement: the printed words that tell USPS what to do with a piece
it cannot deliver as addressed.

Why a module of its own: with Full-Service ACS the request travels in the barcode's service
type id, and USPS prescribes the printed words "ELECTRONIC SERVICE REQUESTED" (Publication 8:
only on mail that asks for ACS notices; optional on First-Class Mail). Where and how they print
is ruled too (DMM 202.4 / Quick Service Guide 507): at least 8-point type with a quarter inch
clear on every side, directly above the delivery address block, or below the return address.
Above the address, a #10 envelope's 1 1/8 in window cannot hold that and a four-line address in
8-point type over the barcode: these rules say so when the configuration is read, before a
letter is drawn, and name the ways out (a taller window, the endorsement printed on the
envelope stock, or none).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from reportlab.lib.units import inch

from notifier.errors import ConfigError
from notifier.letters.geometry import Geometry
from notifier.letters.layout import LEADING_GAP, MIN_ADDRESS_SIZE, address_leading, area_height_for
from notifier.letters.readback import MAX_ADDRESS_LINES
from notifier.settings import load_toml

KEYWORDS = ("ELECTRONIC", "ADDRESS", "CHANGE", "RETURN", "FORWARDING", "TEMP-RETURN")  # "<keyword> SERVICE REQUESTED"
ELECTRONIC = "ELECTRONIC SERVICE REQUESTED"
PLACEMENTS = ("window", "envelope")


@dataclass(frozen=True)
class Endorsement:
    """What the piece carries: `text` ("" for none) and where it prints. "window": notifier draws it
    above the address; "envelope": the envelope stock carries it below the return address, and the
    mail run's cover sheet tells the print house which stock to use."""

    text: str = ""
    placement: str = "window"

    @property
    def in_window(self) -> str:
        """The line notifier draws in the window, or ""."""
        return self.text if self.placement == "window" else ""

    @property
    def on_envelope(self) -> str:
        return self.text if self.placement == "envelope" else ""


def endorsement_problem(text: str, placement: str, service_type: str, acs_service_types: list[str]) -> str:
    """Why this endorsement may not be used with this service type id, or "" when it may."""
    if placement not in PLACEMENTS:
        return f"endorsement_placement must be one of {', '.join(PLACEMENTS)}, got {placement!r}"
    if not text:
        return ""
    words = text.upper()
    keyword = words.removesuffix(" SERVICE REQUESTED")
    if keyword == words or keyword not in KEYWORDS:
        return f"the endorsement must be one of USPS's: {', '.join(k + ' SERVICE REQUESTED' for k in KEYWORDS)}; got {text!r}"
    if words == ELECTRONIC and service_type not in acs_service_types:
        return (f"{ELECTRONIC!r} may only be printed on mail whose service type id asks for ACS notices, and service_type "
                f"{service_type!r} is not in acs_service_types")
    return ""


def window_problem(geometry: Geometry, text: str) -> str:
    """Why `text` cannot print above the address in this envelope's window, or "" when it fits
    over the largest address block (four lines) in type of at least MIN_ADDRESS_SIZE points."""
    if not text:
        return ""
    size = address_leading(geometry.address_area.height, MAX_ADDRESS_LINES, True) - LEADING_GAP
    if size >= MIN_ADDRESS_SIZE:
        return ""
    needed = (area_height_for(MAX_ADDRESS_LINES, True) + 2 * geometry.clearance) / inch
    return (f"below the endorsement (8-point type, 1/4 in clear under it) a four-line address would be set in {size:.1f}-point type "
            f"in this {geometry.window.height / inch:g} in high window, and it must be {MIN_ADDRESS_SIZE:g} at least: "
            f"the window must be at least {needed:.2f} in high")


def load_endorsement(config_dir: Path, geometry: Geometry) -> Endorsement:
    """The endorsement config/imb.toml asks for, checked against its service type and the envelope."""
    path = config_dir / "imb.toml"
    return endorsement_from(load_toml(path), path, geometry)


def endorsement_from(data: dict, path: Path, geometry: Geometry) -> Endorsement:
    """`load_endorsement` on the settings of imb.toml (at `path`) already read."""
    text = " ".join(str(data.get("endorsement", "")).split())
    placement = str(data.get("endorsement_placement", "window"))
    wrong = endorsement_problem(text, placement, str(data.get("service_type", "")), [str(s) for s in data.get("acs_service_types", [])])
    if wrong:
        raise ConfigError(wrong, where=f"{path} endorsement",
                          todo="leave endorsement empty (it is optional on First-Class Mail), or use an ACS service type id from USPS's STID table and list it in acs_service_types")
    endorsement = Endorsement(text, placement)
    too_small = window_problem(geometry, endorsement.in_window)
    if too_small:
        raise ConfigError(too_small, where=f"{path} endorsement_placement",
                          todo='set endorsement_placement = "envelope" and order envelopes with the endorsement printed below the return address, '
                               "use envelopes with a taller window (config/envelope.toml [window] height), or leave endorsement empty")
    return endorsement
