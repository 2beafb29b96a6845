"""Scale-out: the full pipeline on PostgreSQL + a broker with K worker processes, and embedded.

    .venv/bin/python bench/scale.py --letters 50000 --workers 1,2 [--broker redis://127.0.0.1:6379/0]

For each K: a fresh PostgreSQL schema, `dramatiq notifier.workers --processes K --threads 1`
started (and ready) before the clock, then timed: `notifier run FILE --follow` (import ->
verify -> render), `batches create` + `freeze` (staff steps, one process) and `batches print`
(print files written by the workers). The same file then goes through the embedded default
(SQLite, no broker) with `--jobs 2` for run and print. Letters/s is letters printed per
second of the whole pipeline. The export is generated once, before anything is timed.
"""

from __future__ import annotations

import argparse
import json
import os
import signal
import subprocess
import sys
import tempfile
import time
import uuid
from datetime import datetime
from pathlib import Path

import sqlalchemy as sa

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
sys.path.insert(0, str(ROOT))


from tests.runs.brokers import drop_queue  # noqa: E402  (after the path is set)


def notifier(env: dict, *args: str) -> dict:
    done = subprocess.run([str(BIN / "notifier"), *args, "--json"], env=env, cwd=ROOT, capture_output=True, text=True)
    if done.returncode != 0:
        raise SystemExit(f"notifier {' '.join(args)} failed: {done.stderr[-2000:]}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def timed_pipeline(env: dict, export: Path, jobs: list[str]) -> dict:
    """run -> create -> freeze -> print; returns seconds per phase and the letters printed."""
    phases = {}
    started = time.perf_counter()
    result = notifier(env, "run", str(export), *jobs, *(["--follow"] if env.get("NOTIFIER_BROKER_URL") else []))
    assert result["done"] and not result["failed"], result
    phases["run"] = time.perf_counter() - started
    mark = time.perf_counter()
    batch = notifier(env, "batches", "create", "--mail-date", "2026-12-01")["id"]
    notifier(env, "batches", "freeze", str(batch))
    phases["create+freeze"] = time.perf_counter() - mark
    mark = time.perf_counter()
    shown = notifier(env, "batches", "print", str(batch), *jobs)
    if env.get("NOTIFIER_BROKER_URL"):  # watch the database from here: a CLI process per look would take a core
        engine = sa.create_engine(env["NOTIFIER_DATABASE_URL"])
        with engine.connect() as connection:
            while connection.execute(sa.text("SELECT state FROM batch WHERE id = :id"), {"id": batch}).scalar() != "printed":
                connection.rollback()
                time.sleep(0.25)
        engine.dispose()
        shown = notifier(env, "batches", "show", str(batch))
    phases["print"] = time.perf_counter() - mark
    phases["total"] = time.perf_counter() - started
    return {"seconds": phases, "letters": shown["letters"], "import": result["import"], "steps": step_spans(env["NOTIFIER_DATABASE_URL"])}


def step_spans(url: str) -> dict[str, float]:
    """Seconds from each step's first task planned to its last task done, from the task table."""
    engine = sa.create_engine(url)
    with engine.connect() as connection:
        rows = connection.execute(sa.text("SELECT step, MIN(created_at), MAX(updated_at) FROM task GROUP BY step")).all()
    engine.dispose()
    spans = {}
    for step, first, last in rows:
        first, last = (datetime.fromisoformat(v) if isinstance(v, str) else v for v in (first, last))
        spans[step] = (last - first).total_seconds()
    return spans


def with_workers(base_env: dict, postgres: str, broker: str, processes: int, export: Path) -> dict:
    schema = f"bench_{uuid.uuid4().hex[:12]}"
    admin = sa.create_engine(postgres)
    with admin.begin() as connection:
        connection.execute(sa.text(f'CREATE SCHEMA "{schema}"'))
    url = sa.engine.make_url(postgres).update_query_dict({"options": f"-csearch_path={schema}"}).render_as_string(hide_password=False)
    env = {**base_env, "NOTIFIER_DATABASE_URL": url, "NOTIFIER_BROKER_URL": broker, "NOTIFIER_QUEUE_NAME": schema}
    subprocess.run([str(BIN / "notifier"), "db", "upgrade"], env=env, check=True, capture_output=True)
    log = Path(env["NOTIFIER_OUTPUT_DIR"]) / f"workers-{processes}.log"
    log.parent.mkdir(parents=True, exist_ok=True)
    workers = subprocess.Popen(  # at INFO: "is ready for action" is how this knows they are up (one line per task besides)
        [str(BIN / "dramatiq"), "notifier.workers", "--processes", str(processes), "--threads", "1"],
        env={**env, "NOTIFIER_LOG_LEVEL": "INFO"}, cwd=ROOT, stdout=log.open("w"), stderr=subprocess.STDOUT, start_new_session=True,
    )
    try:
        while log.read_text().count("is ready for action") < processes:
            time.sleep(0.2)
        return timed_pipeline(env, export, [])
    finally:
        os.killpg(workers.pid, signal.SIGTERM)
        workers.wait()
        with admin.begin() as connection:
            connection.execute(sa.text(f'DROP SCHEMA "{schema}" CASCADE'))
        drop_queue(broker, schema)


def embedded(base_env: dict, workdir: Path, export: Path, jobs: int) -> dict:
    env = {**base_env, "NOTIFIER_DATABASE_URL": f"sqlite:///{workdir / f'embedded-{jobs}.db'}"}
    env.pop("NOTIFIER_BROKER_URL", None)
    return timed_pipeline(env, export, ["--jobs", str(jobs)])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--letters", type=int, default=50000, help="about this many letters (the export has 1.75 decisions per letter)")
    parser.add_argument("--workers", default="1,2", help="worker process counts to compare, e.g. 1,2")
    parser.add_argument("--postgres", default=os.environ.get("NOTIFIER_TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test"))
    parser.add_argument("--broker", default=os.environ.get("NOTIFIER_TEST_REDIS_URL", "redis://127.0.0.1:6379/0"))
    parser.add_argument("--embedded-jobs", type=int, default=2)
    args = parser.parse_args()
    from notifier.synth.generator import write_export

    (ROOT / "var" / "bench").mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=ROOT / "var" / "bench") as work:
        workdir = Path(work)
        export = workdir / "decisions.csv"
        write_export(export, int(args.letters * 1.75), seed=5)
        base_env = {**os.environ, "NOTIFIER_OUTPUT_DIR": str(workdir / "out"), "NOTIFIER_LOG_LEVEL": "WARNING"}
        results = {}
        for k in (int(n) for n in args.workers.split(",")):
            results[f"broker K={k}"] = with_workers({**base_env, "NOTIFIER_OUTPUT_DIR": str(workdir / f"out-{k}")}, args.postgres, args.broker, k, export)
            _show(f"broker K={k}", results[f"broker K={k}"])
        name = f"embedded --jobs {args.embedded_jobs}"
        results[name] = embedded({**base_env, "NOTIFIER_OUTPUT_DIR": str(workdir / "out-embedded")}, workdir, export, args.embedded_jobs)
        _show(name, results[name])
    rate = {name: r["letters"] / r["seconds"]["total"] for name, r in results.items()}
    print(f"\nbroker: {args.broker.split('://')[0]}, {args.letters} letters asked, {os.cpu_count()} cores")
    ks = [name for name in rate if name.startswith("broker")]
    if len(ks) >= 2:
        print(f"{ks[-1]} / {ks[0]}: {rate[ks[-1]] / rate[ks[0]]:.2f}x")
    print(f"{name} / {ks[-1]}: {rate[name] / rate[ks[-1]]:.2f}x")


def _show(name: str, result: dict) -> None:
    s = result["seconds"]
    print(
        f"{name:<20} {result['letters']:>7} letters in {s['total']:7.1f} s = {result['letters'] / s['total']:7.1f} letters/s"
        f"   (run {s['run']:.1f} s, create+freeze {s['create+freeze']:.1f} s, print {s['print']:.1f} s; {result['import']['read']} rows read)\n"
        f"{'':<20} steps: " + ", ".join(f"{step} {seconds:.1f} s" for step, seconds in result["steps"].items()),
        flush=True,
    )


if __name__ == "__main__":
    main()
