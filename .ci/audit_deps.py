#!/usr/bin/env python3
"""Known vulnerabilities in the versions pinned in constraints.txt, from two sources.

    audit_deps.py [--offline]                    (what `make audit-deps` runs, with the .venv python)
    audit_deps.py --check                        (only validate the accepted file)
    audit_deps.py --refresh-advisories SOURCE    (what `make advisories SOURCE=...` runs; needs PyYAML)

1. Offline, every pin: the advisories in .ci/advisories/, a copy of the PyPA advisory database (the
   OSV data behind pip-audit's PyPI and OSV services) made for the packages pinned here. A pin is
   affected when its version is listed in an advisory's `affected[].versions` or lies in one of its
   ECOSYSTEM ranges (introduced / fixed / last_affected, compared as packaging Versions). Withdrawn
   advisories are skipped.
2. Live, unless --offline: PyPI's JSON API for each project (https://pypi.org/pypi/NAME/json). Its
   `vulnerabilities` list is about the latest release only, so it is checked when the pin is that
   release; an older pin gets a note and is checked against the copy alone.

A finding fails the run unless .ci/accepted-vulnerabilities.toml accepts it (by its id or one of its
aliases, for that package) and the entry is not past its review-by date; an expired entry fails the
run by itself. The run also fails when it could not audit everything: the live source unreachable
(give --offline to check against the copy alone), or a pin checked by neither source (a package the
copy was not made for, and not PyPI's latest release). Exit codes: 0 passed, 1 findings or a bad
accepted file, 2 not audited. Needs Python 3.11+ and `packaging`, both in the project's .venv.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import re
import shutil
import subprocess
import sys
import threading
import time
import tomllib
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

try:
    from packaging.version import InvalidVersion, Version
except ImportError:  # pragma: no cover - the wrong python
    sys.exit(f"{__file__}: needs `packaging`; run it with the project's .venv/bin/python (`make audit-deps` does)")

ROOT = Path(__file__).resolve().parent.parent
CONSTRAINTS = ROOT / "constraints.txt"
ADVISORIES = ROOT / ".ci" / "advisories"
ACCEPTED = ROOT / ".ci" / "accepted-vulnerabilities.toml"
SNAPSHOT = "snapshot.json"  # in ADVISORIES: where the copy came from and which packages it covers
UPSTREAM = "https://github.com/pypa/advisory-database"

LIVE_URL = "https://pypi.org/pypi/{name}/json"
LIVE_TIMEOUT = 6.0  # seconds for one request
LIVE_DEADLINE = 14.0  # seconds for all of them; what is not back by then did not happen
LIVE_WORKERS = 8

REQUIRED = ("id", "package", "reason", "review-by")
PIN = re.compile(r"^([A-Za-z0-9][A-Za-z0-9._-]*)==([^\s;#]+)\s*$")


def normalize(name: str) -> str:
    """PEP 503: lower case, runs of `-`, `_` and `.` as one `-`."""
    return re.sub(r"[-_.]+", "-", name).lower()


class AcceptedError(Exception):
    """The accepted-vulnerabilities file is unreadable, incomplete or has an entry past review."""


class AuditError(Exception):
    """Something needed for the audit is missing or unreadable: nothing can be said about the pins."""


class LiveError(Exception):
    """PyPI's JSON API did not answer for a project (network, time-out, HTTP error, bad JSON).

    `unreachable`: no HTTP answer at all (name resolution, connection, time-out)."""

    def __init__(self, message: str, unreachable: bool = False):
        super().__init__(message)
        self.unreachable = unreachable


@dataclass(frozen=True)
class Pin:
    name: str
    version: str

    @property
    def key(self) -> str:
        return normalize(self.name)


@dataclass(frozen=True)
class Live:
    """What PyPI's JSON API says about a project: its latest release and that release's vulnerabilities."""

    latest: str
    vulnerabilities: list[dict]


@dataclass
class Finding:
    pin: Pin
    id: str
    aliases: list[str]
    summary: str
    fixed: list[str]
    sources: list[str]
    accepted: dict | None = None

    @property
    def names(self) -> set[str]:
        return {self.id, *self.aliases}


@dataclass
class Snapshot:
    meta: dict
    advisories: dict[str, list[dict]] = field(default_factory=dict)  # package key -> OSV records

    @property
    def label(self) -> str:
        return f"PyPA advisory database at {self.meta['commit'][:12]} ({self.meta['date'][:10]})"


# --- the accepted file -------------------------------------------------------------------------------


def load_accepted(path: Path, today: dt.date) -> list[dict]:
    """The entries of the file, checked: every key present and non-empty, ids unique, none expired."""
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, tomllib.TOMLDecodeError) as error:
        raise AcceptedError(f"{path}: cannot read it: {error}") from error
    unknown = set(data) - {"vulnerability"}
    if unknown:
        raise AcceptedError(f"{path}: unknown top-level keys {sorted(unknown)}; entries are [[vulnerability]] tables")
    entries = data.get("vulnerability", [])
    if not isinstance(entries, list):
        raise AcceptedError(f"{path}: `vulnerability` must be an array of tables ([[vulnerability]])")
    problems: list[str] = []
    expired: list[str] = []
    seen: set[str] = set()
    for number, entry in enumerate(entries, start=1):
        label = f"entry {number} ({entry.get('id', 'no id')})"
        missing = [key for key in REQUIRED if key not in entry]
        if missing:
            problems.append(f"{label}: missing {', '.join(missing)}")
            continue
        extra = sorted(set(entry) - set(REQUIRED))
        if extra:
            problems.append(f"{label}: unknown keys {extra} (only {', '.join(REQUIRED)})")
        for key in ("id", "package", "reason"):
            if not isinstance(entry[key], str) or not entry[key].strip():
                problems.append(f"{label}: {key} must be a non-empty string")
        review_by = entry["review-by"]
        if not isinstance(review_by, dt.date) or isinstance(review_by, dt.datetime):
            problems.append(f"{label}: review-by must be a TOML date such as 2027-01-31, not {review_by!r}")
        elif review_by < today:
            expired.append(
                f"{entry['id']} in {entry['package']} was due for review on {review_by.isoformat()} "
                f"(accepted because: {entry['reason']})"
            )
        if entry["id"] in seen:
            problems.append(f"{label}: {entry['id']} is listed twice")
        seen.add(entry["id"])
    if problems:
        raise AcceptedError(f"{path}:\n  " + "\n  ".join(problems))
    if expired:
        raise AcceptedError(
            f"{path}: accepted vulnerabilities past their review-by date:\n  "
            + "\n  ".join(expired)
            + "\nUpgrade the pin in constraints.txt and delete the entry, or look at it again and"
            " move review-by with the reason it still holds."
        )
    return entries


def accept(findings: list[Finding], entries: list[dict]) -> list[dict]:
    """Mark each finding an entry accepts (same package, the entry's id is the finding's id or an alias).

    Returns the entries that accepted nothing."""
    unused = []
    for entry in entries:
        matched = [f for f in findings if f.pin.key == normalize(entry["package"]) and entry["id"] in f.names]
        for finding in matched:
            finding.accepted = entry
        if not matched:
            unused.append(entry)
    return unused


# --- the pins ----------------------------------------------------------------------------------------


def read_pins(path: Path) -> list[Pin]:
    """Every `name==version` line; any other line that is not blank or a comment is an error."""
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except OSError as error:
        raise AuditError(f"{path}: cannot read it: {error}") from error
    pins, bad = [], []
    for number, line in enumerate(lines, start=1):
        text = line.split(" #", 1)[0].strip()
        if not text or text.startswith("#"):
            continue
        match = PIN.match(text)
        if not match:
            bad.append(f"line {number}: {line.strip()!r} is not NAME==VERSION")
            continue
        try:
            Version(match[2])
        except InvalidVersion:
            bad.append(f"line {number}: {match[2]!r} is not a version")
            continue
        pins.append(Pin(match[1], match[2]))
    if bad:
        raise AuditError(f"{path}: cannot audit these lines:\n  " + "\n  ".join(bad))
    return pins


# --- the offline copy --------------------------------------------------------------------------------


def load_snapshot(directory: Path) -> Snapshot:
    """snapshot.json and every <package>/<ID>.json under `directory`."""
    try:
        meta = json.loads((directory / SNAPSHOT).read_text(encoding="utf-8"))
        snapshot = Snapshot({key: meta[key] for key in ("repository", "commit", "date", "packages")})
    except (OSError, ValueError, KeyError, TypeError) as error:
        raise AuditError(f"{directory / SNAPSHOT}: cannot read it ({error}); run `make advisories SOURCE=...`") from error
    for path in sorted(directory.glob("*/*.json")):
        try:
            record = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError) as error:
            raise AuditError(f"{path}: cannot read it: {error}") from error
        if not isinstance(record, dict) or not isinstance(record.get("id"), str):
            raise AuditError(f"{path}: not an OSV record (no id)")
        snapshot.advisories.setdefault(path.parent.name, []).append(record)
    return snapshot


def _event_version(value: str) -> Version | None:
    """An event's version; None for introduced "0", which is before every version."""
    return None if value == "0" else Version(value)


