"""Letters read back from the PDF, as a print house reads them: paper, fonts, the window, every script.

Positions come from poppler (tests/pdftools.py), measured from the page's top-left corner as
config/envelope.toml is, never from the layout's own record of where it drew.
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest

from notifier.letters.geometry import Rect
from notifier.letters.readback import Expected, check_letters_file
from notifier.letters.renderer import write_single_letter
from notifier.letters.samples import sample_letter
from tests.pdftools import fonts, info, page_sizes, window_boxes, words

LETTER = (612.0, 792.0)
WINDOW, CLEAR = window_boxes()

NAMES = {  # script: (first, last, what the address block must say)
    "latin": ("Ana Lucía", "Núñez", "ANA LUCÍA NÚÑEZ"),
    "han": ("秀英", "王", "XIUYING WANG"),
    "arabic": ("محمد", "الحسن", "MHMD LHSN"),
    "cyrillic": ("Олена", "Шевченко", "OLENA SHEVCHENKO"),
}


def three_page_letter():
    letter = sample_letter("en", "mixed")
    case = letter.decisions[0]
    letter.decisions.extend({**case, "decision_id": f"X-{n}", "case_number": f"2010-CR-{n:07d}"} for n in range(40))
    return letter


def write(renderer, tmp_path: Path, letter, name: str = "letter"):
    out = tmp_path / f"{name}.pdf"
    return out, write_single_letter(renderer, 7, letter, out, f"Letter proof {name}")


def window_words(path: Path) -> tuple[list[str], list[str]]:
    """Page 1's words inside the clear area, and the words anywhere else in the window."""
    inside, stray = [], []
    for word in words(path, 1):
        if word.box.inside(CLEAR, slack=0.5):
            inside.append(word.text)
        elif word.box.overlaps(WINDOW):
            stray.append(word.text)
    return inside, stray


def assert_print_ready(path: Path) -> None:
    assert page_sizes(path) and all(size == LETTER for size in page_sizes(path)), page_sizes(path)
    assert fonts(path) and all(embedded for _, embedded in fonts(path)), fonts(path)


@pytest.mark.parametrize("language", ["en", "es"])
def test_a_letter_is_us_letter_with_embedded_fonts_and_its_address_in_the_window(renderer, tmp_path, language):
    letter = sample_letter(language, "mixed")
    path, written = write(renderer, tmp_path, letter, language)
    assert_print_ready(path)
    inside, stray = window_words(path)
    assert stray == []
    assert " ".join(inside).startswith("ANA LUCÍA O'BRIEN <& SONS> NÚÑEZ")
    assert any(w.startswith(letter.address["zip5"]) for w in inside) and "000-000-07E" in inside  # the last line and the letter id
    assert written.readback == [] and written.failures == []
    assert "Letter proof" in info(path)["Title"] and info(path)["Author"].strip() == renderer.office.name


def test_a_three_page_letter_keeps_its_address_in_the_window_and_every_page_us_letter(renderer, tmp_path):
    path, written = write(renderer, tmp_path, three_page_letter(), "long")
    assert written.pages == 3 == len(page_sizes(path))
    assert_print_ready(path)
    inside, stray = window_words(path)
    assert stray == [] and "000-000-07E" in inside
    assert "Page 3 of 3" in " ".join(w.text for w in words(path, 3))  # later pages sit behind page 1 in the envelope
    assert written.readback == []


@pytest.mark.parametrize("script", sorted(NAMES))
def test_a_name_in_any_script_gets_a_letter_with_latin_capitals_in_the_window(renderer, tmp_path, script):
    first, last, on_envelope = NAMES[script]
    letter = sample_letter("en", "all_granted")
    letter.notice.update(first_name=first, middle_name="", last_name=last, suffix="")
    path, written = write(renderer, tmp_path, letter, script)
    assert written.failures == [] and written.readback == []  # no missing_glyph: every person gets a letter
    assert_print_ready(path)
    inside, stray = window_words(path)
    assert stray == [] and " ".join(inside).startswith(on_envelope)
    body = " ".join(w.text for w in words(path, 1))
    if script in ("han", "cyrillic", "latin"):
        assert last in body and first.split()[0] in body  # the salutation as the source wrote it


def test_a_name_no_shipped_font_draws_prints_transliterated(renderer, tmp_path):
    letter = sample_letter("en", "all_granted")
    letter.notice.update(first_name="राहुल", middle_name="", last_name="शर्मा", suffix="")  # Devanagari: no shipped font shapes it
    path, written = write(renderer, tmp_path, letter, "devanagari")
    assert written.failures == [] and written.readback == []
    text = " ".join(w.text for w in words(path, 1))
    assert "RAHUL SRMA" in text and "Rahul Srma," in text


