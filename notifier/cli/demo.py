"""`notifier demo`: every step that exists so far, on synthetic data, in a fresh workspace."""

from __future__ import annotations

import shutil
import time
from datetime import date
from pathlib import Path

import typer
from sqlmodel import select

from notifier import db
from notifier.addresses.check import RawAddress, ZipDatabaseVerifier
from notifier.addresses.spreadsheet import export_review
from notifier.addresses.store import count_stale, review_queue, verify_notices
from notifier.batches.store import (
    batch_summary,
    create_batch,
    freeze_batch,
    mark_mailed,
    print_batch,
)
from notifier.cli.common import byte_progress, count_progress
from notifier.db import session_for
from notifier.intake import quarantine
from notifier.intake.importer import import_file
from notifier.letters.ids import make_letter_id
from notifier.letters.layout import draw_letter
from notifier.letters.store import (
    Renderer,
    atomic_pdf,
    count_mailable,
    current_notice_work,
    render_letters,
)
from notifier.models import Address, Batch, Letter, LetterState, Notice
from notifier.returns.rules import load_policy
from notifier.returns.store import record_return, returns_report
from notifier.settings import Settings, get_settings
from notifier.status import status
from notifier.synth.generator import write_export


def demo_command(
    count: int = typer.Option(3000, "--count", help="Decisions to synthesize."),
    seed: int = typer.Option(7, "--seed"),
    workdir: Path = typer.Option(Path("var/demo"), "--workdir", help="Emptied and reused on every run."),
) -> None:
    """Synthesize decisions, import them, show what happened and where the outputs are."""
    settings = get_settings()
    if workdir.exists():
        shutil.rmtree(workdir)
    workdir.mkdir(parents=True)
    url = f"sqlite:///{workdir / 'notifier.db'}"
    db.ensure_schema(url)

    export = workdir / "decisions.csv"
    typer.echo(f"1. synthesize  {count} decisions (seed {seed})")
    stats = write_export(export, count, seed)
    typer.echo(f"   {stats.people} people, {stats.broken_rows} rows broken on purpose -> {export}")

    typer.echo("2. import      validate, quarantine, group into one notice per person")
    started = time.perf_counter()
    with byte_progress("importing", export.stat().st_size) as on_bytes:
        summary = import_file(url, export, on_bytes=on_bytes, chunk_rows=settings.import_chunk_rows)
    c = summary.counts
    typer.echo(
        f"   read {c.read}: {c.imported} imported, {c.duplicates} duplicates, {c.conflicts} conflicts, "
        f"{c.quarantined} quarantined ({time.perf_counter() - started:.1f} s)"
    )

    typer.echo("3. re-import   the same file again changes nothing")
    again = import_file(url, export, chunk_rows=settings.import_chunk_rows).counts
    typer.echo(f"   read {again.read}: {again.imported} imported, {again.duplicates} duplicates, {again.quarantined} quarantined")

    fixes = workdir / "quarantine.csv"
    exported = quarantine.export(url, fixes, settings.config_dir)
    typer.echo(f"4. quarantine  {exported} rows to fix -> {fixes}")
    for row in quarantine.find(url, limit=3):
        typer.echo(f"   line {row.line_number}: {quarantine.problems_text(row)[:110]}")

    typer.echo("5. addresses   standardize (USPS Pub 28) and verify every notice's address")
    started = time.perf_counter()
    verifier = ZipDatabaseVerifier()
    with count_progress("verifying addresses", count_stale(url)) as on_progress:
        checked = verify_notices(url, verifier, on_progress=on_progress)
    typer.echo(f"   {', '.join(f'{k} {v}' for k, v in sorted(checked.items()))} ({time.perf_counter() - started:.1f} s)")
    review = workdir / "address-review.csv"
    typer.echo(f"   {export_review(url, review)} wait for staff -> {review}")
    for item in review_queue(url, limit=3):
        reason = item.address.reasons[0]
        typer.echo(f"   notice {item.notice_id}: {reason['code']}: {reason['message'][:90]}")

    typer.echo("6. letters     render a letter per notice with a mailable address (many letters per PDF)")
    started = time.perf_counter()
    renderer = Renderer.from_settings(Settings(database_url=url, output_dir=workdir / "output"))
    with count_progress("rendering letters", count_mailable(url)) as on_progress:
        rendered = render_letters(url, renderer, on_progress=on_progress)
    typer.echo(f"   {', '.join(f'{k} {v}' for k, v in sorted(rendered.items()))} ({time.perf_counter() - started:.1f} s) -> {workdir / 'output' / 'letters'}")
    samples = workdir / "output" / "samples"
    for language in ("en", "es"):
        person = _first_person_speaking(url, language)
        if person:
            number, work = current_notice_work(url, person, renderer)
            path = samples / f"letter-{language}.pdf"
            with atomic_pdf(path) as canvas:
                draw_letter(canvas, renderer.content(max(number, 1), work.notice, work.decisions, work.address), renderer.geometry)
            typer.echo(f"   sample letter ({language}) -> {path}")

    typer.echo("7. mail run    create a batch (waves), freeze it (presort, cost estimate), print it")
    demo_settings = Settings(database_url=url, output_dir=workdir / "output")
    with session_for(url) as session:
        batch = create_batch(session, demo_settings, mail_date=date.today(), wave=None, limit=None, postage_class=None, actor="demo")
        session.commit()
        freeze_batch(session, demo_settings, batch, "demo")
        session.commit()
        print_batch(session, demo_settings, batch, "demo")
        session.commit()
        summary = batch_summary(session, batch)
    estimate = summary["estimate"]
    typer.echo(f"   batch {summary['id']}: {summary['letters']} letters, {summary['sheets']} sheets, mail date {summary['mail_date']}, {summary['postage_class']}")
    typer.echo(
        f"   estimate: postage ${estimate['postage_cents'] / 100:,.2f}, print ${estimate['print_cents'] / 100:,.2f}, "
        f"envelopes ${estimate['envelope_cents'] / 100:,.2f}, total ${estimate['total_cents'] / 100:,.2f} "
        f"(${estimate['total_cents'] / max(summary['people'], 1) / 100:.2f} per person)"
    )
    typer.echo(f"   print files, manifest and cover sheet -> {Path(summary['files'][0]).parent}")
    with session_for(url) as session:
        batch = session.get(Batch, summary["id"])
        mark_mailed(session, batch, "demo", postage_cents=estimate["postage_cents"], print_cents=None, envelope_cents=None, statement="DEMO-1", invoice="")
        session.commit()
    typer.echo("   marked mailed (postage statement DEMO-1)")

    typer.echo("8. returns     a few percent of the envelopes come back; forwarding addresses get a second letter")
    policy = load_policy(demo_settings.config_dir)
    verifier = ZipDatabaseVerifier()
    dead_reasons = [code for code, reason in policy.reasons.items() if reason.dead]
    with session_for(url) as session:
        returned = session.exec(select(Letter.id).where(Letter.batch_id == summary["id"]).order_by(Letter.sequence)).all()[::30]
    outcomes: dict[str, int] = {}
    for index, letter_id in enumerate(returned):
        forward = RawAddress(f"{100 + index} W Madison St", "", "Chicago", "IL", "60602") if index % 3 == 0 else None
        with session_for(url) as session:
            result = record_return(session, url, policy, verifier, letter_text=make_letter_id(letter_id), reason=dead_reasons[index % len(dead_reasons)],
                                   returned_on=date.today(), forward=forward, note="", actor="demo")
            session.commit()
        outcomes[result.outcome] = outcomes.get(result.outcome, 0) + 1
    typer.echo(f"   {len(returned)} returned: " + ", ".join(f"{k} {v}" for k, v in sorted(outcomes.items())))
    second = render_letters(url, renderer)
    with session_for(url) as session:
        batch = create_batch(session, demo_settings, mail_date=date.today(), wave=None, limit=None, postage_class=None, actor="demo")
        session.commit()
        freeze_batch(session, demo_settings, batch, "demo")
        print_batch(session, demo_settings, batch, "demo")
        session.commit()
        rerun = batch_summary(session, batch)
        report = returns_report(session, by="reason")
    typer.echo(f"   second run: {sum(second.values())} letters rendered, batch {rerun['id']} with {rerun['letters']} letters, estimate ${rerun['estimate']['total_cents'] / 100:,.2f}")
    total = report["total"]
    typer.echo(f"   returns report: {total['returned']} of {total['mailed']} returned ({total['returned_share']:.1%}), {total['remailed']} re-mailed, "
               f"${total['returned_postage_cents'] / 100:,.2f} postage on returned letters; `notifier returns report` for more")

    _one_command_run(workdir, seed)

    counts = status(url)
    typer.echo("10. status")
    typer.echo(
        f"   {counts['decisions']} decisions, {counts['people']} people, {counts['notices']} notices "
        f"({counts['notices_without_address']} wait for an address), "
        f"{counts['people_with_discrepancies']} people whose rows disagree"
    )
    typer.echo(f"   addresses: {', '.join(f'{k} {v}' for k, v in sorted(counts['addresses'].items()))}")
    typer.echo(f"   letters: {', '.join(f'{k} {v}' for k, v in sorted(counts['letters'].items()))}")
    typer.echo(f"\ndemo database: {workdir / 'notifier.db'}")
    typer.echo(f"look around:   NOTIFIER_DATABASE_URL=sqlite:///{workdir / 'notifier.db'} .venv/bin/notifier status")