_EVENT_ORDER = {"introduced": 0, "last_affected": 1, "fixed": 2, "limit": 3}


def in_range(version: Version, events: list[dict]) -> bool:
    """OSV's evaluation of one ECOSYSTEM range: events in version order, each switching `affected`."""
    parsed = []
    for event in events:
        for kind, value in event.items():
            if kind in _EVENT_ORDER:
                parsed.append((_event_version(str(value)), kind))
    parsed.sort(key=lambda item: (item[0] is not None, item[0] or Version("0"), _EVENT_ORDER[item[1]]))
    if any(kind == "limit" and version >= at for at, kind in parsed if at is not None):
        return False
    affected = False
    for at, kind in parsed:
        if kind == "introduced" and (at is None or version >= at):
            affected = True
        elif kind == "fixed" and version >= at:
            affected = False
        elif kind == "last_affected" and version > at:
            affected = False
    return affected


def _same_version(listed: str, version: Version) -> bool:
    try:
        return Version(listed) == version
    except InvalidVersion:
        return listed == str(version)


def affects(record: dict, package: str, version: str) -> bool:
    """Whether an OSV record applies to this version of this package (by PEP 503 name); withdrawn: never."""
    if record.get("withdrawn"):
        return False
    wanted = Version(version)
    for affected in record.get("affected", []):
        target = affected.get("package", {})
        if target.get("ecosystem") != "PyPI" or normalize(str(target.get("name", ""))) != normalize(package):
            continue
        if any(_same_version(str(listed), wanted) for listed in affected.get("versions", [])):
            return True
        for entry in affected.get("ranges", []):
            if entry.get("type") == "ECOSYSTEM" and in_range(wanted, entry.get("events", [])):
                return True
    return False


