"""Looking at quarantined rows and exporting them for staff to fix and re-import.

The export has the canonical columns first, so the fixed file imports without a mapping,
then the quarantine's own columns (id, file, line, reasons), which `import` ignores.
"""

from __future__ import annotations

from pathlib import Path

from sqlmodel import select

from notifier.csvfiles import write_csv
from notifier.db import session_for
from notifier.errors import ConfigError, NotFoundError
from notifier.intake.fields import FIELDS
from notifier.intake.mapping import Mapping, load_mapping
from notifier.models import ImportRun, QuarantinedRow

EXTRA_COLUMNS = ["quarantine_id", "quarantine_kind", "source_file", "source_line", "problems", "unparsed_line"]


def find(url: str, *, run: int | None = None, kind: str | None = None, include_resolved: bool = False, limit: int | None = None) -> list[QuarantinedRow]:
    query = select(QuarantinedRow).order_by(QuarantinedRow.id)
    if run is not None:
        query = query.where(QuarantinedRow.import_run_id == run)
    if kind:
        query = query.where(QuarantinedRow.kind == kind)
    if not include_resolved:
        query = query.where(QuarantinedRow.resolved_at.is_(None))
    if limit:
        query = query.limit(limit)
    with session_for(url) as session:
        return list(session.exec(query).all())


def get(url: str, quarantine_id: int) -> QuarantinedRow:
    with session_for(url) as session:
        row = session.get(QuarantinedRow, quarantine_id)
    if row is None:
        raise NotFoundError(f"no quarantined row with id {quarantine_id}", todo="see `notifier quarantine list`")
    return row


def problems_text(row: QuarantinedRow) -> str:
    return "; ".join(reason["message"] for reason in row.reasons)


def canonical_values(raw: dict, mapping: Mapping) -> dict[str, str]:
    """The raw row under canonical names, with the office's codes translated."""
    values: dict[str, str] = {}
    for key, value in raw.items():
        name = mapping.canonical(str(key))
        if name in FIELDS and not isinstance(value, (dict, list)):
            values[name] = "" if value is None else str(value)
    return mapping.translate(values)


def export(url: str, path: Path, config_dir: Path, **filters) -> int:
    rows = find(url, **filters)
    with session_for(url) as session:
        mapping_names = dict(session.exec(select(ImportRun.id, ImportRun.mapping)).all())
    mappings: dict[str, Mapping] = {}

    def mapping_for(run_id: int) -> Mapping:
        name = mapping_names.get(run_id, "")
        if name not in mappings:
            try:
                mappings[name] = load_mapping(config_dir, name)
            except ConfigError:
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

    return write_csv(path, list(FIELDS) + EXTRA_COLUMNS, lines())
