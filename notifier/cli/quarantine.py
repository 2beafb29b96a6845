"""`notifier quarantine list|show|export`: rows that were read but not imported."""

from __future__ import annotations

import getpass
from pathlib import Path

import typer

from notifier.audit import record_view
from notifier.cli.common import JSON_OPTION, database, emit_json
from notifier.db import session_for
from notifier.errors import InvalidInputError
from notifier.intake import quarantine

app = typer.Typer(no_args_is_help=True, help="Rows that were read but not imported, and why.")

RUN = typer.Option(None, "--run", help="Only rows from this import run.")
KIND = typer.Option(None, "--kind", help="invalid or conflict.")
ALL = typer.Option(False, "--all", help="Include rows already settled by a later import.")


def _check_kind(kind: str | None) -> None:
    try:
        quarantine.check_kind(kind)
    except InvalidInputError as exc:
        raise typer.BadParameter(exc.todo, param_hint="--kind") from None


@app.command("list")
def list_command(run: int = RUN, kind: str = KIND, all: bool = ALL, limit: int = typer.Option(None, "--limit"), json: bool = JSON_OPTION) -> None:
    """One line per quarantined row: where it came from and what is wrong."""
    _check_kind(kind)
    _, url = database()
    with session_for(url) as session:
        entries = quarantine.list_rows(session, run=run, kind=kind, include_resolved=all, limit=limit)
        record_view(session, getpass.getuser(), "quarantine.list", [entry.id for entry in entries], subject="quarantined_row")
    for entry in entries:
        if json:
            emit_json(entry.as_dict())
        else:
            typer.echo(f"{entry.id:>6}  {entry.source}:{entry.line}  {entry.kind:<8}  {','.join(entry.fields):<20}  {entry.problems}")
    if not entries and not json:
        typer.echo("no quarantined rows")


@app.command("show")
def show_command(quarantine_id: int = typer.Argument(..., metavar="ID"), json: bool = JSON_OPTION) -> None:
    """Everything about one quarantined row, including the row as it was read."""
    _, url = database()
    with session_for(url) as session:
        row = quarantine.get(session, quarantine_id)
        record_view(session, getpass.getuser(), "quarantine.row", [row.id], subject="quarantined_row", subject_id=row.id)
    if json:
        emit_json(row.as_dict())
        return
    typer.echo(f"quarantined row {row.id} ({row.kind}) from {row.source} line {row.line}, import run {row.run_id}")
    for reason in row.reasons:
        typer.echo(f"  {reason['field']}: {reason['message']} [{reason['code']}]")
    typer.echo("row as read:")
    for key, value in row.raw.items():
        typer.echo(f"  {key}: {value}")


@app.command("export")
def export_command(
    out: Path = typer.Option(..., "--out", help="CSV file to write."),
    run: int = RUN,
    kind: str = KIND,
    all: bool = ALL,
    json: bool = JSON_OPTION,
) -> None:
    """Write quarantined rows as a CSV with canonical columns: fix them in a spreadsheet, then `notifier import` it."""
    _check_kind(kind)
    settings, url = database()
    with session_for(url) as session:
        exported = quarantine.export(session, out, settings.config_dir, run=run, kind=kind, include_resolved=all)
        record_view(session, getpass.getuser(), "quarantine.export", [], subject="quarantined_row", rows=exported.count)
    if json:
        emit_json(exported.as_dict())
    else:
        typer.echo(f"wrote {exported.count} rows to {out}; fix them and run `notifier import {out}`")
