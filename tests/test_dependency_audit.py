"""`make audit-deps`: .ci/audit_deps.py, its advisory copy and the accepted-vulnerabilities file.

Offline: advisories, pins and PyPI's answers are made here (a fake fetcher stands in for PyPI's JSON
API); the network is never used.
"""

from __future__ import annotations

import datetime as dt
import importlib.util
import json
import re
import subprocess
import sys
import tempfile
import threading
import tomllib
from pathlib import Path

import pytest
from packaging.version import Version

ROOT = Path(__file__).resolve().parent.parent
ACCEPTED = ROOT / ".ci" / "accepted-vulnerabilities.toml"
ADVISORIES = ROOT / ".ci" / "advisories"

_spec = importlib.util.spec_from_file_location("audit_deps", ROOT / ".ci" / "audit_deps.py")
audit_deps = importlib.util.module_from_spec(_spec)
sys.modules["audit_deps"] = audit_deps  # dataclasses look their module up while the class is made
_spec.loader.exec_module(audit_deps)

TODAY = dt.date(2026, 11, 30)


# --- helpers -----------------------------------------------------------------------------------------


def write(tmp_path: Path, text: str, name: str = "accepted.toml") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def entry(id_: str = "GHSA-aaaa-bbbb-cccc", review_by: str = "2027-01-31", package: str = "example", **keys: str) -> str:
    lines = ["[[vulnerability]]", f'id = "{id_}"', f'package = "{package}"', 'reason = "Not reachable from notifier."']
    lines.append(f"review-by = {review_by}")
    lines += [f"{key} = {value}" for key, value in keys.items()]
    return "\n".join(lines) + "\n"


def osv(id_="PYSEC-2026-1", package="example", events=None, versions=None, aliases=("CVE-2026-0001", "GHSA-aaaa-bbbb-cccc"), **extra) -> dict:
    affected: dict = {"package": {"name": package, "ecosystem": "PyPI", "purl": f"pkg:pypi/{package}"}}
    if events is not None:
        affected["ranges"] = [{"type": "ECOSYSTEM", "events": events}]
    if versions is not None:
        affected["versions"] = versions
    return {"id": id_, "details": f"A made-up flaw in {package}.", "aliases": list(aliases), "affected": [affected], **extra}


def copy_dir(tmp_path: Path, records: dict[str, list[dict]], packages: list[str]) -> Path:
    """An advisory copy as `make advisories` writes it."""
    directory = tmp_path / "advisories"
    directory.mkdir()
    meta = {"repository": "test", "commit": "0123456789abcdef0123", "date": "2026-11-01T00:00:00+00:00", "packages": packages}
    (directory / "snapshot.json").write_text(json.dumps(meta), encoding="utf-8")
    for key, items in records.items():
        (directory / key).mkdir()
        for record in items:
            (directory / key / f"{record['id']}.json").write_text(json.dumps(record), encoding="utf-8")
    return directory


class FakePyPI:
    """Stands in for fetch_live: latest releases and their vulnerabilities, or a LiveError."""

    def __init__(self, latest: dict[str, str], vulnerabilities: dict[str, list[dict]] | None = None, fail: str = ""):
        self.latest, self.vulnerabilities, self.fail, self.asked = latest, vulnerabilities or {}, fail, []

    def __call__(self, name: str):
        self.asked.append(name)
        if self.fail:
            raise audit_deps.LiveError(f"https://pypi.org/pypi/{name}/json: {self.fail}", unreachable=True)
        return audit_deps.Live(self.latest[name], self.vulnerabilities.get(name, []))


def run(tmp_path, pins: str, records: dict[str, list[dict]], fetch=None, accepted: str = "", extra: tuple = (), packages=None):
    """main() on these pins, this advisory copy and this accepted file, in a folder of its own."""
    tmp_path = Path(tempfile.mkdtemp(dir=tmp_path))
    constraints = write(tmp_path, pins, "constraints.txt")
    if packages is None:
        packages = [audit_deps.normalize(line.split("==")[0]) for line in pins.splitlines() if "==" in line]
    advisories = copy_dir(tmp_path, records, packages)
    argv = ["--constraints", str(constraints), "--advisories", str(advisories), "--accepted", str(write(tmp_path, accepted)), "--today", TODAY.isoformat(), *extra]
    return audit_deps.main(argv, fetch=fetch or FakePyPI({}))


