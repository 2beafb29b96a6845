"""`notifier serve`: the staff web app, served by uvicorn."""

from __future__ import annotations

import typer

from notifier.cli.common import database


def serve_command(
    host: str = typer.Option("127.0.0.1", "--host", help="Address to listen on (0.0.0.0 for every interface)."),
    port: int = typer.Option(8000, "--port"),
    root_path: str = typer.Option("", "--root-path", help="The path prefix a reverse proxy serves the app under, e.g. /notifier."),
    forwarded_allow_ips: str = typer.Option("127.0.0.1", "--forwarded-allow-ips", help="Proxies whose X-Forwarded-Proto/For headers are trusted (comma separated, or *)."),
) -> None:
    """Serve the staff pages: sign in at /login (create the first admin with `notifier users add NAME --role admin`)."""
    import uvicorn

    from notifier.web.app import create_app

    settings, _ = database()
    typer.echo(f"notifier: serving on http://{host}:{port}{root_path}/login (stop with Ctrl-C)", err=True)
    uvicorn.run(create_app(settings), host=host, port=port, root_path=root_path, proxy_headers=True, forwarded_allow_ips=forwarded_allow_ips, log_level="warning")
