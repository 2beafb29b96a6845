"""Page and envelope geometry: where the window is, what may print where.

Read from config/envelope.toml (inches, measured from the page's top-left corner) and turned
into reportlab points with the origin at the bottom-left, so that layout and checks speak
the same units.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

from reportlab.lib.units import inch

from notifier.errors import ConfigError
from notifier.settings import load_toml


@dataclass(frozen=True)
class Rect:
    x: float
    y: float
    width: float
    height: float

    @property
    def right(self) -> float:
        return self.x + self.width

    @property
    def top(self) -> float:
        return self.y + self.height

    def contains(self, other: "Rect") -> bool:
        return self.x <= other.x and self.y <= other.y and other.right <= self.right and other.top <= self.top

    def overlaps(self, other: "Rect") -> bool:
        return self.x < other.right and other.x < self.right and self.y < other.top and other.y < self.top

    def shrink(self, by: float) -> "Rect":
        return Rect(self.x + by, self.y + by, self.width - 2 * by, self.height - 2 * by)


@dataclass(frozen=True)
class Geometry:
    name: str
    page: Rect
    printable: Rect
    window: Rect
    clearance: float
    sheet_weight_oz: Decimal
    envelope_weight_oz: Decimal
    max_weight_oz: Decimal
    max_sheets: int
    duplex: bool

    @property
    def address_area(self) -> Rect:
        """Where the address block may print: the window less the clearance on every side."""
        return self.window.shrink(self.clearance)


def load_geometry(config_dir: Path) -> Geometry:
    path = config_dir / "envelope.toml"
    data = load_toml(path)
    try:
        paper, window, envelope = data["paper"], data["window"], data["envelope"]
        width, height = paper["width"] * inch, paper["height"] * inch
        margin = paper["margin"] * inch
        window_rect = Rect(window["left"] * inch, height - (window["top"] + window["height"]) * inch, window["width"] * inch, window["height"] * inch)
        return Geometry(
            name=data.get("name", "envelope"),
            page=Rect(0, 0, width, height),
            printable=Rect(margin, margin, width - 2 * margin, height - 2 * margin),
            window=window_rect,
            clearance=window["clearance"] * inch,
            sheet_weight_oz=Decimal(str(paper["sheet_weight_oz"])),
            envelope_weight_oz=Decimal(str(envelope["weight_oz"])),
            max_weight_oz=Decimal(str(envelope["max_weight_oz"])),
            max_sheets=paper["max_sheets"],
            duplex=paper["duplex"],
        )
    except KeyError as exc:
        raise ConfigError(f"missing setting {exc}", where=str(path), todo="see the comments in the shipped config/envelope.toml") from None


def sheets_for(pages: int, duplex: bool) -> int:
    return (pages + 1) // 2 if duplex else pages


def weight_oz(sheets: int, geometry: Geometry) -> Decimal:
    """Ounces as Decimal (money and weights are never floats)."""
    return sheets * geometry.sheet_weight_oz + geometry.envelope_weight_oz
