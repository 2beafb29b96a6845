"""Drawing one letter onto a reportlab canvas, recording every box it prints.

The same function draws a proof (one letter, one file) and a print file (many letters, one
file): fonts are embedded once per file either way. Text is laid out first (paragraph
heights from reportlab), so "page X of Y" is known before the first page is drawn; every
drawn box is returned so that `checks` can prove what shows through the window.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import cache, lru_cache

from reportlab.graphics.barcode.usps4s import USPS_4State
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import inch
from reportlab.pdfgen.canvas import Canvas

from notifier.letters import fonts
from notifier.letters.fonts import BOLD, REGULAR, register_fonts
from notifier.letters.geometry import Geometry, Rect

LAYOUT_VERSION = "2"  # part of every letter's content hash: a change here renders open letters again
# How far glyph ink reaches beyond a line's baseline and origin, in units of the font size,
# measured on DejaVu Sans and Droid Sans Fallback read back by PDFium (stacked Vietnamese
# accents 1.06 above, J 0.05 to the left, descenders 0.21 below), with a little to spare.
INK_ABOVE, INK_BELOW, INK_LEFT = 1.1, 0.25, 0.1
# The address block's type: up to 12 pt leading, never below 8 pt (USPS's smallest for a
# machine-read address). An ancillary service endorsement prints above it in 8-point type with a
# quarter inch clear below (DMM 202.4), so it takes ENDORSEMENT_BAND points off the window's height.
MAX_LEADING, LEADING_GAP, MIN_ADDRESS_SIZE = 12.0, 1.8, 8.0
ENDORSEMENT_SIZE = 8.0
ENDORSEMENT_BAND = (INK_ABOVE + INK_BELOW) * ENDORSEMENT_SIZE + 0.25 * inch
_BOLD_MARK = re.compile(r"\*\*(.+?)\*\*")


@dataclass(frozen=True)
class Block:
    kind: str  # heading, para, bullet
    text: str  # plain text; **bold** marks bold


@dataclass
class LetterContent:
    """Everything one letter prints, already in the reader's language."""

    letter_id: str
    recipient: list[str]  # name, optional second line, delivery line, city state ZIP
    imb_bars: str  # 65 bar states (A, D, T, F), or "" when there is no barcode
    tracking: str
    routing: str
    sender: list[str]  # letterhead: office name and address
    date_line: str
    blocks: list[Block]
    page_label: str  # "Page {page} of {pages}"
    id_label: str  # "Letter ID"
    variant: str = ""  # all_granted, none_granted, mixed
    endorsement: str = ""  # printed above the address in the window, or "" (see letters/endorsement.py)

    def all_text(self) -> str:
        return "\n".join([self.endorsement, *self.recipient, *self.sender, self.date_line, self.letter_id, self.page_label, self.id_label, *(b.text for b in self.blocks)])


@dataclass
class Drawn:
    """What was drawn: page count and every box by kind (endorsement, address, imb, letter_id, text, footer)."""

    pages: int
    boxes: list[tuple[str, int, Rect]] = field(default_factory=list)  # (kind, page, rect)


@cache
def _styles() -> dict[str, ParagraphStyle]:
    register_fonts()
    body = ParagraphStyle("body", fontName=REGULAR, fontSize=10.5, leading=14, spaceAfter=7)  # a style record only
    return {
        "para": body,
        "heading": ParagraphStyle("heading", parent=body, fontName=BOLD, fontSize=12, leading=15, spaceBefore=4, spaceAfter=5),
        "bullet": ParagraphStyle("bullet", parent=body, leftIndent=14, bulletIndent=2, spaceAfter=3),
    }


class TextBlock:
    """A paragraph broken into lines, with **bold** runs, drawn line by line on the canvas.

    reportlab's platypus Paragraph parses markup and breaks lines for any mix of fonts and
    styles; letters need one font in two weights, and drawing runs of words directly was
    several times faster (bench/render.py). Text is never parsed as markup, so a name such
    as O'Brien <& Sons> prints exactly as written.
    """

    def __init__(self, text: str, style: ParagraphStyle, width: float, bullet: bool):
        self.style = style
        self.bullet = bullet
        self.lines: list[list[tuple[str, str]]] = []  # each line: runs of (style font, text)
        for part in fonts.visual(text).split("\n"):
            self._break(part, width - style.leftIndent)
        self.height = len(self.lines) * style.leading

    def _break(self, text: str, width: float) -> None:
        size, space = self.style.fontSize, fonts.width(" ", self.style.fontName, self.style.fontSize)
        words: list[tuple[str, str, bool]] = []  # (font, word, space before it)
        previous = " "
        for index, segment in enumerate(_BOLD_MARK.split(text)):
            font = BOLD if index % 2 else self.style.fontName
            for number, word in enumerate(segment.split()):
                glued = number == 0 and not segment[:1].isspace() and not previous[-1:].isspace()
                words.append((font, word, not glued))
            previous = segment or previous
        line: list[tuple[str, str, bool]] = []
        used = 0.0
        for font, word, spaced in words:
            needed = fonts.width(word, font, size) + (space if line and spaced else 0)
            if line and spaced and used + needed > width:
                self.lines.append(_runs(line))
                line, used, needed = [], 0.0, needed - space
            used += needed
            line.append((font, word, spaced))
        if line or not self.lines:
            self.lines.append(_runs(line))

    def drawOn(self, canvas: Canvas, x: float, y: float) -> None:
        """Draws the paragraph as one PDF text object, each line started at its left edge and each
        run of a font following the one before (a few operators per line, not a text object per run)."""
        size = self.style.fontSize
        baseline = y + self.height - size
        text = canvas.beginText()
        if self.bullet:
            text.setTextOrigin(x + self.style.bulletIndent, baseline)
            fonts.write(text, "•", self.style.fontName, size)
        for runs in self.lines:
            text.setTextOrigin(x + self.style.leftIndent, baseline)
            for font, part in runs:
                fonts.write(text, part, font, size)
            baseline -= self.style.leading
        canvas.drawText(text)


