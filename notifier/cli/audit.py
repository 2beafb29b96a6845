"""`notifier audit`: the audit trail, oldest first (ids and actions, never personal values)."""

from __future__ import annotations

from datetime import datetime, time, timezone

import typer

from notifier.audit import list_events
from notifier.cli.common import JSON_OPTION, database, emit_json, parse_date
from notifier.db import session_for


def audit_command(
    since: str = typer.Option(None, "--since", metavar="YYYY-MM-DD", help="Events from this day on (UTC)."),
    actor: str = typer.Option("", "--actor", metavar="NAME", help="Only what this person (or 'demo', 'import') did."),
    action: str = typer.Option("", "--action", metavar="NAME", help="Only this action, e.g. batch.freeze; end it with a dot for a family (view.)."),
    json: bool = JSON_OPTION,
) -> None:
    """Who did or saw what, and when: one line (or JSON object) per event."""
    _, url = database()
    day = parse_date(since, "--since")
    start = datetime.combine(day, time.min, tzinfo=timezone.utc) if day else None
    with session_for(url) as session:
        events = list(reversed(list_events(session, since=start, actor=actor, action=action, limit=None)))
    for event in events:
        if json:
            emit_json(event.as_dict())
        else:
            details = ", ".join(f"{k}={v}" for k, v in event.details.items())
            typer.echo(f"{event.at.isoformat(timespec='seconds')}  {event.actor:<12} {event.action:<24} {event.subject} {event.subject_id}  {details}")
    if not events and not json:
        typer.echo("no audit events")
