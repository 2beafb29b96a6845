"""The Pub 28 tables of data/, loaded once: spellings -> standard forms."""

from __future__ import annotations

import csv
from functools import cache
from pathlib import Path

DATA = Path(__file__).parent / "data"


def _rows(name: str) -> list[dict[str, str]]:
    with (DATA / name).open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


@cache
def street_suffixes() -> dict[str, tuple[str, str]]:
    """Any C1 spelling -> (standard abbreviation, primary name): AVENUE, AV, AVE -> (AVE, AVENUE)."""
    return {row["spelling"]: (row["standard"], row["name"]) for row in _rows("street_suffixes.csv")}


@cache
def unit_designators() -> dict[str, str]:
    """Any C2 spelling -> standard designator: APARTMENT -> APT, SUITE -> STE."""
    return {row["spelling"]: row["standard"] for row in _rows("unit_designators.csv")}


@cache
def directionals() -> dict[str, str]:
    """NORTH -> N, SOUTHWEST -> SW, and each standard form to itself."""
    return {row["spelling"]: row["standard"] for row in _rows("directionals.csv")}


@cache
def not_an_address() -> frozenset[str]:
    """Whole lines that mean "no usable address" (HOMELESS, UNKNOWN, N A ...)."""
    return frozenset(row["text"] for row in _rows("not_an_address.csv"))


@cache
def facility_words() -> frozenset[str]:
    """Words that name a jail, prison, shelter, hospital or other organisation (JAIL, CORRECTIONAL, MISSION ...)."""
    return frozenset(row["word"] for row in _rows("facility_words.csv"))


@cache
def ordinal_words() -> dict[str, str]:
    """Spelled-out ordinals -> their number: SECOND -> 2 (for SECOND FLOOR -> FL 2)."""
    return {row["word"]: row["number"] for row in _rows("ordinal_words.csv")}


@cache
def military_zip_prefixes() -> dict[str, tuple[str, ...]]:
    """Military state code (AA, AE, AP) -> the ZIP3 prefixes USPS assigns to it."""
    table: dict[str, tuple[str, ...]] = {}
    for row in _rows("military.csv"):
        table[row["state"]] = table.get(row["state"], ()) + (row["zip3"],)
    return table
