"""`notifier import PATH`: a decision export into the database."""

from __future__ import annotations

from pathlib import Path

import typer

from notifier.cli.common import JSON_OPTION, byte_progress, database, emit_json
from notifier.db import session_for
from notifier.intake.importer import import_file
from notifier.intake.mapping import load_mapping


def import_command(
    path: Path = typer.Argument(..., help="CSV or JSONL decision export.", dir_okay=False),
    format: str = typer.Option(None, "--format", help="csv or jsonl (default: from the file name)."),
    mapping: str = typer.Option(None, "--mapping", help="Column mapping in config/mappings/NAME.toml."),
    encoding: str = typer.Option(None, "--encoding", help="Text encoding (default utf-8, with or without BOM)."),
    json: bool = JSON_OPTION,
) -> None:
    """Import decisions: validate every row, quarantine bad ones, group decisions into one notice per person."""
    settings, url = database()
    chosen = load_mapping(settings.config_dir, mapping)
    size = path.stat().st_size if path.is_file() else 0
    with byte_progress(f"importing {path.name}", size) as on_bytes, session_for(url) as session:
        summary = import_file(session, path, fmt=format, mapping=chosen, encoding=encoding, on_bytes=on_bytes, chunk_rows=settings.import_chunk_rows)
    if json:
        emit_json(summary.as_dict())
        return
    c = summary.counts
    typer.echo(f"import run {summary.run_id}: {summary.source} ({summary.format})")
    typer.echo(f"  read {c.read} rows: {c.imported} imported, {c.duplicates} duplicates, {c.conflicts} conflicts, {c.quarantined} quarantined")
    typer.echo(f"  {summary.people} people in the imported decisions")
    if summary.ignored_columns:
        typer.echo(f"  ignored columns: {', '.join(summary.ignored_columns)}")
    if c.quarantined or c.conflicts:
        typer.echo(f"  see `notifier quarantine list --run {summary.run_id}`")
