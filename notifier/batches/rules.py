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


SORT_LEVELS = ("5_digit", "aadc", "mixed_aadc")  # print order, and the presorted price levels


def sort_levels(zip_counts: dict[str, int], min_5_digit: int, min_3_digit: int) -> dict[str, str]:
    """Each ZIP's sort level: its own 5-digit group if it has enough letters, else its 3-digit group, else mixed.

    Only counts are needed, so a batch of any size is presorted in memory the size of its ZIP list;
    the print order is then level, ZIP, letter id.
    """
    levels = {zip5: "5_digit" for zip5, count in zip_counts.items() if count >= min_5_digit}
    by_3: dict[str, int] = {}
    for zip5, count in zip_counts.items():
        if zip5 not in levels:
            by_3[zip5[:3]] = by_3.get(zip5[:3], 0) + count
    for zip5 in zip_counts:
        if zip5 not in levels:
            levels[zip5] = "aadc" if by_3[zip5[:3]] >= min_3_digit else "mixed_aadc"
    return levels
