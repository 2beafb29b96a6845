"""`notifier addresses check|verify|review|fix|import`: Pub 28 addresses, the review queue, addresses from a second file."""

from __future__ import annotations

import getpass
import json as jsonlib
import sys
from pathlib import Path

import typer

from notifier.addresses.check import REVIEW_STATUSES, RawAddress, ZipDatabaseVerifier
from notifier.addresses.spreadsheet import export_review, fixes_from_file
from notifier.addresses.store import Fix, count_stale, fix_address, review_queue, verify_addresses
from notifier.audit import record_view
from notifier.cli.common import JSON_OPTION, count_progress, database, emit_json, report_enqueued
from notifier.db import session_for
from notifier.errors import InvalidInputError
from notifier.intake.address_file import import_addresses
from notifier.intake.mapping import load_mapping

app = typer.Typer(no_args_is_help=True, help="Standardize (USPS Pub 28) and verify addresses; the review queue; addresses from a second file.")
CHECK_FIELDS = ("line1", "line2", "city", "state", "zip")


@app.command("check")
def check_command() -> None:
    """Read JSON lines {"id","line1","line2","city","state","zip"} on stdin; write one result line per input."""
    verifier = ZipDatabaseVerifier()
    out = sys.stdout
    for number, line in enumerate(sys.stdin, start=1):
        if not line.strip():
            continue
        try:
            item = jsonlib.loads(line)
            if not isinstance(item, dict):
                raise ValueError(f"expected a JSON object, found {type(item).__name__}")
        except ValueError as exc:
            out.write(jsonlib.dumps({"id": None, "status": "error", "reason": f"input line {number}: {exc}"}) + "\n")
            continue
        raw = RawAddress(**{name: "" if item.get(name) is None else str(item.get(name)) for name in CHECK_FIELDS})
        result = verifier.check(raw).as_dict()
        out.write(jsonlib.dumps({"id": item.get("id"), **result}, ensure_ascii=False) + "\n")
        if out.isatty():
            out.flush()


@app.command("verify")
def verify_command(json: bool = JSON_OPTION) -> None:
    """Check every open notice's address that is not checked yet (or changed since); idempotent."""
    settings, url = database()
    if settings.broker_url:
        from notifier.workers import enqueue_step

        return report_enqueued(enqueue_step(url, settings, "verify"), json)
    with session_for(url) as session:
        with count_progress("verifying addresses", count_stale(session)) as on_progress:
            result = verify_addresses(session, ZipDatabaseVerifier(), on_progress=on_progress)
    if json:
        emit_json(result.as_dict())
        return
    checked = result.checked
    typer.echo(f"checked {sum(checked.values())} addresses: " + (", ".join(f"{k} {v}" for k, v in sorted(checked.items())) or "nothing to do"))
    typer.echo("open notices by address status: " + ", ".join(f"{k} {v}" for k, v in sorted(result.addresses.items())))
    if result.waiting:
        typer.echo(f"{result.waiting} wait for staff: `notifier addresses review`")


@app.command("review")
def review_command(
    status: str = typer.Option(None, "--status", help="needs_review or undeliverable (default both)."),
    limit: int = typer.Option(None, "--limit"),
    export: Path = typer.Option(None, "--export", help="Write the queue as a CSV to fix in a spreadsheet."),
    json: bool = JSON_OPTION,
) -> None:
    """What waits for a person: addresses that need review or are undeliverable, with reasons and suggestions."""
    if status and status not in REVIEW_STATUSES:
        raise typer.BadParameter("use needs_review or undeliverable", param_hint="--status")
    _, url = database()
    if export:
        with session_for(url) as session:
            exported = export_review(session, export, status)
            record_view(session, getpass.getuser(), "addresses.review_export", [], subject="notice", rows=exported.count)
        if json:
            emit_json(exported.as_dict())
        else:
            typer.echo(f"wrote {exported.count} addresses to {export}; edit them, then `notifier addresses fix --from {export}`")
        return
    with session_for(url) as session:
        items = [item.as_dict() for item in review_queue(session, status=status, limit=limit)]
        record_view(session, getpass.getuser(), "addresses.review", [item["notice_id"] for item in items], subject="notice")
    for item in items:
        if json:
            emit_json(item)
            continue
        raw = ", ".join(part for part in item["raw"].values() if part) or "(no address)"
        typer.echo(f"notice {item['notice_id']:>6}  {item['status']:<13} {raw}")
        for reason in item["reasons"]:
            typer.echo(f"               {reason['code']}: {reason['message']}")
        if item["suggestion"]:
            typer.echo("               suggestion: " + ", ".join(f"{k} {v}" for k, v in item["suggestion"].items()) + " (--accept-suggestion)")
    if not items and not json:
        typer.echo("nothing waits for review")


