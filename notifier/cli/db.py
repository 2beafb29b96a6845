"""`notifier db upgrade|current`: the schema, through alembic migrations."""

from __future__ import annotations

import typer

from notifier import db
from notifier.cli.common import JSON_OPTION, emit_json
from notifier.settings import get_settings

app = typer.Typer(no_args_is_help=True, help="Database schema (alembic migrations).")


@app.command("upgrade")
def upgrade(json: bool = JSON_OPTION) -> None:
    """Apply every pending migration (PostgreSQL needs this; the SQLite default does it itself)."""
    url = get_settings().database_url
    revision = db.upgrade(url)
    if json:
        emit_json({"database": db.safe_url(url), "revision": revision})
    else:
        typer.echo(f"{db.safe_url(url)} is at revision {revision}")


@app.command("current")
def current(json: bool = JSON_OPTION) -> None:
    """Show the database's revision and the one this code needs."""
    url = get_settings().database_url
    found, head = db.current_revision(url), db.head_revision()
    if json:
        emit_json({"database": db.safe_url(url), "revision": found, "head": head, "current": found == head})
    else:
        typer.echo(f"{db.safe_url(url)}: revision {found or 'none'} (code needs {head})")