def _one_command_run(workdir: Path, seed: int) -> None:
    """Another county's file through `notifier run`: the same steps as tasks, as workers would do them."""
    from notifier.intake.mapping import Mapping
    from notifier.pipeline import run_summary, stage_file
    from notifier.workers import run_locally

    typer.echo("9. one command `notifier run FILE`: import, verify and render as tasks (2 local processes here, dramatiq workers at scale)")
    county = workdir / "county-b"
    county.mkdir()
    url = f"sqlite:///{county / 'notifier.db'}"
    db.ensure_schema(url)
    export = county / "decisions.jsonl"
    write_export(export, 1000, seed + 1)
    started = time.perf_counter()
    settings = Settings(database_url=url, output_dir=county / "output", import_chunk_rows=250)
    run_id, task_ids = stage_file(url, settings, export, fmt=None, mapping=Mapping(), encoding=None)
    run_locally(url, settings, task_ids, jobs=2)
    summary = run_summary(url, run_id)
    steps = ", ".join(f"{step} {c['done']} tasks" for step, c in summary["steps"].items())
    letters = status(url)["letters"]
    typer.echo(f"   run {run_id}: {'done' if summary['done'] else summary['stage']}; {steps}; letters: "
               f"{', '.join(f'{k} {v}' for k, v in sorted(letters.items()))} ({time.perf_counter() - started:.1f} s) -> {county}")


def _first_person_speaking(url: str, language: str) -> str | None:
    """A person with a rendered letter in `language`, for the sample letters."""
    with session_for(url) as session:
        query = (
            select(Notice.person_id)
            .join(Letter, Letter.notice_id == Notice.id)
            .join(Address, Address.notice_id == Notice.id)
            .where(Letter.state == LetterState.RENDERED, Letter.language == language, Address.line2 == "")
            .order_by(Letter.id)
        )
        return session.exec(query).first()
