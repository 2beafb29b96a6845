"""Letters read as a reader and a print house would: text, window, language, checks, determinism."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest

from notifier.letters.checks import check_letter
from notifier.letters.layout import draw_letter
from notifier.letters.samples import sample_letter
from tests.letters.conftest import page_texts, text_in


def render(renderer, tmp_path: Path, *, language="en", variant="mixed", number=7, geometry=None, **notice_changes):
    letter = sample_letter(language, variant)
    letter.notice.update(notice_changes)
    content = renderer.content(number, letter.notice, letter.decisions, letter.address)
    path = tmp_path / f"{language}-{variant}-{number}.pdf"
    with renderer.pdf(path, "test letter") as canvas:
        drawn = draw_letter(canvas, content, geometry or renderer.geometry)
    return path, content, drawn


def codes(renderer, content, drawn, geometry=None) -> list[str]:
    return [f.code for f in check_letter(content, drawn, geometry or renderer.geometry)]


def test_a_reader_finds_name_cases_and_letter_id_on_every_page(renderer, tmp_path):
    path, content, drawn = render(renderer, tmp_path)
    pages = page_texts(path)
    assert drawn.pages == len(pages) >= 1
    text = " ".join(pages)
    assert "Ana Lucía O'Brien <& Sons> Núñez" in text  # escaped values print literally
    for case in ("2009-CR-0012345", "2011-CR-0098765", "2015-CR-0011111"):
        assert case in text
    for number, page in enumerate(pages, start=1):
        assert content.letter_id in page and f"Page {number} of {len(pages)}" in page
    assert codes(renderer, content, drawn) == []


def test_only_the_address_block_and_letter_id_show_through_the_window(renderer, tmp_path):
    path, content, _ = render(renderer, tmp_path)
    window = renderer.geometry.window.shrink(-renderer.geometry.clearance)
    seen = text_in(path, window)
    expected = " ".join([*content.recipient, content.letter_id])
    assert sorted(seen.split()) == sorted(expected.split())
    for word in ("cannabis", "court", "conviction", "expunge", "Case"):
        assert word.lower() not in seen.lower()


def test_spanish_letters_for_spanish_speakers(renderer, tmp_path):
    path, content, _ = render(renderer, tmp_path, language="es")
    text = " ".join(page_texts(path))
    assert "Estimado(a) Ana Lucía O'Brien <& Sons> Núñez:" in text
    assert "Página 1 de" in text and "Número de carta" in text
    assert "Dear" not in text and "Page 1 of" not in text


def test_a_language_without_templates_gets_english_and_a_call_us_block(renderer, tmp_path):
    path, content, _ = render(renderer, tmp_path, language="pl")
    text = " ".join(page_texts(path))
    assert "Dear" in text and "(312) 555-0142" in content.blocks[0].text


@pytest.mark.parametrize("variant, present, absent", [("all_granted", "2009-CR-0012345", "2015-CR-0011111"), ("none_granted", "2015-CR-0011111", "2009-CR-0012345")])
def test_variants(renderer, tmp_path, variant, present, absent):
    path, content, _ = render(renderer, tmp_path, variant=variant)
    text = " ".join(page_texts(path))
    assert present in text and absent not in text and content.variant == variant


def test_same_letter_same_bytes(renderer, tmp_path):
    first, _, _ = render(renderer, tmp_path / "a")
    second, _, _ = render(renderer, tmp_path / "b")
    assert first.read_bytes() == second.read_bytes()


def test_a_name_in_han_script_prints_and_missing_glyph_is_what_no_font_draws(renderer, tmp_path):
    path, content, drawn = render(renderer, tmp_path, first_name="伟", last_name="王")
    assert "missing_glyph" not in codes(renderer, content, drawn)  # a shipped font draws Han (it used to fail)
    assert "伟" in page_texts(path)[0]
    sample = sample_letter("en", "mixed")
    sample.decisions[0]["offense"] = "Possession ก"  # Thai: no shipped font draws it
    content = renderer.content(7, sample.notice, sample.decisions, sample.address)
    with renderer.pdf(tmp_path / "thai.pdf", "test letter") as canvas:
        drawn = draw_letter(canvas, content, renderer.geometry)
    assert "missing_glyph" in codes(renderer, content, drawn)


def test_geometry_checks_have_their_codes(renderer, tmp_path):
    g = renderer.geometry
    small_window = replace(g, window=replace(g.window, width=g.window.width / 3))
    _, content, drawn = render(renderer, tmp_path, geometry=g)
    assert "address_outside_window" in codes(renderer, content, drawn, small_window)
    low_window = replace(g, window=replace(g.window, y=g.window.y - 120))
    assert "content_in_window" in codes(renderer, content, drawn, low_window)
    wide_margins = replace(g, printable=g.printable.shrink(60))
    assert "outside_printable_area" in codes(renderer, content, drawn, wide_margins)
    assert "too_many_sheets" in codes(renderer, content, drawn, replace(g, max_sheets=0))
    assert "too_heavy" in codes(renderer, content, drawn, replace(g, max_weight_oz=g.envelope_weight_oz))
    assert "no_barcode" in codes(renderer, replace(content, imb_bars=""), drawn)


@pytest.mark.parametrize("language, variant, name", [("en", "mixed", None), ("es", "all_granted", None), ("vi", "none_granted", "Ánh"), ("zh", "mixed", "秀英")])
def test_laying_out_without_a_canvas_records_what_drawing_records(renderer, tmp_path, language, variant, name):
    """Render checks the letter laid out (no canvas) and print draws it: both must see the same pages and boxes."""
    changes = {"first_name": name} if name else {}
    path, content, drawn = render(renderer, tmp_path, language=language, variant=variant, **changes)
    laid_out = draw_letter(None, content, renderer.geometry)
    assert laid_out.pages == drawn.pages == len(page_texts(path))
    assert laid_out.boxes == drawn.boxes