def _runs(words: list[tuple[str, str, bool]]) -> list[tuple[str, str]]:
    """Joins neighbouring words of the same font into one string (one drawString each)."""
    runs: list[tuple[str, str]] = []
    for font, word, spaced in words:
        gap = " " if runs and spaced else ""
        if runs and runs[-1][0] == font:
            runs[-1] = (font, runs[-1][1] + gap + word)
        elif runs:
            runs[-1] = (runs[-1][0], runs[-1][1] + gap)
            runs.append((font, word))
        else:
            runs.append((font, word))
    return runs


@lru_cache(maxsize=2048)
def _wrapped(block: Block, width: float) -> tuple[TextBlock, float, float]:
    """A laid-out paragraph, its height and the space above it.

    Letters of one run share most of their paragraphs word for word, so a paragraph is
    broken into lines once and drawn many times.
    """
    style = _styles()[block.kind]
    item = TextBlock(block.text, style, width, block.kind == "bullet")
    return item, item.height + style.spaceBefore + style.spaceAfter, style.spaceBefore


def _body_frames(geometry: Geometry) -> tuple[Rect, Rect]:
    """Text area of page 1 (below the window) and of later pages."""
    p, w = geometry.printable, geometry.window
    first_top = w.y - geometry.clearance - 0.35 * inch  # date line sits just below the window
    footer = 0.35 * inch
    return Rect(p.x, p.y + footer, p.width, first_top - p.y - footer), Rect(p.x, p.y + footer, p.width, p.height - footer)


def paginate(blocks: list[Block], geometry: Geometry) -> list[list[tuple[TextBlock, float, float]]]:
    """Splits the body into pages: each page a list of (paragraph, height, space above)."""
    first, later = _body_frames(geometry)
    pages: list[list[tuple[TextBlock, float, float]]] = [[]]
    room = first.height
    for block in blocks:
        item = _wrapped(block, first.width)
        if item[1] > room and pages[-1]:
            pages.append([])
            room = later.height
        pages[-1].append(item)
        room -= item[1]
    return pages


def draw_letter(canvas: Canvas | None, content: LetterContent, geometry: Geometry) -> Drawn:
    """Draws the letter's pages (a blank back for duplex when the count is odd is left to print files).

    With no canvas the letter is only laid out: the same pages and boxes, nothing drawn. That
    is what render records and checks, at a fraction of the cost of drawing; the letter is
    drawn once, by the print file that goes to the printer, through this same code.
    """
    register_fonts()
    pages = paginate(content.blocks, geometry)
    drawn = Drawn(pages=len(pages))
    first, later = _body_frames(geometry)
    for number, paragraphs in enumerate(pages, start=1):
        if number == 1:
            _draw_first_page_head(canvas, content, geometry, drawn)
        frame = first if number == 1 else later
        y = frame.top
        for paragraph, height, before in paragraphs:
            h = paragraph.height
            if canvas is not None:
                paragraph.drawOn(canvas, frame.x, y - before - h)
            drawn.boxes.append(("text", number, Rect(frame.x, y - before - h, frame.width, h)))
            y -= height
        _draw_footer(canvas, content, geometry, number, len(pages), drawn)
        if canvas is not None:
            canvas.showPage()
    return drawn


def _text_line(canvas: Canvas | None, text: str, x: float, y: float, font: str, size: float) -> Rect:
    line = fonts.visual(text)
    drawn = fonts.width(line, font, size) if canvas is None else fonts.draw(canvas, x, y, line, font, size)
    return Rect(x, y - size * 0.25, drawn, size * 1.2)


