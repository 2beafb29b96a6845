"""`notifier addresses ...` as offices script it."""

from __future__ import annotations

import json

from typer.testing import CliRunner

from notifier.cli.main import app
from tests.helpers import row, write_csv


def lines(result) -> list[dict]:
    return [json.loads(line) for line in result.stdout.splitlines() if line.strip()]


def test_check_reads_json_lines_and_reports_bad_ones():
    stdin = "\n".join(
        [
            json.dumps({"id": "a", "line1": "4500 north sheridan road #1203", "city": "chicago", "state": "Illinois", "zip": "60640-5520"}),
            "{not json",
            json.dumps({"id": 7, "line1": "Homeless"}),
            json.dumps(["a list"]),
            json.dumps({"id": "z", "line1": "P.O. Box 4521", "zip": 60804}),
        ]
    )
    result = CliRunner().invoke(app, ["addresses", "check"], input=stdin + "\n")
    assert result.exit_code == 0, result.stderr
    out = lines(result)
    assert [o["status"] for o in out] == ["verified", "error", "undeliverable", "error", "corrected"]
    first = out[0]
    assert {k: first[k] for k in ("id", "line1", "line2", "city", "state", "zip5", "zip4", "reasons")} == {
        "id": "a", "line1": "4500 N SHERIDAN RD # 1203", "line2": "", "city": "CHICAGO", "state": "IL", "zip5": "60640", "zip4": "5520", "reasons": [],
    }
    assert "input line 2" in out[1]["reason"]
    assert out[2]["reasons"][0]["code"] == "not_an_address"
    assert (out[4]["id"], out[4]["city"], out[4]["state"]) == ("z", "CICERO", "IL")  # filled from the ZIP


def test_verify_review_fix(cli, tmp_path):
    cli("import", write_csv(tmp_path / "a.csv", [row(city="Evanston"), row(decision_id="D-2", person_id="P-2")]))
    summary = json.loads(cli("addresses", "verify", "--json").stdout.splitlines()[-1])
    assert summary["checked"] == 2 and summary["addresses"] == {"needs_review": 1, "verified": 1}
    assert json.loads(cli("addresses", "verify", "--json").stdout.splitlines()[-1])["checked"] == 0

    [waiting] = lines(cli("addresses", "review", "--json"))
    assert waiting["suggestion"] == {"city": "CHICAGO"} and waiting["reasons"][0]["code"] == "city_zip_mismatch"
    human = cli("addresses", "review").stdout
    assert "city_zip_mismatch" in human and "--accept-suggestion" in human

    nothing = cli("addresses", "fix", str(waiting["notice_id"]), ok=False)
    assert nothing.exit_code == 1 and "nothing to change" in nothing.stderr
    assert cli("addresses", "fix", "99999", "--city", "X", ok=False).exit_code == 1
    fixed = json.loads(cli("addresses", "fix", str(waiting["notice_id"]), "--accept-suggestion", "--by", "clerk", "--json").stdout.splitlines()[-1])
    assert fixed["status"] == "verified" and fixed["city"] == "CHICAGO"
    assert cli("addresses", "review").stdout.strip() == "nothing waits for review"
    assert json.loads(cli("status", "--json").stdout.splitlines()[-1])["addresses"] == {"verified": 2}


def test_import_attaches_addresses_from_a_second_file(cli, tmp_path, monkeypatch):
    no_address = {"address_line1": "", "city": "", "state": "", "zip": ""}
    cli("import", write_csv(tmp_path / "decisions.csv", [row(**no_address), row(decision_id="D-2", person_id="P-2", **no_address)]))
    header = ["Client", "Street", "Town", "St", "Zip Code", "Lang"]
    theirs = [
        {"Client": "P-1", "Street": "1234 W 63rd St", "Town": "Chicago", "St": "Illinois", "Zip Code": "60636", "Lang": "es"},
        {"Client": "P-404", "Street": "1234 W 63rd St", "Town": "Chicago", "St": "IL", "Zip Code": "60636"},
        {"Client": "P-2", "Street": "1234 W 63rd St", "Town": "Chicago", "St": "IL", "Zip Code": "606366"},
    ]
    path = write_csv(tmp_path / "dmv.csv", theirs, header=header)

    unmapped = cli("addresses", "import", path, ok=False)
    assert unmapped.exit_code == 1
    assert "header has no column for: person_id, address_line1, zip (or city and state)" in unmapped.stderr and "--mapping NAME" in unmapped.stderr

    (tmp_path / "config" / "mappings").mkdir(parents=True)
    (tmp_path / "config" / "mappings" / "dmv.toml").write_text(
        '[columns]\n"Client" = "person_id"\n"Street" = "address_line1"\n"Town" = "city"\n"St" = "state"\n"Zip Code" = "zip"\n"Lang" = "language"\n',
        encoding="utf-8",
    )
    monkeypatch.setenv("NOTIFIER_CONFIG_DIR", str(tmp_path / "config"))
    result = json.loads(cli("addresses", "import", path, "--mapping", "dmv", "--json").stdout.splitlines()[-1])
    assert list(result) == ["read", "attached", "unchanged", "unknown_person", "invalid", "errors"]
    assert {k: v for k, v in result.items() if k != "errors"} == {"read": 3, "attached": 1, "unchanged": 0, "unknown_person": 1, "invalid": 1}
    assert [(e["line"], e["person_id"], e["field"]) for e in result["errors"]] == [(3, "P-404", "person_id"), (4, "P-2", "zip")]
    assert list(result["errors"][0]) == ["line", "person_id", "field", "message"]

    text = cli("addresses", "import", path, "--mapping", "dmv").stdout.splitlines()
    assert text[0] == "read 3 rows from dmv.csv: 0 attached, 1 unchanged, 1 unknown person ids, 1 invalid"
    assert text[1].startswith("  line 3 (person P-404) person_id: no notice has this person id")
    assert text[2].startswith("  line 4 (person P-2) zip: zip '606366' is not") and len(text) == 3
    assert json.loads(cli("status", "--json").stdout.splitlines()[-1])["addresses"] == {"raw": 1, "verified": 1}