# --- versions in ranges ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("events", "affected", "not_affected"),
    [
        ([{"introduced": "0"}, {"fixed": "2.0.1"}], ["0.1", "1.9", "2.0", "2.0.1rc1"], ["2.0.1", "2.1", "10.0"]),
        ([{"introduced": "1.2"}, {"fixed": "1.4"}], ["1.2", "1.3.9"], ["1.1.9", "1.4", "1.4.0.post1"]),
        ([{"introduced": "1.0"}, {"last_affected": "1.5"}], ["1.0", "1.5", "1.5.0"], ["0.9", "1.5.1", "1.5.post1"]),
        ([{"introduced": "0"}], ["0.0.1", "99.0"], []),  # no fix yet: every version
        ([{"introduced": "1.0"}, {"fixed": "1.1"}, {"introduced": "2.0"}, {"fixed": "2.3"}], ["1.0.5", "2.2"], ["1.1", "1.9", "2.3"]),
        ([{"fixed": "2.3"}, {"introduced": "2.0"}, {"fixed": "1.1"}, {"introduced": "1.0"}], ["1.0.5", "2.2"], ["1.1", "1.9", "2.3"]),  # any order
        ([{"introduced": "0"}, {"limit": "3.0"}], ["2.9"], ["3.0", "3.1"]),
    ],
)
def test_a_version_is_affected_inside_an_ecosystem_range_and_not_outside_it(events, affected, not_affected):
    for version in affected:
        assert audit_deps.in_range(Version(version), events), version
    for version in not_affected:
        assert not audit_deps.in_range(Version(version), events), version


def test_an_explicit_versions_list_affects_exactly_those_versions():
    record = osv(versions=["1.0", "1.2.0"])
    assert audit_deps.affects(record, "example", "1.0")
    assert audit_deps.affects(record, "example", "1.2")  # 1.2 == 1.2.0 as versions
    assert not audit_deps.affects(record, "example", "1.1")


def test_a_withdrawn_advisory_affects_nothing():
    record = osv(events=[{"introduced": "0"}], withdrawn="2026-06-06T10:37:00Z")
    assert not audit_deps.affects(record, "example", "1.0")
    assert audit_deps.affects({**record, "withdrawn": None}, "example", "1.0")


def test_only_pypi_ecosystem_ranges_of_the_same_package_count_and_names_are_pep503_normalised():
    record = osv(package="Zope.Interface_Ext", events=[{"introduced": "0"}, {"fixed": "2.0"}])
    assert audit_deps.affects(record, "zope-interface-ext", "1.0")
    assert not audit_deps.affects(record, "other", "1.0")
    git_only = osv(events=None)
    git_only["affected"][0]["ranges"] = [{"type": "GIT", "repo": "x", "events": [{"introduced": "0"}]}]
    assert not audit_deps.affects(git_only, "example", "1.0")
    npm = osv(events=[{"introduced": "0"}])
    npm["affected"][0]["package"]["ecosystem"] = "npm"
    assert not audit_deps.affects(npm, "example", "1.0")


# --- a run, offline source -------------------------------------------------------------------------


def test_an_advisory_for_a_pinned_version_fails_the_run_with_its_id_aliases_and_fix(tmp_path, capsys):
    pins = "# comment\nExample_Pkg==1.4.2\nother==3.0\n"
    records = {"example-pkg": [osv(package="example-pkg", events=[{"introduced": "1.0"}, {"fixed": "1.4.3"}])]}
    code = run(tmp_path, pins, records, FakePyPI({"Example_Pkg": "1.4.2", "other": "3.0"}))
    out, err = capsys.readouterr()
    assert code == 1
    assert "VULNERABLE: Example_Pkg 1.4.2: PYSEC-2026-1 (CVE-2026-0001, GHSA-aaaa-bbbb-cccc); fixed in 1.4.3" in out
    assert "dependency audit FAILED: 1 known vulnerability" in err


def test_a_pin_outside_the_advisorys_range_passes(tmp_path, capsys):
    records = {"example": [osv(events=[{"introduced": "1.0"}, {"fixed": "1.4.3"}])]}
    assert run(tmp_path, "example==1.4.3\n", records, FakePyPI({"example": "1.4.3"})) == 0
    assert "dependency audit passed" in capsys.readouterr().out


