"""`notifier purge`: erase the personal data of finished notices past the retention period."""

from __future__ import annotations

import getpass
from datetime import date

import typer

from notifier.cli.common import JSON_OPTION, database, emit_json, parse_date
from notifier.db import session_for
from notifier.retention.rules import load_retention_days
from notifier.retention.store import purge


def purge_command(
    older_than: int = typer.Option(None, "--older-than", metavar="DAYS", min=0, help="Finished longer ago than this (default: purge_after_days in config/retention.toml)."),
    dry_run: bool = typer.Option(False, "--dry-run", help="Count what would go; change and delete nothing."),
    today: str = typer.Option(None, "--today", metavar="YYYY-MM-DD", help="Count the days back from this day (default today)."),
    by: str = typer.Option(None, "--by", help="Who purges (default: your login name)."),
    json: bool = JSON_OPTION,
) -> None:
    """Erase names, addresses, dates of birth, case numbers and free text of notices that are finished
    (delivered, presumed delivered or unreachable) and past the period, with their letters' PDFs.
    Ids, states, counts, dates and money stay: status and the reports give the same figures."""
    settings, url = database()
    days = older_than if older_than is not None else load_retention_days(settings.config_dir)
    with session_for(url) as session:
        result = purge(session, older_than_days=days, today=parse_date(today, "--today", date.today()), actor=by or getpass.getuser(),
                       uploads_dir=settings.output_dir / "uploads", dry_run=dry_run)
    if json:
        emit_json(result.as_dict())
        return
    verb = "would erase" if dry_run else "erased"
    typer.echo(f"{verb} the personal data of {result.notices} notices finished on or before {result.last_day} ({days} days): "
               f"{result.letters} letters, {result.quarantined_rows} quarantined rows, {result.staged_records} staged rows; "
               f"{'would delete' if dry_run else 'deleted'} {result.files} files ({result.bytes:,} bytes)")
    if result.held:
        typer.echo(f"{result.held} finished notices are held: a letter of theirs is in a batch not closed yet (`notifier batches close BATCH` once its returns are in)")
