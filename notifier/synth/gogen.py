"""The synthetic people and decisions as Code for America's gogen writes them: its "full" results file.

gogen (https://github.com/codeforamerica/gogen) reads California DOJ criminal-history files and
writes one row per DOJ row: the 95 DOJ columns, then 18 columns of its findings (the header is
data/gogen_header.txt). config/mappings/gogen.toml reads it back. What this layout writes:

- a person is a CII number (`CII_NUMBER`) with `PRI_NAME` "LAST,FIRST MIDDLE" (sometimes
  "LAST, FIRST"; a suffix such as JR after the given names) and `PRI_DOB` YYYYMMDD, in DOJ's
  plain upper case (Núñez -> NUNEZ; data/doj_names.csv spells what has no accent to drop);
- each decision is a Prop 64 conviction count in a court step of a cycle of its own: `CNT_ORDER`
  is cycle, step and count (3 digits each) and "000"; its findings say what the decision said
  (data/gogen_findings.csv): granted -> "Eligible for Dismissal"; not_granted -> "Not eligible"
  or "Eligible for Reduction" with gogen's reason ("Occurred after 11/09/2016" for a conviction
  after Prop 64 took effect);
- rows that are not decisions, about a fifth more: a cycle's arrest step, a sentence's second
  row, another (not Prop 64) count of the same court step, a conviction in another county;
  gogen leaves their findings blank;
- about 3% more counts gogen left for review (`Hand Review`, `Maybe Eligible - Flag for Review`);
- about 1% of people marked `Deceased` (on every row of theirs with findings);
- about 1% identity conflicts: a count under a person's CII with the name and date of birth of
  the person written before them;
- DOJ's fixed-width leftovers ("NULL  ", "x       ", padded codes) and gogen's 01/01/0001 for a
  conviction date it could not read.

Cells are written as Go's encoding/csv writes them. The file has no address (addresses.py
writes the people's addresses as a second file). Everything is drawn from a random stream of
its own, seeded from the export's seed: the people and decisions are those of the canonical
layout with the same seed.
"""

from __future__ import annotations

import csv
import random
import string
import unicodedata
from collections.abc import Iterable
from dataclasses import asdict, dataclass
from datetime import date, timedelta
from functools import cache
from itertools import groupby
from operator import itemgetter
from typing import TextIO

from notifier.synth.tables import DATA, pick, table

LAYOUT = "gogen"
PROP64_EFFECTIVE = date(2016, 11, 9)  # convictions after it are "Occurred after 11/09/2016"
EARLIEST = date(2000, 1, 1)  # the counts this layout adds (left for review, conflicting) are from 2000 to Prop 64
RUN_DATE = date(2024, 2, 1)  # gogen's "now" for its years-since columns (fixed: the same seed gives the same file)
CII_STEP = 7_919_113  # coprime with 10**8: person number -> CII digits is one to one

# Rows that are not decisions, per decision (about a fifth in all); counts left for review; people; conflicts.
ARREST_SHARE, SENTENCE_ROW_SHARE, OTHER_COUNT_SHARE, OTHER_COUNTY_SHARE = 0.12, 0.03, 0.03, 0.02
NOT_FINAL_SHARE = 0.03
DECEASED_SHARE = 0.01
IDENTITY_CONFLICT_SHARE = 0.01
UNREAD_DATE_SHARE = 0.01  # gogen writes 01/01/0001 for a conviction date it could not read
NULL_CASE_SHARE = 0.05  # "NULL  ; 2011-CR-0000123": another count of the step had no case number
NULL_OFN_SHARE = 0.4

# The kinds of row (ExpectedImport says what the import makes of each), and the `outcome` column of data/gogen_findings.csv.
DECISION, NOT_FINAL, CONFLICT, BLANK = "decision", "not_final", "conflict", "blank"
GRANTED, NOT_GRANTED, NOT_GRANTED_LATE = "granted", "not_granted", "not_granted_late"  # NOT_FINAL is an outcome there too
CONVICTION_STATUS = {"F": "FELONY", "M": "MISDEMEANOR", "I": "INFRACTION"}
SENTENCES = [("PROBATION", "036", "M"), ("PROBATION", "024", "M"), ("JAIL", "030", "D"), ("JAIL", "180", "D"), ("PRISON", "002", "Y")]
TIME_UNITS = {"D": "DAYS     ", "M": "MONTHS   ", "Y": "YEARS    "}  # DOJ's fixed width
SUFFIXES = {"JUNIOR": "JR", "SENIOR": "SR"}
PADDED = {"PRI_SSN": "x       ", "PRI_CDL": "x       ", "OFFENSE_QUAL_LST": " " * 23, "DISP_CODE": "     "}
_GO_SPACES = frozenset("\t\n\v\f\r \x85\xa0")


