"""The output disk fills up while a batch is printed (rendering writes no file: letters are drawn when printed).

No tmpfs can be mounted without root, so the write itself fails: half of the file reaches the
disk, then the write raises OSError(ENOSPC) naming no file, as the kernel's error does. The
command must stop at once (another attempt would meet the same full disk), leave no
half-written file, and say in one line that the disk is full, which file, and what to do. Once
there is space again, the same command finishes with the files a clean run writes.
"""

from __future__ import annotations

import errno
import os
from pathlib import Path

import pytest
from reportlab.pdfgen.canvas import Canvas

from tests.faults.conftest import MAIL_DATE, assert_one_clear_line, counts, files, leftovers, letters, print_events


class FullDisk:
    """The disk is full while the `nth` file whose name starts with `prefix` is written (PDFs and CSVs alike)."""

    def __init__(self, monkeypatch, prefix: str, nth: int = 1):
        self.prefix, self.nth = prefix, nth
        self.full, self.seen, self.failures = True, 0, 0
        real_save, real_fsync = Canvas.save, os.fsync

        def save(canvas):
            if self._hit(Path(canvas._filename).name):  # letters/pdf.py's temporary file beside the PDF
                data = canvas.getpdfdata()
                Path(canvas._filename).write_bytes(data[: len(data) // 2])
                self._fail()
            return real_save(canvas)

        def fsync(fd):  # csvfiles.write_csv syncs its temporary file before the rename: where a full disk shows
            if self._hit(os.path.basename(os.readlink(f"/proc/self/fd/{fd}"))):
                self._fail()
            return real_fsync(fd)

        monkeypatch.setattr(Canvas, "save", save)
        if prefix.endswith(".csv"):
            if not Path("/proc/self/fd").is_dir():
                pytest.skip("needs /proc to tell which file is synced")
            monkeypatch.setattr(os, "fsync", fsync)

    def _hit(self, temporary_name: str) -> bool:
        if not (self.full and temporary_name.startswith(f".{self.prefix}")):
            return False
        self.seen += 1
        return self.seen >= self.nth

    def _fail(self) -> None:
        self.failures += 1
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))


def assert_disk_full(outcome, where: str) -> None:
    assert_one_clear_line(outcome, "the disk is full", where, "free space on that disk", "run the same command again")


@pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)  # the same on PostgreSQL: the full disk is the files' business
@pytest.mark.parametrize("target", ["print-002.pdf", "manifest.csv"])
def test_a_full_disk_while_printing_stops_with_a_clear_line_and_the_same_command_prints_identical_files(
    target, db_url, output, notifier, fault_export, reference, monkeypatch
):
    monkeypatch.setenv("NOTIFIER_DATABASE_URL", db_url)
    notifier("run", fault_export)
    batch = notifier("batches", "create", "--mail-date", MAIL_DATE, "--json").json()["id"]
    notifier("batches", "freeze", batch)
    folder = output / "batches" / "batch-00001"
    disk = FullDisk(monkeypatch, target)
    stopped = notifier("batches", "print", batch, "--json", ok=False)
    assert_disk_full(stopped, str(folder / target))
    assert disk.failures == 1, "no attempt after attempt against a full disk"
    assert not (folder / target).exists() and leftovers(output) == []  # nothing half-written stays
    assert notifier("batches", "show", batch, "--json").json()["state"] == "frozen"

    disk.full = False  # space again
    printed = notifier("batches", "print", batch, "--json").json()
    assert printed["state"] == "printed"
    assert files(output / "batches") == reference.print_files
    assert letters(db_url) == reference.letters_after_print and counts(db_url) == reference.counts_after_print
    assert print_events(db_url) == 1

    # The print run the full disk stopped still has queued tasks: `resume` finishes it, changing nothing.
    assert notifier("resume", "--json").json()["sent"] >= 1
    status = notifier("status", "--json").json()
    assert (status["queued"], status["in_progress"], status["failed"], status["runs_in_progress"]) == (0, 0, 0, [])
    assert files(output / "batches") == reference.print_files and print_events(db_url) == 1
