"""The people's addresses as a second file, the way a DMV or state-ID match comes back.

One row per person with the columns `notifier addresses import` reads (`person_id`,
`address_line1`, `address_line2`, `city`, `state`, `zip`), in the person's latest spelling of
it. Like a real match it misses some people: about 95% of those with an address get a row.
Its own random stream (seeded from the export's seed) decides who, so the export itself is
the same file whether or not the addresses are written.
"""

from __future__ import annotations

import csv
import random
from collections.abc import Callable, Iterator
from pathlib import Path

from notifier.intake.address_file import COLUMNS
from notifier.intake.fields import ADDRESS_FIELDS

MATCHED_SHARE = 0.95
HEADER = [name for name in COLUMNS if name != "language"]


class AddressFileWriter:
    """Passes the decision rows through, person by person, writing each person's address as they go by."""

    def __init__(self, path: Path, seed: int, person_key: Callable[[str], str]):
        self.path = path
        self.rng = random.Random(f"addresses:{seed}")
        self.person_key = person_key  # the export's person id -> the id the address file names (gogen: the CII)
        self.rows = 0

    def tap(self, rows: Iterator[dict]) -> Iterator[dict]:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        with self.path.open("w", encoding="utf-8", newline="") as handle:
            writer = csv.writer(handle)
            writer.writerow(HEADER)
            latest: dict | None = None
            for row in rows:
                if latest is not None and row["person_id"] != latest["person_id"]:
                    self._write(writer, latest)
                latest = row  # a person who moved has their newest address on their last row
                yield row
            if latest is not None:
                self._write(writer, latest)

    def _write(self, writer, row: dict) -> None:
        matched = self.rng.random() < MATCHED_SHARE  # drawn for everyone, so that who is missing depends on the seed only
        if matched and row["address_line1"]:
            writer.writerow([self.person_key(row["person_id"]), *(row[name] for name in ADDRESS_FIELDS)])
            self.rows += 1
