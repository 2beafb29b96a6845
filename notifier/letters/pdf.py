"""PDF files as a print house wants them: the configured paper size, only embedded fonts,
metadata that says what the file is (and nothing about the people in it), written atomically.
"""

from __future__ import annotations

import gc
import os
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator

from reportlab.pdfgen.canvas import Canvas

from notifier.csvfiles import atomic_path
from notifier.letters.fonts import REGULAR, register_fonts

CREATOR = "notifier"


def new_canvas(target, *, page_size: tuple[float, float], title: str, author: str) -> Canvas:
    """A canvas on `target` (a path or a file object) whose every page is `page_size` points.

    reportlab starts each page with a default font (Helvetica, which is never embedded), so
    the initial font is the embedded one; the files are reproducible (`invariant`), so
    printing a batch again gives identical bytes.
    """
    register_fonts()
    canvas = Canvas(target, pagesize=page_size, invariant=1, pageCompression=1, initialFontName=REGULAR, initialFontSize=10)
    canvas.setTitle(title)
    canvas.setAuthor(author)
    canvas.setCreator(CREATOR)
    canvas.setSubject("")
    return canvas


@contextmanager
def atomic_pdf(path: Path, *, page_size: tuple[float, float], title: str, author: str) -> Iterator[Canvas]:
    """A canvas writing through csvfiles.atomic_path: the PDF appears whole, owner-only, or not at all."""
    with atomic_path(path) as temp, _cycle_collector_paused():
        canvas = new_canvas(str(temp), page_size=page_size, title=title, author=author)
        yield canvas
        canvas.save()


@contextmanager
def _cycle_collector_paused() -> Iterator[None]:
    """A file of 1,000 letters is hundreds of thousands of small objects that all live until it
    is saved; Python's cycle collector would walk them again and again (a sixth of saving a
    print file, measured). Reference counting still frees what is dropped; the collector
    runs again once the file is written."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def page_count(path: Path) -> int:
    from pypdf import PdfReader

    return len(PdfReader(path).pages)


def keep_pages(path: Path, pages: list[int]) -> None:
    """Rewrites the PDF at `path` with only these pages (numbered from 0, in this order), atomically and owner-only.

    For the retention purge: a file of many letters loses the pages of the letters whose
    personal data was erased and keeps the others'.
    """
    from pypdf import PdfReader, PdfWriter

    reader = PdfReader(path)
    writer = PdfWriter()
    for number in pages:
        writer.add_page(reader.pages[number])
    if reader.metadata:
        writer.add_metadata({key: value for key, value in reader.metadata.items() if isinstance(value, str)})
    with atomic_path(path) as temp, temp.open("wb") as handle:
        writer.write(handle)
        handle.flush()
        os.fsync(handle.fileno())
