"""`notifier identities list|resolve`: one person id, two people: staff decide."""

from __future__ import annotations

import getpass

import typer

from notifier.audit import record_view
from notifier.cli.common import JSON_OPTION, database, emit_json
from notifier.db import session_for
from notifier.intake.conflicts import list_identity_conflicts, resolve_identity_conflict

app = typer.Typer(no_args_is_help=True, help="Rows whose person id belongs to someone else: confirm the same person or split them off.")


@app.command("list")
def list_command(limit: int = typer.Option(None, "--limit"), json: bool = JSON_OPTION) -> None:
    """Every identity conflict that waits: who the person id is known as, and who the row says (their letters are held)."""
    _, url = database()
    with session_for(url) as session:
        conflicts = list_identity_conflicts(session, limit)
        record_view(session, getpass.getuser(), "identities.list", [conflict.id for conflict in conflicts], subject="quarantined_row")
    for conflict in conflicts:
        if json:
            emit_json(conflict.as_dict())
            continue
        known = "; ".join(f"{k['last_name_key']} born {k['date_of_birth'] or 'unknown'}" for k in conflict.known) or "unknown"
        row = conflict.row
        typer.echo(f"{conflict.id:>6}  person {conflict.person_id}: known as {known}; {conflict.source}:{conflict.line} says "
                   f"{row['first_name']} {row['last_name']} born {row['date_of_birth'] or 'unknown'}")
    if not conflicts and not json:
        typer.echo("no identity conflicts wait")


@app.command("resolve")
def resolve_command(
    conflict: int = typer.Argument(..., metavar="ID", help="The conflict's id (from `identities list`)."),
    same_person: bool = typer.Option(False, "--same-person", help="It is the same person (e.g. a changed last name): join the letter."),
    new_person_id: str = typer.Option("", "--new-person-id", metavar="NEW_ID", help="It is someone else: give the row this person id."),
    by: str = typer.Option(None, "--by", help="Who decides (default: your login name)."),
    json: bool = JSON_OPTION,
) -> None:
    """Answer one conflict; every waiting row with the same identity follows, and the answer is remembered for later files."""
    _, url = database()
    with session_for(url) as session:
        result = resolve_identity_conflict(session, conflict, same_person=same_person, new_person_id=new_person_id.strip(), actor=by or getpass.getuser())
    if json:
        emit_json(result.as_dict())
        return
    how = "the same person" if result.resolution == "same_person" else f"a new person, {result.joined_to}"
    typer.echo(f"conflict {result.id}: person {result.person_id}'s row is {how}; {result.decisions} decision(s) joined {result.joined_to}'s notice")
