"""`notifier run FILE`, `notifier resume`, `notifier consume`: work carried through by tasks.

With NOTIFIER_BROKER_URL set these enqueue and return (or, with --follow, watch the workers);
without it they do the same tasks here, in --jobs processes.
"""

from __future__ import annotations

import getpass
import sys
import time
from pathlib import Path

import typer
from rich.progress import BarColumn, Progress, TextColumn

from notifier.cli.common import DECISION_DATE_OPTION, JSON_OPTION, byte_progress, database, emit_json, interactive, with_decision_date
from notifier.db import session_for
from notifier.intake.consume import consume_stream
from notifier.intake.mapping import load_mapping
from notifier.pipeline import RunReport, moving, resume, run_report, run_summary, stage_file, stuck

JOBS_OPTION = typer.Option(1, "--jobs", min=1, help="Local processes for verify and render (embedded default only).")


class RunView:
    """One progress bar per step of a run on a terminal; a line per change otherwise."""

    def __init__(self, url: str, run_id: int, quiet: bool):
        self.url, self.run_id, self.quiet = url, run_id, quiet
        self.progress = Progress(TextColumn("{task.description:<8}"), BarColumn(), TextColumn("{task.completed}/{task.total} tasks {task.fields[note]}")) if interactive() and not quiet else None
        self.bars: dict[str, int] = {}
        self.last_line, self.last_refresh = "", 0.0

    def __enter__(self) -> "RunView":
        if self.progress:
            self.progress.start()
        return self

    def __exit__(self, *exc) -> None:
        if self.progress:
            self.refresh(force=True)
            self.progress.stop()

    def refresh(self, force: bool = False) -> dict:
        if not force and time.monotonic() - self.last_refresh < 0.3:
            return {}
        self.last_refresh = time.monotonic()
        with session_for(self.url) as session:
            summary = run_summary(session, self.run_id)
        for step, c in summary["steps"].items():
            total = sum(c.values())
            note = f"({c['in_progress']} running, {c['failed']} failed)" if c["in_progress"] or c["failed"] else ""
            if self.progress is not None:
                if step not in self.bars:
                    self.bars[step] = self.progress.add_task(step, total=total, note=note)
                self.progress.update(self.bars[step], total=total, completed=c["done"], note=note)
        if self.progress is None and not self.quiet:
            line = f"run {self.run_id}: {summary['stage']}; " + "; ".join(f"{s} {c['done']}/{sum(c.values())}" for s, c in summary["steps"].items())
            if line != self.last_line:
                typer.echo(line, err=True)
                self.last_line = line
        return summary


def _follow(view: RunView) -> dict:
    """Watches until the run is done, or until only failed (parked) tasks keep it from finishing."""
    still_since, hinted = time.monotonic(), False
    while True:
        summary = view.refresh(force=True)
        if summary["done"] or stuck(summary):
            return summary
        if moving(summary):
            still_since = time.monotonic()
        elif not hinted and time.monotonic() - still_since > 30:
            typer.echo("nothing has moved for 30 s: are workers running? `notifier resume` sends lost tasks again", err=True)
            hinted = True
        time.sleep(1.0)


def _show(report: RunReport, json: bool) -> None:
    result = report.as_dict()
    if json:
        emit_json(result)
    else:
        totals, summary = report.totals, report.summary
        state = "done" if summary["done"] else f"at stage {summary['stage']}"
        typer.echo(f"run {summary['run_id']}: {state}; tasks: {totals['done']} done, {totals['queued']} queued, {totals['in_progress']} in progress, {totals['failed']} failed")
        if "import" in result:
            i = result["import"]
            typer.echo(f"  import: read {i['read']}, imported {i['imported']}, duplicates {i['duplicates']}, conflicts {i['conflicts']}, quarantined {i['quarantined']}")
    problem = report.problem()
    if problem:
        raise problem


def run_command(
    path: Path = typer.Argument(..., help="CSV or JSONL decision export.", dir_okay=False),
    format: str = typer.Option(None, "--format", help="csv or jsonl (default: from the file name)."),
    mapping: str = typer.Option(None, "--mapping", help="Column mapping in config/mappings/NAME.toml."),
    encoding: str = typer.Option(None, "--encoding", help="Text encoding (default utf-8, with or without BOM)."),
    decision_date: str = DECISION_DATE_OPTION,
    jobs: int = JOBS_OPTION,
    follow: bool = typer.Option(False, "--follow", help="With a broker: show progress across all workers until the run is done."),
    json: bool = JSON_OPTION,
) -> None:
    """Import a file and carry every notice through address verification and rendering (batches stay a staff decision)."""
    from notifier.workers import dispatch

    settings, url = database()
    chosen = with_decision_date(load_mapping(settings.config_dir, mapping), decision_date)
    size = path.stat().st_size if path.is_file() else 0
    with byte_progress(f"reading {path.name}", size) as on_bytes, session_for(url) as session:
        run_id, task_ids = stage_file(session, settings, path, fmt=format, mapping=chosen, encoding=encoding, on_bytes=on_bytes, actor=getpass.getuser())
    with RunView(url, run_id, quiet=json) as view:
        dispatch(url, settings, task_ids, jobs=jobs, on_done=lambda _: view.refresh())
        summary = _follow(view) if follow and settings.broker_url else None
    with session_for(url) as session:
        report = run_report(session, run_id, summary)
    _show(report, json)


def resume_command(
    retry_failed: bool = typer.Option(False, "--retry-failed", help="Also give parked (failed) tasks a fresh set of attempts."),
    jobs: int = JOBS_OPTION,
    json: bool = JSON_OPTION,
) -> None:
    """Send again every task that is queued or whose worker's claim expired, and move finished stages on."""
    from notifier.workers import dispatch

    settings, url = database()
    with session_for(url) as session:
        resumed = resume(session, settings, retry_failed=retry_failed)
    dispatch(url, settings, resumed.queued, jobs=jobs)
    result = resumed.as_dict()
    if json:
        emit_json(result)
        return
    where = "to the workers" if settings.broker_url else "and did them here"
    typer.echo(f"{result['expired']} expired claims, {result['retried']} failed tasks retried; sent {result['sent']} tasks {where}")


def consume_command(
    mapping: str = typer.Option(None, "--mapping", help="Field mapping in config/mappings/NAME.toml."),
    wait: float = typer.Option(1.0, "--wait", min=0.0, help="Store what has arrived after this many quiet seconds."),
    json: bool = JSON_OPTION,
) -> None:
    """Import decisions as JSON lines from stdin, one decision object per line (the queue format)."""
    settings, url = database()
    chosen = load_mapping(settings.config_dir, mapping)
    with session_for(url) as session:
        summary = consume_stream(session, sys.stdin, mapping=chosen, chunk_rows=settings.import_chunk_rows, wait_seconds=wait, actor=getpass.getuser())
    if json:
        emit_json(summary.as_dict())
        return
    c = summary.counts
    typer.echo(f"import run {summary.run_id}: stdin; read {c.read}: {c.imported} imported, {c.duplicates} duplicates, {c.conflicts} conflicts, {c.quarantined} quarantined")