@cache
def header() -> tuple[str, ...]:
    """gogen's full results header: 95 DOJ columns and 18 findings, as gogen 0.2.13 writes them."""
    return tuple((DATA / "gogen_header.txt").read_text(encoding="utf-8").splitlines())


def go_cell(value: str) -> str:
    """A field as Go's encoding/csv writes it: quoted when it has a comma, a quote or a line break, or begins with a space."""
    if value and (value == "\\." or any(c in value for c in ',"\r\n') or value[0] in _GO_SPACES or (value[0] > "\xff" and value[0].isspace())):
        return '"' + value.replace('"', '""') + '"'
    return value


@cache
def _spellings() -> dict[str, str]:
    with (DATA / "doj_names.csv").open(encoding="utf-8", newline="") as handle:
        return {row["name"]: row["doj"] for row in csv.DictReader(handle)}


def doj_name(text: str) -> str:
    """A name as DOJ records it: plain upper-case ASCII (Núñez -> NUNEZ, Łukasz -> LUKASZ, 王 -> WANG)."""
    text = _spellings().get(text, text)
    return unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii").upper()


def _ymd(day: date | None) -> str:
    return day.strftime("%Y%m%d") if day else ""


def _years(day: date | None) -> str:
    return f"{(RUN_DATE - day).days / 365.25:.1f}" if day else "-1.0"


@dataclass
class ExpectedImport:
    """What `notifier import --mapping gogen` counts for the file (nothing in it is a duplicate or invalid)."""

    imported: int = 0
    skipped: int = 0  # blank findings (not decisions) and the rows of people marked Deceased
    not_final: int = 0
    identity_conflicts: int = 0

    def as_dict(self) -> dict[str, int]:
        return asdict(self)


@dataclass(frozen=True)
class _Person:
    columns: dict[str, str]  # CII_NUMBER, SUBJECT_ID, PRI_NAME, GENDER, PRI_DOB and the padded identifiers
    born: date
    last_name: str


