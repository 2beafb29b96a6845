"""`notifier batches create|freeze|print|mark-mailed|close|cancel|show`: mail runs."""

from __future__ import annotations

import getpass

import typer

from notifier.batches.preflight import preflight_batch
from notifier.batches.store import (
    BatchSummary,
    cancel_batch,
    close_batch,
    create_batch,
    freeze_batch,
    mark_mailed,
    show_batch,
)
from notifier.cli.common import JSON_OPTION, database, emit_json, parse_date, report_enqueued
from notifier.costs.money import dollars, parse_dollars
from notifier.db import session_for

app = typer.Typer(no_args_is_help=True, help="Mail runs: create from waves, freeze, print, mark mailed, close or cancel.")
BY = typer.Option(None, "--by", help="Who does it (default: your login name).")


def _show(summary: BatchSummary, json: bool) -> None:
    if json:
        emit_json(summary.as_dict())
        return
    typer.echo(f"batch {summary.id}: {summary.state}, mail date {summary.mail_date}, {summary.postage_class}, wave {summary.wave or 'all'}")
    typer.echo(f"  {summary.letters} letters to {summary.people} people, {summary.sheets} sheets")
    for name in ("estimate", "actual"):
        money = getattr(summary, name)
        if money:
            typer.echo(f"  {name:<8} postage {dollars(money['postage_cents'])}  print {dollars(money['print_cents'])}  "
                       f"envelopes {dollars(money['envelope_cents'])}  total {dollars(money['total_cents'])}")
    if summary.variance_cents is not None:
        typer.echo(f"  variance {dollars(summary.variance_cents)} (actual minus estimate)")
    for path in summary.files:
        typer.echo(f"  file {path}")


@app.command("create")
def create_command(
    mail_date: str = typer.Option(..., "--mail-date", help="YYYY-MM-DD; prices in force on this date are used."),
    wave: str = typer.Option(None, "--wave", help="Only this wave (config/waves.toml)."),
    max_letters: int = typer.Option(None, "--max", min=1, help="At most N letters."),
    postage_class: str = typer.Option(None, "--class", help="Postage class (config/rates/postage.toml)."),
    by: str = BY,
    json: bool = JSON_OPTION,
) -> None:
    """A draft batch of rendered letters that are in no batch yet, in wave order."""
    settings, url = database()
    day = parse_date(mail_date, "--mail-date")
    with session_for(url) as session:
        summary = create_batch(session, settings, mail_date=day, wave=wave, limit=max_letters, postage_class=postage_class, actor=by or getpass.getuser())
    _show(summary, json)


@app.command("freeze")
def freeze_command(batch: int = typer.Argument(..., metavar="BATCH"), by: str = BY, json: bool = JSON_OPTION) -> None:
    """Fix the batch: presort order, sort levels and cost estimates; its notices take no new decisions."""
    settings, url = database()
    with session_for(url) as session:
        summary = freeze_batch(session, settings, batch, by or getpass.getuser())
    _show(summary, json)


@app.command("print")
def print_command(
    batch: int = typer.Argument(..., metavar="BATCH"),
    jobs: int = typer.Option(1, "--jobs", min=1, help="Write print files in N local processes (embedded default only)."),
    by: str = BY,
    json: bool = JSON_OPTION,
) -> None:
    """Write presorted print files, the manifest CSV and the cover sheet (again identically on a printed batch).

    With a broker the files are written by the workers: this enqueues and returns.
    """
    from notifier.workers import enqueue_print, print_locally  # the broker is chosen when this is first imported

    settings, url = database()
    actor = by or getpass.getuser()
    if settings.broker_url:
        return report_enqueued(enqueue_print(url, settings, batch, actor), json)
    _show(print_locally(url, settings, batch, actor, jobs=jobs), json)


@app.command("mark-mailed")
def mark_mailed_command(
    batch: int = typer.Argument(..., metavar="BATCH"),
    postage: str = typer.Option(..., "--postage", help="Postage statement amount in dollars, e.g. 1234.56."),
    statement: str = typer.Option(..., "--statement", help="Postage statement number."),
    print_amount: str = typer.Option(None, "--print", help="Invoiced print cost in dollars (default: the estimate)."),
    envelopes: str = typer.Option(None, "--envelopes", help="Invoiced envelope cost in dollars (default: the estimate)."),
    invoice: str = typer.Option("", "--invoice", help="Vendor invoice reference."),
    by: str = BY,
    json: bool = JSON_OPTION,
) -> None:
    """Record the actual figures; they are shared out over the letters to the cent."""
    amounts = {"postage_cents": parse_dollars(postage, "--postage"), "print_cents": parse_dollars(print_amount, "--print"),
               "envelope_cents": parse_dollars(envelopes, "--envelopes")}
    _, url = database()
    with session_for(url) as session:
        summary = mark_mailed(session, batch, by or getpass.getuser(), **amounts, statement=statement, invoice=invoice)
    _show(summary, json)


@app.command("close")
def close_command(batch: int = typer.Argument(..., metavar="BATCH"), by: str = BY, json: bool = JSON_OPTION) -> None:
    """Close a mailed batch."""
    _, url = database()
    with session_for(url) as session:
        summary = close_batch(session, batch, by or getpass.getuser())
    _show(summary, json)


@app.command("cancel")
def cancel_command(batch: int = typer.Argument(..., metavar="BATCH"), by: str = BY, json: bool = JSON_OPTION) -> None:
    """Cancel a draft or frozen batch; its letters go back to waiting for a batch."""
    _, url = database()
    with session_for(url) as session:
        summary = cancel_batch(session, batch, by or getpass.getuser())
    _show(summary, json)


@app.command("show")
def show_command(batch: int = typer.Argument(..., metavar="BATCH"), json: bool = JSON_OPTION) -> None:
    """A batch's state, counts, files and costs."""
    _, url = database()
    with session_for(url) as session:
        summary = show_batch(session, batch)
    _show(summary, json)


@app.command("preflight")
def preflight_command(batch: int = typer.Argument(..., metavar="BATCH"), json: bool = JSON_OPTION) -> None:
    """Read the batch's print files back as the print house will: paper size, fonts, page counts, the window, order, checksums."""
    settings, url = database()
    with session_for(url) as session:
        report = preflight_batch(session, settings, batch)
    if json:
        emit_json(report.as_dict())
    else:
        typer.echo(f"batch {report.batch}: {report.files} print files, {report.pages} pages, {report.letters} letters")
        for found in report.problems:
            where = f"{found.file}" + (f" page {found.page}" if found.page else "") + (f" letter {found.letter_id}" if found.letter_id else "")
            typer.echo(f"  {found.code:<24} {where}: {found.message}")
        if report.ok:
            typer.echo("  preflight passed")
    if not report.ok:
        raise report.refusal()
