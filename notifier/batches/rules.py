"""The pure rules of a mail run: which wave a letter belongs to, and the presort order.

Waves come from config/waves.toml; presort groups letters by 5-digit ZIP where a ZIP has
enough of them, then by 3-digit prefix, then the rest (mixed), which is also the sort level
that presorted postage is priced by.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from pathlib import Path

from notifier.errors import ConfigError
from notifier.settings import load_toml

ORDERS = ("disposition_desc", "disposition_asc")


@dataclass(frozen=True)
class Wave:
    name: str
    description: str
    disposition_from: date | None
    disposition_to: date | None
    order: str

    def matches(self, disposition: date | None) -> bool:
        if disposition is None:
            return self.disposition_from is None  # no date: only an open-ended wave takes it
        if self.disposition_from and disposition < self.disposition_from:
            return False
        return not (self.disposition_to and disposition > self.disposition_to)

    def sort_key(self, disposition: date | None, letter_id: int):
        ordinal = disposition.toordinal() if disposition else 0
        return (-ordinal if self.order == "disposition_desc" else ordinal, letter_id)


def load_waves(config_dir: Path) -> list[Wave]:
    path = config_dir / "waves.toml"
    waves = []
    for entry in load_toml(path).get("waves", []):
        order = entry.get("order", "disposition_desc")
        if order not in ORDERS or "name" not in entry:
            raise ConfigError(f"wave {entry.get('name', '?')} needs a name and an order of {', '.join(ORDERS)}", where=str(path))
        waves.append(Wave(entry["name"], entry.get("description", ""), entry.get("disposition_from"), entry.get("disposition_to"), order))
    if not waves:
        raise ConfigError("no waves defined", where=str(path), todo="define at least one [[waves]] entry")
    return waves


def wave_of(waves: list[Wave], disposition: date | None) -> Wave | None:
    return next((wave for wave in waves if wave.matches(disposition)), None)


@dataclass(frozen=True)
class Sorted:
    letter_id: int
    zip5: str
    sort_level: str  # 5_digit, aadc, mixed_aadc


def presort(letters: list[tuple[int, str]], min_5_digit: int, min_3_digit: int) -> list[Sorted]:
    """(letter id, ZIP5) pairs in print order: 5-digit groups, then 3-digit groups, then mixed.

    Within a group letters go by ZIP, then by letter id, so the order is the same every time.
    """
    by_5: dict[str, list[int]] = {}
    for letter_id, zip5 in letters:
        by_5.setdefault(zip5, []).append(letter_id)
    five, rest = [], []
    for zip5 in sorted(by_5):
        (five if len(by_5[zip5]) >= min_5_digit else rest).extend((letter_id, zip5) for letter_id in sorted(by_5[zip5]))
    by_3: dict[str, list[tuple[int, str]]] = {}
    for letter_id, zip5 in rest:
        by_3.setdefault(zip5[:3], []).append((letter_id, zip5))
    three, mixed = [], []
    for prefix in sorted(by_3):
        (three if len(by_3[prefix]) >= min_3_digit else mixed).extend(sorted(by_3[prefix], key=lambda item: (item[1], item[0])))
    return (
        [Sorted(i, z, "5_digit") for i, z in five]
        + [Sorted(i, z, "aadc") for i, z in three]
        + [Sorted(i, z, "mixed_aadc") for i, z in sorted(mixed, key=lambda item: (item[1], item[0]))]
    )
