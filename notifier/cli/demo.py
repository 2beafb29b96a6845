"""`notifier demo`: every step that exists so far, on synthetic data, in a fresh workspace.

An edge like every command: each step opens a session and calls the same service a staff
command calls, so the demo shows exactly what staff would get.
"""

from __future__ import annotations

import shutil
import time
from datetime import date, timedelta
from pathlib import Path

import typer

from notifier import db
from notifier.accounts.store import add_user
from notifier.addresses.check import RawAddress, ZipDatabaseVerifier
from notifier.addresses.spreadsheet import export_review
from notifier.addresses.store import count_stale, review_queue, verify_addresses
from notifier.batches.preflight import preflight_batch
from notifier.batches.store import BatchSummary, close_batch, create_batch, freeze_batch, letters_in_print_order, mark_mailed
from notifier.cli.common import byte_progress, count_progress
from notifier.costs.money import dollars
from notifier.db import session_for
from notifier.intake import quarantine
from notifier.intake.address_file import import_addresses
from notifier.intake.importer import import_file
from notifier.intake.mapping import Mapping, load_mapping
from notifier.letters import imb
from notifier.letters.ids import make_letter_id
from notifier.letters.renderer import Renderer
from notifier.letters.store import count_mailable, proof_letter, render_letters, sample_person
from notifier.pipeline import run_summary, stage_file
from notifier.retention.rules import load_retention_days
from notifier.retention.store import purge
from notifier.returns.rules import load_policy
from notifier.returns.report import returns_report
from notifier.returns.acs import COA_CODES
from notifier.returns.acs_import import import_acs
from notifier.returns.store import presume_delivered, record_return
from notifier.settings import Settings, get_settings, load_toml
from notifier.status import status
from notifier.synth.acs import SynthNotice, write_acs_file
from notifier.synth.generator import write_export


