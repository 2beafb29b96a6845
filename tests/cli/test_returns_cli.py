"""`notifier returns ...` from the clerk's desk."""

from __future__ import annotations

import csv
import io
import json

from tests.helpers import row, write_csv


def test_record_import_report(cli, tmp_path, monkeypatch):
    monkeypatch.setenv("NOTIFIER_OUTPUT_DIR", str(tmp_path / "out"))
    cli("import", write_csv(tmp_path / "d.csv", [row(), row(decision_id="D-2", person_id="P-2")]))
    cli("addresses", "verify")
    cli("letters", "render")
    batch = str(json.loads(cli("batches", "create", "--mail-date", "2025-08-04", "--json").stdout.splitlines()[-1])["id"])
    cli("batches", "freeze", batch)
    cli("batches", "print", batch)
    cli("batches", "mark-mailed", batch, "--postage", "1.48", "--statement", "PS")
    first, second = (json.loads(line)["letter_id"] for line in cli("letters", "list", "--json").stdout.splitlines())

    recorded = json.loads(cli("returns", "record", first.lower(), "--reason", "moved_left_no_address", "--forward-line1", "9 Elm St",
                              "--forward-city", "Cicero", "--forward-state", "IL", "--forward-zip", "60804", "--json").stdout.splitlines()[-1])
    assert (recorded["letter_id"], recorded["outcome"], recorded["already"]) == (first, "remail", False)
    assert "already recorded" in cli("returns", "record", first, "--reason", "vacant").stdout
    bad = cli("returns", "record", first, "--reason", "nope", ok=False)
    assert bad.exit_code == 1 and "unknown reason" in bad.stderr

    sheet = tmp_path / "mailroom.csv"
    sheet.write_text(f"id,reason,date\n{second},vacant,2025-08-20\nBAD-ID,vacant,\n", encoding="utf-8")
    report = json.loads(cli("returns", "import", sheet, "--json").stdout.splitlines()[-1])
    assert (report["read"], report["recorded"], [e["line"] for e in report["errors"]]) == (2, 1, [3])

    stats = json.loads(cli("returns", "report", "--format", "json").stdout)
    assert stats["total"]["returned"] == 2 and stats["total"]["returned_share"] == 1.0 and stats["total"]["remailed"] == 1
    rows = list(csv.DictReader(io.StringIO(cli("returns", "report", "--by", "zip", "--format", "csv").stdout)))
    assert rows[-1]["group"] == "total"
    assert [json.loads(line)["state"] for line in cli("letters", "list", "--json").stdout.splitlines()] == ["returned", "returned"]
    assert json.loads(cli("letters", "render", "--json").stdout.splitlines()[-1])["rendered"] == 1  # attempt 2 for the forwarded one
