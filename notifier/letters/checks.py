"""Checks a print house runs on a rendered letter, each with a stable error code.

Pure: they read the boxes `layout.draw_letter` recorded and the geometry of the envelope.
A letter that fails any check is not printable and keeps the codes that say why.
"""

from __future__ import annotations

from dataclasses import dataclass

from notifier.letters.geometry import Geometry, sheets_for, weight_oz
from notifier.letters.fonts import missing_glyphs
from notifier.letters.layout import Drawn, LetterContent

WINDOW_KINDS = ("endorsement", "address", "imb", "letter_id")
MESSAGES = {
    "address_outside_window": "the endorsement, address block, barcode or letter id is not inside the window with its clearance",
    "content_in_window": "something other than the address block shows through the window",
    "outside_printable_area": "something is printed outside the printable area of the page",
    "too_many_sheets": "the letter has more sheets than the envelope holds",
    "too_heavy": "the letter with its envelope weighs more than a First-Class letter may",
    "missing_glyph": "a character cannot be drawn with the embedded font and would print as an empty box",
    "no_barcode": "the letter has no Intelligent Mail barcode (no verified ZIP code)",
}


@dataclass(frozen=True)
class CheckFailure:
    code: str
    message: str

    def as_dict(self) -> dict[str, str]:
        return {"code": self.code, "message": self.message}


def _fail(code: str, detail: str = "") -> CheckFailure:
    return CheckFailure(code, MESSAGES[code] + (f" ({detail})" if detail else ""))


def check_letter(content: LetterContent, drawn: Drawn, geometry: Geometry) -> list[CheckFailure]:
    failures: list[CheckFailure] = []
    glyphs = missing_glyphs(content.all_text())
    if glyphs:
        failures.append(_fail("missing_glyph", " ".join(sorted(f"U+{ord(c):04X}" for c in glyphs))))
    if not content.imb_bars:
        failures.append(_fail("no_barcode"))
    window = geometry.window.shrink(-geometry.clearance)  # what may show through, the sheet shifting
    for kind, page, box in drawn.boxes:
        if kind in WINDOW_KINDS:
            if page != 1 or not geometry.address_area.contains(box):
                failures.append(_fail("address_outside_window", kind))
        elif page == 1 and box.overlaps(window):
            failures.append(_fail("content_in_window", kind))
        if not geometry.printable.contains(box):
            failures.append(_fail("outside_printable_area", f"{kind} on page {page}"))
    sheets = sheets_for(drawn.pages, geometry.duplex)
    if sheets > geometry.max_sheets:
        failures.append(_fail("too_many_sheets", f"{sheets} > {geometry.max_sheets}"))
    weight = weight_oz(sheets, geometry)
    if weight > geometry.max_weight_oz:
        failures.append(_fail("too_heavy", f"{weight} oz > {geometry.max_weight_oz} oz"))
    return list(dict.fromkeys(failures))
