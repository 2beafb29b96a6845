"""Helpers for letter tests: a renderer on the shipped config, PDF text by position."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from pypdf import PdfReader

from notifier.letters.renderer import Renderer
from notifier.settings import Settings

TODAY = date(2026, 11, 25)


@pytest.fixture
def renderer(tmp_path) -> Renderer:
    return Renderer.from_settings(Settings(output_dir=tmp_path / "out"), TODAY)


def page_texts(path: Path) -> list[str]:
    return [page.extract_text() for page in PdfReader(path).pages]


def text_in(path: Path, rect, page: int = 0) -> str:
    """The text whose baseline starts inside `rect` (reportlab points) on one page."""
    found: list[str] = []

    def visit(text, cm, tm, font, size):
        x = tm[4] * cm[0] + tm[5] * cm[2] + cm[4]
        y = tm[4] * cm[1] + tm[5] * cm[3] + cm[5]
        if text.strip() and rect.x <= x <= rect.right and rect.y <= y <= rect.top:
            found.append(text)

    PdfReader(path).pages[page].extract_text(visitor_text=visit)
    return " ".join(found)
