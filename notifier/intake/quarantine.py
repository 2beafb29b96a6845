"""Looking at quarantined rows and exporting them for staff to fix and re-import.

The export has the canonical columns first, so the fixed file imports without a mapping,
then the quarantine's own columns (id, file, line, reasons), which `import` ignores.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from sqlmodel import Session, select

from notifier.csvfiles import Exported, write_csv
from notifier.errors import ConfigError, InvalidInputError, NotFoundError
from notifier.intake.fields import FIELDS
from notifier.intake.mapping import Mapping, load_mapping
from notifier.models import ImportRun, QuarantineKind, QuarantinedRow

EXTRA_COLUMNS = ["quarantine_id", "quarantine_kind", "source_file", "source_line", "problems", "unparsed_line"]
KINDS = tuple(QuarantineKind)


@dataclass(frozen=True)
class QuarantineEntry:
    """One quarantined row as a list shows it: where it came from and what is wrong."""

    id: int
    run_id: int
    source: str
    line: int
    kind: str
    decision_id: str
    fields: list[str]
    reasons: list[dict]
    resolved: bool

    @classmethod
    def of(cls, row: QuarantinedRow) -> "QuarantineEntry":
        return cls(**_entry_values(row))

    @property
    def problems(self) -> str:
        return problems_text(self)

    def as_dict(self) -> dict:
        return {f.name: getattr(self, f.name) for f in dataclasses.fields(QuarantineEntry)}


@dataclass(frozen=True)
class QuarantineDetail(QuarantineEntry):
    """One quarantined row with the row as it was read."""

    raw: dict
    created_at: datetime

    @classmethod
    def of(cls, row: QuarantinedRow) -> "QuarantineDetail":
        return cls(**_entry_values(row), raw=row.raw, created_at=row.created_at)

    def as_dict(self) -> dict:
        return {**super().as_dict(), "raw": self.raw, "created_at": self.created_at.isoformat()}


def _entry_values(row: QuarantinedRow) -> dict:
    return {
        "id": row.id,
        "run_id": row.import_run_id,
        "source": row.source_name,
        "line": row.line_number,
        "kind": row.kind,
        "decision_id": row.decision_id,
        "fields": row.fields,
        "reasons": row.reasons,
        "resolved": row.resolved_at is not None,
    }


def check_kind(kind: str | None) -> None:
    """A kind filter must name a kind of quarantine (an edge may call this first, to blame its own option)."""
    if kind and kind not in KINDS:
        raise InvalidInputError(f"'{kind}' is not a kind of quarantined row", todo=f"use one of: {', '.join(KINDS)}")


def list_rows(session: Session, *, run: int | None = None, kind: str | None = None, include_resolved: bool = False, limit: int | None = None) -> list[QuarantineEntry]:
    """Quarantined rows in the order they were read; settled ones only with `include_resolved`."""
    return [QuarantineEntry.of(row) for row in _find(session, run=run, kind=kind, include_resolved=include_resolved, limit=limit)]


def get(session: Session, quarantine_id: int) -> QuarantineDetail:
    row = session.get(QuarantinedRow, quarantine_id)
    if row is None:
        raise NotFoundError(f"no quarantined row with id {quarantine_id}", todo="see the list of quarantined rows", action="quarantine.list")
    return QuarantineDetail.of(row)


def _find(session: Session, *, run: int | None, kind: str | None, include_resolved: bool, limit: int | None = None) -> list[QuarantinedRow]:
    check_kind(kind)
    query = select(QuarantinedRow).order_by(QuarantinedRow.id)
    if run is not None:
        query = query.where(QuarantinedRow.import_run_id == run)
    if kind:
        query = query.where(QuarantinedRow.kind == kind)
    if not include_resolved:
        query = query.where(QuarantinedRow.resolved_at.is_(None))
    if limit:
        query = query.limit(limit)
    return list(session.exec(query).all())


def problems_text(row: QuarantinedRow | QuarantineEntry) -> str:
    return "; ".join(reason["message"] for reason in row.reasons)


def canonical_values(raw: dict, mapping: Mapping) -> dict[str, str]:
    """The raw row under canonical names, with the office's codes translated."""
    values: dict[str, str] = {}
    for key, value in raw.items():
        name = mapping.canonical(str(key))
        if name in FIELDS and not isinstance(value, (dict, list)):
            values[name] = "" if value is None else str(value)
    return mapping.translate(values)


def export(session: Session, path: Path, config_dir: Path, *, run: int | None = None, kind: str | None = None, include_resolved: bool = False) -> Exported:
    """Writes the rows as a CSV to fix in a spreadsheet and import again."""
    rows = _find(session, run=run, kind=kind, include_resolved=include_resolved)
    mapping_names = dict(session.exec(select(ImportRun.id, ImportRun.mapping)).all())
    mappings: dict[str, Mapping] = {}

    def mapping_for(run_id: int) -> Mapping:
        name = mapping_names.get(run_id, "")
        if name not in mappings:
            try:
                mappings[name] = load_mapping(config_dir, name)
            except (ConfigError, NotFoundError):
                mappings[name] = Mapping()  # the mapping was removed since: export the headers as read
        return mappings[name]

    def lines():
        for row in rows:
            values = canonical_values(row.raw, mapping_for(row.import_run_id))
            unparsed = row.raw.get("line", "") if set(row.raw) == {"line"} else ""
            yield [values.get(name, "") for name in FIELDS] + [
                row.id,
                row.kind,
                row.source_name,
                row.line_number,
                problems_text(row),
                unparsed,
            ]

    return Exported(write_csv(path, list(FIELDS) + EXTRA_COLUMNS, lines()), path)
