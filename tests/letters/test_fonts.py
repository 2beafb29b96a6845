"""The subset cache gives, in every document, exactly the codes reportlab assigns without it."""

import io

from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.pdfgen.canvas import Canvas

from notifier.letters import fonts


def _doc():
    fonts.register_fonts()
    return Canvas(io.BytesIO())._doc


def test_a_cached_string_keeps_the_codes_reportlab_gives_it_in_that_document():
    fonts.register_fonts()
    font = pdfmetrics.getFont(fonts.REGULAR)
    assert isinstance(font, fonts.SubsetCachingTTFont)
    first, second = _doc(), _doc()
    # ASCII keeps its own codes; other characters are numbered in the order a document first draws them.
    font.splitString("ñüé", first)
    font.splitString("ÆØÅ", second)
    one = font.splitString("Ana ÆØÅ", first)
    assert font.splitString("Ana ÆØÅ", first) is one  # answered from the cache
    assert one == TTFont.splitString(font, "Ana ÆØÅ", first)  # what reportlab computes, uncached
    assert font.splitString("Ana ÆØÅ", second) == TTFont.splitString(font, "Ana ÆØÅ", second)
    assert font.splitString("Ana ÆØÅ", first) != font.splitString("Ana ÆØÅ", second)  # never shared across documents
    # Characters assigned later do not change a cached string's codes.
    font.splitString("Núñez Ωμέγα 123", first)
    assert font.splitString("Ana ÆØÅ", first) == TTFont.splitString(font, "Ana ÆØÅ", first)


def test_drawn_files_are_the_same_bytes_with_and_without_the_cache(monkeypatch):
    def draw() -> bytes:
        out = io.BytesIO()
        canvas = Canvas(out, invariant=1)
        for size, line in enumerate(["Dear Ana Núñez,", "Your record", "Dear Ana Núñez,", "ÆØÅ Your record"] * 3):
            fonts.draw(canvas, 72, 700 - 20 * size, line, fonts.REGULAR, 11)
            fonts.draw(canvas, 72, 690 - 20 * size, line, fonts.BOLD, 11)
        canvas.showPage()
        canvas.save()
        return out.getvalue()

    fonts.register_fonts()
    cached = draw()
    monkeypatch.setattr(fonts.SubsetCachingTTFont, "splitString", TTFont.splitString)
    assert draw() == cached
