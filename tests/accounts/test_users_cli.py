"""`notifier users ...`: the operator's way to manage who signs in to the web app."""

from __future__ import annotations

import json

from sqlmodel import select

from notifier import db
from notifier.accounts.store import log_in
from notifier.models import AuditEvent

PASSWORD = "correct horse battery"


def run(cli, *args, input: str | None = None, ok: bool = True):
    """Like the `cli` fixture, with text on stdin."""
    from notifier.cli.main import app

    result = cli.runner.invoke(app, list(args), input=input)
    if ok and result.exit_code != 0:
        raise AssertionError(f"notifier {' '.join(args)} exited {result.exit_code}: {result.stderr}{result.exception!r}")
    return result


def test_add_list_disable_reset(cli, db_url):
    added = run(cli, "users", "add", "alice", "--role", "admin", "--password-stdin", "--by", "root", input=PASSWORD + "\n")
    assert added.stdout.strip() == "user alice added (admin)" and PASSWORD not in added.output
    bob = json.loads(run(cli, "users", "add", "bob", "--role", "finance", "--password-stdin", "--json", input=PASSWORD + "\r\n").stdout.splitlines()[-1])
    assert (bob["name"], bob["role"], bob["disabled"], bob["last_login_at"]) == ("bob", "finance", False, None)

    listed = [json.loads(line) for line in cli("users", "list", "--json").stdout.splitlines()]
    assert [(u["name"], u["role"], u["disabled"]) for u in listed] == [("alice", "admin", False), ("bob", "finance", False)]
    assert set(listed[0]) == {"name", "role", "disabled", "created_at", "last_login_at"}
    assert "never" in cli("users", "list").stdout

    with db.session_for(db_url) as session:
        assert log_in(session, "bob", PASSWORD, address="127.0.0.1").user.role == "finance"
    assert "disabled" in cli("users", "disable", "bob", "--by", "root").stdout
    assert [json.loads(line)["disabled"] for line in cli("users", "list", "--json").stdout.splitlines()] == [False, True]

    reset = run(cli, "users", "reset", "alice", "--password-stdin", "--by", "root", input="another long passphrase\n")
    assert "new password set" in reset.stdout
    with db.session_for(db_url) as session:
        assert log_in(session, "alice", "another long passphrase", address="127.0.0.1").user.name == "alice"
        events = session.exec(select(AuditEvent).where(AuditEvent.subject == "web_user").order_by(AuditEvent.id)).all()
    assert [(e.action, e.actor) for e in events][0::3] == [("user.add", "root"), ("user.reset", "root")]
    assert [e.action for e in events] == ["user.add", "user.add", "user.disable", "user.reset"]


def test_refusals_are_one_line_and_exit_1(cli):
    run(cli, "users", "add", "alice", "--role", "staff", "--password-stdin", input=PASSWORD + "\n")
    duplicate = run(cli, "users", "add", "alice", "--role", "staff", "--password-stdin", input=PASSWORD + "\n", ok=False)
    assert duplicate.exit_code == 1 and "notifier: error: a user named 'alice' exists already" in duplicate.stderr
    short = run(cli, "users", "add", "bob", "--role", "staff", "--password-stdin", input="too short\n", ok=False)
    assert short.exit_code == 1 and "shorter than 12 characters" in short.stderr and "too short" not in short.stderr
    role = run(cli, "users", "add", "bob", "--role", "boss", "--password-stdin", input=PASSWORD + "\n", ok=False)
    assert role.exit_code == 1 and "unknown role 'boss'; use staff, finance or admin" in role.stderr
    missing = cli("users", "disable", "nobody", ok=False)
    assert missing.exit_code == 1 and "no user named 'nobody'" in missing.stderr
    assert cli("users", "list", "--json").stdout.count("\n") == 1


def test_password_is_asked_twice_without_stdin(cli):
    typed = run(cli, "users", "add", "carol", "--role", "staff", input=f"{PASSWORD}\n{PASSWORD}\n")
    assert "user carol added (staff)" in typed.stdout and PASSWORD not in typed.output
    mismatch = run(cli, "users", "add", "dave", "--role", "staff", input=f"{PASSWORD}\nsomething else entirely\n", ok=False)
    assert mismatch.exit_code != 0 and [u["name"] for u in map(json.loads, cli("users", "list", "--json").stdout.splitlines())] == ["carol"]


def test_an_empty_database_says_how_to_add_the_first_admin(cli):
    assert "notifier users add NAME --role admin" in cli("users", "list").stdout
