"""`notifier letters render|proof|sample|list` and `notifier templates check`."""

from __future__ import annotations

from pathlib import Path

import typer

from notifier.cli.common import JSON_OPTION, count_progress, database, emit_json
from notifier.errors import NotifierError
from notifier.letters.ids import make_letter_id
from notifier.letters.layout import draw_letter
from notifier.letters.samples import sample_work
from notifier.letters.store import Renderer, atomic_pdf, count_mailable, current_notice_work, find_letter, letter_rows, render_letters
from notifier.letters.templates import VARIANTS, check_templates, reading_grades
from notifier.settings import get_settings

app = typer.Typer(no_args_is_help=True, help="Render letters (PDF) for notices with a mailable address.")
templates_app = typer.Typer(no_args_is_help=True, help="Check the staff-editable letter templates.")


@app.command("render")
def render_command(jobs: int = typer.Option(1, "--jobs", min=1, help="Render in N processes."), json: bool = JSON_OPTION) -> None:
    """Render a letter for every notice with a verified or corrected address (idempotent)."""
    settings, url = database()
    if settings.broker_url:
        from notifier.cli.runs import enqueue_step

        return enqueue_step(settings, url, "render", json)
    renderer = Renderer.from_settings(settings)
    with count_progress("rendering letters", count_mailable(url)) as on_progress:
        counts = render_letters(url, renderer, jobs=jobs, on_progress=on_progress)
    if json:
        emit_json({"rendered": sum(counts.values()), "by_state": counts, "output": str(settings.output_dir / "letters")})
        return
    typer.echo(f"rendered {sum(counts.values())} letters: " + (", ".join(f"{k} {v}" for k, v in sorted(counts.items())) or "nothing to do"))
    typer.echo(f"print-ready files in {settings.output_dir / 'letters'}")


@app.command("proof")
def proof_command(person_id: str = typer.Argument(..., metavar="PERSON_ID"), out: Path = typer.Option(..., "--out")) -> None:
    """Render a person's current notice to one PDF, changing nothing (PERSON_ID is the source system's id)."""
    settings, url = database()
    renderer = Renderer.from_settings(settings)
    number, work = current_notice_work(url, person_id, renderer)
    _write_one(renderer, number, work, out)


@app.command("sample")
def sample_command(
    lang: str = typer.Option("en", "--lang"),
    variant: str = typer.Option("mixed", "--variant", help=", ".join(VARIANTS)),
    out: Path = typer.Option(..., "--out"),
) -> None:
    """A letter with made-up data, for staff editing templates."""
    if variant not in VARIANTS:
        raise typer.BadParameter(f"use one of: {', '.join(VARIANTS)}", param_hint="--variant")
    renderer = Renderer.from_settings(get_settings())
    _write_one(renderer, 1, sample_work(lang, variant), out)


def _write_one(renderer: Renderer, number: int, work, out: Path) -> None:
    from notifier.letters.checks import check_letter

    content = renderer.content(max(number, 1), work.notice, work.decisions, work.address)
    with atomic_pdf(out) as canvas:
        drawn = draw_letter(canvas, content, renderer.geometry)
    failures = check_letter(content, drawn, renderer.geometry)
    typer.echo(f"wrote {out} ({drawn.pages} pages)")
    for failure in failures:
        typer.echo(f"  check failed: {failure.code}: {failure.message}", err=True)


@app.command("find")
def find_command(letter: str = typer.Argument(..., metavar="LETTER_ID_OR_IMB"), json: bool = JSON_OPTION) -> None:
    """Find a letter from its printed letter id or the digits a scanner reads from its barcode."""
    _, url = database()
    found, person_id = find_letter(url, letter)
    row = _row(found, person_id)
    if json:
        emit_json(row)
    else:
        typer.echo(f"{row['letter_id']}  person {person_id}  notice {found.notice_id}  attempt {found.attempt}  {found.state}")


def _row(letter, person_id: str) -> dict:
    return {
        "letter_id": make_letter_id(letter.id),
        "person_id": person_id,
        "notice_id": letter.notice_id,
        "attempt": letter.attempt,
        "state": letter.state,
        "batch_id": letter.batch_id,
        "pages": letter.pages,
        "sheets": letter.sheets,
    }


@app.command("list")
def list_command(limit: int = typer.Option(None, "--limit"), json: bool = JSON_OPTION) -> None:
    """One line per letter: id, person, notice, attempt, state, pages, sheets."""
    _, url = database()
    for letter, person_id in letter_rows(url, limit=limit):
        row = _row(letter, person_id)
        if json:
            emit_json(row)
        else:
            problems = "; ".join(c["code"] for c in letter.checks)
            typer.echo(f"{row['letter_id']}  {person_id:<12} notice {letter.notice_id:>6}  attempt {letter.attempt}  {letter.state:<10} {letter.pages} p  {problems}")


@templates_app.command("check")
def templates_check_command(json: bool = JSON_OPTION) -> None:
    """Unknown variables, missing variants or languages, with file and line; reading grade of English templates."""
    languages = get_settings().office().letter_languages
    problems = check_templates(languages)
    grades = reading_grades()
    if json:
        emit_json({"problems": [str(p) for p in problems], "reading_grades": grades, "ok": not problems})
    else:
        for problem in problems:
            typer.echo(str(problem))
        for name, grade in grades.items():
            note = "  (above grade 8: simplify)" if grade > 8 else ""
            typer.echo(f"reading grade {grade:4.1f}  {name}{note}")
    if problems:
        raise NotifierError(f"{len(problems)} template problem(s)", todo="fix the files named above")