def fixed_in(record: dict, package: str) -> list[str]:
    """The `fixed` versions of the record's ECOSYSTEM ranges for the package, lowest first."""
    versions = set()
    for affected in record.get("affected", []):
        if normalize(str(affected.get("package", {}).get("name", ""))) != normalize(package):
            continue
        for entry in affected.get("ranges", []):
            if entry.get("type") == "ECOSYSTEM":
                versions.update(str(event["fixed"]) for event in entry.get("events", []) if "fixed" in event)
    return sorted(versions, key=_version_key)


def _version_key(text: str) -> tuple:
    """Sorts versions as versions, and whatever is not one after them as text."""
    try:
        return (0, Version(text), "")
    except InvalidVersion:
        return (1, Version("0"), text)


def _summary(record: dict) -> str:
    text = (record.get("summary") or record.get("details") or "").strip()
    text = " ".join(text.split())
    return text if len(text) <= 110 else text[:107] + "..."


def snapshot_findings(pins: list[Pin], snapshot: Snapshot) -> tuple[list[Finding], list[str]]:
    """Findings for every pin from the copy, and the problems that kept an advisory from being evaluated."""
    findings, problems = [], []
    for pin in pins:
        for record in snapshot.advisories.get(pin.key, []):
            try:
                hit = affects(record, pin.name, pin.version)
            except (InvalidVersion, TypeError, AttributeError) as error:
                problems.append(f"{pin.name} {pin.version}: cannot evaluate {record['id']}: {error}")
                continue
            if hit:
                findings.append(Finding(pin, record["id"], list(record.get("aliases", [])), _summary(record), fixed_in(record, pin.name), ["advisory copy"]))
    return findings, problems