DEMO_ADMIN, DEMO_PASSWORD = "demo-admin", "demo-password-only"  # the demo's own throwaway database


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
    demo_settings = Settings(database_url=url, output_dir=workdir / "output")

    export = workdir / "decisions.csv"
    typer.echo(f"1. synthesize  {count} decisions (seed {seed})")
    stats = write_export(export, count, seed)
    typer.echo(f"   {stats.people} people, {stats.broken_rows} rows broken on purpose -> {export}")

    typer.echo("2. import      validate, quarantine, group into one notice per person")
    started = time.perf_counter()
    with byte_progress("importing", export.stat().st_size) as on_bytes, session_for(url) as session:
        summary = import_file(session, export, on_bytes=on_bytes, chunk_rows=settings.import_chunk_rows, actor="demo")
    c = summary.counts
    typer.echo(
        f"   read {c.read}: {c.imported} imported, {c.duplicates} duplicates, {c.conflicts} conflicts, "
        f"{c.quarantined} quarantined ({time.perf_counter() - started:.1f} s)"
    )

    typer.echo("3. re-import   the same file again changes nothing")
    with session_for(url) as session:
        again = import_file(session, export, chunk_rows=settings.import_chunk_rows, actor="demo").counts
    typer.echo(f"   read {again.read}: {again.imported} imported, {again.duplicates} duplicates, {again.quarantined} quarantined")

    fixes = workdir / "quarantine.csv"
    with session_for(url) as session:
        exported = quarantine.export(session, fixes, settings.config_dir).count
        first_rows = quarantine.list_rows(session, limit=3)
    typer.echo(f"4. quarantine  {exported} rows to fix -> {fixes}")
    for row in first_rows:
        typer.echo(f"   line {row.line}: {quarantine.problems_text(row)[:110]}")

    typer.echo("5. addresses   standardize (USPS Pub 28) and verify every notice's address")
    started = time.perf_counter()
    with session_for(url) as session:
        with count_progress("verifying addresses", count_stale(session)) as on_progress:
            verified = verify_addresses(session, ZipDatabaseVerifier(), on_progress=on_progress)
        typer.echo(f"   {', '.join(f'{k} {v}' for k, v in sorted(verified.checked.items()))} ({time.perf_counter() - started:.1f} s)")
        review = workdir / "address-review.csv"
        typer.echo(f"   {export_review(session, review).count} wait for staff -> {review}")
        for item in review_queue(session, limit=3):
            reason = item.reasons[0]
            typer.echo(f"   notice {item.notice_id}: {reason['code']}: {reason['message'][:90]}")

    typer.echo("6. letters     lay out and check a letter per notice with a mailable address (drawn when printed)")
    started = time.perf_counter()
    renderer = Renderer.from_settings(demo_settings)
    with session_for(url) as session:
        with count_progress("rendering letters", count_mailable(session)) as on_progress:
            rendered = render_letters(session, renderer, on_progress=on_progress)
        typer.echo(f"   {', '.join(f'{k} {v}' for k, v in sorted(rendered.by_state.items()))} ({time.perf_counter() - started:.1f} s)")
        for language in ("en", "es"):
            person = sample_person(session, language)
            if person:
                path = workdir / "output" / "samples" / f"letter-{language}.pdf"
                proof_letter(session, renderer, person, path)
                typer.echo(f"   sample letter ({language}) -> {path}")

    typer.echo("7. mail run    create a batch (waves), freeze it (presort, cost estimate), print it")
    first = _mail_run(url, demo_settings)
    estimate = first.estimate
    typer.echo(f"   batch {first.id}: {first.letters} letters, {first.sheets} sheets, mail date {first.mail_date}, {first.postage_class}")
    typer.echo(
        f"   estimate: postage {dollars(estimate['postage_cents'])}, print {dollars(estimate['print_cents'])}, "
        f"envelopes {dollars(estimate['envelope_cents'])}, total {dollars(estimate['total_cents'])} "
        f"({dollars(round(estimate['total_cents'] / max(first.people, 1)))} per person)"
    )
    typer.echo(f"   print files, manifest and cover sheet -> {Path(first.files[0]).parent}")
    with session_for(url) as session:
        read = preflight_batch(session, demo_settings, first.id)
    typer.echo(f"   preflight: {read.files} print files read back, {read.pages} pages, {read.letters} letters, "
               f"{len(read.problems) or 'no'} problems (`notifier batches preflight {first.id}`)")
    with session_for(url) as session:
        mark_mailed(session, first.id, "demo", postage_cents=estimate["postage_cents"], print_cents=None, envelope_cents=None, statement="DEMO-1", invoice="")
    typer.echo("   marked mailed (postage statement DEMO-1)")

    typer.echo("8. returns     a few percent of the envelopes come back; forwarding addresses get a second letter")
    policy = load_policy(demo_settings.config_dir)
    verifier = ZipDatabaseVerifier()
    dead_reasons = [code for code, reason in policy.reasons.items() if reason.dead]
    outcomes: dict[str, int] = {}
    with session_for(url) as session:
        returned = letters_in_print_order(session, first.id)[::30]
        for index, number in enumerate(returned):
            forward = RawAddress(f"{100 + index} W Madison St", "", "Chicago", "IL", "60602") if index % 3 == 0 else None
            result = record_return(session, policy, verifier, letter_text=make_letter_id(number), reason=dead_reasons[index % len(dead_reasons)],
                                   returned_on=date.today(), forward=forward, note="", actor="demo")
            outcomes[result.outcome] = outcomes.get(result.outcome, 0) + 1
    typer.echo(f"   {len(returned)} returned: " + ", ".join(f"{k} {v}" for k, v in sorted(outcomes.items())))
    _acs_notices(url, demo_settings, workdir, first.id, policy, verifier)
    with session_for(url) as session:
        second = render_letters(session, renderer)
    rerun = _mail_run(url, demo_settings)
    with session_for(url) as session:
        report = returns_report(session, by="reason")
    typer.echo(f"   second run: {second.rendered} letters rendered, batch {rerun.id} with {rerun.letters} letters, estimate {dollars(rerun.estimate['total_cents'])}")
    total = report["total"]
    typer.echo(f"   returns report: {total['returned']} of {total['mailed']} returned ({total['returned_share']:.1%}), {total['remailed']} re-mailed, "
               f"{dollars(total['returned_postage_cents'])} postage on returned letters; `notifier returns report` for more")

    _one_command_run(workdir, seed)
    _office_export(workdir, seed, settings.config_dir)

    with session_for(url) as session:
        counts = status(session)
    typer.echo("11. status")
    typer.echo(
        f"   {counts['decisions']} decisions, {counts['people']} people, {counts['notices']} notices "
        f"({counts['notices_without_address']} wait for an address), "
        f"{counts['people_with_discrepancies']} people whose rows disagree"
    )
    typer.echo(f"   addresses: {', '.join(f'{k} {v}' for k, v in sorted(counts['addresses'].items()))}")
    typer.echo(f"   letters: {', '.join(f'{k} {v}' for k, v in sorted(counts['letters'].items()))}")
    _retention(url, demo_settings, first.id, rerun.id)
    with session_for(url) as session:
        add_user(session, DEMO_ADMIN, "admin", DEMO_PASSWORD, actor="demo")
    typer.echo(f"\ndemo database: {workdir / 'notifier.db'}")
    typer.echo(f"look around:   NOTIFIER_DATABASE_URL=sqlite:///{workdir / 'notifier.db'} .venv/bin/notifier status")
    typer.echo(f"staff pages:   NOTIFIER_DATABASE_URL=sqlite:///{workdir / 'notifier.db'} NOTIFIER_OUTPUT_DIR={workdir / 'output'} .venv/bin/notifier serve, then open "
               f"http://127.0.0.1:8000/login and sign in as {DEMO_ADMIN} with the password {DEMO_PASSWORD} (a demo account: never on real data)")


