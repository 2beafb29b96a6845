"""The hand-checked corpus (corpus.jsonl): every case through the default verifier.

Each case states the expected Pub 28 result; for needs_review and undeliverable cases the
status and the reason codes that must be present. Known misses are listed in KNOWN_MISSES
with why, so they are visible rather than silently tolerated.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from notifier.addresses.check import RawAddress, ZipDatabaseVerifier

CORPUS = [json.loads(line) for line in (Path(__file__).parent / "corpus.jsonl").read_text(encoding="utf-8").splitlines() if line.strip()]
VERIFIER = ZipDatabaseVerifier()
KNOWN_MISSES: dict[str, str] = {
    "c234": "usaddress reads the DR of DR CARLTON B GOODLETT PL as a street suffix; the line goes to review instead",
}


def test_corpus_is_large_and_covers_every_category():
    assert len(CORPUS) >= 150
    assert {c["category"] for c in CORPUS} >= {
        "suffix", "directional", "unit", "po_box", "rural", "military", "puerto_rico", "care_of", "facility",
        "fraction_hyphen", "punctuation_case", "zip_fix", "city_typo", "needs_review", "undeliverable", "other_states",
    }


@pytest.mark.parametrize("case", CORPUS, ids=[c["id"] for c in CORPUS])
def test_case(case):
    if case["id"] in KNOWN_MISSES:
        pytest.xfail(KNOWN_MISSES[case["id"]])
    result = VERIFIER.check(RawAddress(**{k: str(v or "") for k, v in case["input"].items()}))
    expected = case["expected"]
    codes = [reason.code for reason in result.reasons]
    if expected["status"] in ("verified", "corrected"):
        got = {"status": result.status, "line1": result.line1, "line2": result.line2, "city": result.city, "state": result.state,
               "zip5": result.zip5, "zip4": result.zip4, "reasons": sorted(codes)}
        assert got == {**expected, "reasons": sorted(expected["reasons"])}, case["note"]
    else:
        assert result.status == expected["status"], (codes, case["note"])
        assert set(expected["reasons"]) <= set(codes), case["note"]
