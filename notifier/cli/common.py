"""What every command shares: settings, the database, --json output and progress bars."""

from __future__ import annotations

import json
import sys
from contextlib import contextmanager
from datetime import date
from typing import Callable, Iterator

import typer
from rich.progress import BarColumn, DownloadColumn, Progress, TextColumn, TimeRemainingColumn

from notifier import db
from notifier.errors import InvalidInputError
from notifier.pipeline import Enqueued
from notifier.settings import Settings, get_settings

JSON_OPTION = typer.Option(False, "--json", help="Print one JSON object as the last line of stdout.")


def database() -> tuple[Settings, str]:
    """Settings plus a database URL whose schema is current."""
    settings = get_settings()
    db.ensure_schema(settings.database_url)
    return settings, settings.database_url


def emit_json(obj: dict) -> None:
    typer.echo(json.dumps(obj, ensure_ascii=False, default=str, sort_keys=False))


def interactive() -> bool:
    return sys.stderr.isatty()


@contextmanager
def byte_progress(label: str, total: int) -> Iterator[Callable[[int], None] | None]:
    """A progress bar on stderr when a person is watching; nothing when output goes to a file or script."""
    if not interactive():
        yield None
        return
    columns = (TextColumn(label), BarColumn(), DownloadColumn(), TimeRemainingColumn())
    with Progress(*columns, transient=True) as progress:
        task = progress.add_task(label, total=total)
        yield lambda count: progress.advance(task, count)


@contextmanager
def count_progress(label: str, total: int) -> Iterator[Callable[[int], None] | None]:
    """Like byte_progress, counting items."""
    if not interactive():
        yield None
        return
    with Progress(TextColumn(label), BarColumn(), TextColumn("{task.completed}/{task.total}"), TimeRemainingColumn(), transient=True) as progress:
        task = progress.add_task(label, total=total)
        yield lambda count: progress.advance(task, count)


def parse_date(text: str | None, option: str, default: date | None = None) -> date | None:
    """A YYYY-MM-DD option, or `default` when it was not given."""
    if not text:
        return default
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise InvalidInputError(f"{option} '{text}' is not a date", todo="write it as YYYY-MM-DD") from None


DECISION_DATE_OPTION = typer.Option(None, "--decision-date", metavar="YYYY-MM-DD", help="The day the decisions became final, for a file that does not say (a tool's run date).")


def with_decision_date(mapping, text: str | None):
    """The mapping with the command line's --decision-date as a fixed value."""
    day = parse_date(text, "--decision-date")
    return mapping.with_fixed(decision_date=day.isoformat()) if day else mapping


def report_enqueued(enqueued: Enqueued, json: bool) -> None:
    """What a command on a broker says after sending its tasks: the run, and how to watch it."""
    if json:
        emit_json(enqueued.as_dict())
        return
    typer.echo(f"run {enqueued.run_id}: sent {len(enqueued.task_ids)} tasks to the workers; watch with `notifier status`")


def emit_report_csv(report: dict, columns: list[str]) -> None:
    """A report's rows and its total row as CSV on stdout, formula cells neutralised."""
    import csv

    from notifier.csvfiles import safe_cell

    writer = csv.writer(sys.stdout)
    writer.writerow(columns)
    for row in [*report["rows"], report["total"]]:
        writer.writerow([safe_cell(row[c]) for c in columns])
