"""End to end on the embedded default: the real CLI from decisions to a printed batch, against a floor, in the same run.

    .venv/bin/python bench/e2e.py --decisions 100000 [--jobs 2] [--workdir DIR] [--keep] [--json]

Input (not timed): `notifier synth --count N --seed 3 --out FILE`. Then timed, each phase one
`notifier` process (SQLite, no broker, NOTIFIER_LOG_LEVEL=WARNING), exactly as staff run it:
`run FILE --jobs J` (import -> verify -> render), `batches create`, `batches freeze BATCH` and
`batches print BATCH --jobs J` (print files, manifest, cover sheet, and the preflight that
reads every letter back).

The FLOOR, measured after it on the same machine, is what a bare program needs for the same
work, each part its own process: (a) the file read with csv.reader into one SQLite table of
the same columns (executemany, one transaction); (b) every row's address (line 1 and the
city/state/ZIP line) tagged with usaddress on J processes; (c) as many letters as the
pipeline printed, each letter's text drawn once with a bare reportlab Canvas (DejaVuSans from
notifier/letters/fonts/, the same compression as notifier's files, rl-accel when installed),
one front and one blank back per sheet, into files of 1,000 letters on J processes. The
letter's text is one real letter's (the English sample composed by notifier's own compose,
wrapped once at the printable width) with each person's name and address from the file.

Every process runs under GNU `/usr/bin/time -v` when it is there (else os.wait4 gives the CPU
seconds); a sampler reads /proc every 0.2 s for the process tree and keeps each process's
VmHWM, so the peak RSS is reported per role (main, worker-1, worker-2, resource_tracker). A
process that lives less than a sample's interval may be missed by the sampler; /usr/bin/time's
"tree max" (the main process and every child it waited for) is reported beside it (without
/usr/bin/time, the sampler's own maximum: wait4 would count the pages of this process at fork).
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
GNU_TIME = Path("/usr/bin/time")
FONT = ROOT / "notifier" / "letters" / "fonts" / "DejaVuSans.ttf"
FONT_NAME = "DejaVuSans"
PAGE = (612.0, 792.0)  # US Letter, as config/envelope.toml
LETTERS_PER_FILE = 1000  # as config/batches.toml
SAMPLE_SECONDS = 0.2


# --- measuring one process and its tree --------------------------------------------------------


def _gnu_time() -> bool:
    if not GNU_TIME.exists():
        return False
    done = subprocess.run([str(GNU_TIME), "-v", "-o", os.devnull, "true"], capture_output=True)
    return done.returncode == 0


USE_TIME = _gnu_time()


class TreeSampler(threading.Thread):
    """Every SAMPLE_SECONDS, finds the descendants of `root` (ppid from /proc/*/stat) and keeps each one's VmHWM."""

    def __init__(self, root: int, main_is_root: bool):
        super().__init__(daemon=True)
        self.root, self.main_is_root = root, main_is_root
        self.stopped = threading.Event()
        self.seen: dict[int, dict] = {}  # pid -> {"order", "depth", "cmdline", "hwm_kb"}

    def run(self) -> None:
        while True:
            self.sample()
            if self.stopped.wait(SAMPLE_SECONDS):
                return

    def sample(self) -> None:
        children: dict[int, list[int]] = {}
        for entry in os.scandir("/proc"):
            if not entry.name.isdigit():
                continue
            try:
                with open(f"/proc/{entry.name}/stat", "rb") as handle:
                    stat = handle.read()
            except OSError:
                continue
            ppid = int(stat[stat.rfind(b")") + 2:].split()[1])
            children.setdefault(ppid, []).append(int(entry.name))
        todo = [(self.root, 0)]
        while todo:
            pid, depth = todo.pop()
            todo.extend((child, depth + 1) for child in children.get(pid, ()))
            if pid == self.root and not self.main_is_root:
                continue  # /usr/bin/time itself
            hwm = _vm_hwm_kb(pid)
            if hwm is None:
                continue  # gone, or a zombie
            info = self.seen.setdefault(pid, {"order": len(self.seen), "depth": depth, "cmdline": "", "hwm_kb": 0})
            info["hwm_kb"] = max(info["hwm_kb"], hwm)
            if _KNOWN_ROLE not in info["cmdline"]:  # read again until it shows what it is: seen between fork and exec, it is its parent's
                try:
                    info["cmdline"] = Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
                except OSError:
                    pass

    def peaks_mb(self, tree_max_mb: float) -> dict[str, float]:
        """Peak RSS per role; a main process that no sample caught at its peak and had no children gets the tree max (its own)."""
        peaks: dict[str, float] = {}
        workers = 0
        for info in sorted(self.seen.values(), key=lambda i: i["order"]):
            cmdline = info["cmdline"]
            if info["depth"] == (0 if self.main_is_root else 1):
                role = "main"
            elif "resource_tracker" in cmdline:
                role = "resource_tracker"
            elif "spawn_main" in cmdline or "--multiprocessing-fork" in cmdline:
                workers += 1
                role = f"worker-{workers}"
            elif info["hwm_kb"] < 4096:
                continue  # only ever seen between fork and exec
            else:
                role = f"other ({Path(cmdline.split(' ')[0]).name})"
            peaks[role] = max(peaks.get(role, 0.0), info["hwm_kb"] / 1024)
        if set(peaks) <= {"main"} and not self.main_is_root:  # under /usr/bin/time: its figure is the main process's own
            peaks["main"] = max(peaks.get("main", 0.0), tree_max_mb)
        order = lambda role: (role != "main", not role.startswith("worker-"), int(role[7:]) if role.startswith("worker-") else 0, role)  # noqa: E731
        return {role: peaks[role] for role in sorted(peaks, key=order)}


_KNOWN_ROLE = "from multiprocessing"  # `python -c "from multiprocessing.spawn import spawn_main; ..."`, `... resource_tracker import main ...`


def _vm_hwm_kb(pid: int) -> int | None:
    try:
        with open(f"/proc/{pid}/status", "rb") as handle:
            for line in handle:
                if line.startswith(b"VmHWM:"):
                    return int(line.split()[1])
    except OSError:
        return None
    return None


def measure(argv: list[str], env: dict) -> dict:
    """Runs `argv` to the end; its wall seconds, CPU seconds (with the children it waited for), peak RSS per role, stdout."""
    with tempfile.TemporaryDirectory(prefix="e2e-measure-") as scratch:
        out, err, timing = (Path(scratch) / name for name in ("stdout", "stderr", "time"))
        command = [str(GNU_TIME), "-v", "-o", str(timing), *argv] if USE_TIME else argv
        with out.open("w") as stdout, err.open("w") as stderr:
            started = time.perf_counter()
            proc = subprocess.Popen(command, env=env, cwd=ROOT, stdout=stdout, stderr=stderr)
            sampler = TreeSampler(proc.pid, main_is_root=not USE_TIME)
            sampler.start()
            if USE_TIME:
                code = proc.wait()
            else:
                _, status, usage = os.wait4(proc.pid, 0)
                code = proc.returncode = os.waitstatus_to_exitcode(status)
            seconds = time.perf_counter() - started
            sampler.stopped.set()
            sampler.join()
        if USE_TIME:
            fields = dict(line.strip().rsplit(": ", 1) for line in timing.read_text().splitlines() if ": " in line)
            cpu = float(fields["User time (seconds)"]) + float(fields["System time (seconds)"])
            tree_max = int(fields["Maximum resident set size (kbytes)"]) / 1024
        else:  # wait4's ru_maxrss would count the pages this (large) process had when it forked: the sampler's max instead
            cpu = usage.ru_utime + usage.ru_stime
            tree_max = max((info["hwm_kb"] for info in sampler.seen.values()), default=0) / 1024
        text = out.read_text()
        if code != 0:
            raise SystemExit(f"{' '.join(argv)} failed (exit {code}): {err.read_text()[-3000:]}")
    return {"seconds": seconds, "cpu_seconds": cpu, "peak_rss_mb": sampler.peaks_mb(tree_max), "tree_max_rss_mb": tree_max, "stdout": text}


def last_json(text: str) -> dict:
    return json.loads(text.strip().splitlines()[-1])


# --- the pipeline: the real CLI ----------------------------------------------------------------


def pipeline(workdir: Path, export: Path, jobs: int, mail_date: str, say) -> dict:
    env = {
        **os.environ,
        "NOTIFIER_DATABASE_URL": f"sqlite:///{workdir / 'notifier.db'}",
        "NOTIFIER_OUTPUT_DIR": str(workdir / "out"),
        "NOTIFIER_LOG_LEVEL": "WARNING",
    }
    env.pop("NOTIFIER_BROKER_URL", None)  # the embedded default
    notifier = str(BIN / "notifier")
    phases: dict[str, dict] = {}

    def phase(name: str, *args: str) -> dict:
        phases[name] = measure([notifier, *args, "--json"], env)
        phases[name]["result"] = last_json(phases[name].pop("stdout"))
        say(f"  {name:<7} {phases[name]['seconds']:7.1f} s")
        return phases[name]["result"]

    run = phase("run", "run", str(export), "--jobs", str(jobs))
    if not run.get("done") or run.get("failed"):
        raise SystemExit(f"notifier run did not finish: {run}")
    batch = phase("create", "batches", "create", "--mail-date", mail_date)["id"]
    phase("freeze", "batches", "freeze", str(batch))
    printed = phase("print", "batches", "print", str(batch), "--jobs", str(jobs))
    if printed.get("state") != "printed":
        raise SystemExit(f"batch {batch} is {printed.get('state')}, not printed")
    return {
        "phases": phases,
        "total_seconds": sum(p["seconds"] for p in phases.values()),
        "letters": printed["letters"],
        "sheets": printed["sheets"],
        "print_files": sum(1 for f in printed["files"] if Path(f).name.startswith("print-")),
        "import": run.get("import", {}),
        "steps": step_spans(workdir / "notifier.db"),
    }


def step_spans(database: Path) -> dict[str, dict]:
    """Per step of the runs: tasks, and seconds from its first task planned to its last task done (the task table)."""
    import sqlite3

    try:
        connection = sqlite3.connect(database)
        rows = connection.execute("SELECT step, COUNT(*), MIN(created_at), MAX(updated_at) FROM task GROUP BY step ORDER BY MIN(created_at)").fetchall()
        connection.close()
    except sqlite3.Error:
        return {}
    from datetime import datetime

    return {step: {"tasks": count, "seconds": (datetime.fromisoformat(last) - datetime.fromisoformat(first)).total_seconds()} for step, count, first, last in rows}


# --- the floor: a bare program doing the same work -----------------------------------------------


def floor(workdir: Path, export: Path, jobs: int, letters: int, say) -> dict:
    template = workdir / "floor-letter.json"
    template.write_text(json.dumps(letter_template()))  # input preparation, not timed
    parts = {}
    for name, part in (("a load", "load"), ("b tag", "tag"), ("c draw", "draw")):
        measured = measure([sys.executable, __file__, "--floor-part", part, "--workdir", str(workdir), "--jobs", str(jobs), "--letters", str(letters), str(export)], os.environ.copy())
        measured["result"] = last_json(measured.pop("stdout"))
        parts[name] = measured
        say(f"  {name:<7} {measured['seconds']:7.1f} s")
    return {"parts": parts, "total_seconds": sum(p["seconds"] for p in parts.values()), "letters": parts["c draw"]["result"]["letters"],
            "letter_text": json.loads(template.read_text())["source"]}


def letter_template() -> dict:
    """One real letter's lines (notifier's own compose on the English sample), wrapped once; `{name}` where the person's name goes."""
    from reportlab.lib.utils import simpleSplit

    _register_font()
    try:
        sys.path.insert(0, str(ROOT))
        from notifier.letters.renderer import Renderer
        from notifier.letters.samples import sample_letter
        from notifier.settings import Settings

        renderer = Renderer.from_settings(Settings())
        sample = sample_letter("en", "all_granted")
        content = renderer.content(1, sample.notice, sample.decisions, sample.address)
        first, last = sample.notice["first_name"], sample.notice["last_name"]
        header = [*content.sender, "", content.date_line]
        body = [block.text.replace("**", "") for block in content.blocks]
        footer = f"{content.id_label} {{letter_id}} · {content.page_label.format(page=1, pages=1)}"
        width, source = renderer.geometry.printable.width, "notifier compose, English sample (all granted)"
    except Exception as exc:  # notifier is being edited: a fixed letter of the same length
        first, last = "Ana", "Smith"
        header = ["Office of the State's Attorney", "Record Relief Unit", "50 W Washington St Rm 500", "CHICAGO IL 60602", "(312) 555-0142", "", "December 1, 2026"]
        body = ["Dear Ana Smith,", "Good news: the court has cleared your old cannabis cases. " * 3, "What this means for you",
                "The list below shows what the court did. In most cases you do not have to tell employers or landlords about a record. " * 4,
                "Your cases", "Case 2009-CR-0012345 (Possession of cannabis 10g or less): vacated and expunged on January 15, 2021.",
                "Case 2011-CR-0098765 (Possession of cannabis more than 10g but not more than 30g): expunged on March 3, 2021.",
                "What you need to do", "Nothing. You do not need to go to court, fill out forms, or pay anything. " * 2,
                "Some private background check companies may take a while to update their files. " * 3, "How to reach us",
                "Call us at (312) 555-0142 (Monday to Friday, 9 am to 5 pm). You can also visit https://example.org/record-relief. " * 2,
                "Sincerely,", "Office of the State's Attorney, Record Relief Unit"]
        footer, width, source = "Letter ID {letter_id} · Page 1 of 1", 540.0, f"fixed English letter ({type(exc).__name__} from compose)"
    lines = []
    for text in body:
        for line in simpleSplit(text, FONT_NAME, 10.5, width):
            start, end = line.find(first), line.find(last)
            lines.append(line[:start] + "{name}" + line[end + len(last):] if start >= 0 and end >= start else line)
        lines.append("")
    return {"source": source, "header": header, "body": lines, "footer": footer}


def _register_font() -> None:
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.ttfonts import TTFont

    if FONT_NAME not in pdfmetrics.getRegisteredFontNames():
        pdfmetrics.registerFont(TTFont(FONT_NAME, str(FONT)))


def floor_load(export: Path, database: Path) -> dict:
    import csv
    import sqlite3

    connection = sqlite3.connect(database)
    with export.open(encoding="utf-8-sig", newline="") as handle:
        reader = csv.reader(handle)
        columns = next(reader)
        n = len(columns)
        connection.execute(f"CREATE TABLE decision ({', '.join(json.dumps(c) + ' TEXT' for c in columns)})")
        with connection:  # one transaction
            cursor = connection.executemany(f"INSERT INTO decision VALUES ({', '.join('?' * n)})", (row if len(row) == n else (row + [None] * n)[:n] for row in reader))
    rows = cursor.rowcount
    connection.close()
    return {"rows": rows}


def _tag(address: str) -> tuple[dict, str]:
    import usaddress

    try:
        tagged, kind = usaddress.tag(address)
        return dict(tagged), kind
    except usaddress.RepeatedLabelError:
        return dict((label, token) for token, label in usaddress.parse(address)), "Ambiguous"


def floor_tag(database: Path, jobs: int) -> dict:
    import multiprocessing
    import sqlite3

    connection = sqlite3.connect(database)
    rows = connection.execute("SELECT address_line1, city, state, zip FROM decision").fetchall()
    connection.close()
    addresses = [f"{line1 or ''}, {city or ''} {state or ''} {zip_ or ''}".strip(", ") for line1, city, state, zip_ in rows]
    addresses = [a for a in addresses if a]
    ambiguous = 0
    pool = multiprocessing.get_context("spawn").Pool(jobs)  # spawn, as notifier's pools
    for _, kind in pool.imap(_tag, addresses, chunksize=1000):
        ambiguous += kind == "Ambiguous"
    pool.close()  # not terminate() (the with-block's): its race can start a new worker as the others stop
    pool.join()
    return {"rows": len(rows), "addresses": len(addresses), "ambiguous": ambiguous}


_TEMPLATE: dict = {}


def _draw_init(template: dict) -> None:
    _TEMPLATE.update(template)
    _register_font()


def _draw_file(job: tuple[Path, int, list[tuple]]) -> tuple[int, int]:
    from reportlab.pdfgen.canvas import Canvas

    path, first_number, rows = job
    header, body, footer = _TEMPLATE["header"], _TEMPLATE["body"], _TEMPLATE["footer"]
    canvas = Canvas(str(path), pagesize=PAGE, invariant=1, pageCompression=1, initialFontName=FONT_NAME, initialFontSize=10)
    pages = 0
    for number, (first_name, last_name, line1, line2, city, state, zip_) in enumerate(rows, start=first_number):
        name = f"{first_name or ''} {last_name or ''}".strip()
        letter_id = f"{number:09d}"
        canvas.setFont(FONT_NAME, 10)
        y = 756
        for line in header:
            canvas.drawString(36, y, line)
            y -= 12
        y = 640
        for line in (name.upper(), line1, line2, f"{city} {state}  {zip_}", letter_id):
            if line:
                canvas.drawString(72, y, line)
                y -= 12
        canvas.setFont(FONT_NAME, 10.5)
        y = 540
        for line in body:
            if line:
                canvas.drawString(36, y, line.replace("{name}", name) if "{name}" in line else line)
            y -= 14 if line else 7
            if y < 60:  # a longer letter goes on to another sheet
                canvas.showPage(), canvas.showPage()
                canvas.setFont(FONT_NAME, 10.5)
                pages, y = pages + 2, 740
        canvas.setFont(FONT_NAME, 8)
        canvas.drawString(36, 40, footer.format(letter_id=letter_id))
        canvas.showPage()  # the front
        canvas.showPage()  # its blank back
        pages += 2
    canvas.save()
    return len(rows), pages


def floor_draw(database: Path, out: Path, jobs: int, letters: int, template: dict) -> dict:
    import multiprocessing
    import sqlite3
    from itertools import cycle, islice

    connection = sqlite3.connect(database)
    rows = connection.execute(
        "SELECT first_name, last_name, address_line1, address_line2, city, state, zip FROM decision WHERE address_line1 <> '' GROUP BY person_id ORDER BY MIN(rowid) LIMIT ?",
        (letters,),
    ).fetchall()
    connection.close()
    if len(rows) < letters:  # not expected: the pipeline prints at most one letter per person with an address
        rows = list(islice(cycle(rows), letters))
    out.mkdir(parents=True, exist_ok=True)
    jobs_list = [(out / f"print-{i // LETTERS_PER_FILE + 1:03d}.pdf", i + 1, rows[i:i + LETTERS_PER_FILE]) for i in range(0, letters, LETTERS_PER_FILE)]
    drawn = pages = 0
    pool = multiprocessing.get_context("spawn").Pool(jobs, initializer=_draw_init, initargs=(template,))
    for n, p in pool.imap_unordered(_draw_file, jobs_list):
        drawn, pages = drawn + n, pages + p
    pool.close()
    pool.join()
    return {"letters": drawn, "files": len(jobs_list), "pages": pages}


def floor_part(part: str, workdir: Path, export: Path, jobs: int, letters: int) -> dict:
    database = workdir / "floor.db"
    if part == "load":
        database.unlink(missing_ok=True)
        return floor_load(export, database)
    if part == "tag":
        return floor_tag(database, jobs)
    return floor_draw(database, workdir / "floor-out", jobs, letters, json.loads((workdir / "floor-letter.json").read_text()))


# --- report -------------------------------------------------------------------------------------


def _rss(measured: dict) -> str:
    roles = ", ".join(f"{role} {mb:.0f}" for role, mb in measured["peak_rss_mb"].items())
    return f"{roles}  (tree max {measured['tree_max_rss_mb']:.0f})"


def report(result: dict) -> None:
    pipe, flo = result["pipeline"], result["floor"]
    print(f"notifier end to end, embedded default (SQLite, --jobs {result['jobs']}), {result['cores']} cores: "
          f"{result['decisions']} decisions (seed 3), {pipe['letters']} letters printed in {pipe['print_files']} print files")
    print(f"input: synth {result['synth_seconds']:.1f} s (not timed); peak RSS via {result['rss_source']}")
    print()
    print(f"{'':<9} {'phase':<8} {'seconds':>8} {'cpu s':>7}   peak RSS MB per process")
    for side, rows in (("pipeline", pipe["phases"]), ("floor", flo["parts"])):
        for i, (name, m) in enumerate(rows.items()):
            print(f"{side if i == 0 else '':<9} {name:<8} {m['seconds']:8.1f} {m['cpu_seconds']:7.1f}   {_rss(m)}")
        total = pipe if side == "pipeline" else flo
        print(f"{'':<9} {'total':<8} {total['total_seconds']:8.1f} {sum(m['cpu_seconds'] for m in rows.values()):7.1f}")
    print()
    print(f"ratio     pipeline / floor = {result['ratio']:.2f}x")
    print(f"letters/s pipeline {result['pipeline_letters_per_second']:.1f}, floor {result['floor_letters_per_second']:.1f}")
    a, b, c = (flo["parts"][k]["result"] for k in ("a load", "b tag", "c draw"))
    print(f"floor:    (a) {a['rows']} rows loaded; (b) {b['addresses']} addresses tagged ({b['ambiguous']} by parse after RepeatedLabelError); "
          f"(c) {c['letters']} letters, {c['pages']} pages in {c['files']} files; letter text: {flo['letter_text']}; rl_accel: {result['rl_accel']}")
    imported = pipe["import"]
    print(f"pipeline: import read {imported.get('read')}, imported {imported.get('imported')}, quarantined {imported.get('quarantined')}; "
          f"steps (first task planned -> last done): " + ", ".join(f"{s} {v['seconds']:.1f} s ({v['tasks']} tasks)" for s, v in pipe["steps"].items()))


def _rl_accel() -> str:
    try:
        from reportlab.lib import rl_accel

        return "yes" if type(rl_accel.fp_str).__name__ == "builtin_function_or_method" else "no (pure Python)"
    except ImportError:
        return "no"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--decisions", type=int, default=10_000)
    parser.add_argument("--jobs", type=int, default=2)
    parser.add_argument("--workdir", type=Path, help="an empty or new directory (default: a new one under /tmp)")
    parser.add_argument("--keep", action="store_true", help="keep the work directory (database, print files, floor files)")
    parser.add_argument("--mail-date", default="2026-12-01")
    parser.add_argument("--json", action="store_true", help="print one JSON object with every figure instead of the table")
    parser.add_argument("--floor-part", choices=("load", "tag", "draw"), help=argparse.SUPPRESS)
    parser.add_argument("--letters", type=int, help=argparse.SUPPRESS)
    parser.add_argument("export", nargs="?", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.floor_part:
        print(json.dumps(floor_part(args.floor_part, args.workdir, args.export, args.jobs, args.letters)))
        return

    def say(text: str) -> None:
        print(text, file=sys.stderr, flush=True)

    created = args.workdir is None or not args.workdir.exists()
    workdir = Path(tempfile.mkdtemp(prefix="notifier-e2e-", dir="/tmp")) if args.workdir is None else args.workdir.resolve()
    workdir.mkdir(parents=True, exist_ok=True)
    if any(workdir.iterdir()):
        raise SystemExit(f"{workdir} is not empty: give a new or empty --workdir")
    try:
        export = workdir / "decisions.csv"
        say(f"workdir {workdir}")
        synth = measure([str(BIN / "notifier"), "synth", "--count", str(args.decisions), "--seed", "3", "--out", str(export), "--json"], os.environ.copy())
        say(f"  synth   {synth['seconds']:7.1f} s (not timed)")
        pipe = pipeline(workdir, export, args.jobs, args.mail_date, say)
        flo = floor(workdir, export, args.jobs, pipe["letters"], say)
        if flo["letters"] != pipe["letters"]:
            raise SystemExit(f"the floor drew {flo['letters']} letters, the pipeline printed {pipe['letters']}")
        result = {
            "decisions": args.decisions, "jobs": args.jobs, "cores": os.cpu_count(), "mail_date": args.mail_date,
            "rss_source": "/usr/bin/time -v + /proc VmHWM sampled every 0.2 s" if USE_TIME else "os.wait4 + /proc VmHWM sampled every 0.2 s",
            "rl_accel": _rl_accel(), "synth_seconds": synth["seconds"], "synth": last_json(synth["stdout"]),
            "pipeline": pipe, "floor": flo, "ratio": pipe["total_seconds"] / flo["total_seconds"],
            "pipeline_letters_per_second": pipe["letters"] / pipe["total_seconds"],
            "floor_letters_per_second": flo["letters"] / flo["total_seconds"],
            "workdir": str(workdir) if args.keep else None,
        }
    finally:
        if not args.keep:
            if created:
                shutil.rmtree(workdir, ignore_errors=True)
            else:
                for entry in workdir.iterdir():
                    shutil.rmtree(entry) if entry.is_dir() and not entry.is_symlink() else entry.unlink()
    if args.json:
        print(json.dumps(result))
    else:
        report(result)


if __name__ == "__main__":
    main()
