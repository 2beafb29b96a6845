"""The reference tables in data/: weighted rows, read once."""

from __future__ import annotations

import csv
import random
from functools import cache
from itertools import accumulate
from pathlib import Path

DATA = Path(__file__).parent / "data"


@cache
def table(name: str, group: str | None = None, column: str = "group") -> tuple[list[dict], list[int]]:
    """Rows of a data file (only those whose `column` is `group`, if given) and their cumulative weights."""
    with (DATA / name).open(encoding="utf-8", newline="") as handle:
        rows = [row for row in csv.DictReader(handle) if group is None or row[column] == group]
    return rows, list(accumulate(int(row["weight"]) for row in rows))


def pick(rng: random.Random, name: str, group: str | None = None, column: str = "group") -> dict:
    """One row of a data file, by weight."""
    rows, cumulative = table(name, group, column)
    return rng.choices(rows, cum_weights=cumulative)[0]
