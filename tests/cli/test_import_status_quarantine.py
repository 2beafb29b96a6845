"""The command line as offices script it: exit codes, one-line errors, --json last lines."""

from __future__ import annotations

import csv
import json

from notifier.intake.fields import FIELDS
from tests.helpers import row, write_csv

SUMMARY_KEYS = {"read", "imported", "duplicates", "conflicts", "quarantined", "people"}


def last_json(result) -> dict:
    return json.loads(result.stdout.strip().splitlines()[-1])


def test_import_json_summary_adds_up(cli, sample_csv):
    summary = last_json(cli("import", sample_csv, "--json"))
    assert SUMMARY_KEYS <= set(summary)
    assert summary["imported"] + summary["duplicates"] + summary["conflicts"] + summary["quarantined"] == summary["read"] == 12
    again = last_json(cli("import", sample_csv, "--json"))
    assert (again["imported"], again["duplicates"]) == (0, 11)


def test_human_summary_points_at_the_quarantine(cli, sample_csv):
    out = cli("import", sample_csv).stdout
    assert "11 imported" in out and "1 quarantined" in out and "notifier quarantine list --run 1" in out


def test_unreadable_file_exits_non_zero_with_one_line(cli, tmp_path):
    path = tmp_path / "latin.csv"
    path.write_bytes(",".join(FIELDS).encode() + b"\nD-1,P-1,Jos\xe9\n")
    result = cli("import", path, ok=False)
    assert result.exit_code == 1
    assert result.stderr.count("\n") == 1
    assert str(path) in result.stderr and "line 2" in result.stderr and "--encoding" in result.stderr
    assert last_json(cli("status", "--json"))["decisions"] == 0


def test_missing_columns_name_each_and_say_how_to_map(cli, tmp_path):
    path = write_csv(tmp_path / "x.csv", [row()], header=["decision_id", "person_id", "Case No."])
    result = cli("import", path, ok=False)
    assert result.exit_code == 1
    for name in ("first_name", "last_name", "case_number", "outcome", "decision_date"):
        assert name in result.stderr
    assert "--mapping" in result.stderr


def test_unknown_mapping_lists_the_known_ones(cli, sample_csv):
    result = cli("import", sample_csv, "--mapping", "nope", ok=False)
    assert result.exit_code == 1 and "example-county" in result.stderr


def test_status_json(cli, sample_csv):
    empty = last_json(cli("status", "--json"))
    assert {"decisions", "people", "notices", "quarantined", "letters"} <= set(empty)
    assert (empty["decisions"], empty["letters"]) == (0, {})
    cli("import", sample_csv)
    counts = last_json(cli("status", "--json"))
    assert (counts["decisions"], counts["people"], counts["notices"], counts["quarantined"]) == (11, 10, 10, 1)
    assert counts["notices_without_address"] == 1


def test_quarantine_list_show_export_and_reimport(cli, tmp_path):
    bad = [row(decision_id="D-1", outcome="banana"), row(decision_id="D-2", offense="=HYPERLINK(\"x\")", decision_date="2021-02-30")]
    cli("import", write_csv(tmp_path / "bad.csv", bad))
    listed = [json.loads(line) for line in cli("quarantine", "list", "--json").stdout.splitlines()]
    assert [(q["line"], q["fields"]) for q in listed] == [(2, ["outcome"]), (3, ["decision_date"])]

    shown = last_json(cli("quarantine", "show", listed[0]["id"], "--json"))
    assert shown["raw"]["outcome"] == "banana" and shown["source"] == "bad.csv"
    assert cli("quarantine", "show", "999", ok=False).exit_code == 1

    export = tmp_path / "fix.csv"
    assert last_json(cli("quarantine", "export", "--out", export, "--json"))["exported"] == 2
    with export.open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    assert rows[1]["offense"] == "'=HYPERLINK(\"x\")"  # a spreadsheet must not run it
    assert "2021-02-30" in rows[1]["problems"]
    rows[0]["outcome"], rows[1]["decision_date"] = "expunged", "2021-02-28"
    with export.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    summary = last_json(cli("import", export, "--json"))
    assert (summary["imported"], summary["quarantined"]) == (2, 0)
    assert cli("quarantine", "list", "--json").stdout.strip() == ""
    assert len(cli("quarantine", "list", "--all", "--json").stdout.splitlines()) == 2


def test_db_upgrade_and_current(cli):
    assert last_json(cli("db", "upgrade", "--json"))["revision"]
    assert last_json(cli("db", "current", "--json"))["current"] is True
