"""A mail run end to end: create, freeze and print a batch of N rendered letters.

    .venv/bin/python bench/batch.py --letters 100000

Prepares a database with N rendered letters (synthesis, import, address verification and
rendering with two processes; not timed), then times create + freeze + print (presort, cost
estimates, print files with duplex padding, manifest, cover sheet). The baseline, in the same
run, draws the same letters' text with a bare reportlab canvas into files of the same size.
Each side runs in its own process and reports its peak RSS.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
MAIL_DATE = date(2026, 8, 3)


def prepare(workdir: Path, letters: int) -> str:
    from notifier import db
    from notifier.addresses.check import ZipDatabaseVerifier
    from notifier.addresses.store import verify_notices
    from notifier.intake.importer import import_file
    from notifier.settings import Settings
    from notifier.synth.generator import write_export
    from notifier.workers import render_locally

    url = f"sqlite:///{workdir / 'bench.db'}"
    db.ensure_schema(url)
    export = workdir / "decisions.csv"
    write_export(export, int(letters * 1.75), seed=5)
    with db.session_for(url) as session:
        import_file(session, export)
        verify_notices(session, ZipDatabaseVerifier())
    os.environ["NOTIFIER_DATABASE_URL"] = url
    os.environ["NOTIFIER_OUTPUT_DIR"] = str(workdir / "render")
    render_locally(url, Settings(), 2, limit=letters, today=MAIL_DATE)
    return url


def ours(url: str, out: Path, letters: int) -> dict:
    from notifier.batches.store import create_batch, freeze_batch
    from notifier.db import session_for
    from notifier.settings import Settings
    from notifier.workers import print_locally

    settings = Settings(database_url=url, output_dir=out)
    started = time.perf_counter()
    with session_for(url) as session:
        batch = create_batch(session, settings, mail_date=MAIL_DATE, wave=None, limit=letters, postage_class=None, actor="bench")
        freeze_batch(session, settings, batch.id, "bench")
    count = print_locally(url, settings, batch.id, "bench").letters
    return {"letters": count, "seconds": time.perf_counter() - started}


def baseline(url: str, out: Path, letters: int) -> dict:
    from bench.baseline import draw_baseline
    from notifier.batches.store import BatchConfig
    from notifier.letters.renderer import Renderer
    from notifier.settings import Settings

    settings = Settings(database_url=url, output_dir=out)
    return draw_baseline(Renderer.from_settings(settings, MAIL_DATE), out, letters, BatchConfig.load(settings).letters_per_file)

def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--letters", type=int, default=2000)
    parser.add_argument("--child", nargs=3, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        side, url, out = args.child
        result = (baseline if side == "baseline" else ours)(url, Path(out), args.letters)
        result["peak_rss_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        print(json.dumps(result))
        return
    (ROOT / "var" / "bench").mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=ROOT / "var" / "bench") as work:
        workdir = Path(work)
        started = time.perf_counter()
        url = prepare(workdir, args.letters)
        print(f"prepared {args.letters} rendered letters in {time.perf_counter() - started:.0f} s (not timed)")
        results = {}
        for side in ("baseline", "notifier"):
            out = workdir / side
            out.mkdir()
            proc = subprocess.run([sys.executable, __file__, "--letters", str(args.letters), "--child", side, url, str(out)], check=True, capture_output=True, text=True)
            results[side] = json.loads(proc.stdout.splitlines()[-1])
    base_rate = results["baseline"]["letters"] / results["baseline"]["seconds"]
    for side, r in results.items():
        rate = r["letters"] / r["seconds"]
        print(f"{side:<9} {r['letters']:>7} letters  {r['seconds']:7.1f} s  {rate:7.0f} letters/s  {rate / base_rate:5.2f}x baseline  peak RSS {r['peak_rss_mb']:5.0f} MB")


if __name__ == "__main__":
    main()