# --- the live source ---------------------------------------------------------------------------------


def fetch_live(name: str, timeout: float = LIVE_TIMEOUT) -> Live:
    """PyPI's JSON API for one project: the latest release and its `vulnerabilities`.

    One more try after a time-out or a server error; none after a failed name look-up or connection."""
    url = LIVE_URL.format(name=name)
    request = urllib.request.Request(url, headers={"Accept": "application/json", "User-Agent": "notifier-audit-deps"})
    for attempt in (1, 2):
        try:
            with urllib.request.urlopen(request, timeout=timeout) as response:
                data = json.load(response)
            return Live(str(data["info"]["version"]), list(data.get("vulnerabilities") or []))
        except urllib.error.HTTPError as error:
            if error.code < 500 or attempt == 2:
                raise LiveError(f"{url}: HTTP {error.code} {error.reason}") from error
        except (TimeoutError, urllib.error.URLError, OSError) as error:
            reason = getattr(error, "reason", error)
            if not isinstance(reason, TimeoutError) or attempt == 2:
                raise LiveError(f"{url}: {reason}", unreachable=True) from error
        except (ValueError, KeyError, TypeError) as error:
            raise LiveError(f"{url}: not the JSON API's answer: {error!r}") from error
    raise AssertionError("unreachable")


def fetch_all(pins: list[Pin], fetch: Callable[[str], Live], workers: int = LIVE_WORKERS, deadline: float = LIVE_DEADLINE) -> dict[str, Live | LiveError]:
    """`fetch` for every pin on a few daemon threads; a pin without an answer gets a LiveError.

    No answer: by the deadline, or not asked because the first few requests found no network at all."""
    results: dict[str, Live | LiveError] = {}
    queue = list(pins)
    lock = threading.Lock()
    state = {"answered": 0, "unreachable": 0}

    def work() -> None:
        while True:
            with lock:
                if not queue or (state["unreachable"] >= 3 and not state["answered"]):
                    return
                pin = queue.pop(0)
            try:
                result: Live | LiveError = fetch(pin.name)
            except LiveError as error:
                result = error
            except Exception as error:  # a bug or an unexpected answer is still "not audited", never a pass
                result = LiveError(f"{pin.name}: {error!r}")
            with lock:
                results[pin.key] = result
                if isinstance(result, LiveError) and result.unreachable:
                    state["unreachable"] += 1
                else:
                    state["answered"] += 1

    threads = [threading.Thread(target=work, daemon=True) for _ in range(max(1, min(workers, len(pins))))]
    for thread in threads:
        thread.start()
    end = time.monotonic() + deadline
    for thread in threads:
        thread.join(max(0.0, end - time.monotonic()))
    with lock:
        gave_up = state["unreachable"] >= 3 and not state["answered"]
        for pin in pins:
            reason = "not asked: the requests before it found no network" if gave_up else f"no answer within {deadline:.0f} s"
            results.setdefault(pin.key, LiveError(f"{pin.name}: {reason}", unreachable=True))
        return dict(results)


def live_findings(pin: Pin, live: Live) -> list[Finding]:
    """The latest release's vulnerabilities, not withdrawn; only call this when the pin is that release."""
    findings = []
    for vuln in live.vulnerabilities:
        if vuln.get("withdrawn"):
            continue
        findings.append(Finding(pin, str(vuln["id"]), [str(a) for a in vuln.get("aliases") or []], _summary(vuln), [str(v) for v in vuln.get("fixed_in") or []], ["PyPI"]))
    return findings


