"""PDF files as a print house wants them: the configured paper size, only embedded fonts,
metadata that says what the file is (and nothing about the people in it), written atomically.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

from reportlab.pdfgen.canvas import Canvas

from notifier.csvfiles import private_dir
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


class atomic_pdf:
    """A canvas writing to a temporary file beside `path`, renamed into place when done."""

    def __init__(self, path: Path, *, page_size: tuple[float, float], title: str, author: str):
        self.path = path
        self.options = {"page_size": page_size, "title": title, "author": author}

    def __enter__(self) -> Canvas:
        private_dir(self.path.parent)
        handle, self.temp = tempfile.mkstemp(dir=self.path.parent, prefix=f".{self.path.name}.", suffix=".tmp")
        os.close(handle)
        self.canvas = new_canvas(self.temp, **self.options)
        return self.canvas

    def __exit__(self, kind, value, traceback) -> None:
        if kind is None:
            self.canvas.save()
            os.chmod(self.temp, 0o600)  # names and addresses: readable by the owner only
            os.replace(self.temp, self.path)
        else:
            Path(self.temp).unlink(missing_ok=True)
