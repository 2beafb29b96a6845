"""`notifier letters render|proof|sample|find|list` and `notifier templates check`."""

from __future__ import annotations

import getpass
from pathlib import Path

import typer

from notifier.audit import record_view
from notifier.cli.common import JSON_OPTION, count_progress, database, emit_json, report_enqueued
from notifier.db import session_for
from notifier.errors import ConfigError
from notifier.letters.grades import GRADE_LIMIT, template_report
from notifier.letters.renderer import Renderer, SingleLetter, write_single_letter
from notifier.letters.samples import sample_letter
from notifier.letters.store import count_mailable, find_letter, list_letters, proof_letter
from notifier.letters.templates import VARIANTS
from notifier.settings import get_settings

app = typer.Typer(no_args_is_help=True, help="Render letters (PDF) for notices with a mailable address.")
templates_app = typer.Typer(no_args_is_help=True, help="Check the staff-editable letter templates.")


@app.command("render")
def render_command(jobs: int = typer.Option(1, "--jobs", min=1, help="Render in N processes."), json: bool = JSON_OPTION) -> None:
    """Render a letter for every notice with a verified or corrected address (idempotent)."""
    from notifier.workers import enqueue_step, render_locally  # the broker is chosen when this is first imported

    settings, url = database()
    if settings.broker_url:
        return report_enqueued(enqueue_step(url, settings, "render"), json)
    with session_for(url) as session:
        total = count_mailable(session)
    with count_progress("rendering letters", total) as on_progress:
        result = render_locally(url, settings, jobs, on_progress=on_progress)
    if json:
        emit_json(result.as_dict())
        return
    typer.echo(f"rendered {result.rendered} letters: " + (", ".join(f"{k} {v}" for k, v in sorted(result.by_state.items())) or "nothing to do"))
    typer.echo("letters are drawn into print files when their batch is printed (batches create, freeze, print); see one now with `notifier letters proof`")


@app.command("proof")
def proof_command(person_id: str = typer.Argument(..., metavar="PERSON_ID"), out: Path = typer.Option(..., "--out")) -> None:
    """Render a person's current notice to one PDF, changing nothing (PERSON_ID is the source system's id)."""
    settings, url = database()
    with session_for(url) as session:
        written = proof_letter(session, Renderer.from_settings(settings), person_id, out)
        record_view(session, getpass.getuser(), "letters.proof", [person_id], subject="person")
    _report_written(written)


@app.command("sample")
def sample_command(
    lang: str = typer.Option("en", "--lang"),
    variant: str = typer.Option("mixed", "--variant", help=", ".join(VARIANTS)),
    out: Path = typer.Option(..., "--out"),
) -> None:
    """A letter with made-up data, for staff editing templates."""
    if variant not in VARIANTS:
        raise typer.BadParameter(f"use one of: {', '.join(VARIANTS)}", param_hint="--variant")
    _report_written(write_single_letter(Renderer.from_settings(get_settings()), 1, sample_letter(lang, variant), out, f"Sample letter ({lang}, {variant})"))


def _report_written(letter: SingleLetter) -> None:
    typer.echo(f"wrote {letter.path} ({letter.pages} pages)")
    for failure in letter.failures:
        typer.echo(f"  check failed: {failure.code}: {failure.message}", err=True)
    for found in letter.readback:
        typer.echo(f"  read back from the PDF: {found.code} on page {found.page}: {found.message}", err=True)


@app.command("find")
def find_command(letter: str = typer.Argument(..., metavar="LETTER_ID_OR_IMB"), json: bool = JSON_OPTION) -> None:
    """Find a letter from its printed letter id or the digits a scanner reads from its barcode."""
    _, url = database()
    with session_for(url) as session:
        row = find_letter(session, letter)
    if json:
        emit_json(row.as_dict())
    else:
        typer.echo(f"{row.letter_id}  person {row.person_id}  notice {row.notice_id}  attempt {row.attempt}  {row.state}")


@app.command("list")
def list_command(limit: int = typer.Option(None, "--limit"), json: bool = JSON_OPTION) -> None:
    """One line per letter: id, person, notice, attempt, state, pages, sheets."""
    _, url = database()
    with session_for(url) as session:
        rows = list_letters(session, limit=limit)
    for row in rows:
        if json:
            emit_json(row.as_dict())
        else:
            problems = "; ".join(c["code"] for c in row.checks)
            typer.echo(f"{row.letter_id}  {row.person_id:<12} notice {row.notice_id:>6}  attempt {row.attempt}  {row.state:<10} {row.pages} p  {problems}")


@templates_app.command("check")
def templates_check_command(json: bool = JSON_OPTION) -> None:
    """Unknown variables, missing variants or languages, with file and line; reading grade of English templates."""
    report = template_report(get_settings())
    if json:
        emit_json(report.as_dict())
    else:
        for problem in report.problems:
            typer.echo(str(problem))
        for name, grade in report.reading_grades.items():
            note = f"  (above grade {GRADE_LIMIT:g}: simplify)" if name in report.too_hard else ""
            typer.echo(f"reading grade {grade:4.1f}  {name}{note}")
    if not report.ok:
        raise ConfigError(f"{len(report.problems)} template problem(s)", todo="fix the files named above")
