"""A written PDF read back as a print house reads it: paper size, embedded fonts, the window.

Only the file's bytes are used (PDFium through pypdfium2 for pages and where text lies,
qpdf through pikepdf for the font dictionaries), never notifier's own record of where it drew: a layout
bug that puts the address where the envelope's window is not fails here. PDFium was chosen
by measurement: it read the window text of about 1,600 first pages a second on one core,
where pypdf's text visitor read about 60 and pdfplumber about 11.

Every problem has a stable `code` (PROBLEMS) and names the file, the page (1-based) and,
where one is known, the letter id.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import pypdfium2 as pdfium
import pikepdf

from notifier.letters.geometry import Geometry, Rect

PROBLEMS = {
    "unreadable_pdf": "the file cannot be read as a PDF",
    "file_missing": "a file the cover sheet lists is not there",
    "checksum_mismatch": "the file's SHA-256 is not the one on the cover sheet",
    "page_size": "a page is not the configured paper size",
    "font_not_embedded": "a font is used but not embedded in the file",
    "page_count": "the file has a different number of pages than its letters' sheets need (blank backs included)",
    "address_outside_window": "text shows in the envelope's window, or within its clearance, but not inside the clear area",
    "address_missing": "the window's clear area holds no address block ending in the letter's ZIP code",
    "content_in_window": "more lines of text in the window's clear area than an address block has",
    "endorsement_missing": "the ancillary service endorsement is not the window's first line",
    "letter_order": "the letter id in the window is not the letter the manifest lists here",
    "manifest_mismatch": "the manifest and the cover sheet disagree",
}
SIZE_TOLERANCE = 1.0  # points: a page within a point of the paper size is that size
EDGE_TOLERANCE = 0.5  # points: glyph boxes touching the clear area's edge are inside it
MAX_ADDRESS_LINES = 4  # name, second line (c/o, unit), delivery line, city state ZIP
SAME_LINE = 2.0  # points: text runs whose baselines are this close are one line


@dataclass(frozen=True)
class PrintProblem:
    code: str
    file: str
    page: int | None
    letter_id: str
    message: str

    def as_dict(self) -> dict:
        return {"code": self.code, "file": self.file, "page": self.page, "letter_id": self.letter_id, "message": self.message}


def problem(code: str, file: Path | str, page: int | None = None, letter_id: str = "", detail: str = "") -> PrintProblem:
    return PrintProblem(code, Path(file).name, page, letter_id, PROBLEMS[code] + (f" ({detail})" if detail else ""))


@dataclass(frozen=True)
class Expected:
    """One letter the file should hold, in order: its printed id, its ZIP and the pages it takes in the file."""

    letter_id: str
    zip5: str
    pages: int  # in a duplex print file, two per sheet (a blank back included)


@dataclass
class WindowText:
    """What shows through the window of one first page."""

    lines: list[str]  # inside the clear area, top to bottom (address lines and the letter id)
    stray: list[str] = field(default_factory=list)  # text in the window or its clearance, outside the clear area

    def letter_id(self, known: set[str] | None = None) -> str:
        """The line that is a letter id ("XXX-XXX-XXX"), or ""."""
        for line in self.lines:
            text = line.strip()
            if (known is not None and text in known) or (len(text) == 11 and text[3] == "-" and text[7] == "-"):
                return text
        return ""

    def address(self, letter_id: str) -> list[str]:
        return [line for line in self.lines if line.strip() != letter_id]


@dataclass
class FileCheck:
    pages: int
    problems: list[PrintProblem]


def open_pdf(path: Path) -> pdfium.PdfDocument | None:
    try:
        return pdfium.PdfDocument(str(path))
    except (pdfium.PdfiumError, OSError):
        return None


def page_size_problems(document: pdfium.PdfDocument, path: Path, geometry: Geometry) -> list[PrintProblem]:
    width, height = geometry.page.width, geometry.page.height
    found = []
    for index in range(len(document)):
        w, h = document.get_page_size(index)
        if abs(w - width) > SIZE_TOLERANCE or abs(h - height) > SIZE_TOLERANCE:
            found.append(problem("page_size", path, index + 1, detail=f"{w:.1f} x {h:.1f} pt, expected {width:.1f} x {height:.1f}"))
    return found


def unembedded_fonts(path: Path) -> list[str]:
    """Names of the fonts the file's pages use without embedding them (each font dictionary read once).

    qpdf (pikepdf) reads the page dictionaries: pypdf took 0.2 s for the 2,000 pages of a print
    file of 1,000 letters, qpdf 0.02 s.
    """
    seen: set[tuple[int, int]] = set()
    missing: list[str] = []

    def first_time(obj) -> bool:
        key = obj.objgen
        if key == (0, 0):
            return True  # a direct object: nothing to share, read it
        if key in seen:
            return False
        seen.add(key)
        return True

    def visit(resources) -> None:
        if not isinstance(resources, pikepdf.Dictionary):
            return
        fonts = resources.get("/Font")
        if isinstance(fonts, pikepdf.Dictionary) and first_time(fonts):  # pages share one font dictionary
            for font in fonts.values():
                if first_time(font) and not _embedded(font):
                    missing.append(str(font.get("/BaseFont", "?")).lstrip("/"))
        xobjects = resources.get("/XObject")
        for form in (xobjects.values() if isinstance(xobjects, pikepdf.Dictionary) else ()):
            if first_time(form) and form.get("/Subtype") == "/Form":  # forms carry resources of their own, read once
                visit(form.get("/Resources"))

    with pikepdf.open(path) as pdf:
        for page in pdf.pages:
            visit(page.obj.get("/Resources"))
    return missing


def _embedded(font) -> bool:
    if font.get("/Subtype") == "/Type3":
        return True  # glyphs drawn by the file's own procedures
    if font.get("/Subtype") == "/Type0":
        font = font["/DescendantFonts"][0]
    descriptor = font.get("/FontDescriptor")
    return isinstance(descriptor, pikepdf.Dictionary) and any(key in descriptor for key in ("/FontFile", "/FontFile2", "/FontFile3"))


def font_problems(path: Path) -> list[PrintProblem]:
    try:
        missing = unembedded_fonts(path)
    except (pikepdf.PdfError, OSError, KeyError, ValueError, IndexError) as exc:
        return [problem("unreadable_pdf", path, detail=type(exc).__name__)]
    return [problem("font_not_embedded", path, detail=name) for name in missing]


def window_text(document: pdfium.PdfDocument, index: int, geometry: Geometry) -> WindowText:
    """The text of page `index` (0-based) that shows through the window, read from the page's text runs."""
    page = document[index]
    text = page.get_textpage()
    try:
        # The window is measured from the page's top-left corner (envelope.toml); PDF coordinates
        # start at the bottom, so on a page of another height the window sits higher or lower.
        dy = page.get_height() - geometry.page.height
        seen = _moved(geometry.window.shrink(-geometry.clearance), dy)  # the sheet may shift this far inside the envelope
        clear = _moved(geometry.address_area.shrink(-EDGE_TOLERANCE), dy)
        inside: list[tuple[float, float, str]] = []  # (baseline-ish bottom, left, text)
        result = WindowText([])
        seen_left, seen_bottom, seen_right, seen_top = seen.x, seen.y, seen.right, seen.top
        for number in range(text.count_rects()):
            left, bottom, right, top = text.get_rect(number)
            if not (seen_left < right and left < seen_right and seen_bottom < top and bottom < seen_top):
                continue  # Rect.overlaps, inlined: a first page has some forty runs, nearly all outside the window
            box = Rect(left, bottom, right - left, top - bottom)
            words = text.get_text_bounded(left, bottom, right, top).strip()
            if clear.contains(box):
                inside.append((bottom, left, words))
            elif words:
                result.stray.append(words)
        result.lines = _lines(inside)
        return result
    finally:
        text.close()
        page.close()