def merge(findings: list[Finding]) -> list[Finding]:
    """One finding per vulnerability and pin: the same id or a shared alias from both sources is one."""
    merged: list[Finding] = []
    for finding in findings:
        same = next((m for m in merged if m.pin == finding.pin and m.names & finding.names), None)
        if same is None:
            merged.append(finding)
            continue
        same.aliases = sorted((same.names | finding.names) - {same.id})
        same.fixed = sorted(set(same.fixed) | set(finding.fixed), key=_version_key)
        same.sources = sorted(set(same.sources) | set(finding.sources))
    return merged


# --- the run -----------------------------------------------------------------------------------------


@dataclass
class Report:
    findings: list[Finding] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    not_audited: list[str] = field(default_factory=list)
    live_errors: list[str] = field(default_factory=list)


def audit(pins: list[Pin], snapshot: Snapshot, fetch: Callable[[str], Live] | None) -> Report:
    """Both sources over the pins; `fetch` None means offline."""
    report = Report()
    found, problems = snapshot_findings(pins, snapshot)
    report.not_audited += problems
    covered = {normalize(name) for name in snapshot.meta["packages"]}
    live = fetch_all(pins, fetch) if fetch is not None else {}
    for pin in sorted(pins, key=lambda p: p.key):
        answer = live.get(pin.key)
        checked_live = False
        if isinstance(answer, LiveError):
            report.live_errors.append(str(answer))
        elif isinstance(answer, Live):
            if _version_key(answer.latest) == _version_key(pin.version):
                found += live_findings(pin, answer)
                checked_live = True
            else:
                report.notes.append(
                    f"{pin.name} {pin.version} is not PyPI's latest release ({answer.latest}): checked against the advisory copy only"
                )
        if pin.key not in covered and not checked_live:
            report.not_audited.append(
                f"{pin.name} {pin.version}: the advisory copy was not made for it and PyPI's data "
                "(latest release only) did not cover it; refresh the copy with `make advisories SOURCE=...`"
            )
    report.findings = merge(found)
    return report


def _line(finding: Finding) -> str:
    aliases = f" ({', '.join(sorted(finding.aliases))})" if finding.aliases else ""
    fixed = f"fixed in {', '.join(finding.fixed)}" if finding.fixed else "no fixed release known"
    return f"{finding.pin.name} {finding.pin.version}: {finding.id}{aliases}; {fixed}; from {' and '.join(finding.sources)}: {finding.summary}"