def test_a_withdrawn_advisory_does_not_fail_the_run(tmp_path):
    records = {"example": [osv(events=[{"introduced": "0"}], withdrawn="2026-06-06T10:37:00Z")]}
    assert run(tmp_path, "example==1.0\n", records, FakePyPI({"example": "1.0"})) == 0


def test_a_pinned_package_the_copy_was_not_made_for_is_not_audited_unless_it_is_the_latest(tmp_path, capsys):
    assert run(tmp_path, "newdep==1.0\n", {}, FakePyPI({"newdep": "1.0"}), packages=[]) == 0  # checked live
    capsys.readouterr()
    assert run(tmp_path, "newdep==1.0\n", {}, FakePyPI({"newdep": "1.1"}), packages=[]) == 2
    err = capsys.readouterr().err
    assert "newdep 1.0: the advisory copy was not made for it" in err and "make advisories" in err


def test_a_line_that_is_not_a_pin_is_refused(tmp_path, capsys):
    assert run(tmp_path, "example>=1.0\n", {}) == 2
    assert "is not NAME==VERSION" in capsys.readouterr().err


# --- a run, live source ----------------------------------------------------------------------------


def test_a_pin_that_is_not_the_latest_release_gets_a_note_and_the_copy_only(tmp_path, capsys):
    live_vuln = {"id": "PYSEC-2026-9", "aliases": [], "details": "in 2.0 only", "fixed_in": ["2.0.1"], "withdrawn": None}
    code = run(tmp_path, "example==1.0\n", {}, FakePyPI({"example": "2.0"}, {"example": [live_vuln]}))
    out = capsys.readouterr().out
    assert code == 0  # the latest release's vulnerabilities say nothing about 1.0
    assert "note: example 1.0 is not PyPI's latest release (2.0): checked against the advisory copy only" in out


def test_the_latest_releases_vulnerabilities_fail_a_pin_that_is_that_release(tmp_path, capsys):
    vulns = [
        {"id": "PYSEC-2026-9", "aliases": ["CVE-2026-9999"], "summary": "Fresh flaw", "fixed_in": [], "withdrawn": None},
        {"id": "PYSEC-2026-8", "aliases": [], "details": "Withdrawn one", "fixed_in": [], "withdrawn": "2026-11-01T00:00:00Z"},
    ]
    code = run(tmp_path, "example==2.0\n", {}, FakePyPI({"example": "2.0"}, {"example": vulns}))
    out = capsys.readouterr().out
    assert code == 1
    assert "VULNERABLE: example 2.0: PYSEC-2026-9 (CVE-2026-9999); no fixed release known; from PyPI: Fresh flaw" in out
    assert "PYSEC-2026-8" not in out


def test_the_same_vulnerability_from_both_sources_is_one_finding(tmp_path, capsys):
    records = {"example": [osv(events=[{"introduced": "0"}])]}
    vulns = [{"id": "GHSA-aaaa-bbbb-cccc", "aliases": ["CVE-2026-0001"], "summary": "s", "fixed_in": [], "withdrawn": None}]
    assert run(tmp_path, "example==2.0\n", records, FakePyPI({"example": "2.0"}, {"example": vulns})) == 1
    out = capsys.readouterr().out
    assert out.count("VULNERABLE:") == 1 and "from PyPI and advisory copy" in out


def test_an_unreachable_pypi_fails_the_run_unless_offline(tmp_path, capsys):
    fake = FakePyPI({}, fail="[Errno -2] Name or service not known")
    assert run(tmp_path, "example==1.0\n", {}, fake) == 2
    err = capsys.readouterr().err
    assert "no answer from PyPI's JSON API for 1 of 1 pins" in err and "Name or service not known" in err
    assert "AUDIT_FLAGS=--offline" in err

    offline = FakePyPI({}, fail="must not be asked")
    assert run(tmp_path, "example==1.0\n", {}, offline, extra=("--offline",)) == 0
    assert offline.asked == []
    assert "live:    skipped (--offline)" in capsys.readouterr().out


def test_fetch_all_stops_asking_once_the_network_is_plainly_gone():
    fake = FakePyPI({}, fail="Name or service not known")
    pins = [audit_deps.Pin(f"p{i}", "1.0") for i in range(40)]
    results = audit_deps.fetch_all(pins, fake, workers=1)
    assert len(fake.asked) == 3 and len(results) == 40
    assert all(isinstance(result, audit_deps.LiveError) for result in results.values())


