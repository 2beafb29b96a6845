"""`notifier synth`: a realistic, messy, fake decision export."""

from __future__ import annotations

from pathlib import Path

import typer

from notifier.cli.common import JSON_OPTION, emit_json
from notifier.synth.generator import CANONICAL, write_export


def synth_command(
    count: int = typer.Option(..., "--count", min=1, help="Number of decision rows."),
    seed: int = typer.Option(1, "--seed", help="Same seed, same file."),
    out: Path = typer.Option(..., "--out", help="File to write (.csv, or .jsonl for JSON lines)."),
    layout: str = typer.Option(CANONICAL, "--layout", help="canonical (our columns) or gogen (the results file Code for America's gogen writes)."),
    addresses_out: Path = typer.Option(None, "--addresses-out", help="Also write the people's addresses, as `notifier addresses import` reads them."),
    json: bool = JSON_OPTION,
) -> None:
    """Write a fake decision export with the mess real exports have (about 1% broken rows)."""
    stats = write_export(out, count, seed, layout=layout, addresses=addresses_out)
    if json:
        emit_json(stats.as_dict())
        return
    if layout == CANONICAL:
        typer.echo(f"wrote {stats.rows} decisions for {stats.people} people to {out} ({stats.broken_rows} rows broken on purpose)")
    else:
        e = stats.expected_import
        typer.echo(f"wrote {stats.rows} rows for {stats.people} people to {out} in gogen's layout: {e['imported']} decisions to import, "
                   f"{e['skipped']} to skip (not decisions, deceased), {e['not_final']} not final, {e['identity_conflicts']} identity conflicts")
    if addresses_out:
        typer.echo(f"wrote {stats.address_rows} addresses to {addresses_out}")