def _moved(rect: Rect, dy: float) -> Rect:
    return Rect(rect.x, rect.y + dy, rect.width, rect.height)


def _lines(runs: list[tuple[float, float, str]]) -> list[str]:
    """Text runs grouped into lines (close baselines), top line first, runs left to right."""
    lines: list[list[tuple[float, float, str]]] = []
    for run in sorted(runs, key=lambda r: (-r[0], r[1])):
        if lines and abs(lines[-1][0][0] - run[0]) <= SAME_LINE:
            lines[-1].append(run)
        else:
            lines.append([run])
    return [" ".join(words for _, _, words in sorted(line, key=lambda r: r[1]) if words) for line in lines]


def window_problems(found: WindowText, path: Path, page: int, expected: Expected, endorsement: str = "") -> list[PrintProblem]:
    """The first page of `expected`'s letter: its id and address in the clear area, above them the
    endorsement when one prints in the window, nothing else in the window."""
    problems = [problem("address_outside_window", path, page, expected.letter_id, f"'{text}'") for text in found.stray]
    if endorsement:
        if found.lines[:1] == [endorsement]:
            found = WindowText(found.lines[1:], found.stray)
        else:
            problems.append(problem("endorsement_missing", path, page, expected.letter_id, f"read {found.lines[:1]!r}, expected '{endorsement}'"))
    letter_id = found.letter_id({expected.letter_id})
    if letter_id != expected.letter_id:
        problems.append(problem("letter_order", path, page, expected.letter_id, f"found '{letter_id or 'no letter id'}'"))
    address = found.address(letter_id)
    if len(address) < 2 or expected.zip5 not in address[-1]:
        problems.append(problem("address_missing", path, page, expected.letter_id, f"read {address!r}, expected a last line with {expected.zip5}"))
    elif len(address) > MAX_ADDRESS_LINES:
        problems.append(problem("content_in_window", path, page, expected.letter_id, f"{len(address)} lines"))
    return problems


def pages_in_print_file(sheets: int, geometry: Geometry) -> int:
    """Pages a letter of `sheets` sheets takes in a print file: both sides of each sheet when duplex."""
    return sheets * 2 if geometry.duplex else sheets


def check_letters_file(path: Path, geometry: Geometry, expected: list[Expected], endorsement: str = "") -> FileCheck:
    """A file of letters in order (a print file, or a proof of one letter): every check that needs only the file.

    The first page of each letter is known from the pages the letters before it take.
    `endorsement` is the line each window shows above the address, or "".
    """
    document = open_pdf(path)
    if document is None:
        return FileCheck(0, [problem("unreadable_pdf", path)])
    try:
        pages = len(document)
        problems = page_size_problems(document, path, geometry) + font_problems(path)
        wanted = sum(item.pages for item in expected)
        if wanted != pages:
            problems.append(problem("page_count", path, detail=f"{pages} pages, the letters need {wanted}"))
        first = 0
        for item in expected:
            if first >= pages:
                break
            problems += window_problems(window_text(document, first, geometry), path, first + 1, item, endorsement)
            first += item.pages
        return FileCheck(pages, problems)
    finally:
        document.close()
