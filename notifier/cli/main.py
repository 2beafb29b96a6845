"""`notifier <group> <command>`: the entry point and the one place errors become exit codes."""

from __future__ import annotations

import os
import sys

import typer
from typer.core import TyperGroup

from notifier import db
from notifier.cli.hints import error_line
from notifier.errors import NotifierError, StorageError
from notifier.process import start_process
from notifier.settings import get_settings


class NotifierGroup(TyperGroup):
    """Turns a NotifierError from any command into one line on stderr and exit code 1, and so a
    lost database connection or a full disk, which a person can act on too."""

    def invoke(self, ctx):
        try:
            return super().invoke(ctx)
        except NotifierError as exc:
            error = exc
        except Exception as exc:
            error = db.lost_connection(exc, get_settings().database_url) or StorageError.from_os_error(exc)
            if error is None:
                raise  # as before: click's own exits, and bugs (run() below reports those)
        typer.echo(f"notifier: error: {error_line(error)}", err=True)
        raise typer.Exit(1) from None


app = typer.Typer(
    cls=NotifierGroup,
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    help="Letters to people whose old convictions were cleared: intake, addresses, letters, mail runs, costs, returns.",
)


def _register() -> None:
    from notifier.cli import addresses, audit, batches, costs, db, demo, identities, intake, letters, purge, quarantine, returns, runs, serve, status, synth, users

    app.command("import")(intake.import_command)
    app.command("run")(runs.run_command)
    app.command("resume")(runs.resume_command)
    app.command("consume")(runs.consume_command)
    app.command("status")(status.status_command)
    app.command("synth")(synth.synth_command)
    app.command("demo")(demo.demo_command)
    app.command("serve")(serve.serve_command)
    app.command("audit")(audit.audit_command)
    app.command("purge")(purge.purge_command)
    app.add_typer(db.app, name="db")
    app.add_typer(quarantine.app, name="quarantine")
    app.add_typer(identities.app, name="identities")
    app.add_typer(addresses.app, name="addresses")
    app.add_typer(letters.app, name="letters")
    app.add_typer(letters.templates_app, name="templates")
    app.add_typer(batches.app, name="batches")
    app.add_typer(costs.app, name="costs")
    app.add_typer(returns.app, name="returns")
    app.add_typer(users.app, name="users")


_register()


def run() -> None:
    try:
        start_process()
    except NotifierError as exc:
        typer.echo(f"notifier: error: {error_line(exc)}", err=True)
        sys.exit(1)
    try:
        app()
    except KeyboardInterrupt:
        typer.echo("notifier: interrupted; work committed so far is kept, run the same command again to finish", err=True)
        sys.exit(130)
    except Exception as exc:  # a bug, not bad input: keep personal data out of the one line
        if os.environ.get("NOTIFIER_DEBUG"):
            raise
        typer.echo(f"notifier: internal error ({type(exc).__name__}); run again with NOTIFIER_DEBUG=1 for details", err=True)
        sys.exit(2)