def _draw_first_page_head(canvas: Canvas | None, content: LetterContent, geometry: Geometry, drawn: Drawn) -> None:
    printable, area = geometry.printable, geometry.address_area
    # letterhead, top right: the office, outside the window
    y = printable.top - 10
    for index, line in enumerate(content.sender):
        width = fonts.width(fonts.visual(line), BOLD if index == 0 else REGULAR, 9)
        box = _text_line(canvas, line, printable.right - width, y, BOLD if index == 0 else REGULAR, 9)
        drawn.boxes.append(("text", 1, box))
        y -= 11
    # the window: recipient block, then the barcode with the letter id beside it
    barcode = _imb_geometry() if content.imb_bars else None
    barcode_row = barcode.height if barcode else 10
    top = area.top
    if content.endorsement:
        box = _text_line(canvas, content.endorsement, area.x + INK_LEFT * ENDORSEMENT_SIZE, top - INK_ABOVE * ENDORSEMENT_SIZE, REGULAR, ENDORSEMENT_SIZE)
        drawn.boxes.append(("endorsement", 1, box))
        top -= ENDORSEMENT_BAND
    leading = address_leading(area.height, len(content.recipient), bool(content.endorsement), barcode_row)
    size = leading - LEADING_GAP
    y = top - INK_ABOVE * size
    for line in content.recipient:
        drawn.boxes.append(("address", 1, _text_line(canvas, line, area.x + INK_LEFT * size, y, REGULAR, size)))
        y -= leading
    bottom = area.y
    if barcode:
        if canvas is not None:
            _draw_imb(canvas, content.imb_bars, area.x, bottom)
        drawn.boxes.append(("imb", 1, Rect(area.x, bottom, barcode.width, barcode.height)))
    id_x = area.x + (barcode.width if barcode else 0) + 4
    drawn.boxes.append(("letter_id", 1, _text_line(canvas, content.letter_id, id_x, bottom + barcode_row / 2 - 2, REGULAR, 6.5)))
    # date, just below the window
    date_y = geometry.window.y - geometry.clearance - 0.2 * inch
    drawn.boxes.append(("text", 1, _text_line(canvas, content.date_line, printable.x, date_y, REGULAR, 10)))


def address_leading(area_height: float, lines: int, endorsed: bool, barcode_row: float | None = None) -> float:
    """The address block's line spacing in a clear area `area_height` points high (type size is
    LEADING_GAP less): as large as fits above the barcode row, at most MAX_LEADING.

    Glyph ink, not just the font's ascent, must stay in the clear area: accented capitals
    (Ễ) reach INK_ABOVE x size above the baseline, J hangs left of its origin, descenders go below.
    """
    ink = INK_ABOVE + INK_BELOW
    row = _imb_geometry().height if barcode_row is None else barcode_row
    room = area_height - (ENDORSEMENT_BAND if endorsed else 0) - row - 1 + ink * LEADING_GAP
    return min(MAX_LEADING, room / (max(lines, 1) - 1 + ink))


def area_height_for(lines: int, endorsed: bool, size: float = MIN_ADDRESS_SIZE) -> float:
    """The clear area's height (points) that sets `lines` address lines in type of `size` points:
    `address_leading` solved the other way, to tell an office what window it needs."""
    ink = INK_ABOVE + INK_BELOW
    leading = size + LEADING_GAP
    return leading * (max(lines, 1) - 1 + ink) - ink * LEADING_GAP + _imb_geometry().height + 1 + (ENDORSEMENT_BAND if endorsed else 0)


@dataclass(frozen=True)
class ImbGeometry:
    """The Intelligent Mail barcode's size and bars (USPS-B-3200), as reportlab's USPS_4State draws them."""

    width: float  # with the horizontal clear zones
    height: float  # with the vertical clear zones
    left: float  # the first bar, from the left edge
    bar: float  # bar width
    pitch: float  # from one bar to the next
    states: dict[str, tuple[float, float]]  # bar state (F, A, D, T) -> (bottom, height) from the lower edge


@cache
def _imb_geometry() -> ImbGeometry:
    """Read once from reportlab's USPS_4State at its defaults, so the barcode keeps reportlab's proven dimensions."""
    b = USPS_4State()
    scale = b.heightScale
    middle = b.verticalClearZone + b.barHeight / 2
    states = {s: (middle + b.scale(s, b.bottoms, scale), b.scale(s, b.tops, scale) - b.scale(s, b.bottoms, scale)) for s in "FADT"}
    return ImbGeometry(b.width, b.height, b.horizontalClearZone, b.barWidth, b.pitch, states)


def _draw_imb(canvas: Canvas, bars: str, x: float, y: float) -> None:
    """The 65 bars `imb.encode` computed (compose checks them), as one filled path from (x, y).

    reportlab's own drawing encodes the tracking and routing codes again and fills each bar
    separately; this draws the same rectangles in one path.
    """
    g = _imb_geometry()
    path = canvas.beginPath()
    for index, state in enumerate(bars):
        bottom, height = g.states[state]
        path.rect(x + g.left + index * g.pitch, y + bottom, g.bar, height)
    canvas.drawPath(path, stroke=0, fill=1)


def _draw_footer(canvas: Canvas | None, content: LetterContent, geometry: Geometry, number: int, pages: int, drawn: Drawn) -> None:
    printable = geometry.printable
    label = f"{content.id_label} {content.letter_id} · " + content.page_label.format(page=number, pages=pages)
    width = fonts.width(label, REGULAR, 8)
    drawn.boxes.append(("footer", number, _text_line(canvas, label, printable.right - width, printable.y + 4, REGULAR, 8)))
