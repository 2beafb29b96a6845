"""`notifier users add|disable|reset|list`: who may sign in to the staff web app."""

from __future__ import annotations

import getpass
import sys

import typer

from notifier.accounts.store import ROLES, UserRow, add_user, disable_user, list_users, reset_password
from notifier.cli.common import JSON_OPTION, database, emit_json
from notifier.db import session_for

app = typer.Typer(no_args_is_help=True, help="Staff web app users: add them, disable them, reset their passwords.")
BY = typer.Option(None, "--by", help="Who does it, for the audit log (default: your login name).")
PASSWORD_STDIN = typer.Option(False, "--password-stdin", help="Read the password from the first line of stdin instead of asking twice.")


def _password(from_stdin: bool) -> str:
    """The new password: stdin's first line (without its line ending), or typed twice without echo."""
    if from_stdin:
        return sys.stdin.readline().rstrip("\r\n")
    return typer.prompt("Password", hide_input=True, confirmation_prompt=True)


def _line(user: UserRow) -> str:
    last = user.last_login_at.strftime("%Y-%m-%d %H:%M UTC") if user.last_login_at else "never"
    return f"{user.name:<24} {user.role:<8} {'disabled' if user.disabled else 'active':<9} last log-in {last}"


def _report(user: UserRow, json: bool, text: str) -> None:
    if json:
        emit_json(user.as_dict())
    else:
        typer.echo(text)


@app.command("add")
def add_command(
    name: str = typer.Argument(..., help="The name they log in with."),
    role: str = typer.Option(..., "--role", help=" | ".join(ROLES)),
    password_stdin: bool = PASSWORD_STDIN,
    by: str = BY,
    json: bool = JSON_OPTION,
) -> None:
    """Add a user who can log in to the web app at once."""
    password = _password(password_stdin)
    _, url = database()
    with session_for(url) as session:
        user = add_user(session, name, role, password, actor=by or getpass.getuser())
    _report(user, json, f"user {user.name} added ({user.role})")


@app.command("disable")
def disable_command(name: str = typer.Argument(...), by: str = BY, json: bool = JSON_OPTION) -> None:
    """Stop a user logging in; their open sessions end now."""
    _, url = database()
    with session_for(url) as session:
        user = disable_user(session, name, actor=by or getpass.getuser())
    _report(user, json, f"user {user.name} disabled; their sessions have ended")


@app.command("reset")
def reset_command(name: str = typer.Argument(...), password_stdin: bool = PASSWORD_STDIN, by: str = BY, json: bool = JSON_OPTION) -> None:
    """Give a user a new password; their open sessions end now."""
    password = _password(password_stdin)
    _, url = database()
    with session_for(url) as session:
        user = reset_password(session, name, password, actor=by or getpass.getuser())
    _report(user, json, f"user {user.name}: new password set; their sessions have ended")


@app.command("list")
def list_command(json: bool = JSON_OPTION) -> None:
    """Every user with their role, whether they are disabled, and when they last logged in."""
    _, url = database()
    with session_for(url) as session:
        users = list_users(session)
    for user in users:
        if json:
            emit_json(user.as_dict())
        else:
            typer.echo(_line(user))
    if not users and not json:
        typer.echo("no users yet; add the first admin with `notifier users add NAME --role admin`")