def test_fetch_all_gives_up_on_a_slow_answer_at_the_deadline():
    never = threading.Event()

    def slow(name):
        never.wait(5)
        return audit_deps.Live("1.0", [])

    results = audit_deps.fetch_all([audit_deps.Pin("slow", "1.0")], slow, deadline=0.2)
    assert "no answer within" in str(results["slow"])


# --- accepted findings -----------------------------------------------------------------------------


def test_an_accepted_finding_matches_by_its_alias_and_the_run_passes(tmp_path, capsys):
    records = {"example": [osv(events=[{"introduced": "0"}, {"fixed": "9.0"}])]}
    code = run(tmp_path, "Example==1.0\n", records, FakePyPI({"Example": "1.0"}), accepted=entry("CVE-2026-0001", package="example"))
    out = capsys.readouterr().out
    assert code == 0
    assert "accepted: Example 1.0: PYSEC-2026-1" in out and "because: Not reachable from notifier." in out


def test_an_accepted_id_for_another_package_does_not_accept(tmp_path):
    records = {"example": [osv(events=[{"introduced": "0"}])]}
    assert run(tmp_path, "example==1.0\n", records, FakePyPI({"example": "1.0"}), accepted=entry("PYSEC-2026-1", package="other")) == 1


def test_an_expired_acceptance_fails_the_run_before_anything_is_audited(tmp_path, capsys):
    records = {"example": [osv(events=[{"introduced": "0"}])]}
    fake = FakePyPI({"example": "1.0"})
    code = run(tmp_path, "example==1.0\n", records, fake, accepted=entry("PYSEC-2026-1", review_by="2026-11-29", package="example"))
    err = capsys.readouterr().err
    assert code == 1 and fake.asked == []
    assert "PYSEC-2026-1 in example was due for review on 2026-11-29" in err


def test_an_accepted_entry_that_matches_nothing_is_a_note(tmp_path, capsys):
    assert run(tmp_path, "example==1.0\n", {}, FakePyPI({"example": "1.0"}), accepted=entry("GHSA-gone", package="example")) == 0
    assert "note: accepted GHSA-gone (example) matched no finding" in capsys.readouterr().out


def test_the_accepted_file_parses_and_every_entry_is_complete():
    data = tomllib.loads(ACCEPTED.read_text(encoding="utf-8"))
    assert set(data) <= {"vulnerability"}
    for item in data.get("vulnerability", []):
        assert set(item) == set(audit_deps.REQUIRED), item
        assert all(isinstance(item[key], str) and item[key].strip() for key in ("id", "package", "reason")), item
        assert isinstance(item["review-by"], dt.date), item
    audit_deps.load_accepted(ACCEPTED, today=dt.date.min)  # the checker's own checks, expiry aside


def test_the_example_in_the_files_comment_is_an_entry_the_checker_accepts(tmp_path):
    text = ACCEPTED.read_text(encoding="utf-8")
    example = text[text.index("# [[vulnerability]]") :]
    uncommented = "\n".join(re.sub(r"^# ?", "", line) for line in example.splitlines())
    entries = audit_deps.load_accepted(write(tmp_path, uncommented), today=TODAY)
    assert [item["id"] for item in entries] == ["GHSA-xxxx-xxxx-xxxx"]


def test_an_entry_is_still_accepted_on_its_review_day(tmp_path):
    entries = audit_deps.load_accepted(write(tmp_path, entry(review_by=TODAY.isoformat())), today=TODAY)
    assert [item["id"] for item in entries] == ["GHSA-aaaa-bbbb-cccc"]


@pytest.mark.parametrize(
    ("text", "complaint"),
    [
        ('[[vulnerability]]\nid = "GHSA-1"\npackage = "x"\nreview-by = 2027-01-01\n', "missing reason"),
        (entry(review_by='"2027-01-31"'), "review-by must be a TOML date"),
        (entry(review_by="2027-01-31T00:00:00"), "review-by must be a TOML date"),
        (entry(reason_extra='"x"'), "unknown keys"),
        (entry() + entry(), "listed twice"),
        ('[[vulnerability]]\nid = ""\npackage = "x"\nreason = "y"\nreview-by = 2027-01-01\n', "id must be a non-empty string"),
        ('[accepted]\nid = "x"\n', "unknown top-level keys"),
        ("[[vulnerability]\n", "cannot read it"),
    ],
)
def test_incomplete_or_malformed_entries_are_refused(tmp_path, text, complaint):
    with pytest.raises(audit_deps.AcceptedError, match=re.escape(complaint)):
        audit_deps.load_accepted(write(tmp_path, text), today=TODAY)


