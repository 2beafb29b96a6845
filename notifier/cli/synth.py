"""`notifier synth`: a realistic, messy, fake decision export."""

from __future__ import annotations

from pathlib import Path

import typer

from notifier.cli.common import JSON_OPTION, emit_json
from notifier.synth.generator import write_export


def synth_command(
    count: int = typer.Option(..., "--count", min=1, help="Number of decision rows."),
    seed: int = typer.Option(1, "--seed", help="Same seed, same file."),
    out: Path = typer.Option(..., "--out", help="File to write (.csv, or .jsonl for JSON lines)."),
    json: bool = JSON_OPTION,
) -> None:
    """Write a fake decision export with the mess real exports have (about 1% broken rows)."""
    stats = write_export(out, count, seed)
    if json:
        emit_json(stats.as_dict())
    else:
        typer.echo(f"wrote {stats.rows} decisions for {stats.people} people to {out} ({stats.broken_rows} rows broken on purpose)")
