"""An office's own export -> canonical decision rows, from config/mappings/NAME.toml.

Offices do not write our canonical CSV; they get what their clearance tool or case system
writes. A mapping says how to read it, as data (README "Importing your office's export"):

- `[columns]`: "Their Header" = "canonical_field"; columns not named keep their own name, so
  a canonical export needs no mapping; `[values.FIELD]` translates an office's codes.
- `empty`: tokens that mean "no value" (`NULL`, fixed-width padding is trimmed anyway).
- `[name]`: one column holding the whole name, `LAST,FIRST MIDDLE` or `LAST, FIRST MIDDLE`
  (suffixes JR, SR, II ... recognised), split into first, middle, last and suffix.
- `[dates]`: the date formats of each date field (`"%m/%d/%Y"`, `"%Y%m%d"` ...).
- `[decision_id]`: a decision id built from several columns, when the file has none (a list of
  such column lists: the first whose columns the file has is used, for variants of one export).
- `[lists]`: fields holding lists ("140192; NULL; 140193"): items trimmed, empty tokens dropped.
- `[skip]`: values that mean the row is not a decision at all (an arrest; a blank finding).
- `[not_final]`: values that mean the decision is not final yet ("Hand Review").
- `[fixed]`: values for fields the file lacks (the command line's `--decision-date` adds one).

`Mapping.apply` is pure: one raw row (their header -> text) in, a canonical row and what kind
of row it is out.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace
from datetime import datetime
from pathlib import Path

from notifier.errors import ConfigError, NotFoundError
from notifier.intake.fields import DATE_FIELDS, FIELDS, NAME_FIELDS
from notifier.intake.rules import Problem
from notifier.settings import load_toml

DECISION, SKIP, NOT_FINAL = "decision", "skip", "not_final"  # what a row is
SUFFIXES = frozenset({"JR", "SR", "II", "III", "IV", "V", "JUNIOR", "SENIOR"})
_SPACES = re.compile(r"\s+")


@dataclass(frozen=True)
class Mapped:
    """A row read through a mapping: canonical field -> text, what kind of row it is, and what went wrong."""

    row: dict[str, str]
    kind: str = DECISION
    reason: str = ""  # for SKIP and NOT_FINAL: which value said so
    problems: list[Problem] = field(default_factory=list)


@dataclass(frozen=True)
class Mapping:
    name: str = ""
    columns: dict[str, str] = field(default_factory=dict)  # their header -> canonical field
    values: dict[str, dict[str, str]] = field(default_factory=dict)  # field -> their code -> ours
    encoding: str | None = None
    empty: frozenset[str] = frozenset()  # upper-cased tokens that mean "no value"
    name_column: str = ""  # their header holding the whole name
    dates: dict[str, tuple[str, ...]] = field(default_factory=dict)  # canonical date field -> strptime formats
    id_options: tuple[tuple[str, ...], ...] = ()  # alternatives: their headers that together identify a decision
    id_columns: tuple[str, ...] = ()  # the alternative this file has (for_header)
    id_separator: str = ":"
    lists: dict[str, str] = field(default_factory=dict)  # canonical field -> item separator
    skip: dict[str, frozenset[str]] = field(default_factory=dict)  # header or field -> values: not a decision
    not_final: dict[str, frozenset[str]] = field(default_factory=dict)  # header or field -> values: not final yet
    fixed: dict[str, str] = field(default_factory=dict)  # canonical field -> value when the file gives none

    @property
    def simple(self) -> bool:
        """Only renamed columns and translated codes: rows can be read column by column (the fast path)."""
        return not (self.empty or self.name_column or self.dates or self.id_options or self.skip or self.not_final or self.fixed or self.lists)

    def for_header(self, header: list[str]) -> "Mapping":
        """The mapping as it reads a file with this header: the first decision-id alternative the file has."""
        present = set(header)
        chosen = next((option for option in self.id_options if set(option) <= present), ())
        return replace(self, id_columns=chosen)

    def canonical(self, header: str) -> str:
        return self.columns.get(header.strip(), header.strip())

    def translate(self, row: dict[str, str]) -> dict[str, str]:
        if not self.values:
            return row
        for name, table in self.values.items():
            text = row.get(name)
            if text is not None and text.strip() in table:
                row[name] = table[text.strip()]
        return row

    def with_fixed(self, **values: str) -> "Mapping":
        """The same mapping with more fixed values (the command line's --decision-date)."""
        return replace(self, fixed={**self.fixed, **{k: v for k, v in values.items() if v}})

    def reads(self) -> set[str]:
        """Their headers the mapping reads besides [columns]: the name, the id, the skip and not-final rules."""
        return {self.name_column, *self.id_columns, *self.skip, *self.not_final} - {""}

    def provides(self, header: list[str]) -> set[str]:
        """The canonical fields a file with this header gives, through columns, name, id and fixed values."""
        given = {self.canonical(cell) for cell in header}
        if self.name_column and self.name_column in header:
            given |= set(NAME_FIELDS)
        if self.id_columns:
            given.add("decision_id")
        return (given | set(self.fixed)) & set(FIELDS)

    def apply(self, raw: dict[str, str]) -> Mapped:
        """One row: trim, blank the empty tokens, classify, split the name, build the id, read the dates."""
        raw = {key: self._clean(value) for key, value in raw.items()}
        row = {name: value for key, value in raw.items() if (name := self.canonical(key)) in FIELDS}
        problems: list[Problem] = []
        if self.name_column:
            for key, value in split_name(raw.get(self.name_column, "")).items():
                if not row.get(key):
                    row[key] = value
        if self.id_columns:
            pieces = [raw.get(column, "") for column in self.id_columns]
            if all(pieces):
                row["decision_id"] = self.id_separator.join(pieces)
            else:
                missing = [column for column, piece in zip(self.id_columns, pieces) if not piece]
                problems.append(Problem("decision_id", "required", f"the decision id is built from {', '.join(self.id_columns)}, but {', '.join(missing)} is empty"))
        for name, separator in self.lists.items():
            if row.get(name):
                items = [self._clean(item) for item in row[name].split(separator.strip() or separator)]
                row[name] = separator.join(item for item in items if item)
        for name, value in self.fixed.items():
            if not row.get(name):
                row[name] = value
        kind, reason = self._kind(raw, row)
        for name, formats in self.dates.items():
            if row.get(name):
                parsed = parse_date(row[name], formats)
                if parsed is None:
                    problems.append(Problem(name, "bad_date", f"{name} '{row[name]}' is not a date in the form {' or '.join(human(f) for f in formats)}"))
                else:
                    row[name] = parsed
        row = self.translate(row)
        if row.get("outcome") != "not_granted" and "not_granted_reason" in row:
            row["not_granted_reason"] = ""  # an export's reason column explains granted rows too; the letter needs it only where not granted
        return Mapped(row, kind, reason, problems)

    def _clean(self, value: object) -> str:
        text = "" if value is None else str(value).strip()
        return "" if text.upper() in self.empty else text

    def _kind(self, raw: dict[str, str], row: dict[str, str]) -> tuple[str, str]:
        for kind, rules in ((SKIP, self.skip), (NOT_FINAL, self.not_final)):
            for key, values in rules.items():
                value = raw[key] if key in raw else row.get(key, "")
                if value in values:
                    return kind, f"{key} is '{value}'" if value else f"{key} is blank"
        return DECISION, ""


def split_name(text: str) -> dict[str, str]:
    """`LAST,FIRST MIDDLE` or `LAST, FIRST MIDDLE JR` (or `FIRST LAST` without a comma) -> the four name fields."""
    text = _SPACES.sub(" ", text).strip()
    if not text:
        return {}
    if "," in text:
        last, _, rest = text.partition(",")
        words = rest.replace(",", " ").split()
    else:
        words = text.split()
        last = words.pop() if len(words) > 1 else ""
    last_words = last.split()
    suffix = ""
    for source in (words, last_words):  # "SMITH JR,JOHN" or "SMITH,JOHN JR"
        if len(source) > 1 and source[-1].upper().rstrip(".") in SUFFIXES:
            suffix = source.pop().rstrip(".")
            break
    return {
        "first_name": words[0] if words else "",
        "middle_name": " ".join(words[1:]),
        "last_name": " ".join(last_words),
        "suffix": suffix,
    }


def parse_date(text: str, formats: tuple[str, ...]) -> str | None:
    """The date as YYYY-MM-DD when it matches one of the formats (strptime) or is already YYYY-MM-DD, else None."""
    for fmt in (*formats, "%Y-%m-%d"):
        try:
            return datetime.strptime(text, fmt).date().isoformat()
        except ValueError:
            continue
    return None


def human(fmt: str) -> str:
    """%m/%d/%Y -> MM/DD/YYYY, for messages a clerk reads."""
    return fmt.replace("%Y", "YYYY").replace("%m", "MM").replace("%d", "DD").replace("%y", "YY")


def _strings(value, path: Path, where: str) -> frozenset[str]:
    values = value if isinstance(value, list) else [value]
    if not all(isinstance(v, str) for v in values):
        raise ConfigError(f"{where} must be text or a list of texts", where=str(path))
    return frozenset(v.strip() for v in values)


def load_mapping(config_dir: Path, name: str | None) -> Mapping:
    if not name:
        return Mapping()
    path = config_dir / "mappings" / f"{name}.toml"
    if not path.exists():
        known = sorted(p.stem for p in (config_dir / "mappings").glob("*.toml"))
        raise NotFoundError(
            f"no mapping named '{name}'",
            where=str(path),
            todo=f"use one of: {', '.join(known) or '(none yet)'}, or create {path.name}",
        )
    data = load_toml(path)
    columns = {str(k).strip(): str(v) for k, v in data.get("columns", {}).items()}
    values = {str(k): {str(a): str(b) for a, b in v.items()} for k, v in data.get("values", {}).items()}
    fixed = {str(k): str(v) for k, v in data.get("fixed", {}).items()}
    dates = {str(k): tuple(v if isinstance(v, list) else [v]) for k, v in data.get("dates", {}).items()}
    for target in list(columns.values()) + list(values) + list(fixed):
        if target not in FIELDS:
            raise ConfigError(f"'{target}' is not a canonical field", where=str(path), todo=f"map onto one of: {', '.join(FIELDS)}")
    for target in dates:
        if target not in DATE_FIELDS:
            raise ConfigError(f"[dates] '{target}' is not a date field", where=str(path), todo=f"use one of: {', '.join(DATE_FIELDS)}")
    identity = data.get("decision_id", {})
    options = identity.get("columns", [])
    options = [options] if options and all(isinstance(c, str) for c in options) else options
    return Mapping(
        name=name,
        columns=columns,
        values=values,
        encoding=data.get("encoding"),
        empty=frozenset(token.strip().upper() for token in data.get("empty", [])),
        name_column=str(data.get("name", {}).get("column", "")),
        dates=dates,
        id_options=tuple(tuple(str(c) for c in option) for option in options),
        id_separator=str(identity.get("separator", ":")),
        skip={str(k): _strings(v, path, f"[skip] {k}") for k, v in data.get("skip", {}).items()},
        not_final={str(k): _strings(v, path, f"[not_final] {k}") for k, v in data.get("not_final", {}).items()},
        fixed=fixed,
        lists={str(k): str(v) for k, v in data.get("lists", {}).items()},
    )
