"""Writing CSV files that staff open in spreadsheets: atomic, and safe from formula injection.

A cell starting with = + - @ or a tab/CR would be run as a formula by Excel or LibreOffice;
such a cell is written with a leading apostrophe, which spreadsheets show as text.
"""

from __future__ import annotations

import csv
import os
import tempfile
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Iterable, Iterator

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(value: object) -> str:
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(FORMULA_STARTS) else text


@dataclass(frozen=True)
class Exported:
    """A CSV written for staff (the review queue, the quarantine): how many rows and where."""

    count: int
    path: Path

    def as_dict(self) -> dict:
        return {"exported": self.count, "path": str(self.path)}


def private_dir(path: Path) -> Path:
    """Creates the folder, and each missing folder above it, readable by its owner only (0700).

    Letters, print files and exports hold names, addresses and case numbers of records that
    were cleared: nobody else on the machine may list or read them. Folders that exist already
    keep their mode (an office may have chosen it on purpose).
    """
    missing = [p for p in (path, *path.parents) if not p.exists()]
    for folder in reversed(missing):
        folder.mkdir(mode=0o700, exist_ok=True)
        os.chmod(folder, 0o700)  # mkdir's mode is masked by the umask
    return path


@contextmanager
def atomic_path(path: Path) -> Iterator[Path]:
    """A temporary path beside `path` (owner-only, 0600, in an owner-only folder) to write the file to;
    renamed into place when the block ends, deleted if it fails.

    Readers never see half a file, and a full disk leaves no half-written copy of personal data
    behind. An OSError from a write names no file: it is given `path`, so the message says which.
    """
    private_dir(path.parent)
    handle, name = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")  # mkstemp: 0600
    os.close(handle)
    temp = Path(name)
    try:
        yield temp
        os.chmod(temp, 0o600)  # the writer may have replaced the file mkstemp made
        os.replace(temp, path)
    except BaseException as exc:
        temp.unlink(missing_ok=True)
        if isinstance(exc, OSError) and exc.filename is None:
            exc.filename = str(path)
        raise


def write_csv(path: Path, header: list[str], rows: Iterable[list[object]]) -> int:
    """Writes the rows through atomic_path (owner-only, 0600), synced to disk; returns the row count."""
    count = 0
    with atomic_path(path) as temp, temp.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow([safe_cell(cell) for cell in header])
        for row in rows:
            writer.writerow([safe_cell(cell) for cell in row])
            count += 1
        handle.flush()
        os.fsync(handle.fileno())
    return count


def unsafe_cell(text: str) -> str:
    """Undoes safe_cell when a file we wrote comes back from a spreadsheet."""
    return text[1:] if text.startswith("'") and text[1:].startswith(FORMULA_STARTS) else text
