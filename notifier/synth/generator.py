"""Writes a fake decision export with the kinds of mess real court exports have.

About a third of people have several decisions, about a tenth of decisions are
not_granted, languages are mixed, and about 1% of rows are broken on purpose (each broken
row is counted, so tests can check that exactly those rows are quarantined).

Two layouts of the same people and decisions: ours (canonical, with the broken rows), and the
results file Code for America's gogen writes (gogen.py, whole rows). Either can come with the
people's addresses as a second file (addresses.py).
"""

from __future__ import annotations

import csv
import json
import random
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path
from typing import Iterator

from notifier.addresses.states import state_name
from notifier.errors import InvalidInputError
from notifier.intake.fields import FIELDS
from notifier.synth import gogen
from notifier.synth.addresses import AddressFileWriter
from notifier.synth.tables import pick

CANONICAL = "canonical"
LAYOUTS = (CANONICAL, gogen.LAYOUT)

GROUP_WEIGHTS = {
    "black": 30, "anglo": 22, "hispanic": 28, "polish": 5, "chinese": 3, "vietnamese": 2,
    "arabic": 2, "korean": 2, "indian": 2, "greek": 2, "ukrainian": 2,
}
# (language, share of the group that prefers it over English)
GROUP_LANGUAGE = {
    "hispanic": ("es", 0.55), "polish": ("pl", 0.35), "chinese": ("zh", 0.5), "vietnamese": ("vi", 0.45),
    "arabic": ("ar", 0.35), "korean": ("ko", 0.4), "ukrainian": ("uk", 0.3), "greek": ("el", 0.15),
}
SUFFIX_SPELLINGS = {
    "ST": ["St", "St.", "Street", "street", "ST", "Str"], "AVE": ["Ave", "Ave.", "Avenue", "av", "AVE"],
    "BLVD": ["Blvd", "Blvd.", "Boulevard", "BLVD"], "RD": ["Rd", "Rd.", "Road", "road"],
    "DR": ["Dr", "Dr.", "Drive", "DRIVE"], "PL": ["Pl", "Place"], "CT": ["Ct", "Court"],
    "PKWY": ["Pkwy", "Parkway"], "LN": ["Ln", "Lane"], "TER": ["Ter", "Terrace"], "WAY": ["Way"], "HWY": ["Hwy", "Highway"],
}
DIRECTION_SPELLINGS = {"N": ["N", "N.", "North", "north"], "S": ["S", "S.", "South"], "E": ["E", "E.", "East"], "W": ["W", "W.", "West", "west"]}
NAME_SUFFIXES = ["Jr.", "JR", "Junior", "Sr.", "Senior", "II", "III", "IV"]
PO_BOX_SPELLINGS = ["P.O. Box {n}", "PO Box {n}", "POB {n}", "Post Office Box {n}", "p o box {n}", "BOX {n}"]
UNIT_SPELLINGS = ["Apt {u}", "Apt. {u}", "#{u}", "Unit {u}", "APT {u}", "Apartment {u}", "Fl {u}"]
CARE_OF = ["c/o Legal Aid", "C/O {name}", "care of {name}", "Attn: {name}"]
FACILITY = ["Inmate {n}", "Cook County Jail, Inmate {n}", "Div 10 Bed {n}"]
NOT_GRANTED_REASONS = ["tied_to_other_charges", "tied_to_other_charges", "ineligible_offense", "pending_case"]
GRANTED = ["vacated_and_expunged"] * 6 + ["expunged"] * 2 + ["vacated", "sealed"]
COURT = "Circuit Court of Cook County"
CORRUPTIONS = [
    "bad_date", "bad_outcome", "missing_case_number", "no_reason", "too_long", "extra_field",
    "bad_zip", "missing_last_name", "bad_language", "bad_state",
]


@dataclass
class SynthStats:
    path: Path
    rows: int = 0  # rows written (canonical: decisions; gogen: every row, decisions or not)
    people: int = 0
    broken_rows: int = 0
    broken: dict[str, int] = field(default_factory=dict)
    layout: str = CANONICAL
    addresses: Path | None = None
    address_rows: int = 0
    expected_import: dict[str, int] = field(default_factory=dict)  # gogen: what `import --mapping gogen` will count

    def as_dict(self) -> dict:
        found = {"path": str(self.path), "rows": self.rows, "people": self.people, "broken_rows": self.broken_rows, "broken": self.broken,
                 "layout": self.layout, "addresses": str(self.addresses) if self.addresses else None}
        if self.addresses:
            found["address_rows"] = self.address_rows
        if self.layout != CANONICAL:
            found["expected_import"] = self.expected_import
        return found


