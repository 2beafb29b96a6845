"""Print files of a frozen batch: presorted PDFs, a manifest CSV and a cover sheet.

Letters are drawn again in presort order, dated with the batch's mail date, into files of at
most `letters_per_file` letters; with duplex printing a letter with an odd page count gets a
blank back so that the next one starts on a front side. Everything is written atomically and
deterministically: printing a printed batch again gives byte-identical files.

Each print file is read back as soon as it is written (letters/readback.py), by whichever
worker wrote it, and its problems travel with the file's record; the batch's preflight adds
the checks across files (see preflight.py).
"""

from __future__ import annotations

import hashlib
from dataclasses import replace
from decimal import Decimal
from pathlib import Path

import sqlalchemy as sa
from reportlab.lib.units import inch
from sqlmodel import Session, select

from notifier.costs.money import dollars
from notifier.csvfiles import write_csv
from notifier.letters.ids import make_letter_id
from notifier.letters import fonts
from notifier.letters.fonts import BOLD, REGULAR
from notifier.letters.layout import draw_letter
from notifier.letters.readback import Expected, check_letters_file, pages_in_print_file
from notifier.letters.renderer import Renderer
from notifier.letters.store import notice_rows
from notifier.models import Address, Batch, Letter
from notifier.settings import Settings

MANIFEST_COLUMNS = ["sequence", "letter_id", "imb_serial", "zip", "sheets", "ounces", "postage_class", "postage_cents"]


def sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def batch_folder(settings: Settings, batch_id: int) -> Path:
    return settings.output_dir / "batches" / f"batch-{batch_id:05d}"


def file_count(session: Session, batch: Batch, letters_per_file: int) -> int:
    letters = session.scalar(select(sa.func.count(Letter.id)).where(Letter.batch_id == batch.id)) or 0
    return -(-letters // letters_per_file)


def write_print_file(session: Session, batch: Batch, renderer: Renderer, number: int, letters_per_file: int) -> dict:
    """Print file `number` (1-based): the letters with sequence in ((number-1)*L, number*L], drawn again in that order.

    Sequences run 1..n without gaps once a batch is frozen, so any worker can write any file.
    """
    renderer = replace(renderer, today=batch.mail_date)
    letters = session.execute(
        select(Letter.id, Letter.notice_id, Letter.sequence, Letter.sheets)
        .where(Letter.batch_id == batch.id, Letter.sequence > (number - 1) * letters_per_file, Letter.sequence <= number * letters_per_file)
        .order_by(Letter.sequence)
    ).all()
    rows = notice_rows(session, [letter.notice_id for letter in letters])
    path = batch_folder(renderer.settings, batch.id) / f"print-{number:03d}.pdf"
    title = f"Mail run {batch.id}, file {number} of {file_count(session, batch, letters_per_file)}"
    with renderer.pdf(path, title) as canvas:
        for letter in letters:
            notice, decisions, address = rows[letter.notice_id]
            content = renderer.content(letter.id, notice, decisions, address)
            drawn = draw_letter(canvas, content, renderer.geometry)
            if renderer.geometry.duplex and drawn.pages % 2:
                canvas.showPage()  # blank back: the next letter starts on a front side
    expected = [Expected(make_letter_id(letter.id), rows[letter.notice_id].address["zip5"], pages_in_print_file(letter.sheets, renderer.geometry)) for letter in letters]
    read = check_letters_file(path, renderer.geometry, expected, renderer.endorsement.in_window)
    return {"path": str(path), "sha256": sha256(path), "letters": len(letters), "pages": read.pages, "problems": [p.as_dict() for p in read.problems]}


def write_manifest_and_cover(session: Session, batch: Batch, renderer: Renderer, files: list[dict]) -> list[dict]:
    folder = batch_folder(renderer.settings, batch.id)
    manifest_path = folder / "manifest.csv"
    count = write_csv(manifest_path, MANIFEST_COLUMNS, _manifest_rows(session, batch))
    files = files + [{"path": str(manifest_path), "sha256": sha256(manifest_path), "letters": count}]
    cover = folder / "cover.pdf"
    sheets = session.scalar(select(sa.func.coalesce(sa.func.sum(Letter.sheets), 0)).where(Letter.batch_id == batch.id))
    _cover_sheet(cover, renderer, batch, files, count, sheets)
    return [files[-1], {"path": str(cover), "sha256": sha256(cover), "letters": 0}]


def _manifest_rows(session: Session, batch: Batch):
    """One row per letter in print order, read in chunks (never the whole batch at once)."""
    after = 0
    while True:
        rows = session.execute(
            select(Letter.sequence, Letter.id, Address.zip5, Letter.sheets, Letter.weight_hundredths_oz, Letter.postage_cents)
            .join(Address, Address.notice_id == Letter.notice_id)
            .where(Letter.batch_id == batch.id, Letter.sequence > after)
            .order_by(Letter.sequence)
            .limit(5000)
        ).all()
        if not rows:
            return
        after = rows[-1].sequence
        for r in rows:
            yield [r.sequence, make_letter_id(r.id), r.id, r.zip5, r.sheets, f"{Decimal(r.weight_hundredths_oz) / 100:.2f}", batch.postage_class, r.postage_cents]


def _cover_sheet(path: Path, renderer: Renderer, batch: Batch, files: list[dict], letters: int, sheets: int) -> None:
    """Counts, totals and checksums for the print house: no names, no case data. As many pages as the file list needs."""
    total = (batch.postage_cents or 0) + (batch.print_cents or 0) + (batch.envelope_cents or 0)
    lines = [
        (BOLD, 16, f"Mail run {batch.id}"),
        (REGULAR, 11, f"Mail date {batch.mail_date.isoformat()}   Postage class {batch.postage_class}   Wave {batch.wave or 'all'}"),
        (REGULAR, 11, f"Letters {letters}   Sheets {sheets}"),
        (REGULAR, 11, f"Estimate: postage {dollars(batch.postage_cents or 0)}  print {dollars(batch.print_cents or 0)}  "
                      f"envelopes {dollars(batch.envelope_cents or 0)}  total {dollars(total)}"),
        *([(BOLD, 11, f"Envelopes: {renderer.endorsement.on_envelope} printed below the return address")] if renderer.endorsement.on_envelope else []),
        (BOLD, 11, "Files (SHA-256)"),
        *((REGULAR, 8, f"{Path(f['path']).name}  {f['letters']} letters  {f['sha256']}") for f in files),
    ]
    printable = renderer.geometry.printable
    with renderer.pdf(path, f"Mail run {batch.id}, cover sheet") as canvas:
        y = printable.top - 0.5 * inch
        for font, size, text in lines:
            if y < printable.y + size:
                canvas.showPage()
                y = printable.top - 0.5 * inch
            fonts.draw(canvas, printable.x + 0.5 * inch, y, text, font, size)
            y -= size * 1.8
        canvas.showPage()
