"""`notifier import PATH`: a decision export into the database."""

from __future__ import annotations

import getpass
from pathlib import Path

import typer

from notifier.cli.common import DECISION_DATE_OPTION, JSON_OPTION, byte_progress, database, emit_json, with_decision_date
from notifier.db import session_for
from notifier.intake.importer import import_file
from notifier.intake.mapping import load_mapping


def import_command(
    path: Path = typer.Argument(..., help="CSV or JSONL decision export.", dir_okay=False),
    format: str = typer.Option(None, "--format", help="csv or jsonl (default: from the file name)."),
    mapping: str = typer.Option(None, "--mapping", help="Column mapping in config/mappings/NAME.toml."),
    encoding: str = typer.Option(None, "--encoding", help="Text encoding (default utf-8, with or without BOM)."),
    decision_date: str = DECISION_DATE_OPTION,
    json: bool = JSON_OPTION,
) -> None:
    """Import decisions: validate every row, quarantine bad ones, group decisions into one notice per person."""
    settings, url = database()
    chosen = with_decision_date(load_mapping(settings.config_dir, mapping), decision_date)
    size = path.stat().st_size if path.is_file() else 0
    with byte_progress(f"importing {path.name}", size) as on_bytes, session_for(url) as session:
        summary = import_file(session, path, fmt=format, mapping=chosen, encoding=encoding, on_bytes=on_bytes, chunk_rows=settings.import_chunk_rows, actor=getpass.getuser())
    if json:
        emit_json(summary.as_dict())
        return
    c = summary.counts
    typer.echo(f"import run {summary.run_id}: {summary.source} ({summary.format})")
    typer.echo(f"  read {c.read} rows: {c.imported} imported, {c.duplicates} duplicates, {c.conflicts} conflicts, {c.quarantined} quarantined"
               + (f", {c.skipped} skipped (not decisions), {c.not_final} not final yet" if c.skipped or c.not_final else ""))
    if c.identity_conflicts:
        typer.echo(f"  {c.identity_conflicts} rows name a person id that belongs to someone else: their letters wait (`notifier identities list`)")
    typer.echo(f"  {summary.people} people in the imported decisions")
    if summary.ignored_columns:
        shown = summary.ignored_columns[:10]
        more = len(summary.ignored_columns) - len(shown)
        typer.echo(f"  ignored columns: {', '.join(shown)}" + (f" and {more} more (all of them with --json)" if more else ""))
    if c.quarantined or c.conflicts or c.not_final:
        typer.echo(f"  see `notifier quarantine list --run {summary.run_id}`")