@app.command("fix")
def fix_command(
    notice: int = typer.Argument(None, metavar="NOTICE", help="Notice id (from `addresses review`)."),
    line1: str = typer.Option(None, "--line1"),
    line2: str = typer.Option(None, "--line2"),
    city: str = typer.Option(None, "--city"),
    state: str = typer.Option(None, "--state"),
    zip_code: str = typer.Option(None, "--zip"),
    accept_suggestion: bool = typer.Option(False, "--accept-suggestion", help="Apply the suggested fix."),
    undeliverable: str = typer.Option(None, "--undeliverable", metavar="REASON", help="Give up on this address, saying why."),
    from_file: Path = typer.Option(None, "--from", help="Apply the edits of a CSV made by `review --export`."),
    by: str = typer.Option(None, "--by", help="Who makes the change (default: your login name)."),
    json: bool = JSON_OPTION,
) -> None:
    """Correct an address by hand (or mark it undeliverable); it is re-checked and never overwritten by a later import."""
    _, url = database()
    actor = by or getpass.getuser()
    verifier = ZipDatabaseVerifier()
    if from_file:
        if notice is not None:
            raise InvalidInputError("give either a NOTICE or --from FILE.csv, not both")
        with session_for(url) as session:
            report = fixes_from_file(session, from_file, verifier, actor)
        if json:
            emit_json(report.as_dict())
            return
        typer.echo(f"read {report.read} rows: {report.fixed} fixed, {report.unchanged} unchanged, {len(report.errors)} with errors")
        for error in report.errors:
            typer.echo(f"  line {error['line']} (notice {error['notice_id']}): {error['message']}")
        return
    if notice is None:
        raise InvalidInputError("no notice given", todo="give a NOTICE id or --from FILE.csv")
    changes = {name: value for name, value in zip(CHECK_FIELDS, (line1, line2, city, state, zip_code)) if value is not None}
    fix = Fix(notice_id=notice, changes=changes, accept_suggestion=accept_suggestion, undeliverable=undeliverable or "")
    with session_for(url) as session:
        result = fix_address(session, fix, verifier, actor)
    if json:
        emit_json(result.as_dict())
        return
    typer.echo(f"notice {notice}: {result.status}  {result.line1}, {result.city} {result.state} {result.zip5}")
    for reason in result.reasons:
        typer.echo(f"  {reason['code']}: {reason['message']}")


@app.command("import")
def import_command(
    path: Path = typer.Argument(..., metavar="FILE", help="CSV of person_id and address fields (DMV, state ID, a legal-aid list).", dir_okay=False),
    mapping: str = typer.Option(None, "--mapping", help="Column mapping in config/mappings/NAME.toml."),
    by: str = typer.Option(None, "--by", help="Who imports the file (default: your login name)."),
    json: bool = JSON_OPTION,
) -> None:
    """Attach addresses from a second file to the open notices of those people; a staff fix is never replaced."""
    settings, url = database()
    chosen = load_mapping(settings.config_dir, mapping)
    with session_for(url) as session:
        result = import_addresses(session, path, mapping=chosen, verifier=ZipDatabaseVerifier(), actor=by or getpass.getuser())
    if json:
        emit_json(result.as_dict())
        return
    typer.echo(
        f"read {result.read} rows from {path.name}: {result.attached} attached, {result.unchanged} unchanged, "
        f"{result.unknown_person} unknown person ids, {result.invalid} invalid"
    )
    for error in result.errors:
        typer.echo(f"  line {error['line']} (person {error['person_id'] or '?'}) {error['field']}: {error['message']}")