def main(argv: list[str] | None = None, today: dt.date | None = None, fetch: Callable[[str], Live] = fetch_live) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--constraints", type=Path, default=CONSTRAINTS, help="the pins (default: constraints.txt)")
    parser.add_argument("--advisories", type=Path, default=ADVISORIES, help="the advisory copy (default: .ci/advisories)")
    parser.add_argument("--accepted", type=Path, default=ACCEPTED, help="the accepted-vulnerabilities TOML file")
    parser.add_argument("--offline", action="store_true", help="check against the advisory copy only; do not ask PyPI")
    parser.add_argument("--today", type=dt.date.fromisoformat, help="check review-by dates against this day (YYYY-MM-DD)")
    parser.add_argument("--check", action="store_true", help="only validate the accepted file; audit nothing")
    parser.add_argument("--refresh-advisories", metavar="SOURCE", type=Path, help="rewrite the advisory copy from a clone or mirror of the PyPA advisory database")
    parser.add_argument("--rev", default="HEAD", help="with --refresh-advisories: the commit to copy (default HEAD)")
    args = parser.parse_args(argv)
    if args.refresh_advisories:
        return refresh_main(args.refresh_advisories, args.rev, args.constraints, args.advisories)
    started = time.monotonic()
    today = args.today or today or dt.date.today()
    try:
        entries = load_accepted(args.accepted, today)
    except AcceptedError as error:
        print(f"dependency audit FAILED: {error}", file=sys.stderr)
        return 1
    if args.check:
        print(f"{args.accepted}: {len(entries)} accepted, none past review on {today.isoformat()}")
        return 0
    try:
        pins = read_pins(args.constraints)
        snapshot = load_snapshot(args.advisories)
    except AuditError as error:
        print(f"dependency audit FAILED (not audited): {error}", file=sys.stderr)
        return 2
    advisories = sum(len(records) for key, records in snapshot.advisories.items() if key in {p.key for p in pins})
    print(f"dependency audit of {len(pins)} pins in {args.constraints.name}")
    print(f"  offline: {snapshot.label}, {advisories} advisories for the pinned packages")
    print("  live:    skipped (--offline)" if args.offline else "  live:    PyPI's JSON API, the vulnerabilities of each project's latest release")
    report = audit(pins, snapshot, None if args.offline else fetch)
    unused = accept(report.findings, entries)
    for note in report.notes:
        print(f"note: {note}")
    for entry in unused:
        print(f"note: accepted {entry['id']} ({entry['package']}) matched no finding in this run; delete it once it is gone for good")
    accepted = [f for f in report.findings if f.accepted]
    open_ = [f for f in report.findings if not f.accepted]
    for finding in accepted:
        entry = finding.accepted
        print(f"accepted: {_line(finding)}\n          until {entry['review-by'].isoformat()} because: {entry['reason']}")
    for finding in open_:
        print(f"VULNERABLE: {_line(finding)}")
    sys.stdout.flush()  # the findings before the verdict on stderr, also in a CI log that merges the two
    elapsed = f"{time.monotonic() - started:.1f} s"
    code = 0
    if open_:
        code = 1
        print(
            f"dependency audit FAILED: {len(open_)} known vulnerabilit{'y' if len(open_) == 1 else 'ies'} in the pins"
            " (VULNERABLE above). Upgrade the pin in constraints.txt to a fixed version, or accept the finding in"
            " .ci/accepted-vulnerabilities.toml (id, package, reason, review-by).",
            file=sys.stderr,
        )
    if report.live_errors:
        code = code or 2
        errors = sorted(report.live_errors, key=lambda message: "not asked" in message)
        shown = "\n  ".join(errors[:5]) + (f"\n  ... and {len(report.live_errors) - 5} more" if len(report.live_errors) > 5 else "")
        print(
            f"dependency audit FAILED (not audited): no answer from PyPI's JSON API for {len(report.live_errors)} of"
            f" {len(pins)} pins, so the live check did not happen for them:\n  {shown}\n"
            "Without the network, `make audit-deps AUDIT_FLAGS=--offline` checks against the advisory copy alone.",
            file=sys.stderr,
        )
    if report.not_audited:
        code = code or 2
        print("dependency audit FAILED (not audited):\n  " + "\n  ".join(report.not_audited), file=sys.stderr)
    if code == 0:
        live = "" if args.offline else " and PyPI's latest-release data"
        print(f"dependency audit passed in {elapsed}: no known vulnerabilities in the pins ({snapshot.label}{live}) beyond {len(accepted)} accepted.")
    else:
        print(f"(audit took {elapsed})", file=sys.stderr)
    return code


# --- refreshing the copy -----------------------------------------------------------------------------


def _git(source: Path, *args: str) -> str:
    result = subprocess.run(["git", "-C", str(source), *args], capture_output=True, text=True)
    if result.returncode:
        raise AuditError(f"git {' '.join(args)} in {source}: {result.stderr.strip()}")
    return result.stdout


def _yaml_loader():
    try:
        import yaml
    except ImportError as error:
        raise AuditError("refreshing the copy reads YAML: run it with PyYAML installed (`make advisories` does)") from error

    class Loader(yaml.SafeLoader):
        pass

    # Timestamps (modified, published, withdrawn) stay the strings they are in the file.
    Loader.add_constructor("tag:yaml.org,2002:timestamp", lambda loader, node: loader.construct_scalar(node))
    return lambda text: yaml.load(text, Loader=Loader)


def _check_versions(record: dict, where: str) -> None:
    """The fields the audit compares must be strings (an unquoted 1.10 would have been read as 1.1)."""
    for affected in record.get("affected", []):
        values = list(affected.get("versions", []))
        for entry in affected.get("ranges", []):
            values += [value for event in entry.get("events", []) for value in event.values()]
        bad = [value for value in values if not isinstance(value, str)]
        if bad:
            raise AuditError(f"{where}: versions that are not strings: {bad}")


