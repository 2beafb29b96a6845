"""`notifier batches create|freeze|print|mark-mailed|close|cancel|show`: mail runs."""

from __future__ import annotations

import getpass
from decimal import Decimal, InvalidOperation

import typer

from notifier.batches.store import batch_summary, create_batch, freeze_batch, get_batch, mark_mailed, simple_transition
from notifier.cli.common import JSON_OPTION, database, emit_json, parse_date
from notifier.db import session_for
from notifier.errors import NotifierError

app = typer.Typer(no_args_is_help=True, help="Mail runs: create from waves, freeze, print, mark mailed, close or cancel.")
BY = typer.Option(None, "--by", help="Who does it (default: your login name).")


def _show(summary: dict, json: bool) -> None:
    if json:
        emit_json(summary)
        return
    typer.echo(f"batch {summary['id']}: {summary['state']}, mail date {summary['mail_date']}, {summary['postage_class']}, wave {summary['wave'] or 'all'}")
    typer.echo(f"  {summary['letters']} letters to {summary['people']} people, {summary['sheets']} sheets")
    for name in ("estimate", "actual"):
        money = summary[name]
        if money:
            typer.echo(f"  {name:<8} postage ${money['postage_cents'] / 100:,.2f}  print ${money['print_cents'] / 100:,.2f}  "
                       f"envelopes ${money['envelope_cents'] / 100:,.2f}  total ${money['total_cents'] / 100:,.2f}")
    if summary["variance_cents"] is not None:
        typer.echo(f"  variance ${summary['variance_cents'] / 100:,.2f} (actual minus estimate)")
    for path in summary["files"]:
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
        batch = create_batch(session, settings, mail_date=day, wave=wave, limit=max_letters, postage_class=postage_class, actor=by or getpass.getuser())
        session.commit()
        _show(batch_summary(session, batch), json)


def _transition(batch_id: int, command: str, by: str | None, json: bool, **kwargs) -> None:
    settings, url = database()
    actor = by or getpass.getuser()
    with session_for(url) as session:
        batch = get_batch(session, batch_id)
        if command == "freeze":
            freeze_batch(session, settings, batch, actor)
        elif command == "mark-mailed":
            mark_mailed(session, batch, actor, **kwargs)
        else:
            simple_transition(session, batch, command, actor)
        session.commit()
        _show(batch_summary(session, batch), json)


@app.command("freeze")
def freeze_command(batch: int = typer.Argument(..., metavar="BATCH"), by: str = BY, json: bool = JSON_OPTION) -> None:
    """Fix the batch: presort order, sort levels and cost estimates; its notices take no new decisions."""
    _transition(batch, "freeze", by, json)


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
    from notifier.cli.runs import dispatch, enqueue
    from notifier.pipeline import run_summary, start_print

    settings, url = database()
    run_id, task_ids = start_print(url, settings, batch, by or getpass.getuser())
    if settings.broker_url:
        return enqueue(settings, url, run_id, task_ids, json, {"batch_id": batch})
    dispatch(settings, url, task_ids, jobs)
    if not run_summary(url, run_id)["done"]:
        raise NotifierError(f"printing batch {batch} did not finish (run {run_id})", todo="see `notifier status` for the failed tasks' errors, then `notifier resume --retry-failed`")
    with session_for(url) as session:
        _show(batch_summary(session, get_batch(session, batch)), json)


def _cents(text: str | None, option: str) -> int | None:
    if text is None:
        return None
    try:
        amount = Decimal(text.replace(",", "").replace("$", ""))
    except InvalidOperation:
        raise NotifierError(f"{option} '{text}' is not an amount", todo="write dollars and cents, for example 1234.56") from None
    if amount < 0 or amount != amount.quantize(Decimal("0.01")):
        raise NotifierError(f"{option} '{text}' is not an amount in dollars and cents", todo="write it like 1234.56")
    return int(amount * 100)


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
    _transition(batch, "mark-mailed", by, json, postage_cents=_cents(postage, "--postage"), print_cents=_cents(print_amount, "--print"),
                envelope_cents=_cents(envelopes, "--envelopes"), statement=statement, invoice=invoice)


@app.command("close")
def close_command(batch: int = typer.Argument(..., metavar="BATCH"), by: str = BY, json: bool = JSON_OPTION) -> None:
    """Close a mailed batch."""
    _transition(batch, "close", by, json)


@app.command("cancel")
def cancel_command(batch: int = typer.Argument(..., metavar="BATCH"), by: str = BY, json: bool = JSON_OPTION) -> None:
    """Cancel a draft or frozen batch; its letters go back to waiting for a batch."""
    _transition(batch, "cancel", by, json)


@app.command("show")
def show_command(batch: int = typer.Argument(..., metavar="BATCH"), json: bool = JSON_OPTION) -> None:
    """A batch's state, counts, files and costs."""
    _, url = database()
    with session_for(url) as session:
        _show(batch_summary(session, get_batch(session, batch)), json)
