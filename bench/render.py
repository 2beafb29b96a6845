"""Letter rendering: the real pipeline against a bare reportlab canvas, in the same run.

    .venv/bin/python bench/render.py --letters 20000 [--jobs 2]

Prepares a database with synthetic decisions (import and address verification, not timed),
then times `notifier letters render` (templates, layout, IMb, checks, stored state; since
rendering stopped drawing, letters are drawn only into print files: bench/batch.py and
bench/e2e.py time that). The baseline draws the same letters' text (recipient block and body,
wrapped with reportlab's simpleSplit at the same width) with canvas.drawString into one
PDF. Each side runs in its own process so each reports its own peak RSS.
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def prepare(workdir: Path, letters: int) -> str:
    from notifier import db
    from notifier.addresses.check import ZipDatabaseVerifier
    from notifier.addresses.store import verify_notices
    from notifier.intake.importer import import_file
    from notifier.synth.generator import write_export

    url = f"sqlite:///{workdir / 'bench.db'}"
    db.ensure_schema(url)
    export = workdir / "decisions.csv"
    write_export(export, int(letters * 1.75), seed=3)  # about 1.6 decisions per person, some unmailable
    with db.session_for(url) as session:
        import_file(session, export)
        verify_notices(session, ZipDatabaseVerifier())
    return url


def ours(url: str, out: Path, letters: int, jobs: int) -> dict:
    import os

    os.environ["NOTIFIER_DATABASE_URL"] = url
    os.environ["NOTIFIER_OUTPUT_DIR"] = str(out)
    from notifier.settings import get_settings
    from notifier.workers import render_locally

    started = time.perf_counter()
    result = render_locally(url, get_settings(), jobs, limit=letters)
    return {"letters": result.rendered, "seconds": time.perf_counter() - started}


def baseline(url: str, out: Path, letters: int) -> dict:
    from bench.baseline import draw_baseline
    from notifier.letters.renderer import Renderer
    from notifier.settings import get_settings

    return draw_baseline(Renderer.from_settings(get_settings()), out, letters, per_file=letters)  # one PDF

def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--letters", type=int, default=2000)
    parser.add_argument("--jobs", type=int, default=1)
    parser.add_argument("--child", nargs=4, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        side, url, out, jobs = args.child
        result = baseline(url, Path(out), args.letters) if side == "baseline" else ours(url, Path(out), args.letters, int(jobs))
        result["peak_rss_mb"] = max(resource.getrusage(who).ru_maxrss for who in (resource.RUSAGE_SELF, resource.RUSAGE_CHILDREN)) / 1024
        print(json.dumps(result))
        return
    (ROOT / "var" / "bench").mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=ROOT / "var" / "bench") as work:
        workdir = Path(work)
        started = time.perf_counter()
        url = prepare(workdir, args.letters)
        print(f"prepared {url} in {time.perf_counter() - started:.0f} s (not timed)")
        results = {}
        for side, jobs in (("baseline", 1), ("notifier", 1), *((("notifier", args.jobs),) if args.jobs > 1 else ())):
            out = workdir / f"{side}-{jobs}"
            out.mkdir()
            if side == "notifier" and jobs > 1:  # render the same letters again from scratch
                subprocess.run([sys.executable, "-c", f"import sqlite3; c = sqlite3.connect({str(workdir / 'bench.db')!r}); c.execute('DELETE FROM letter'); c.commit()"], check=True)
            proc = subprocess.run([sys.executable, __file__, "--letters", str(args.letters), "--child", side, url, str(out), str(jobs)], check=True, capture_output=True, text=True)
            results[(side, jobs)] = json.loads(proc.stdout.splitlines()[-1])
    base = results[("baseline", 1)]
    base_rate = base["letters"] / base["seconds"]
    for (side, jobs), r in results.items():
        rate = r["letters"] / r["seconds"]
        print(f"{side:<9} jobs={jobs}  {r['letters']:>7} letters  {r['seconds']:7.1f} s  {rate:8.0f} letters/s  {rate / base_rate:5.2f}x baseline  peak RSS {r['peak_rss_mb']:5.0f} MB")
    if args.jobs > 1:
        one, many = results[("notifier", 1)], results[("notifier", args.jobs)]
        print(f"jobs={args.jobs} vs jobs=1: {(many['letters'] / many['seconds']) / (one['letters'] / one['seconds']):.2f}x")


if __name__ == "__main__":
    main()
