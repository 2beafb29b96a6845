"""Personal values of an input file, and where they leak: for the tests that hold logs, errors and summaries to ids only.

A value is looked for whole (a word boundary on each side), without regard to case for names and
street lines (the letters print them in capitals). Values too short to mean anything on their
own (a last name of four letters, a house number) are left out rather than found everywhere.
"""

from __future__ import annotations

import csv
import json
import re
from datetime import date
from pathlib import Path

NAME_MIN, STREET_MIN, CASE_MIN = 5, 8, 6


def values_of_rows(rows: list[dict]) -> set[str]:
    found: set[str] = set()
    for row in rows:
        first, last = (row.get("first_name") or "").strip(), (row.get("last_name") or "").strip()
        if first and last:
            found.add(f"{first} {last}")
        if len(last) >= NAME_MIN:
            found.add(last)
        street = (row.get("address_line1") or "").strip()
        if len(street) >= STREET_MIN and any(c.isalpha() for c in street):
            found.add(street)
        born = (row.get("date_of_birth") or "").strip()
        if born:
            found.add(born)
            try:
                found.add(date.fromisoformat(born).isoformat())
            except ValueError:
                pass
        case = (row.get("case_number") or "").strip()
        if len(case) >= CASE_MIN:
            found.add(case)
    return found


def values_of_file(path: Path) -> set[str]:
    """The personal values of a decision or address file in canonical columns (CSV or JSON lines)."""
    text = path.read_text(encoding="utf-8-sig", errors="replace")
    if path.suffix == ".jsonl":
        rows = []
        for line in text.splitlines():
            try:
                item = json.loads(line)
            except json.JSONDecodeError:
                continue  # a line broken on purpose; its values are in no other form either
            if isinstance(item, dict):
                rows.append({k: str(v) for k, v in item.items() if v is not None})
        return values_of_rows(rows)
    return values_of_rows(list(csv.DictReader(text.splitlines())))


def leaks(text: str, values: set[str]) -> list[str]:
    """The values found in `text`, each once, sorted."""
    found = []
    for value in sorted(values):
        flags = 0 if value[:1].isdigit() else re.IGNORECASE
        if re.search(rf"(?<!\w){re.escape(value)}(?!\w)", text, flags):
            found.append(value)
    return found