def _acs_notices(url: str, settings: Settings, workdir: Path, batch_id: int, policy, verifier) -> None:
    """USPS's electronic notices for four more envelopes of the run: a move with a new address, a
    temporary move, a deceased addressee and a nixie, written as an ACS file and imported."""
    config = load_toml(settings.config_dir / "imb.toml")
    with session_for(url) as session:
        numbers = letters_in_print_order(session, batch_id)[15::30][:4]
    new_address = RawAddress("77 W Madison St", "", "Chicago", "IL", "60602")
    kinds = [(" ", new_address), ("W", None), ("P", None), ("N", None)]
    notices = [SynthNotice(imb.tracking_code(config["barcode_id"], config["service_type"], config["mailer_id"], number), code,
                           moved=date.today() if code in COA_CODES else None, new_address=address)
               for number, (code, address) in zip(numbers, kinds)]
    path = write_acs_file(workdir / "acs" / "acs-demo.txt", notices, created=date.today(), fee_cents_each=13)
    with session_for(url) as session:
        report = import_acs(session, path, policy, verifier, config["mailer_id"], "demo", date.today())
    typer.echo(f"   USPS ACS notices ({path.name}): {report.read} read, {report.recorded} recorded ({report.forwarded} to a new address), "
               f"fees {dollars(report.fee_cents)} on batch {batch_id} (`notifier returns import-acs FILE`)")


