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
        if kind is not None:
            Path(self.temp).unlink(missing_ok=True)
            return
        try:
            self.canvas.save()
            os.chmod(self.temp, 0o600)  # names and addresses: readable by the owner only
            os.replace(self.temp, self.path)
        except BaseException as exc:
            Path(self.temp).unlink(missing_ok=True)  # a half-written file (a full disk) must not stay behind
            if isinstance(exc, OSError) and exc.filename is None:
                exc.filename = str(self.path)  # a failed write names no file: say which one
            raise


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
    handle = tempfile.NamedTemporaryFile("wb", dir=path.parent, prefix=f".{path.name}.", suffix=".tmp", delete=False)  # 0600
    try:
        with handle:
            writer.write(handle)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(handle.name, path)
    except BaseException:
        Path(handle.name).unlink(missing_ok=True)
        raise