class GogenWriter:
    def __init__(self, seed: int):
        self.rng = random.Random(f"gogen:{seed}")
        self.cii_offset = random.Random(f"cii:{seed}").randrange(10**8)
        self.county = pick(self.rng, "ca_counties.csv")  # the county gogen was run for
        self.other_counties = [row for row in table("ca_counties.csv")[0] if row is not self.county]
        self.rows = 0
        self.expected = ExpectedImport()
        self.previous: _Person | None = None  # whose name and date of birth a conflicting row carries

    def cii(self, person_id: str) -> str:
        """The CII number of a synthetic person ("P-000123" -> "A" and 8 digits, one to one)."""
        number = int(person_id.rsplit("-", 1)[1])
        return f"A{(self.cii_offset + number * CII_STEP) % 10**8:08d}"

    def write(self, handle: TextIO, decisions: Iterable[dict]) -> int:
        """Writes the header and every person's rows; returns the number of rows."""
        handle.write(",".join(go_cell(name) for name in header()) + "\n")
        for _, group in groupby(decisions, key=itemgetter("person_id")):
            for row in self._person_rows(list(group)):
                self.rows += 1
                row["RECORD_ID"] = str(self.rows)
                handle.write(",".join(go_cell(row.get(name, "")) for name in header()) + "\n")
        return self.rows

    # --- one person ----------------------------------------------------------------------------------

    def _person_rows(self, decisions: list[dict]) -> list[dict]:
        rng = self.rng
        person = self._person(decisions[0])
        deceased = rng.random() < DECEASED_SHARE
        cycles: list[tuple[date, list[tuple[int, int, dict]]]] = []
        conflicts = 0
        for decision in decisions:
            disposed = date.fromisoformat(decision["disposition_date"])
            category = GRANTED if decision["outcome"] != "not_granted" else NOT_GRANTED_LATE if disposed > PROP64_EFFECTIVE else NOT_GRANTED
            cycles.append(self._court_cycle(person, disposed, decision["case_number"], category, DECISION))
            if rng.random() < NOT_FINAL_SHARE:
                earlier = self._before_prop64()
                cycles.append(self._court_cycle(person, earlier, self._case_number(earlier), NOT_FINAL, NOT_FINAL))
            if rng.random() < OTHER_COUNTY_SHARE:
                cycles.append(self._other_county_cycle(person, disposed))
            if rng.random() < IDENTITY_CONFLICT_SHARE:
                conflicts += 1
        cycles.sort(key=itemgetter(0))
        rows = [self._numbered(row, cycle, step, count) for cycle, (_, counts) in enumerate(cycles, start=101) for step, count, row in counts]
        other = self.previous
        if conflicts and not deceased and other and (other.born, other.last_name) != (person.born, person.last_name):
            for index in range(conflicts):  # someone else's count under this person's CII, after their own rows
                disposed = self._before_prop64()
                _, counts = self._court_cycle(person, disposed, self._case_number(disposed), GRANTED, CONFLICT, extras=False)
                row = {**counts[0][2], **{k: other.columns[k] for k in ("PRI_NAME", "GENDER", "PRI_DOB")}}
                rows.append(self._numbered(row, 101 + len(cycles) + index, 2, 1))
        self._findings(rows, deceased)
        self.previous = person
        return rows

    def _person(self, decision: dict) -> _Person:
        rng = self.rng
        number = int(decision["person_id"].rsplit("-", 1)[1])
        first, middle, last = (doj_name(decision[name]) for name in ("first_name", "middle_name", "last_name"))
        if not middle and rng.random() < 0.3:
            middle = rng.choice(string.ascii_uppercase)  # DOJ often has a middle initial
        suffix = decision["suffix"].upper().rstrip(".")
        given = " ".join(part for part in (first, middle, SUFFIXES.get(suffix, suffix)) if part)
        name = f"{last}, {given}" if rng.random() < 0.15 else f"{last},{given}"
        born = decision["date_of_birth"]
        born_on = date.fromisoformat(born) if born else date(1950, 1, 1) + timedelta(days=rng.randrange(365 * 53))  # DOJ always has one
        columns = {
            "SUBJECT_ID": str(10_000_000 + number), "CII_NUMBER": self.cii(decision["person_id"]), "PRI_NAME": name,
            "GENDER": "M" if rng.random() < 0.8 else "F", "PRI_DOB": _ymd(born_on), "PRI_SSN": PADDED["PRI_SSN"], "PRI_CDL": PADDED["PRI_CDL"],
        }
        return _Person(columns, born_on, last)

    # --- cycles: (cycle date, [(step, count, row)]) ----------------------------------------------------

    def _court_cycle(self, person: _Person, disposed: date, case: str, category: str, kind: str, *, extras: bool = True) -> tuple[date, list]:
        """A conviction count with gogen's findings, and (extras) the rows around it that are not decisions."""
        rng = self.rng
        finding = pick(rng, "gogen_findings.csv", category, column="outcome")
        sections = finding["sections"].split()
        offense = pick(rng, "doj_offenses.csv", "prop64", column="kind")
        while sections and offense["section"] not in sections:
            offense = pick(rng, "doj_offenses.csv", "prop64", column="kind")
        arrested = disposed - timedelta(days=rng.randrange(20, 400))
        unread = rng.random() < UNREAD_DATE_SHARE
        court = self._count(person, offense, finding["toc"] or offense["toc"], self.county, arrested, None if unread else disposed, court=True)
        court.update({
            "FE_NUM_CRT_CASE": case, "_kind": kind, "_finding": finding, "_date": None if unread else disposed,
            "_case": f"NULL  ; {case}" if rng.random() < NULL_CASE_SHARE else case,
        })
        counts = [(2, 1, court)]
        if not extras:
            return arrested, counts
        if rng.random() < ARREST_SHARE:
            counts.insert(0, (1, 1, self._count(person, offense, offense["toc"], self.county, arrested, arrested, court=False)))
        if rng.random() < SENTENCE_ROW_SHARE:  # the same count again with another part of the sentence: gogen leaves it blank
            counts.append((2, 1, {**court, **self._sentence(), "_kind": BLANK, "_conviction": False}))
        if rng.random() < OTHER_COUNT_SHARE:
            other = pick(rng, "doj_offenses.csv", "other", column="kind")
            counts.append((2, 2, {**self._count(person, other, other["toc"], self.county, arrested, court["_date"], court=True), "OFN": ""}))
        return arrested, counts

    def _other_county_cycle(self, person: _Person, near: date) -> tuple[date, list]:
        """A conviction in a county gogen was not run for: blank findings."""
        rng = self.rng
        day = min(near + timedelta(days=rng.randrange(-900, 900)), RUN_DATE - timedelta(days=30))  # never after gogen's run
        offense = pick(rng, "doj_offenses.csv", rng.choice(["prop64", "other"]), column="kind")
        county = rng.choice(self.other_counties)
        row = self._count(person, offense, offense["toc"], county, day - timedelta(days=rng.randrange(20, 200)), day, court=True)
        return day, [(2, 1, {**row, "FE_NUM_CRT_CASE": self._case_number(day)})]

    def _count(self, person: _Person, offense: dict, toc: str, county: dict, cycle_date: date, event: date | None, *, court: bool) -> dict:
        rng = self.rng
        age = (cycle_date - person.born).days // 365.25
        row = {
            **person.columns, "CYC_DATE": _ymd(cycle_date), "STP_EVENT_DATE": _ymd(event),
            "STP_TYPE_DESCR": "COURT ACTION" if court else "ARREST/DETAINED/CITED",
            "STP_ORI_DESCR": f"{'CASC' if court else 'CASO'} {county['name']}", "STP_ORI_CNTY_CODE": county["code"], "STP_ORI_CNTY_NAME": county["name"],
            "OFN": "NULL  " if rng.random() < NULL_OFN_SHARE else f"{rng.randrange(10**8):08d}",
            "OFFENSE_DESCR": offense["offense"], "OFFENSE_TOC": toc, "OFFENSE_QUAL_LST": PADDED["OFFENSE_QUAL_LST"], "DISP_CODE": PADDED["DISP_CODE"],
            "CYC_AGE": str(int(age)) if age >= 0 else "",
            "_kind": BLANK, "_section": offense["section"], "_conviction": court, "_date": event,
        }
        if court:
            row.update({"DISP_DATE": _ymd(event), "DISP_DESCR": "CONVICTED", "CONV_STAT_DESCR": CONVICTION_STATUS[toc], **self._sentence()})
        return row

    def _sentence(self) -> dict:
        where, length, unit = self.rng.choice(SENTENCES)
        return {"SENT_LOC_DESCR": where, "SENT_LENGTH": length, "SENT_TIME_CODE": unit, "SENT_TIME_DESCR": TIME_UNITS[unit]}

    def _before_prop64(self) -> date:
        return EARLIEST + timedelta(days=self.rng.randrange((PROP64_EFFECTIVE - EARLIEST).days))

    def _case_number(self, day: date) -> str:
        return f"{day.year}-CR-{self.rng.randrange(10**7):07d}"

    @staticmethod
    def _numbered(row: dict, cycle: int, step: int, count: int) -> dict:
        return {**row, "CNT_ORDER": f"{cycle:03d}{step:03d}{count:03d}000"}

    # --- findings ---------------------------------------------------------------------------------------

    def _findings(self, rows: list[dict], deceased: bool) -> None:
        """gogen's 18 columns on the rows it decided, from the person's convictions; the rest stay blank."""
        convictions = [row for row in rows if row["_conviction"] and row["_kind"] != CONFLICT]
        dates = [row["_date"] for row in convictions if row["_date"]]
        by_section = {section: sum(row["_section"] == section for row in convictions) for section in ("11357", "11358", "11359", "11360")}
        for row in rows:
            kind = row["_kind"]
            self._expect(kind, deceased)
            if kind == BLANK:
                continue
            finding, day = row["_finding"], row["_date"]
            row.update({
                "Case Number": row["_case"], "# of convictions on record": str(len(convictions)), "Possible Other P64 Charges": "",
                "Occurred after 11/9/2016": "Y" if day and day > PROP64_EFFECTIVE else "N", "Superstrike Code Section(s)": "-",
                "PC290 Code Section(s)": "-", "PC290 Registration": "-", "Date of Conviction": day.strftime("%m/%d/%Y") if day else "01/01/0001",
                "Years Since This Conviction": _years(day), "Years Since Any Conviction": _years(max(dates) if dates else None),
                "# of Prop 64 convictions": str(sum(by_section.values())),
                **{f"# of HS {section} convictions": str(n) for section, n in by_section.items()},
                "Deceased": "Deceased" if deceased else "-", "Eligibility Determination": finding["determination"],
                "Eligibility Reason": finding["reason"].format(section=row["_section"]),
            })

    def _expect(self, kind: str, deceased: bool) -> None:
        expected = self.expected
        if kind == BLANK or (deceased and kind in (DECISION, NOT_FINAL)):
            expected.skipped += 1
        elif kind == DECISION:
            expected.imported += 1
        elif kind == NOT_FINAL:
            expected.not_final += 1
        else:
            expected.identity_conflicts += 1