def refresh(source: Path, rev: str, pins: list[Pin], dest: Path) -> dict:
    """Rewrite `dest` from the advisory database at `source` (a clone or a bare mirror) at `rev`.

    Only the advisories of the pinned packages, each vulns/<folder>/<ID>.yaml as <key>/<ID>.json (the
    same record in JSON); the database's LICENSE; snapshot.json (where from, and for which packages);
    README.md. Returns snapshot.json's content."""
    load = _yaml_loader()
    commit = _git(source, "rev-parse", "--verify", f"{rev}^{{commit}}").strip()
    date = _git(source, "log", "-1", "--format=%cI", commit).strip()
    folders = {normalize(name): name for name in _git(source, "ls-tree", "--name-only", f"{commit}:vulns").split("\n") if name}
    wanted = sorted({pin.key for pin in pins})
    records: dict[str, dict[str, str]] = {}
    for key in wanted:
        if key not in folders:
            continue
        for path in _git(source, "ls-tree", "-r", "--name-only", commit, f"vulns/{folders[key]}/").split("\n"):
            if not path.endswith((".yaml", ".yml")):
                continue
            record = load(_git(source, "show", f"{commit}:{path}"))
            _check_versions(record, path)
            if record.get("id") != Path(path).stem:
                raise AuditError(f"{path}: its id is {record.get('id')!r}")
            records.setdefault(key, {})[record["id"]] = json.dumps(record, indent=2, ensure_ascii=False) + "\n"
    license_text = _git(source, "show", f"{commit}:LICENSE")
    dest.mkdir(parents=True, exist_ok=True)
    for child in dest.iterdir():
        if child.is_dir():
            shutil.rmtree(child)
    for key, files in records.items():
        (dest / key).mkdir()
        for advisory_id, text in sorted(files.items()):
            (dest / key / f"{advisory_id}.json").write_text(text, encoding="utf-8")
    meta = {"repository": UPSTREAM, "commit": commit, "date": date, "packages": wanted}
    (dest / SNAPSHOT).write_text(json.dumps(meta, indent=2) + "\n", encoding="utf-8")
    (dest / "LICENSE").write_text(license_text, encoding="utf-8")
    count = sum(len(files) for files in records.values())
    (dest / "README.md").write_text(
        f"""# Advisories for the pinned packages

A copy of part of the Python Packaging Advisory Database by the Python Packaging Authority (PyPA)
and its contributors, {UPSTREAM}, at commit
{commit} ({date[:10]}), made by `make advisories SOURCE=...` for the packages
pinned in `constraints.txt` then; `.ci/audit_deps.py` checks the pins against it.

Only the advisories of those packages are here ({count} in {len(records)} folders): each upstream
`vulns/<package>/<ID>.yaml` is `<package>/<ID>.json`, the same OSV record converted from YAML to
JSON and otherwise unchanged (`<package>` is the PEP 503 name). `snapshot.json` says where the copy
came from and lists every package it was made for, with or without advisories.

The advisory database is licensed under the Creative Commons Attribution 4.0 International licence
(CC BY 4.0), in `LICENSE` here; the change made to it is the conversion described above.

To refresh: clone or mirror the database, then
`make advisories SOURCE=/path/to/advisory-database` (or `SOURCE=... REV=<commit>`).
""",
        encoding="utf-8",
    )
    return meta


def refresh_main(source: Path, rev: str, constraints: Path, dest: Path) -> int:
    try:
        pins = read_pins(constraints)
        meta = refresh(source, rev, pins, dest)
    except AuditError as error:
        print(f"refreshing the advisories FAILED: {error}", file=sys.stderr)
        return 2
    count = len(list(dest.glob("*/*.json")))
    print(f"{dest}: {count} advisories for {len(meta['packages'])} pinned packages from {meta['repository']} at {meta['commit'][:12]} ({meta['date'][:10]})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
