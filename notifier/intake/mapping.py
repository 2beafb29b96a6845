"""An office's own export headers -> canonical field names, from config/mappings/NAME.toml.

A mapping file has a `[columns]` table ("Their Header" = "canonical_field") and optional
`[values.FIELD]` tables that translate an office's codes ("VAC/EXP" = "vacated_and_expunged").
Columns the mapping does not name keep their own name, so a canonical export needs no mapping.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from notifier.errors import ConfigError, NotFoundError
from notifier.intake.fields import FIELDS
from notifier.settings import load_toml


@dataclass(frozen=True)
class Mapping:
    name: str = ""
    columns: dict[str, str] = field(default_factory=dict)  # their header -> canonical field
    values: dict[str, dict[str, str]] = field(default_factory=dict)  # field -> their code -> ours
    encoding: str | None = None

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
    for target in list(columns.values()) + list(values):
        if target not in FIELDS:
            raise ConfigError(
                f"'{target}' is not a canonical field",
                where=str(path),
                todo=f"map onto one of: {', '.join(FIELDS)}",
            )
    return Mapping(name=name, columns=columns, values=values, encoding=data.get("encoding"))
