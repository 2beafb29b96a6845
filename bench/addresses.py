"""Address standardization: our rules against usaddress-scourgify, on the hand-checked corpus.

    .venv/bin/python bench/addresses.py [--repeat 100]

Accuracy: exact match of delivery line + city + state + ZIP5 on every corpus case whose
expected result is an address (verified or corrected); for the other cases (needs_review,
undeliverable) ours must give the expected status. scourgify writes units on a second line,
so its delivery line is its line 1 plus a unit from its line 2. Speed: addresses/s over the
corpus repeated, both in this process, and through `notifier addresses check` as a process.
"""

from __future__ import annotations

import argparse
import json
import re
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
CORPUS = ROOT / "tests" / "addresses" / "corpus.jsonl"
UNIT = re.compile(r"^(#|APT|STE|UNIT|FL|RM|BLDG|LOT|TRLR|SPC|DEPT|OFC|PH|BSMT|FRNT|REAR|LOWR|UPPR|SIDE|HNGR|KEY|LBBY|PIER|SLIP|STOP)\b")


def load() -> list[dict]:
    return [json.loads(line) for line in CORPUS.read_text(encoding="utf-8").splitlines() if line.strip()]


def expected_fields(case: dict) -> tuple[str, str, str, str]:
    e = case["expected"]
    return (e["line1"], e["city"], e["state"], e["zip5"])


def ours(verifier, case: dict) -> tuple[str, tuple]:
    from notifier.addresses.check import RawAddress

    r = verifier.check(RawAddress(**{k: str(v or "") for k, v in case["input"].items()}))
    return r.status, (r.line1, r.city, r.state, r.zip5)


def scourgify(case: dict) -> tuple[str, str, str, str] | None:
    from scourgify import normalize_address_record

    i = case["input"]
    try:
        out = normalize_address_record(
            {"address_line_1": i.get("line1") or None, "address_line_2": i.get("line2") or None, "city": i.get("city") or None, "state": i.get("state") or None, "postal_code": i.get("zip") or None}
        )
    except Exception:  # scourgify refuses what it cannot normalize
        return None
    line2 = out.get("address_line_2") or ""
    delivery = " ".join(part for part in (out.get("address_line_1") or "", line2 if UNIT.match(line2) else "") if part)
    return (delivery, out.get("city") or "", out.get("state") or "", (out.get("postal_code") or "")[:5])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=100, help="corpus passes for the speed measurement")
    args = parser.parse_args()

    from notifier.addresses.check import ZipDatabaseVerifier

    cases = load()
    verifier = ZipDatabaseVerifier()
    addressable = [c for c in cases if c["expected"]["status"] in ("verified", "corrected")]
    review = [c for c in cases if c not in addressable]
    our_hits = sum(ours(verifier, c) == (c["expected"]["status"], expected_fields(c)) for c in addressable)
    our_fields = sum(ours(verifier, c)[1] == expected_fields(c) for c in addressable)
    their_fields = sum(scourgify(c) == expected_fields(c) for c in addressable)
    our_review = sum(ours(verifier, c)[0] == c["expected"]["status"] for c in review)

    started = time.perf_counter()
    for _ in range(args.repeat):
        for case in cases:
            ours(verifier, case)
    our_rate = args.repeat * len(cases) / (time.perf_counter() - started)
    started = time.perf_counter()
    for _ in range(args.repeat):
        for case in cases:
            scourgify(case)
    their_rate = args.repeat * len(cases) / (time.perf_counter() - started)

    stdin = "".join(json.dumps({"id": c["id"], **c["input"]}) + "\n" for c in cases) * args.repeat
    started = time.perf_counter()
    subprocess.run([sys.executable, "-c", "from notifier.cli.main import run; run()", "addresses", "check"], input=stdin, text=True, capture_output=True, check=True)
    cli_rate = args.repeat * len(cases) / (time.perf_counter() - started)

    n = len(addressable)
    print(f"corpus: {len(cases)} cases, {n} with an address to produce, {len(review)} that must be flagged")
    print(f"{'':<12}{'exact match':>14}{'of':>6}{'addresses/s':>14}")
    print(f"{'notifier':<12}{our_fields / n:>13.1%} {n:>6}{our_rate:>14,.0f}")
    print(f"{'scourgify':<12}{their_fields / n:>13.1%} {n:>6}{their_rate:>14,.0f}")
    print(f"notifier with the expected status as well: {our_hits / n:.1%} of {n}; flagged cases with the expected status: {our_review}/{len(review)}")
    print(f"`notifier addresses check` as a process (one core, including start-up): {cli_rate:,.0f} addresses/s; ratio notifier/scourgify in-process: {our_rate / their_rate:.2f}x")


if __name__ == "__main__":
    main()