class _Generator:
    def __init__(self, seed: int):
        self.rng = random.Random(seed)
        self.case_serial = 0

    def person(self, number: int) -> dict:
        rng = self.rng
        group = rng.choices(list(GROUP_WEIGHTS), list(GROUP_WEIGHTS.values()))[0]
        first = pick(rng, "first_names.csv", group=group)["name"]
        last = pick(rng, "last_names.csv", group=group)["name"]
        language = "en"
        if group in GROUP_LANGUAGE and rng.random() < GROUP_LANGUAGE[group][1]:
            language = GROUP_LANGUAGE[group][0]
        if rng.random() < 0.05:
            language = rng.choice([language.upper(), ""])
        born = date(1950, 1, 1) + timedelta(days=rng.randrange(365 * 53))
        return {
            "person_id": f"P-{number:06d}",
            "first_name": first,
            "middle_name": pick(rng, "first_names.csv", group=group)["name"] if rng.random() < 0.3 else "",
            "last_name": last,
            "suffix": rng.choice(NAME_SUFFIXES) if rng.random() < 0.04 else "",
            "date_of_birth": born.isoformat() if rng.random() < 0.95 else "",
            "language": language,
            **self.address(f"{first} {last}"),
        }

    def address(self, name: str) -> dict:
        rng = self.rng
        roll = rng.random()
        if roll < 0.02:
            return dict.fromkeys(("address_line1", "address_line2", "city", "state", "zip"), "")
        place = pick(rng, "elsewhere.csv") if roll < 0.05 else pick(rng, "places.csv")
        line2 = ""
        if rng.random() < 0.05:
            line1 = rng.choice(PO_BOX_SPELLINGS).format(n=rng.randrange(1, 9999))
        else:
            street = pick(rng, "streets.csv")
            parts = [str(rng.randrange(100, 12000))]
            if rng.random() < 0.03:
                parts[0] += " 1/2"
            if street["predir"]:
                parts.append(rng.choice(DIRECTION_SPELLINGS[street["predir"]]))
            parts.append(street["name"].title() if rng.random() < 0.7 else street["name"].lower())
            parts.append(rng.choice(SUFFIX_SPELLINGS[street["suffix"]]))
            line1 = " ".join(parts)
            if rng.random() < 0.15:
                unit = rng.choice(UNIT_SPELLINGS).format(u=rng.choice([str(rng.randrange(1, 40)), f"{rng.randrange(1, 30)}{rng.choice('ABCDF')}"]))
                if rng.random() < 0.5:
                    line1 += " " + unit
                else:
                    line2 = unit
        if not line2 and rng.random() < 0.02:
            line2 = rng.choice(CARE_OF).format(name=name)
        elif not line2 and rng.random() < 0.01:
            line2 = rng.choice(FACILITY).format(n=f"{rng.randrange(2015, 2024)}-{rng.randrange(10**6):07d}")
        city = place["city"]
        city = rng.choice([city, city, city.upper(), city.lower()])
        state = rng.choice([place["state"]] * 8 + [place["state"].lower(), state_name(place["state"])])
        zip_code = place["zip"]
        if zip_code.startswith("0") and rng.random() < 0.6:
            zip_code = zip_code.lstrip("0")  # a spreadsheet ate the leading zeros
        elif rng.random() < 0.1:
            zip_code += f"-{rng.randrange(10000):04d}"
        if rng.random() < 0.02:
            zip_code = ""
        return {"address_line1": line1, "address_line2": line2, "city": city, "state": state, "zip": zip_code}

    def decision(self, person: dict, number: int) -> dict:
        rng = self.rng
        offense = pick(rng, "offenses.csv")
        disposed = date(2000, 1, 1) + timedelta(days=rng.randrange(365 * 21))
        decided = date(2021, 1, 4) + timedelta(days=rng.randrange(365 * 3))
        self.case_serial += 1
        not_granted = rng.random() < 0.1
        return {
            **person,
            "decision_id": f"D-{number:07d}",
            "case_number": f"{disposed.year}-CR-{self.case_serial:07d}",
            "offense": offense["offense"] if rng.random() > 0.001 else '=HYPERLINK("http://example.org","record")',
            "statute": offense["statute"],
            "disposition_date": disposed.isoformat(),
            "outcome": "not_granted" if not_granted else rng.choice(GRANTED),
            "not_granted_reason": rng.choice(NOT_GRANTED_REASONS) if not_granted else "",
            "decision_date": decided.isoformat(),
            "court": COURT,
        }

    def break_row(self, row: dict) -> tuple[dict, str]:
        kind = self.rng.choice(CORRUPTIONS)
        row = dict(row)
        if kind == "bad_date":
            row["decision_date"] = self.rng.choice(["2021-02-30", "01/15/2021", "2021-13-01"])
        elif kind == "bad_outcome":
            row["outcome"] = self.rng.choice(["banana", "approved", "dismissed"])
        elif kind == "missing_case_number":
            row["case_number"] = ""
        elif kind == "no_reason":
            row["outcome"], row["not_granted_reason"] = "not_granted", ""
        elif kind == "too_long":
            row["offense"] = "Possession of cannabis " * 60
        elif kind == "extra_field":
            row["_extra"] = "stray value"
        elif kind == "bad_zip":
            row["address_line1"] = row["address_line1"] or "100 Main St"
            row["zip"] = "6O6" + row["zip"][3:5] if row["zip"] else "ABCDE"
        elif kind == "missing_last_name":
            row["last_name"] = ""
        elif kind == "bad_language":
            row["language"] = "spanish"
        elif kind == "bad_state":
            row["address_line1"] = row["address_line1"] or "100 Main St"
            row["state"] = "Ill."
        return row, kind

    def rows(self, count: int, stats: SynthStats, *, breakage: bool = True) -> Iterator[dict]:
        """The decisions, person by person; `breakage=False` leaves every row whole (the same people and decisions)."""
        number = 0
        person_number = 0
        while number < count:
            person_number += 1
            person = self.person(person_number)
            several = self.rng.random() < 1 / 3
            how_many = self.rng.choice([2, 2, 2, 3, 3, 4, 5]) if several else 1
            stats.people += 1
            for index in range(min(how_many, count - number)):
                number += 1
                if index and self.rng.random() < 0.05:
                    person = {**person, **self.address(f"{person['first_name']} {person['last_name']}")}  # moved
                row = self.decision(person, number)
                if self.rng.random() < 0.01:
                    broken, kind = self.break_row(row)  # drawn either way, so that a seed gives the same people in every layout
                    if breakage:
                        row = broken
                        stats.broken_rows += 1
                        stats.broken[kind] = stats.broken.get(kind, 0) + 1
                stats.rows += 1
                yield row


