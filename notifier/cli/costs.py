"""`notifier costs report`: what the mail runs cost, for finance."""

from __future__ import annotations

import json as jsonlib
from pathlib import Path

import typer

from notifier.cli.common import database, emit_report_csv, parse_date
from notifier.costs.report import COLUMNS, FORMATS, GROUPINGS, as_table, cost_report, cost_report_pdf
from notifier.db import session_for

app = typer.Typer(no_args_is_help=True, help="Postage, print and envelope spend, estimated and actual.")


@app.command("report")
def report_command(
    start: str = typer.Option(None, "--from", help="First mail date, YYYY-MM-DD."),
    end: str = typer.Option(None, "--to", help="Last mail date, YYYY-MM-DD."),
    by: str = typer.Option("month", "--by", help=", ".join(GROUPINGS)),
    format: str = typer.Option("table", "--format", help=", ".join(FORMATS)),
    out: Path = typer.Option(None, "--out", help="File for --format pdf (default costs-report.pdf)."),
) -> None:
    """Letters, people, decisions, estimated and actual spend, variance and returned mail's postage per group."""
    if by not in GROUPINGS:
        raise typer.BadParameter(f"use one of: {', '.join(GROUPINGS)}", param_hint="--by")
    if format not in FORMATS:
        raise typer.BadParameter(f"use one of: {', '.join(FORMATS)}", param_hint="--format")
    _, url = database()
    first, last = parse_date(start, "--from"), parse_date(end, "--to")
    with session_for(url) as session:
        if format == "pdf":
            path = out or Path("costs-report.pdf")
            path.write_bytes(cost_report_pdf(session, by=by, start=first, end=last))
            typer.echo(f"wrote {path}")
            return
        report = cost_report(session, by=by, start=first, end=last)
    if format == "json":
        typer.echo(jsonlib.dumps(report))
    elif format == "csv":
        emit_report_csv(report, COLUMNS)
    else:
        typer.echo(as_table(report))
