"""`notifier status`: what the database holds, step by step."""

from __future__ import annotations

import typer

from notifier.cli.common import JSON_OPTION, database, emit_json
from notifier.db import session_for
from notifier.status import status


def status_command(json: bool = JSON_OPTION) -> None:
    """Counts of decisions, people, notices, quarantined rows and letters."""
    _, url = database()
    with session_for(url) as session:
        counts = status(session)
    if json:
        emit_json(counts)
        return
    typer.echo(f"decisions        {counts['decisions']}")
    typer.echo(f"people           {counts['people']}")
    by_status = ", ".join(f"{k} {v}" for k, v in sorted(counts["notices_by_status"].items())) or "none"
    typer.echo(f"notices          {counts['notices']} ({by_status}); {counts['notices_without_address']} wait for an address")
    if counts["notices_purged"]:
        typer.echo(f"purged           {counts['notices_purged']} finished notices, their personal data erased (`notifier purge`)")
    typer.echo(f"quarantined      {counts['quarantined']} rows to fix, {counts['conflicts']} conflicts")
    if counts["not_final"]:
        typer.echo(f"not final yet    {counts['not_final']} rows wait for a decision in a later export (`notifier quarantine list --kind not_final`)")
    if counts["identity_conflicts"]:
        typer.echo(f"identities       {counts['identity_conflicts']} rows name a person id that belongs to someone else; "
                   f"{counts['notices_held']} notices held from letters (`notifier identities list`)")
    typer.echo(f"discrepancies    {counts['people_with_discrepancies']} people whose rows disagree on name or address")
    addresses = ", ".join(f"{k} {v}" for k, v in sorted(counts["addresses"].items())) or "none"
    typer.echo(f"addresses        {addresses}")
    letters = ", ".join(f"{k} {v}" for k, v in sorted(counts["letters"].items())) or "none yet"
    typer.echo(f"letters          {letters}")
    batches = ", ".join(f"{k} {v}" for k, v in sorted(counts["batches"].items())) or "none yet"
    typer.echo(f"batches          {batches}")
    if counts["steps"]:
        per_step = "; ".join(f"{step} {c['done']} done, {c['queued']} queued, {c['in_progress']} in progress, {c['failed']} failed" for step, c in counts["steps"].items())
        typer.echo(f"tasks            {per_step}")
    for run in counts["runs_in_progress"]:
        typer.echo(f"run {run['run_id']:<12} {run['kind']}, at stage {run['stage']}")
    for task in counts["failed_tasks"]:
        first_line = task["error"].splitlines()[0] if task["error"] else ""
        typer.echo(f"failed task {task['task_id']}: {task['step']} {task['first_id']}-{task['last_id']} after {task['attempts']} attempts: {first_line}")
    if counts["failed"]:
        typer.echo("fix the cause, then `notifier resume --retry-failed`")
    last = counts["last_import"]
    if last:
        typer.echo(f"last import      run {last['run_id']}, {last['source']}, {last['status']}, {last['read']} rows read")