def test_the_read_back_fails_a_layout_that_moves_the_address_out_of_the_window(renderer, tmp_path):
    """The layout drawn for a window 0.7 in lower than the envelope's: the check reads the PDF, not the layout's record."""
    moved = replace(renderer.geometry, window=Rect(renderer.geometry.window.x, renderer.geometry.window.y - 0.7 * 72, renderer.geometry.window.width, renderer.geometry.window.height))
    letter = sample_letter("en", "mixed")
    path = tmp_path / "moved.pdf"
    with renderer.pdf(path, "moved") as canvas:
        from notifier.letters.layout import draw_letter

        draw_letter(canvas, renderer.content(7, *letter), moved)
    problems = check_letters_file(path, renderer.geometry, [Expected("000-000-07E", letter.address["zip5"], 2)]).problems
    assert {"address_outside_window", "address_missing"} <= {p.code for p in problems}
    inside, stray = window_words(path)
    assert stray  # poppler sees the same thing
    assert all(p.file == "moved.pdf" and p.page == 1 and p.letter_id == "000-000-07E" for p in problems)


def test_the_read_back_names_an_unembedded_font_and_a_foreign_page_size(renderer, tmp_path):
    from reportlab.lib.pagesizes import A4
    from reportlab.pdfgen.canvas import Canvas

    path = tmp_path / "a4.pdf"
    canvas = Canvas(str(path), pagesize=A4)  # reportlab's defaults: A4 and Helvetica, not embedded
    canvas.drawString(72, 72, "hello")
    canvas.showPage()
    canvas.save()
    codes = {p.code for p in check_letters_file(path, renderer.geometry, [Expected("000-000-07E", "60636", 1)]).problems}
    assert {"page_size", "font_not_embedded", "letter_order", "address_missing"} <= codes
    assert ("Helvetica", False) in fonts(path)  # what poppler says too


def test_letters_sample_cli_writes_a_print_ready_file_and_reads_it_back(tmp_path):
    from typer.testing import CliRunner

    from notifier.cli.main import app

    out = tmp_path / "sample.pdf"
    result = CliRunner().invoke(app, ["letters", "sample", "--lang", "es", "--variant", "none_granted", "--out", str(out)])
    assert result.exit_code == 0, result.stderr
    assert "read back" not in result.stderr and "check failed" not in result.stderr
    assert_print_ready(out)
    assert info(out)["Title"].strip() == "Sample letter (es, none_granted)"


def test_the_barcode_a_scanner_sees_is_the_letters_intelligent_mail_barcode(renderer, tmp_path):
    """Rasterized at 600 dpi by poppler, the barcode row must hold 65 bars of USPS-B-3200's width and
    pitch whose ascenders and descenders spell the bars imb.encode computed for this letter."""
    from notifier.letters import imb
    from tests.pdftools import Box, bars

    letter = sample_letter("en", "mixed")
    path, written = write(renderer, tmp_path, letter, "barcode")
    content = renderer.content(7, letter.notice, letter.decisions, letter.address)
    area = renderer.geometry.address_area
    page_height = renderer.geometry.page.height
    lowest_line = Box(area.x, page_height - area.y - 16, area.right, page_height - area.y + 1)  # the barcode's row, from the top
    found = [bar for bar in bars(path, lowest_line) if bar[3] > 3]  # bars, not the letter id's glyphs beside them
    found = found[:65]
    assert len(found) == 65
    assert all(0.015 * 72 - 0.2 <= width <= 0.025 * 72 + 0.2 for _, _, width, _ in found)  # bar width 0.015-0.025 in
    pitch = (found[-1][0] - found[0][0]) / 64
    assert 72 / 24 - 0.05 <= pitch <= 72 / 20 + 0.05  # 20 to 24 bars per inch
    top, bottom = min(t for _, t, _, _ in found), max(t + h for _, t, _, h in found)
    middle = (top + bottom) / 2
    states = "".join({(True, True): "F", (True, False): "A", (False, True): "D", (False, False): "T"}[
        (t < (top + middle) / 2, t + h > (middle + bottom) / 2)] for _, t, _, h in found)
    assert states == content.imb_bars == imb.encode(content.tracking, content.routing)
    assert written.readback == []
