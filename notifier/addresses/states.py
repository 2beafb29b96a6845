"""State codes and names (Pub 28 Appendix B), read from data/states.csv."""

from __future__ import annotations

import csv
from functools import cache
from pathlib import Path

DATA = Path(__file__).parent / "data" / "states.csv"


@cache
def _table() -> dict[str, str]:
    """Upper-cased code or name -> code."""
    table: dict[str, str] = {}
    with DATA.open(encoding="utf-8", newline="") as handle:
        for row in csv.DictReader(handle):
            table[row["code"].upper()] = row["code"]
            table[" ".join(row["name"].upper().split())] = row["code"]
    return table


def state_code(text: str) -> str | None:
    """'IL', 'il', 'Illinois' and ' illinois ' all give 'IL'; anything else gives None."""
    return _table().get(" ".join(text.replace(".", "").upper().split()))


@cache
def state_name(code: str) -> str:
    """'IL' gives 'Illinois'."""
    with DATA.open(encoding="utf-8", newline="") as handle:
        for row in csv.DictReader(handle):
            if row["code"] == code:
                return row["name"]
    raise KeyError(code)
