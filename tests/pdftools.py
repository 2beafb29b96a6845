"""PDFs read the way a print house's preflight reads them, with poppler (pdfinfo, pdffonts,
pdftotext -bbox): an engine independent of the one notifier reads its own files back with.

`make test` installs poppler-utils when it is missing (Makefile, target system-packages).
"""

from __future__ import annotations

import html
import re
import subprocess
import tomllib
from dataclasses import dataclass
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
_WORD = re.compile(r'<word xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" yMax="([\d.]+)">(.*?)</word>')
_PAGE = re.compile(r'<page width="([\d.]+)" height="([\d.]+)">')


def _run(*args: str) -> str:
    return subprocess.run(args, capture_output=True, text=True, check=True).stdout


@dataclass(frozen=True)
class Box:
    """A rectangle in points from the page's top-left corner, as envelope.toml measures."""

    left: float
    top: float
    right: float
    bottom: float

    def inside(self, other: "Box", slack: float = 0.0) -> bool:
        return other.left - slack <= self.left and other.top - slack <= self.top and self.right <= other.right + slack and self.bottom <= other.bottom + slack

    def overlaps(self, other: "Box") -> bool:
        return self.left < other.right and other.left < self.right and self.top < other.bottom and other.top < self.bottom


@dataclass(frozen=True)
class Word:
    text: str
    box: Box


def page_sizes(path: Path) -> list[tuple[float, float]]:
    """(width, height) in points of every page."""
    pages = int(re.search(r"^Pages:\s+(\d+)", _run("pdfinfo", str(path)), re.M).group(1))
    out = _run("pdfinfo", "-f", "1", "-l", str(pages), str(path))
    return [(float(w), float(h)) for w, h in re.findall(r"^Page\s+\d+ size:\s+([\d.]+) x ([\d.]+) pts", out, re.M)]


def fonts(path: Path) -> list[tuple[str, bool]]:
    """(font name, embedded) for every font the file uses."""
    header, dashes, *lines = _run("pdffonts", str(path)).splitlines()
    columns = [(m.start(), m.end()) for m in re.finditer(r"-+", dashes)]  # name, type, encoding, emb, sub, uni, object ID
    name, emb = columns[0], columns[3]
    return [(line[name[0] : name[1]].strip(), line[emb[0] : emb[1]].strip() == "yes") for line in lines if line.strip()]


def info(path: Path) -> dict[str, str]:
    return dict(line.split(":", 1) for line in _run("pdfinfo", str(path)).splitlines() if ":" in line)


def words(path: Path, page: int = 1) -> list[Word]:
    """Every word on a page (1-based) with its box, top-left origin."""
    out = _run("pdftotext", "-bbox", "-f", str(page), "-l", str(page), str(path), "-")
    return [Word(html.unescape(text), Box(float(a), float(b), float(c), float(d))) for a, b, c, d, text in _WORD.findall(out)]


def window_boxes(config_dir: Path = REPO / "config") -> tuple[Box, Box]:
    """The envelope window and its clear area (less the clearance), from envelope.toml, in points."""
    window = tomllib.loads((config_dir / "envelope.toml").read_text())["window"]
    left, top, width, height, clearance = (window[k] * 72 for k in ("left", "top", "width", "height", "clearance"))
    return Box(left, top, left + width, top + height), Box(left + clearance, top + clearance, left + width - clearance, top + height - clearance)


def text(path: Path) -> str:
    """All the text of the file, as pdftotext reads it."""
    return _run("pdftotext", str(path), "-")


def bars(path: Path, area: Box, dpi: int = 600) -> list[tuple[float, float, float, float]]:
    """The dark vertical bars inside `area` of page 1 as pdftoppm rasterizes them (a scanner's view):
    (left, top, width, height) in points from the page's top-left corner, left to right."""
    from io import BytesIO

    from PIL import Image

    scale = dpi / 72
    x, y = round(area.left * scale), round(area.top * scale)
    w, h = round((area.right - area.left) * scale), round((area.bottom - area.top) * scale)
    png = subprocess.run(["pdftoppm", "-f", "1", "-l", "1", "-r", str(dpi), "-gray", "-png", "-x", str(x), "-y", str(y), "-W", str(w), "-H", str(h), str(path)],
                         capture_output=True, check=True).stdout
    image = Image.open(BytesIO(png)).convert("L")
    pixels = image.load()
    dark_rows = [[row for row in range(image.height) if pixels[column, row] < 128] for column in range(image.width)]
    found: list[tuple[float, float, float, float]] = []
    start = None
    for column in range(image.width + 1):
        dark = column < image.width and bool(dark_rows[column])
        if dark and start is None:
            start = column
        elif not dark and start is not None:
            rows = [row for c in range(start, column) for row in dark_rows[c]]
            found.append(((x + start) / scale, (y + min(rows)) / scale, (column - start) / scale, (max(rows) + 1 - min(rows)) / scale))
            start = None
    return found
