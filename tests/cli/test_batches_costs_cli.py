"""`notifier batches ...` and `notifier costs report` as offices script them."""

from __future__ import annotations

import csv
import io
import json

from tests.helpers import row, write_csv
from tests.pdftools import fonts, page_sizes

MONEY_KEYS = {"postage_cents", "print_cents", "envelope_cents", "total_cents"}


def last(result) -> dict:
    return json.loads(result.stdout.strip().splitlines()[-1])


def test_batch_commands_and_reports(cli, tmp_path, monkeypatch):
    monkeypatch.setenv("NOTIFIER_OUTPUT_DIR", str(tmp_path / "out"))
    cli("import", write_csv(tmp_path / "d.csv", [row(), row(decision_id="D-2", person_id="P-2", disposition_date="2016-01-01")]))
    cli("addresses", "verify")
    cli("letters", "render")
    bad_date = cli("batches", "create", "--mail-date", "2031-01-01", ok=False)
    assert bad_date.exit_code == 1 and "only known through" in bad_date.stderr
    created = last(cli("batches", "create", "--mail-date", "2025-08-04", "--json"))
    assert {"id", "state", "mail_date", "letters", "files", "estimate", "actual"} <= set(created)
    assert (created["state"], created["letters"], created["estimate"]) == ("draft", 2, None)
    batch = str(created["id"])
    assert cli("batches", "print", batch, ok=False).exit_code == 1
    frozen = last(cli("batches", "freeze", batch, "--by", "clerk", "--json"))
    assert set(frozen["estimate"]) == MONEY_KEYS and frozen["estimate"]["postage_cents"] == 2 * 74
    printed = last(cli("batches", "print", batch, "--json"))
    assert printed["state"] == "printed" and len(printed["files"]) == 3
    bad_money = cli("batches", "mark-mailed", batch, "--postage", "1.234", "--statement", "PS", ok=False)
    assert bad_money.exit_code == 1 and "dollars and cents" in bad_money.stderr
    mailed = last(cli("batches", "mark-mailed", batch, "--postage", "1.50", "--statement", "PS-7", "--invoice", "INV-1", "--json"))
    assert mailed["actual"]["postage_cents"] == 150 and mailed["variance_cents"] == 150 - 148
    assert last(cli("batches", "show", batch, "--json")) == mailed
    listed = [json.loads(line) for line in cli("letters", "list", "--json").stdout.splitlines()]
    assert {item["batch_id"] for item in listed} == {created["id"]} and {item["state"] for item in listed} == {"mailed"}

    report = json.loads(cli("costs", "report", "--by", "batch", "--format", "json").stdout)
    assert report["reconciled"] and report["total"]["actual_total_cents"] == mailed["actual"]["total_cents"]
    rows = list(csv.DictReader(io.StringIO(cli("costs", "report", "--format", "csv").stdout)))
    assert rows[-1]["group"] == "total" and int(rows[-1]["estimate_total_cents"]) == frozen["estimate"]["total_cents"]
    pdf = tmp_path / "costs.pdf"
    cli("costs", "report", "--format", "pdf", "--out", pdf)
    assert pdf.read_bytes().startswith(b"%PDF")
    assert set(page_sizes(pdf)) == {(612.0, 792.0)} and all(embedded for _, embedded in fonts(pdf))  # every PDF notifier writes
    assert "reconciled with batch totals: yes" in cli("costs", "report", "--from", "2025-01-01", "--to", "2025-12-31").stdout
    assert last(cli("status", "--json"))["batches"] == {"mailed": 1}