# --- the committed copy and its refresh ------------------------------------------------------------


def test_the_committed_copy_reads_and_every_pin_can_be_evaluated_against_it():
    snapshot = audit_deps.load_snapshot(ADVISORIES)
    pins = audit_deps.read_pins(ROOT / "constraints.txt")
    assert len(snapshot.meta["commit"]) == 40 and (ADVISORIES / "LICENSE").is_file() and (ADVISORIES / "README.md").is_file()
    for key, records in snapshot.advisories.items():
        assert key == audit_deps.normalize(key)
        for record in records:
            assert (ADVISORIES / key / f"{record['id']}.json").is_file()
    _, problems = audit_deps.snapshot_findings(pins, snapshot)
    assert problems == []


def _yaml_text(record: dict) -> str:
    """JSON is YAML; with PyYAML the test writes real YAML (with an unquoted timestamp)."""
    try:
        import yaml
    except ImportError:
        return json.dumps(record)
    return yaml.safe_dump(record, sort_keys=False) + "modified: 2026-01-02T03:04:05.123456Z\n"


def test_refresh_copies_only_the_pinned_packages_advisories_with_the_licence(tmp_path, monkeypatch):
    try:
        import yaml  # noqa: F401
    except ImportError:
        monkeypatch.setattr(audit_deps, "_yaml_loader", lambda: json.loads)
    source = tmp_path / "advisory-database"
    for relative, record in {
        "vulns/jinja2/PYSEC-2026-1.yaml": osv("PYSEC-2026-1", "jinja2", [{"introduced": "0"}, {"fixed": "3.1.7"}]),
        "vulns/zope.interface/PYSEC-2026-2.yaml": osv("PYSEC-2026-2", "zope.interface", versions=["5.0"]),
        "vulns/django/PYSEC-2026-3.yaml": osv("PYSEC-2026-3", "django", [{"introduced": "0"}]),
    }.items():
        path = source / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(_yaml_text(record), encoding="utf-8")
    (source / "LICENSE").write_text("Attribution 4.0 International\n", encoding="utf-8")
    git = ["git", "-C", str(source), "-c", "user.name=t", "-c", "user.email=t@example.org"]
    subprocess.run(["git", "init", "-q", str(source)], check=True)
    subprocess.run([*git, "add", "."], check=True)
    subprocess.run([*git, "commit", "-q", "-m", "advisories"], check=True)
    dest = tmp_path / "copy"
    (dest / "gone").mkdir(parents=True)  # a package no longer pinned: its folder goes
    pins = [audit_deps.Pin("Jinja2", "3.1.6"), audit_deps.Pin("zope_interface", "5.0"), audit_deps.Pin("alembic", "1.0")]

    meta = audit_deps.refresh(source, "HEAD", pins, dest)

    assert sorted(p.relative_to(dest).as_posix() for p in dest.rglob("*") if p.is_file()) == [
        "LICENSE", "README.md", "jinja2/PYSEC-2026-1.json", "snapshot.json", "zope-interface/PYSEC-2026-2.json"
    ]
    assert meta["packages"] == ["alembic", "jinja2", "zope-interface"] and len(meta["commit"]) == 40
    assert json.loads((dest / "snapshot.json").read_text()) == meta
    assert (dest / "LICENSE").read_text() == "Attribution 4.0 International\n"
    assert meta["commit"] in (dest / "README.md").read_text()
    record = json.loads((dest / "jinja2" / "PYSEC-2026-1.json").read_text())
    assert record["affected"][0]["ranges"][0]["events"] == [{"introduced": "0"}, {"fixed": "3.1.7"}]
    assert isinstance(record.get("modified", ""), str)
    snapshot = audit_deps.load_snapshot(dest)
    found, _ = audit_deps.snapshot_findings(pins, snapshot)
    assert [(f.pin.name, f.id) for f in found] == [("Jinja2", "PYSEC-2026-1"), ("zope_interface", "PYSEC-2026-2")]