def _retention(url: str, settings: Settings, first: int, second: int) -> None:
    """The end of a notice's life, as if time had passed: delivered, the batch closed, what a purge would erase."""
    policy = load_policy(settings.config_dir)
    days = load_retention_days(settings.config_dir)
    typer.echo(f"12. retention  as if {policy.presumed_delivered_days + 1} days had passed: returns sweep, batch {first} closed; "
               f"then as if {days + 1} days had: `notifier purge --dry-run`")
    with session_for(url) as session:
        swept = presume_delivered(session, policy, date.today() + timedelta(days=policy.presumed_delivered_days + 1), "demo")
        close_batch(session, first, "demo")
        would = purge(session, older_than_days=days, today=date.today() + timedelta(days=days + 1), actor="demo",
                      uploads_dir=settings.output_dir / "uploads", dry_run=True)
    typer.echo(f"   {swept.presumed_delivered} letters presumed delivered; a purge would erase the names, addresses, birth dates and case numbers "
               f"of {would.notices} finished notices ({would.letters} letters, {would.quarantined_rows} quarantined rows)")
    typer.echo(f"   and rewrite {would.rewritten} letter PDFs without their pages; batch {first}'s print files stay while its returned letters' "
               f"notices wait for new addresses" + (f"; {would.held} notices are held while batch {second} is open" if would.held else ""))


def _mail_run(url: str, settings: Settings) -> BatchSummary:
    """Every rendered letter into one batch mailed today: create, freeze, print, as staff would."""
    from notifier.workers import print_locally

    with session_for(url) as session:
        created = create_batch(session, settings, mail_date=date.today(), wave=None, limit=None, postage_class=None, actor="demo")
        freeze_batch(session, settings, created.id, "demo")
    return print_locally(url, settings, created.id, "demo")


def _one_command_run(workdir: Path, seed: int) -> None:
    """Another county's file through `notifier run`: the same steps as tasks, as workers would do them."""
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
    with session_for(url) as session:
        run_id, task_ids = stage_file(session, settings, export, fmt=None, mapping=Mapping(), encoding=None, actor="demo")
    run_locally(url, settings, task_ids, jobs=2)
    with session_for(url) as session:
        summary = run_summary(session, run_id)
        letters = status(session)["letters"]
    steps = ", ".join(f"{step} {c['done']} tasks" for step, c in summary["steps"].items())
    typer.echo(f"   run {run_id}: {'done' if summary['done'] else summary['stage']}; {steps}; letters: "
               f"{', '.join(f'{k} {v}' for k, v in sorted(letters.items()))} ({time.perf_counter() - started:.1f} s) -> {county}")


def _office_export(workdir: Path, seed: int, config_dir: Path) -> None:
    """An office's own export, gogen's results file, read by its mapping; the people's addresses come from a second file."""
    typer.echo("10. an office's own export: gogen's results file (`import --mapping gogen`), addresses from a second file (`addresses import`)")
    office = workdir / "office"
    office.mkdir()
    url = f"sqlite:///{office / 'notifier.db'}"
    db.ensure_schema(url)
    export, addresses = office / "All_Results.csv", office / "dmv-addresses.csv"
    write_export(export, 1000, seed + 2, layout="gogen", addresses=addresses)
    started = time.perf_counter()
    mapping = load_mapping(config_dir, "gogen").with_fixed(decision_date=date.today().isoformat())
    settings = Settings(database_url=url, output_dir=office / "output")
    with session_for(url) as session:
        c = import_file(session, export, mapping=mapping, actor="demo").counts
        attached = import_addresses(session, addresses, mapping=Mapping(), verifier=ZipDatabaseVerifier(), actor="demo")
        verify_addresses(session, ZipDatabaseVerifier())
        rendered = render_letters(session, Renderer.from_settings(settings))
    typer.echo(f"   read {c.read}: {c.imported} imported, {c.skipped} skipped (arrests, other counts, deceased), {c.not_final} not final, "
               f"{c.identity_conflicts} identity conflicts (their letters wait: `notifier identities list`)")
    typer.echo(f"   addresses: {attached.attached} attached, {attached.unknown_person} unknown (nobody with a notice); letters: "
               f"{', '.join(f'{k} {v}' for k, v in sorted(rendered.by_state.items()))} ({time.perf_counter() - started:.1f} s) -> {office}")
