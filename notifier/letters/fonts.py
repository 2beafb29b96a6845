"""The fonts every PDF embeds, and drawing text with the first font that has each character.

A print house rejects a PDF with a font it must substitute, and a name drawn with a font that
lacks its characters prints as empty boxes. So every font is a shipped TrueType file
(`fonts/fonts.toml` lists them, in the order they are tried), and text is cut into runs by
the font that can draw each character: DejaVu Sans for Latin, Greek, Cyrillic, Arabic and
Hebrew, Droid Sans Fallback for Chinese, Japanese and Korean.

reportlab draws glyphs left to right and does not join Arabic letters, so right-to-left runs
are shaped (arabic-reshaper) and put in visual order (python-bidi) before they are measured
or drawn: `visual()`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache, lru_cache
from pathlib import Path

from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.pdfgen.canvas import Canvas
from reportlab.pdfgen.textobject import PDFTextObject

from notifier.settings import load_toml

FONT_DIR = Path(__file__).parent / "fonts"
REGULAR, BOLD = "DejaVuSans", "DejaVuSans-Bold"  # the two styles text is set in (the first font's names)
_RTL = re.compile("[\u0590-\u08ff\ufb1d-\ufdff\ufe70-\ufefc]+(?:[ \u00a0]+[\u0590-\u08ff\ufb1d-\ufdff\ufe70-\ufefc]+)*")


class SubsetCachingTTFont(TTFont):
    """A TrueType font that remembers, per document, how each string it drew was encoded.

    reportlab maps every character of every string to its code in the document's font subset,
    in Python, each time it is drawn: a tenth of a print file's time. The letters of a file
    repeat most lines, and a string's codes never change once assigned in a document (a
    subset only grows), so the cached answer is the one reportlab would give again.
    """

    def splitString(self, text, doc, encoding="utf-8"):
        try:
            cache = self.state[doc].split_cache
        except (KeyError, AttributeError):
            cache = None
        if cache is None:
            result = super().splitString(text, doc, encoding)
            self.state[doc].split_cache = {text: result}  # the state exists once reportlab has split a string
            return result
        result = cache.get(text)
        if result is None:
            result = cache[text] = super().splitString(text, doc, encoding)
        return result


@dataclass(frozen=True)
class Face:
    """One font family: the name of its regular and bold cut, and the characters it has."""

    regular: str
    bold: str
    glyphs: frozenset[int]


@cache
def faces() -> tuple[Face, ...]:
    """Registers every font of fonts.toml with reportlab (once per process), in the order they are tried."""
    found = []
    for entry in load_toml(FONT_DIR / "fonts.toml")["font"]:
        regular = SubsetCachingTTFont(entry["name"], str(FONT_DIR / entry["regular"]))
        pdfmetrics.registerFont(regular)
        bold = entry["name"]
        if entry["bold"] != entry["regular"]:
            bold = f"{entry['name']}-Bold"
            pdfmetrics.registerFont(SubsetCachingTTFont(bold, str(FONT_DIR / entry["bold"])))
        pdfmetrics.registerFontFamily(entry["name"], normal=entry["name"], bold=bold, italic=entry["name"], boldItalic=bold)
        found.append(Face(entry["name"], bold, frozenset(regular.face.charToGlyph)))
    return tuple(found)


def register_fonts() -> None:
    faces()


def _font(char: str, style: str) -> str | None:
    """The font that draws `char` in `style` (REGULAR or BOLD), or None when no shipped font has it."""
    code = ord(char)
    for face in faces():
        if code in face.glyphs:
            return face.bold if style == BOLD else face.regular
    return None


def missing_glyphs(text: str) -> set[str]:
    """Characters no shipped font can draw (they would print as empty boxes)."""
    if text.isascii():
        return set()
    return {c for c in set(text) if not c.isspace() and _font(c, REGULAR) is None}


def visual(text: str) -> str:
    """Right-to-left runs (Arabic, Hebrew) shaped and in the order they are drawn left to right."""
    if text.isascii() or not _RTL.search(text):
        return text
    import arabic_reshaper
    from bidi import get_display

    return _RTL.sub(lambda run: get_display(arabic_reshaper.reshape(run.group())), text)


@cache
def _first_face_chars() -> frozenset[str]:
    return frozenset(map(chr, faces()[0].glyphs))


def runs(text: str, style: str) -> list[tuple[str, str]]:
    """`text` cut into (font, text) runs, each drawn by the first font that has its characters."""
    if text.isascii() or _first_face_chars().issuperset(text):
        return [(style, text)]  # one run: the first font has every character (ASCII, accented Latin ...)
    result: list[tuple[str, str]] = []
    for char in text:
        font = (result[-1][0] if result else style) if char.isspace() else (_font(char, style) or style)
        if result and result[-1][0] == font:
            result[-1] = (font, result[-1][1] + char)
        else:
            result.append((font, char))
    return result


@lru_cache(maxsize=1 << 16)
def width(text: str, style: str, size: float) -> float:
    """The width of `text` in points. Cached: line breaking measures every word of every letter, and most words recur."""
    return sum(pdfmetrics.stringWidth(part, font, size) for font, part in runs(text, style))


def write(text_object: PDFTextObject, text: str, style: str, size: float) -> None:
    """Writes `text` at the text object's cursor, each run in the font that has its characters."""
    for font, part in runs(text, style):
        text_object.setFont(font, size)
        text_object.textOut(part)


def draw(canvas: Canvas, x: float, y: float, text: str, style: str, size: float) -> float:
    """Draws one line from (x, y) on the baseline; returns its width, as `width` measures it."""
    line = canvas.beginText(x, y)
    write(line, text, style, size)
    canvas.drawText(line)
    return width(text, style, size)
