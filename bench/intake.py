"""Intake throughput: `notifier import` against a bare csv + sqlite3 baseline, in the same run.

    .venv/bin/python bench/intake.py --rows 1000000

Each side runs in its own child process on the same synthetic file, so each reports its
own peak RSS. Each side's clock starts once its modules are imported (notifier's through the
same start_process as the CLI), and includes creating its database. The baseline reads with csv.DictReader and inserts every row with sqlite3
executemany into one plain table: no validation, no duplicates, no people or notices.
"""

from __future__ import annotations

import argparse
import csv
import json
import resource
import sqlite3
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def baseline(path: Path, database: Path) -> int:
    connection = sqlite3.connect(database)
    with path.open(encoding="utf-8", newline="") as handle:
        reader = csv.DictReader(handle)
        columns = reader.fieldnames
        connection.execute(f"CREATE TABLE decision ({', '.join(f'{c} TEXT' for c in columns)})")
        sql = f"INSERT INTO decision VALUES ({', '.join('?' for _ in columns)})"
        rows = 0
        batch = []
        for row in reader:
            batch.append(tuple(row.get(c) for c in columns))
            if len(batch) == 2000:
                connection.executemany(sql, batch)
                rows += len(batch)
                batch.clear()
        connection.executemany(sql, batch)
        rows += len(batch)
    connection.commit()
    connection.close()
    return rows


def notifier_import(path: Path, database: Path) -> int:
    from notifier import db
    from notifier.intake.importer import import_file

    url = f"sqlite:///{database}"
    db.ensure_schema(url)
    with db.session_for(url) as session:
        return import_file(session, path).counts.read


def load_notifier() -> None:
    """What `notifier` does before a command runs: its modules imported, then start_process."""
    from notifier import db  # noqa: F401
    from notifier.intake import importer  # noqa: F401
    from notifier.process import start_process

    start_process()


def child(side: str, path: Path, database: Path) -> None:
    if side == "notifier":
        load_notifier()  # not timed, as the baseline's csv and sqlite3 are imported before its clock starts
    started = time.perf_counter()
    rows = (baseline if side == "baseline" else notifier_import)(path, database)
    seconds = time.perf_counter() - started
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(json.dumps({"side": side, "rows": rows, "seconds": seconds, "peak_rss_mb": peak_mb}))


def run_side(side: str, path: Path, workdir: Path) -> dict:
    database = workdir / f"{side}.db"
    out = subprocess.run([sys.executable, __file__, "--child", side, str(path), str(database)], check=True, capture_output=True, text=True)
    return json.loads(out.stdout.splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--child", nargs=3, metavar=("SIDE", "FILE", "DB"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(args.child[0], Path(args.child[1]), Path(args.child[2]))
        return

    from notifier.synth.generator import write_export

    export = ROOT / "var" / "bench" / f"synth-{args.rows}-{args.seed}.csv"
    if not export.exists():
        started = time.perf_counter()
        write_export(export, args.rows, args.seed)
        print(f"synthesized {args.rows} rows in {time.perf_counter() - started:.1f} s -> {export} ({export.stat().st_size / 2**20:.0f} MiB)")
    with tempfile.TemporaryDirectory(dir=ROOT / "var" / "bench") as workdir:
        base = run_side("baseline", export, Path(workdir))
        ours = run_side("notifier", export, Path(workdir))
    for result in (base, ours):
        rate = result["rows"] / result["seconds"]
        print(f"{result['side']:<9} {result['rows']:>9} rows  {result['seconds']:7.1f} s  {rate:9.0f} rows/s  peak RSS {result['peak_rss_mb']:6.0f} MB")
    ratio = (ours["rows"] / ours["seconds"]) / (base["rows"] / base["seconds"])
    print(f"ratio     notifier / baseline = {ratio:.2f}x (target >= 0.25x; peak RSS target < 300 MB)")


if __name__ == "__main__":
    main()