def write_export(path: Path, count: int, seed: int = 1, *, layout: str = CANONICAL, addresses: Path | None = None) -> SynthStats:
    """Writes `count` decisions: our columns as CSV (JSONL for a .jsonl name), or, with layout "gogen", the
    same people and decisions as gogen's results file; with `addresses`, also the people's addresses as the
    CSV `notifier addresses import` reads."""
    jsonl = path.suffix.lower() in (".jsonl", ".ndjson")
    if layout not in LAYOUTS:
        raise InvalidInputError(f"no layout named '{layout}'", todo=f"use one of: {', '.join(LAYOUTS)}")
    if layout == gogen.LAYOUT and jsonl:
        raise InvalidInputError("gogen's results file is CSV", where=str(path), todo="name the file .csv")
    stats = SynthStats(path, layout=layout, addresses=addresses)
    rows = _Generator(seed).rows(count, stats, breakage=layout == CANONICAL)
    results = gogen.GogenWriter(seed) if layout == gogen.LAYOUT else None
    address_file = AddressFileWriter(addresses, seed, results.cii if results else str) if addresses else None
    if address_file:
        rows = address_file.tap(rows)
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", encoding="utf-8", newline="") as handle:
        if results:
            stats.rows = results.write(handle, rows)  # every row, decisions or not
            stats.expected_import = results.expected.as_dict()
        elif jsonl:
            for row in rows:
                line = json.dumps({k: row[k] for k in FIELDS}, ensure_ascii=False)
                # JSONL has no field count to get wrong: its broken row is a line cut short.
                handle.write((line[: len(line) // 2] if "_extra" in row else line) + "\n")
        else:
            writer = csv.writer(handle)
            writer.writerow(FIELDS)
            for row in rows:
                values = [row[name] for name in FIELDS]
                writer.writerow(values + ([row["_extra"]] if "_extra" in row else []))
    if address_file:
        stats.address_rows = address_file.rows
    return stats
