"""Preflight: a mail run's files read back as the print house reads them, before they go out.

From the files alone: the cover sheet lists every file with its letters and SHA-256, the
manifest lists every letter in print order with its ZIP and sheets, and each print file must
hold exactly those letters, each on pages of the configured size, with embedded fonts, its
address and letter id inside the window's clear area and nothing else showing through.
`batches print` runs it on what it wrote and does not mark the batch printed when it fails;
`batches preflight` runs it again at any time (on a copy sent back by the print house too).
"""

from __future__ import annotations

import csv
import re
from dataclasses import dataclass, field
from itertools import islice
from pathlib import Path
from typing import Iterator

from sqlmodel import Session

from notifier.batches.printfiles import batch_folder, sha256
from notifier.batches.store import get_batch
from notifier.errors import ConflictError, NotifierError
from notifier.letters.endorsement import load_endorsement
from notifier.letters.geometry import Geometry, load_geometry
from notifier.letters.readback import (
    Expected,
    FileCheck,
    PrintProblem,
    check_letters_file,
    font_problems,
    open_pdf,
    page_size_problems,
    pages_in_print_file,
    problem,
)
from notifier.settings import Settings

COVER_LINE = re.compile(r"(\S+\.(?:pdf|csv))\s+(\d+)\s+letters\s+([0-9a-f]{64})")
COVER, MANIFEST = "cover.pdf", "manifest.csv"


@dataclass
class PreflightReport:
    batch: int
    files: int = 0
    pages: int = 0
    letters: int = 0
    problems: list[PrintProblem] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems

    @classmethod
    def from_dict(cls, data: dict) -> "PreflightReport":
        return cls(data["batch"], data["files"], data["pages"], data["letters"], [PrintProblem(**p) for p in data["problems"]])

    def as_dict(self) -> dict:
        return {"batch": self.batch, "files": self.files, "pages": self.pages, "letters": self.letters, "problems": [p.as_dict() for p in self.problems]}

    def refusal(self) -> NotifierError:
        first = self.problems[0]
        where = f"{first.file}" + (f" page {first.page}" if first.page else "") + (f" (letter {first.letter_id})" if first.letter_id else "")
        return ConflictError(
            f"batch {self.batch} failed preflight: {len(self.problems)} problem(s), the first {first.code} in {where}",
            todo="see every problem in the batch's preflight, fix the cause and print the batch again",
            action="batches.preflight",
            batch=self.batch,
        )


def read_cover(path: Path) -> list[tuple[str, int, str]] | None:
    """(file name, letters, SHA-256) for every file the cover sheet lists, in its order; None if unreadable."""
    document = open_pdf(path)
    if document is None:
        return None
    try:
        text = "\n".join(page.get_textpage().get_text_range() for page in document)
    finally:
        document.close()
    return [(name, int(letters), digest) for name, letters, digest in COVER_LINE.findall(text)]


def manifest_length(path: Path) -> int | None:
    """How many letters the manifest lists; None if it is not a readable CSV. Read as a stream:
    a run of a million letters has a manifest of a million rows."""
    try:
        with path.open(encoding="utf-8", newline="") as handle:
            return sum(1 for _ in csv.DictReader(handle))
    except (OSError, UnicodeDecodeError, csv.Error):
        return None


def manifest_rows(path: Path) -> Iterator[dict[str, str]]:
    """The manifest's rows in print order, one at a time (manifest_length has read it whole once)."""
    with path.open(encoding="utf-8", newline="") as handle:
        yield from csv.DictReader(handle)


def preflight_folder(folder: Path, geometry: Geometry, batch_id: int, checked: dict[str, FileCheck] | None = None, endorsement: str = "") -> PreflightReport:
    """Every check on the files in `folder`. `checked` holds print files already read back by the
    workers that wrote them: their SHA-256 on the cover proves they are the very bytes checked.
    `endorsement` is the line each window must show above the address, or ""."""
    report = PreflightReport(batch_id)
    cover, manifest = folder / COVER, folder / MANIFEST
    listed = read_cover(cover) if cover.is_file() else None
    length = manifest_length(manifest) if manifest.is_file() else None
    if listed is None:
        report.problems.append(problem("file_missing" if not cover.is_file() else "unreadable_pdf", cover))
        return report
    if length is None:
        report.problems.append(problem("file_missing" if not manifest.is_file() else "manifest_mismatch", manifest, detail="not a readable CSV"))
        return report
    cover_document = open_pdf(cover)
    report.problems += page_size_problems(cover_document, cover, geometry) + font_problems(cover)
    cover_document.close()
    offset = 0
    rows = manifest_rows(manifest)  # taken file by file, in the cover's order
    for name, letters, digest in listed:
        path = folder / name
        if not path.is_file():
            report.problems.append(problem("file_missing", path))
            if name != MANIFEST:
                offset += letters
                for _ in islice(rows, letters):  # its rows: the next file's start after them
                    pass
            continue
        if sha256(path) != digest:
            report.problems.append(problem("checksum_mismatch", path))
        if name == MANIFEST:
            if letters != length:
                report.problems.append(problem("manifest_mismatch", path, detail=f"{length} letters, the cover says {letters}"))
            continue
        expected = [Expected(row["letter_id"], row["zip"], pages_in_print_file(int(row["sheets"]), geometry)) for row in islice(rows, letters)]
        offset += letters
        check = (checked or {}).get(name) or check_letters_file(path, geometry, expected, endorsement)
        report.files += 1
        report.pages += check.pages
        report.letters += len(expected)
        report.problems += check.problems
    if offset != length:
        report.problems.append(problem("manifest_mismatch", manifest, detail=f"the cover's files hold {offset} letters, the manifest lists {length}"))
    unlisted = sorted(p.name for p in folder.glob("print-*.pdf") if p.name not in {name for name, _, _ in listed})
    report.problems += [problem("manifest_mismatch", folder / name, detail="a print file the cover sheet does not list") for name in unlisted]
    return report


def preflight_batch(session: Session, settings: Settings, batch_id: int) -> PreflightReport:
    """The staff action: read a batch's written files back (changes nothing)."""
    batch = get_batch(session, batch_id)
    geometry = load_geometry(settings.config_dir)
    endorsement = load_endorsement(settings.config_dir, geometry)
    return preflight_folder(batch_folder(settings, batch.id), geometry, batch.id, endorsement=endorsement.in_window)
