"""`notifier quarantine list|show|export`: rows that were read but not imported."""

from __future__ import annotations

from pathlib import Path

import typer

from notifier.cli.common import JSON_OPTION, database, emit_json
from notifier.intake import quarantine
from notifier.models import QuarantineKind

app = typer.Typer(no_args_is_help=True, help="Rows that were read but not imported, and why.")

RUN = typer.Option(None, "--run", help="Only rows from this import run.")
KIND = typer.Option(None, "--kind", help="invalid or conflict.")
ALL = typer.Option(False, "--all", help="Include rows already settled by a later import.")


def _summary(row) -> dict:
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


def _check_kind(kind: str | None) -> None:
    if kind and kind not in tuple(QuarantineKind):
        raise typer.BadParameter(f"use one of: {', '.join(QuarantineKind)}", param_hint="--kind")


@app.command("list")
def list_command(run: int = RUN, kind: str = KIND, all: bool = ALL, limit: int = typer.Option(None, "--limit"), json: bool = JSON_OPTION) -> None:
    """One line per quarantined row: where it came from and what is wrong."""
    _check_kind(kind)
    _, url = database()
    rows = quarantine.find(url, run=run, kind=kind, include_resolved=all, limit=limit)
    for row in rows:
        if json:
            emit_json(_summary(row))
        else:
            typer.echo(f"{row.id:>6}  {row.source_name}:{row.line_number}  {row.kind:<8}  {','.join(row.fields):<20}  {quarantine.problems_text(row)}")
    if not rows and not json:
        typer.echo("no quarantined rows")


@app.command("show")
def show_command(quarantine_id: int = typer.Argument(..., metavar="ID"), json: bool = JSON_OPTION) -> None:
    """Everything about one quarantined row, including the row as it was read."""
    _, url = database()
    row = quarantine.get(url, quarantine_id)
    if json:
        emit_json({**_summary(row), "raw": row.raw, "created_at": row.created_at.isoformat()})
        return
    typer.echo(f"quarantined row {row.id} ({row.kind}) from {row.source_name} line {row.line_number}, import run {row.import_run_id}")
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
    count = quarantine.export(url, out, settings.config_dir, run=run, kind=kind, include_resolved=all)
    if json:
        emit_json({"exported": count, "path": str(out)})
    else:
        typer.echo(f"wrote {count} rows to {out}; fix them and run `notifier import {out}`")
