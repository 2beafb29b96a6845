"""The synthetic export is deterministic, realistic and messy in the promised proportions."""

import csv
import json
from collections import Counter

from pyzipcode import ZipCodeDatabase

from notifier.synth.generator import write_export
from notifier.synth.tables import DATA


def test_same_seed_same_bytes_other_seed_other_bytes(tmp_path):
    write_export(tmp_path / "a.csv", 500, seed=4)
    write_export(tmp_path / "b.csv", 500, seed=4)
    write_export(tmp_path / "c.csv", 500, seed=5)
    assert (tmp_path / "a.csv").read_bytes() == (tmp_path / "b.csv").read_bytes() != (tmp_path / "c.csv").read_bytes()


def test_proportions(tmp_path):
    stats = write_export(tmp_path / "d.csv", 5000, seed=2)
    with (tmp_path / "d.csv").open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    assert len(rows) == stats.rows == 5000
    per_person = Counter(r["person_id"] for r in rows)
    several = sum(1 for n in per_person.values() if n > 1) / len(per_person)
    assert 0.25 < several < 0.42
    assert 0.07 < sum(r["outcome"] == "not_granted" for r in rows) / len(rows) < 0.14
    assert 0.004 < stats.broken_rows / len(rows) < 0.02
    languages = Counter(r["language"].lower() for r in rows)
    assert languages["en"] > languages["es"] > 0 and languages["pl"] > 0
    assert any(r["address_line1"] == "" for r in rows)
    assert any("box" in r["address_line1"].lower() for r in rows)
    assert any(len(r["zip"]) == 4 for r in rows)  # leading zero lost
    assert any(not r["first_name"].isascii() or not r["last_name"].isascii() for r in rows)


def test_jsonl_output(tmp_path):
    stats = write_export(tmp_path / "d.jsonl", 300, seed=9)
    lines = (tmp_path / "d.jsonl").read_text(encoding="utf-8").splitlines()
    assert len(lines) == 300
    parsed = 0
    for line in lines:
        try:
            json.loads(line)
            parsed += 1
        except json.JSONDecodeError:
            pass
    assert parsed == 300 - stats.broken.get("extra_field", 0)  # JSONL's broken row is a line cut short


def test_every_place_is_a_real_zip_of_that_city():
    zips = ZipCodeDatabase()
    for name in ("places.csv", "elsewhere.csv"):
        with (DATA / name).open(encoding="utf-8", newline="") as handle:
            for place in csv.DictReader(handle):
                found = zips[place["zip"]]
                assert (found.city, found.state) == (place["city"], place["state"]), place
