"""Dated rate tables (config/rates/*.toml) and the arithmetic that turns a letter into cents.

Every price has an effective-from date; an estimate uses the prices in force on the batch's
mail date. Each table says through which date it is known to be current, and a mail date
after that is refused: a silent old price is worse than a clear error.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from pathlib import Path

from notifier.errors import ConfigError, RateError
from notifier.settings import load_toml


@dataclass(frozen=True)
class Period:
    effective_from: date
    source: str
    values: dict


@dataclass(frozen=True)
class RateTable:
    name: str
    path: str
    known_through: date
    periods: tuple[Period, ...]  # oldest first

    def on(self, day: date) -> Period:
        """The period in force on `day`."""
        if day > self.known_through:
            raise RateError(
                f"{self.name} prices are only known through {self.known_through}, not for {day}",
                where=self.path,
                todo="add the prices in force on that date (with their source) and move known_through",
            )
        current = [p for p in self.periods if p.effective_from <= day]
        if not current:
            raise RateError(f"no {self.name} prices before {self.periods[0].effective_from}", where=self.path, todo="choose a later mail date")
        return current[-1]


def load_table(path: Path) -> RateTable:
    data = load_toml(path)
    try:
        periods = tuple(Period(p["effective_from"], p["source"], p) for p in data["periods"])
        table = RateTable(path.stem, str(path), data["known_through"], periods)
    except KeyError as exc:
        raise ConfigError(f"missing {exc}", where=str(path), todo="every table needs known_through and periods with effective_from and source") from None
    if list(periods) != sorted(periods, key=lambda p: p.effective_from):
        raise ConfigError("periods are not in date order", where=str(path), todo="list them oldest first")
    return table


@dataclass(frozen=True)
class Rates:
    """Postage and print tables, loaded once."""

    postage: RateTable
    printing: RateTable

    @classmethod
    def load(cls, config_dir: Path) -> "Rates":
        return cls(load_table(config_dir / "rates" / "postage.toml"), load_table(config_dir / "rates" / "print.toml"))


@dataclass(frozen=True)
class LetterCost:
    postage_cents: int
    print_cents: int
    envelope_cents: int

    @property
    def total_cents(self) -> int:
        return self.postage_cents + self.print_cents + self.envelope_cents


def postage_classes(period: Period) -> list[str]:
    """The postage classes priced in a period (config/rates/postage.toml)."""
    return sorted(period.values.get("classes", {}))


def postage_cents(period: Period, postage_class: str, ounces: Decimal, sort_level: str = "", nonmachinable: bool = False) -> int:
    """First ounce, plus each additional ounce or fraction of one, plus any surcharge."""
    prices = period.values.get("classes", {}).get(postage_class)
    if prices is None:
        raise RateError(f"no prices for postage class '{postage_class}' from {period.effective_from}", todo="use a class listed in config/rates/postage.toml")
    if ounces > Decimal(str(prices.get("max_ounces", 3.5))):
        raise RateError(f"{ounces} oz is over the {prices.get('max_ounces', 3.5)} oz limit of {postage_class}")
    if "first_ounce_by_sort" in prices:
        by_sort = prices["first_ounce_by_sort"]
        if sort_level not in by_sort:
            raise RateError(f"no {postage_class} price for sort level '{sort_level}' from {period.effective_from}", todo="fill it in config/rates/postage.toml")
        first = by_sort[sort_level]
    elif "first_ounce" in prices:
        first = prices["first_ounce"]
    else:
        raise RateError(f"{postage_class} has no first-ounce price from {period.effective_from}", todo="fill it in config/rates/postage.toml")
    extra_ounces = max(0, math.ceil(ounces) - 1)
    for needed, key in ((extra_ounces > 0, "additional_ounce"), (nonmachinable, "nonmachinable_surcharge")):
        if needed and key not in prices:
            raise RateError(f"{postage_class} has no {key} price from {period.effective_from}", todo="fill it in config/rates/postage.toml")
    return first + extra_ounces * prices.get("additional_ounce", 0) + (prices["nonmachinable_surcharge"] if nonmachinable else 0)


def print_cost(period: Period, sheets: int, pages: int) -> tuple[int, int]:
    """(print cents, envelope and insert cents) for one letter."""
    values = period.values
    return sheets * values["per_sheet"] + pages * values["per_side"], values["envelope"] + values.get("insert", 0)


def letter_cost(rates: Rates, mail_date: date, postage_class: str, sheets: int, pages: int, ounces: Decimal, sort_level: str) -> LetterCost:
    printing, envelope = print_cost(rates.printing.on(mail_date), sheets, pages)
    return LetterCost(postage_cents(rates.postage.on(mail_date), postage_class, ounces, sort_level), printing, envelope)


def share_out(total_cents: int, weights: list[int]) -> list[int]:
    """Splits an actual amount over letters in proportion to their estimates, to the cent.

    Largest remainder: the parts always add up to the total exactly.
    """
    if not weights:
        return []
    base = sum(weights) or len(weights)
    weights = weights if sum(weights) else [1] * len(weights)
    raw = [Decimal(total_cents) * w / base for w in weights]
    parts = [int(r) for r in raw]
    leftover = total_cents - sum(parts)
    for index in sorted(range(len(raw)), key=lambda i: raw[i] - parts[i], reverse=True)[:leftover]:
        parts[index] += 1
    return parts
