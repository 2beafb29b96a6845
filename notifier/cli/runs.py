"""`notifier run FILE`, `notifier resume`, `notifier consume`: work carried through by tasks.

With NOTIFIER_BROKER_URL set these enqueue and return (or, with --follow, watch the workers);
without it they do the same tasks here, in --jobs processes.
"""

from __future__ import annotations

import sys
import time
from datetime import date
from pathlib import Path

import typer
from rich.progress import BarColumn, Progress, TextColumn

from notifier.cli.common import JSON_OPTION, byte_progress, database, emit_json, interactive
from notifier.db import session_for
from notifier.errors import NotifierError
from notifier.settings import Settings

JOBS_OPTION = typer.Option(1, "--jobs", min=1, help="Local processes for verify and render (embedded default only).")


def dispatch(settings: Settings, url: str, task_ids: list[int], jobs: int, view: "RunView | None" = None) -> None:
    """Sends the tasks to the broker, or does them here when there is none."""
    if settings.broker_url:
        from notifier.workers import send_tasks

        send_tasks(url, task_ids)
        return
    from notifier.workers import run_locally

    run_locally(url, settings, task_ids, jobs=jobs, on_done=(lambda _: view.refresh()) if view else None)


def enqueue(settings: Settings, url: str, run_id: int, task_ids: list[int], json: bool, extra: dict | None = None) -> None:
    """A one-step command on a broker: send its tasks and say how to watch them."""
    from notifier.workers import send_tasks

    send_tasks(url, task_ids)
    if json:
        emit_json({"run_id": run_id, "queued": len(task_ids), **(extra or {})})
        return
    typer.echo(f"run {run_id}: sent {len(task_ids)} tasks to the workers; watch with `notifier status`")


def enqueue_step(settings: Settings, url: str, kind: str, json: bool) -> None:
    from notifier.pipeline import start_step

    run_id, task_ids = start_step(url, settings, kind)
    enqueue(settings, url, run_id, task_ids, json)


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
        from notifier.pipeline import run_summary

        if not force and time.monotonic() - self.last_refresh < 0.3:
            return {}
        self.last_refresh = time.monotonic()
        summary = run_summary(self.url, self.run_id)
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
        if summary["done"] or (not _moving(summary) and any(c["failed"] for c in summary["steps"].values())):
            return summary
        if _moving(summary):
            still_since = time.monotonic()
        elif not hinted and time.monotonic() - still_since > 30:
            typer.echo("nothing has moved for 30 s: are workers running? `notifier resume` sends lost tasks again", err=True)
            hinted = True
        time.sleep(1.0)


def _moving(summary: dict) -> bool:
    return any(c["queued"] or c["in_progress"] for c in summary["steps"].values())


def _report(url: str, summary: dict, json: bool) -> None:
    from notifier.models import ImportRun

    from notifier.tasks import task_totals

    totals = task_totals(summary["steps"])
    result = {**summary, "queued": totals["queued"], "in_progress": totals["in_progress"], "failed": totals["failed"], "tasks_done": totals["done"]}
    if summary.get("import_run_id"):
        with session_for(url) as session:
            imported = session.get(ImportRun, summary["import_run_id"])
            result["import"] = {name: getattr(imported, name) for name in ("read", "imported", "duplicates", "conflicts", "quarantined")}
    if json:
        emit_json(result)
    else:
        state = "done" if summary["done"] else f"at stage {summary['stage']}"
        typer.echo(f"run {summary['run_id']}: {state}; tasks: {totals['done']} done, {totals['queued']} queued, {totals['in_progress']} in progress, {totals['failed']} failed")
        if "import" in result:
            i = result["import"]
            typer.echo(f"  import: read {i['read']}, imported {i['imported']}, duplicates {i['duplicates']}, conflicts {i['conflicts']}, quarantined {i['quarantined']}")
    if totals["failed"] and not _moving(summary):
        raise NotifierError(
            f"run {summary['run_id']} has {totals['failed']} failed tasks and cannot finish",
            todo="see `notifier status` for their errors, fix the cause, then run `notifier resume --retry-failed`",
        )


def run_command(
    path: Path = typer.Argument(..., help="CSV or JSONL decision export.", dir_okay=False),
    format: str = typer.Option(None, "--format", help="csv or jsonl (default: from the file name)."),
    mapping: str = typer.Option(None, "--mapping", help="Column mapping in config/mappings/NAME.toml."),
    encoding: str = typer.Option(None, "--encoding", help="Text encoding (default utf-8, with or without BOM)."),
    jobs: int = JOBS_OPTION,
    follow: bool = typer.Option(False, "--follow", help="With a broker: show progress across all workers until the run is done."),
    json: bool = JSON_OPTION,
) -> None:
    """Import a file and carry every notice through address verification and rendering (batches stay a staff decision)."""
    from notifier.intake.mapping import load_mapping
    from notifier.pipeline import run_summary, stage_file

    settings, url = database()
    chosen = load_mapping(settings.config_dir, mapping)
    size = path.stat().st_size if path.is_file() else 0
    with byte_progress(f"reading {path.name}", size) as on_bytes:
        run_id, task_ids = stage_file(url, settings, path, fmt=format, mapping=chosen, encoding=encoding, on_bytes=on_bytes)
    with RunView(url, run_id, quiet=json) as view:
        dispatch(settings, url, task_ids, jobs, view)
        summary = _follow(view) if follow and settings.broker_url else run_summary(url, run_id)
    _report(url, summary, json)


def resume_command(
    retry_failed: bool = typer.Option(False, "--retry-failed", help="Also give parked (failed) tasks a fresh set of attempts."),
    jobs: int = JOBS_OPTION,
    json: bool = JSON_OPTION,
) -> None:
    """Send again every task that is queued or whose worker's claim expired, and move finished stages on."""
    from notifier.pipeline import advance_all
    from notifier.tasks import sweep

    settings, url = database()
    advanced = advance_all(url, settings)
    swept = sweep(url, retry_failed=retry_failed)
    dispatch(settings, url, swept["queued"], jobs)
    result = {"expired": len(swept["expired"]), "retried": len(swept["retried"]), "sent": len(swept["queued"]), "runs_moved_on": advanced}
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
    from notifier.intake.consume import lines_in_batches, message_source, records_of
    from notifier.intake.importer import Counts, complete_run, start_run, store_chunk
    from notifier.intake.mapping import load_mapping

    settings, url = database()
    source = message_source("stdin", load_mapping(settings.config_dir, mapping))
    run_id = start_run(url, "stdin", "jsonl", source.mapping.name)
    total = Counts()
    for records in records_of(source, lines_in_batches(sys.stdin, settings.import_chunk_rows, wait)):
        with session_for(url) as session:
            total.add(store_chunk(session, run_id, "stdin", records, date.today()))
            session.commit()
    with session_for(url) as session:
        people = complete_run(session, run_id)
        session.commit()
    result = {"run_id": run_id, "source": "stdin", "format": "jsonl", **total.__dict__, "people": people, "ignored_columns": sorted(source.ignored_columns)}
    if json:
        emit_json(result)
        return
    typer.echo(f"import run {run_id}: stdin; read {total.read}: {total.imported} imported, {total.duplicates} duplicates, {total.conflicts} conflicts, {total.quarantined} quarantined")
