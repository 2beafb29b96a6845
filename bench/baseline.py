"""The shared baseline of the drawing benchmarks: the same letters' text on a bare reportlab canvas.

Recipient block and body text (wrapped with reportlab's simpleSplit at the letter's text
width) drawn with canvas.drawString, `per_file` letters per PDF: what drawing costs without
templates, layout rules, barcodes, checks or a database.
"""

from __future__ import annotations

import time
from pathlib import Path


def draw_baseline(renderer, out: Path, letters: int, per_file: int) -> dict:
    from reportlab.lib.utils import simpleSplit
    from reportlab.pdfgen.canvas import Canvas

    from notifier.letters.fonts import REGULAR, register_fonts
    from notifier.letters.samples import sample_letter

    register_fonts()
    texts = []
    for variant in ("all_granted", "mixed", "none_granted"):
        sample = sample_letter("en", variant)
        content = renderer.content(1, sample.notice, sample.decisions, sample.address)
        texts.append((content.recipient, [b.text.replace("**", "") for b in content.blocks]))
    width = renderer.geometry.printable.width
    started = time.perf_counter()
    canvas = None
    for number in range(letters):
        if number % per_file == 0:
            if canvas:
                canvas.save()
            page = renderer.geometry.page  # the same paper and starting font as the letters: a fair baseline
            canvas = Canvas(str(out / f"baseline-{number // per_file:03d}.pdf"), pagesize=(page.width, page.height), invariant=1, pageCompression=1, initialFontName=REGULAR)
        recipient, blocks = texts[number % len(texts)]
        y = 700
        canvas.setFont(REGULAR, 10)
        for line in recipient:
            canvas.drawString(72, y, line)
            y -= 12
        y -= 40
        for text in blocks:
            for line in simpleSplit(text, REGULAR, 10.5, width):
                if y < 60:
                    canvas.showPage()
                    canvas.setFont(REGULAR, 10.5)
                    y = 720
                canvas.drawString(36, y, line)
                y -= 14
            y -= 7
        canvas.showPage()
    canvas.save()
    return {"letters": letters, "seconds": time.perf_counter() - started}
