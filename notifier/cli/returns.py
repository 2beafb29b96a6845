"""`notifier returns record|import|import-acs|sweep|unreachable|report`: the returned-mail desk."""

from __future__ import annotations

import getpass
import json as jsonlib
from datetime import date
from pathlib import Path

import typer

from notifier.addresses.check import RawAddress, ZipDatabaseVerifier
from notifier.cli.common import JSON_OPTION, database, emit_json, emit_report_csv, parse_date
from notifier.costs.money import dollars
from notifier.db import session_for
from notifier.errors import InvalidInputError
from notifier.returns.acs_import import import_acs, import_acs_folder
from notifier.returns.report import COLUMNS, FORMATS, GROUPINGS, as_table, returns_report
from notifier.returns.rules import load_policy
from notifier.returns.store import import_returns, presume_delivered, record_return, unreachable
from notifier.settings import load_toml

app = typer.Typer(no_args_is_help=True, help="Returned envelopes: record them, re-mail to forwarding addresses, statistics.")
BY = typer.Option(None, "--by", help="Who records it (default: your login name).")


def _or(choices: tuple[str, ...]) -> str:
    """("a", "b", "c") -> "a, b or c"."""
    return f"{', '.join(choices[:-1])} or {choices[-1]}"


@app.command("record")
def record_command(
    letter: str = typer.Argument(..., metavar="ID", help="The printed letter id, or the digits a scanner reads from the barcode."),
    reason: str = typer.Option(..., "--reason", help="USPS endorsement code (config/returns.toml)."),
    when: str = typer.Option(None, "--date", help="Day it came back (default today)."),
    line1: str = typer.Option("", "--forward-line1"),
    line2: str = typer.Option("", "--forward-line2"),
    city: str = typer.Option("", "--forward-city"),
    state: str = typer.Option("", "--forward-state"),
    zip_code: str = typer.Option("", "--forward-zip"),
    note: str = typer.Option("", "--note"),
    by: str = BY,
    json: bool = JSON_OPTION,
) -> None:
    """Record one returned envelope; the same envelope twice changes nothing."""
    settings, url = database()
    with session_for(url) as session:
        recorded = record_return(session, load_policy(settings.config_dir), ZipDatabaseVerifier(), letter_text=letter, reason=reason,
                                 returned_on=parse_date(when, "--date", date.today()), forward=RawAddress(line1, line2, city, state, zip_code), note=note, actor=by or getpass.getuser())
    if json:
        emit_json(recorded.as_dict())
    else:
        already = " (already recorded: nothing changed)" if recorded.already else ""
        typer.echo(f"letter {recorded.letter_id} (person {recorded.person_id}, attempt {recorded.attempt}): {recorded.reason} -> {recorded.outcome}{already}")


@app.command("import")
def import_command(path: Path = typer.Argument(..., help="CSV: id, reason, date, forward_line1 ... forward_zip, note."), by: str = BY, json: bool = JSON_OPTION) -> None:
    """Record a mailroom spreadsheet or an address-change file; bad rows are reported by line, good rows recorded."""
    settings, url = database()
    with session_for(url) as session:
        report = import_returns(session, path, load_policy(settings.config_dir), ZipDatabaseVerifier(), by or getpass.getuser(), date.today())
    if json:
        emit_json(report.as_dict())
        return
    typer.echo(f"read {report.read} rows: {report.recorded} recorded, {report.already} already recorded, {len(report.errors)} with errors")
    for error in report.errors:
        typer.echo(f"  line {error['line']} ({error['id']}): {error['message']}")


@app.command("import-acs")
def import_acs_command(
    path: Path = typer.Argument(None, metavar="[FILE]", help="A USPS ACS fulfilment file (fixed width, file version 01 or 02)."),
    from_dir: Path = typer.Option(None, "--from-dir", help="Import every file in this folder, moving each to done/ or failed/ (for a scheduled job)."),
    by: str = BY,
    json: bool = JSON_OPTION,
) -> None:
    """Record USPS's electronic notices (Full-Service ACS): each as the return of the letter its IMb names; the same file twice records nothing new."""
    if (path is None) == (from_dir is None):
        raise InvalidInputError("give either an ACS file or --from-dir FOLDER", todo="for example: notifier returns import-acs --from-dir /srv/acs")
    settings, url = database()
    mailer_id = load_toml(settings.config_dir / "imb.toml")["mailer_id"]
    policy, actor = load_policy(settings.config_dir), by or "acs"
    with session_for(url) as session:
        if from_dir is not None:
            results = import_acs_folder(session, from_dir, policy, ZipDatabaseVerifier(), mailer_id, actor, date.today())
        else:
            results = [import_acs(session, path, policy, ZipDatabaseVerifier(), mailer_id, actor, date.today()).as_dict()]
    if json:
        emit_json(results if from_dir is not None else results[0])
        return
    for report in results:
        if "error" in report:
            typer.echo(f"{report['file']}: refused, moved to {report['moved_to']}: {report['error']}")
            continue
        typer.echo(f"{report['file']}: read {report['read']} notices: {report['recorded']} recorded ({report['forwarded']} to a new address), "
                   f"{report['already_recorded']} already recorded, {report['unknown']} not ours, {report['invalid']} unreadable; "
                   f"ACS fees {dollars(report['fee_cents'])}" + (f"; moved to {report['moved_to']}" if "moved_to" in report else ""))
        for problem in report["problems"]:
            typer.echo(f"  line {problem['line']} ({problem['field']}): {problem['message']}")


@app.command("sweep")
def sweep_command(today: str = typer.Option(None, "--today", help="Count from this day (default today)."), json: bool = JSON_OPTION) -> None:
    """Mark mailed letters that did not come back within the configured days as presumed delivered."""
    settings, url = database()
    with session_for(url) as session:
        result = presume_delivered(session, load_policy(settings.config_dir), parse_date(today, "--today", date.today()), getpass.getuser())
    if json:
        emit_json(result.as_dict())
    else:
        typer.echo(f"{result.presumed_delivered} letters presumed delivered")


@app.command("unreachable")
def unreachable_command(json: bool = JSON_OPTION) -> None:
    """People whose letters came back on every attempt: look them up elsewhere."""
    _, url = database()
    with session_for(url) as session:
        people = unreachable(session)
    for person in people:
        if json:
            emit_json(person.as_dict())
        else:
            typer.echo(f"notice {person.notice_id}  person {person.person_id}")


@app.command("report")
def report_command(
    by: str = typer.Option("reason", "--by", help=_or(GROUPINGS)),
    format: str = typer.Option("table", "--format", help=_or(FORMATS)),
) -> None:
    """Returned share, reasons, re-mails, unreachable people, and postage spent on letters that came back."""
    if by not in GROUPINGS:
        raise typer.BadParameter(f"use {_or(GROUPINGS)}", param_hint="--by")
    if format not in FORMATS:
        raise typer.BadParameter(f"use {_or(FORMATS)}", param_hint="--format")
    _, url = database()
    with session_for(url) as session:
        report = returns_report(session, by=by)
    if format == "json":
        typer.echo(jsonlib.dumps(report))
    elif format == "csv":
        emit_report_csv(report, COLUMNS)
    else:
        typer.echo(as_table(report))
