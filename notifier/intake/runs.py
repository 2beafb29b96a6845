"""Import runs as staff see them: every decision file imported, newest first, with its counts.

A run is written by the importer (importer.start_run, store_chunk, finish_run); here it is
only read back, for the web app's imports page (counts only: no row of the file).
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from sqlmodel import Session, select

from notifier.errors import NotFoundError
from notifier.models import ImportRun, ImportStatus

COUNTS = ("read", "imported", "duplicates", "conflicts", "quarantined", "skipped", "not_final", "identity_conflicts")


@dataclass(frozen=True)
class ImportRunRow:
    """One import run: which file, through which mapping, when, how it ended, and its counts."""

    id: int
    source: str
    format: str
    mapping: str
    status: str
    started_at: datetime
    finished_at: datetime | None
    read: int
    imported: int
    duplicates: int
    conflicts: int
    quarantined: int
    skipped: int
    not_final: int
    identity_conflicts: int

    @classmethod
    def of(cls, run: ImportRun) -> "ImportRunRow":
        return cls(run.id, run.source_name, run.format, run.mapping, run.status, run.started_at, run.finished_at, *(getattr(run, name) for name in COUNTS))

    @property
    def running(self) -> bool:
        return self.status == ImportStatus.RUNNING

    def as_dict(self) -> dict:
        values = {f.name: getattr(self, f.name) for f in dataclasses.fields(self)}
        return {**values, "started_at": self.started_at.isoformat(), "finished_at": self.finished_at.isoformat() if self.finished_at else None}


def list_import_runs(session: Session, limit: int = 50) -> list[ImportRunRow]:
    """The newest `limit` import runs, newest first."""
    return [ImportRunRow.of(run) for run in session.exec(select(ImportRun).order_by(ImportRun.id.desc()).limit(limit))]


def get_import_run(session: Session, run_id: int) -> ImportRunRow:
    run = session.get(ImportRun, run_id)
    if run is None:
        raise NotFoundError(f"no import run with id {run_id}", todo="see the list of import runs")
    return ImportRunRow.of(run)


def mapping_names(config_dir: Path) -> list[str]:
    """The column mappings an import may name (config/mappings/NAME.toml), by name."""
    return sorted(path.stem for path in (config_dir / "mappings").glob("*.toml"))
