"""Each step run twice changes nothing the second time, whatever the rows hold: on SQLite and PostgreSQL.

Why: the database is the source of truth and every command may be run again (after an
interruption, by a second worker, by a clerk who is not sure). Hypothesis writes the files;
the hostile values in them (NUL, text that grows when standardized, numbers JSON cannot
hold) are where a second run, or the first, used to fail on PostgreSQL only.

Examples share one database per test (a fresh schema per example would cost more than the
example): each example names its people and decisions with a tag of its own, and every
property compares the whole database before and after the repeated step.
"""

from __future__ import annotations

import hashlib
import json
import uuid
from datetime import date
from pathlib import Path

import pytest
import sqlalchemy as sa
from hypothesis import HealthCheck, event, example, given, settings
from hypothesis import strategies as st
from sqlmodel import SQLModel, select

from notifier import db
from notifier.addresses.check import MAILABLE, RawAddress, ZipDatabaseVerifier
from notifier.addresses.store import verify_notices
from notifier.errors import InvalidInputError, NotFoundError, WrongStateError
from notifier.letters import imb
from notifier.letters.ids import make_letter_id
from notifier.letters.renderer import Renderer
from notifier.letters.store import render_letters
from notifier.models import Address, Decision, ImportRun, Letter, Notice, QuarantinedRow, ReturnedMail
from notifier.returns.rules import load_policy
from notifier.returns.store import record_return
from notifier.settings import Settings
from tests.fuzz.strategies import CONTROLS, TODAY, decision_rows, hostile_text, near, storable_text
from tests.fuzz.test_addresses import CITIES, LINES1, LINES2, address_texts
from tests.helpers import GOOD, csv_text, import_into, row
from tests.returns.test_returns import MAIL_DATE, imported_and_verified, mail_run

# Tables whose rows the steps decide. Left out: what records that a step ran (import_run,
# audit_event, run, task, staged_record) and the web's accounts.
STATE_TABLES = ("person", "person_identity", "notice", "decision", "notice_discrepancy", "quarantined_row", "address", "address_change",
                "letter", "batch", "returned_mail", "dead_address")
VERIFIER = ZipDatabaseVerifier()

FUZZ = settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow, HealthCheck.data_too_large])


def snapshot(url: str) -> dict[str, list[tuple]]:
    """Every row of the state tables, in id order."""
    tables = [SQLModel.metadata.tables[name] for name in STATE_TABLES]
    with db.engine_for(url).connect() as connection:
        return {table.name: [tuple(r) for r in connection.execute(sa.select(table).order_by(table.c.id))] for table in tables}


def files(folder: Path) -> dict[str, str]:
    return {str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted(folder.rglob("*")) if p.is_file()}


def tagged(rows: list[dict[str, str]]) -> list[dict[str, str]]:
    """The rows with decision and person ids of this example only (blank ids stay blank: they are a problem of their own)."""
    tag = uuid.uuid4().hex[:10]
    return [{**r, **{name: f"{tag}{r[name]}" for name in ("decision_id", "person_id") if (r.get(name) or "").strip()}} for r in rows]


@st.composite
def export_rows(draw) -> list[dict[str, str]]:
    """A few rows of an export: good, near good or hostile, ids from a small pool (so duplicates, conflicts and
    identity conflicts occur), some rows repeated exactly."""
    rows = []
    for _ in range(draw(st.integers(1, 5))):
        r = draw(decision_rows())
        r["decision_id"] = draw(st.one_of(st.sampled_from(["D-1", "D-2", "D-3"]), st.just(r.get("decision_id", ""))))
        r["person_id"] = draw(st.one_of(st.sampled_from(["P-1", "P-2"]), st.just(r.get("person_id", ""))))
        r["last_name"] = draw(st.one_of(st.sampled_from(["Núñez", "Smith"]), st.just(r.get("last_name", ""))))
        rows.append(r)
    return rows + draw(st.lists(st.sampled_from(rows), max_size=2))


def jsonl_text(rows: list[dict], extra_lines: list[str]) -> str:
    return "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows) + "".join(line + "\n" for line in extra_lines)


BAD_LINES = st.one_of(
    st.sampled_from(['{"decision_id": ' + "7" * 5000 + "}", "[" * 5000 + "]" * 5000, '{"decision_id": NaN}', '{"offense": 1e400}', "not json", "[1, 2]"]),
    hostile_text(40).filter(lambda t: t.strip() and not {"\r", "\n"} & set(t)),
)


def run_counts(url: str, run_id: int) -> tuple[int, int]:
    """Decisions and quarantine entries an import run stored."""
    with db.session_for(url) as session:
        decisions = session.scalar(select(sa.func.count()).select_from(Decision).where(Decision.import_run_id == run_id))
        quarantined = session.scalar(select(sa.func.count()).select_from(QuarantinedRow).where(QuarantinedRow.import_run_id == run_id))
    return decisions, quarantined


@FUZZ
@given(rows=export_rows(), fmt=st.sampled_from(["csv", "jsonl"]), bad_lines=st.lists(BAD_LINES, max_size=2))
@example(rows=[row(first_name="Ana\x00"), row(decision_id="D-2", offense="\x00")], fmt="csv", bad_lines=[])
@example(rows=[row(person_id="\x00", outcome="\x00")], fmt="jsonl", bad_lines=['{"decision_id": ' + "7" * 5000 + "}", '{"decision_id": NaN}'])
@example(rows=[row(first_name="A\x1fB", middle_name="C"), row(first_name="A", middle_name="B\x1fC")], fmt="csv", bad_lines=[])
@example(rows=[row(last_name="\uac01" * 334)], fmt="csv", bad_lines=[])  # its identity key, 3,000 letters, did not fit PostgreSQL's column
def test_importing_the_same_file_twice_adds_nothing(db_url, tmp_path, rows, fmt, bad_lines) -> None:
    """Every row read is in exactly one count and stored once; the second import finds every decision a duplicate."""
    rows = tagged(rows)
    path = tmp_path / f"{uuid.uuid4().hex}.{fmt}"
    if fmt == "csv":
        path.write_text(csv_text(rows), encoding="utf-8", newline="")
        expected = len(rows)
    else:
        path.write_text(jsonl_text(rows, bad_lines), encoding="utf-8", newline="")
        expected = len(rows) + len(bad_lines)
    first = import_into(db_url, path, today=TODAY)
    c = first.counts
    assert c.read == expected, "a row was read as none, or as two"
    assert c.read == c.imported + c.duplicates + c.conflicts + c.quarantined + c.skipped + c.not_final
    for name in ("imported", "duplicates", "conflicts", "identity_conflicts", "quarantined"):
        if getattr(c, name):
            event(f"first import: {name}")
    assert run_counts(db_url, first.run_id) == (c.imported, c.quarantined + c.conflicts + c.not_final), "a row counted but not stored"
    before = snapshot(db_url)

    second = import_into(db_url, path, today=TODAY)
    again = second.counts
    assert (again.read, again.imported, again.duplicates) == (c.read, 0, c.imported + c.duplicates)
    assert (again.conflicts, again.identity_conflicts, again.quarantined, again.skipped, again.not_final) == (
        c.conflicts, c.identity_conflicts, c.quarantined, c.skipped, c.not_final)
    assert snapshot(db_url) == before
    with db.session_for(db_url) as session:
        assert session.get(ImportRun, second.run_id).status == "completed"


def street_text(near_valid: st.SearchStrategy[str]) -> st.SearchStrategy[str]:
    """A street line or city that intake accepts but that may be anything at all to the address rules."""
    return st.one_of(near_valid.filter(lambda text: not set(text) & set(CONTROLS)), storable_text())


@st.composite
def people_with_addresses(draw) -> list[dict[str, str]]:
    """One decision per person, each with an address intake accepts (a state it knows, a ZIP of the right form), the rest anything."""
    people = []
    for n in range(draw(st.integers(1, 4))):
        raw = {"address_line1": draw(street_text(LINES1)).strip() or "-", "address_line2": draw(street_text(LINES2)),
               "city": draw(street_text(CITIES)), "state": draw(st.sampled_from(["IL", "Illinois", "AE", "PR", "NY", ""])),
               "zip": draw(st.sampled_from(["60636", "2134", "60640-5520", "606405520", "10001", "00000", ""]))}
        if not raw["zip"]:
            raw.update(city=raw["city"].strip() or "Chicago", state=raw["state"] or "IL")
        people.append(row(decision_id=f"D-{n}", person_id=f"P-{n}", **raw))
    return people


@FUZZ
@given(rows=people_with_addresses())
@example(rows=[row(address_line1="1 " + "\u00bd" * 900), row(decision_id="D-2", person_id="P-2", city="\ufdfa" * 100, zip="")])
def test_verifying_twice_gives_the_same_statuses_and_no_new_rows(db_url, tmp_path, rows) -> None:
    path = tmp_path / f"{uuid.uuid4().hex}.csv"
    path.write_text(csv_text(tagged(rows)), encoding="utf-8", newline="")
    summary = import_into(db_url, path, today=TODAY)
    assert summary.counts.imported == len(rows), "the addresses were made to pass intake"
    with db.session_for(db_url) as session:
        first = verify_notices(session, VERIFIER)
    assert sum(first.values()) == summary.people, "every new notice gets one checked address"
    for status in first:
        event(f"verified as {status}")
    before = snapshot(db_url)
    with db.session_for(db_url) as session:
        assert verify_notices(session, VERIFIER) == {}
    assert snapshot(db_url) == before


@st.composite
def mailable_people(draw) -> list[dict[str, str]]:
    """People with a good address, and names, cases and languages of any kind: what a letter must draw or refuse to draw."""
    people = []
    for n in range(draw(st.integers(1, 3))):
        changes = {name: draw(st.one_of(st.just(GOOD[name]), storable_text(20))) for name in draw(st.lists(
            st.sampled_from(["first_name", "middle_name", "last_name", "suffix", "case_number", "offense", "statute", "court"]), max_size=3, unique=True))}
        changes["language"] = draw(st.sampled_from(["en", "es", "pl", "zh", "xx"]))
        changes["outcome"] = draw(st.sampled_from(["expunged", "vacated", "sealed", "not_granted"]))
        changes["not_granted_reason"] = draw(st.one_of(st.just("tied_to_other_charges"), near("pending_case"))) if changes["outcome"] == "not_granted" else ""
        people.append(row(decision_id=f"D-{n}", person_id=f"P-{n}", **changes))
    return people


@settings(FUZZ, max_examples=10)
@given(rows=mailable_people())
@example(rows=[row(first_name="\u05d0\u05d1", last_name="\u0627\u0644\u0641", offense="\U0001f600 \ufdfa", language="zh")])
def test_rendering_twice_adds_no_letter_and_changes_no_file(db_url, tmp_path, rows) -> None:
    path = tmp_path / f"{uuid.uuid4().hex}.csv"
    path.write_text(csv_text(tagged(rows)), encoding="utf-8", newline="")
    with db.session_for(db_url) as session:
        before_ids = list(session.exec(select(Notice.id)))
    import_into(db_url, path, today=TODAY)
    renderer = Renderer.from_settings(Settings(output_dir=tmp_path / "out"), TODAY)
    with db.session_for(db_url) as session:
        verify_notices(session, VERIFIER)
        first = render_letters(session, renderer)
        mailable = session.scalar(select(sa.func.count()).select_from(Notice).join(Address, Address.notice_id == Notice.id)
                                  .where(Address.status.in_(MAILABLE), Notice.id.not_in(before_ids)))
    assert sum(first.by_state.values()) == mailable, "one letter for each new notice with a mailable address"
    for state in first.by_state:
        event(f"letters {state}")
    before, drawn = snapshot(db_url), files(tmp_path / "out")
    with db.session_for(db_url) as session:
        assert render_letters(session, renderer).by_state == {}
    assert snapshot(db_url) == before and files(tmp_path / "out") == drawn


@pytest.fixture
def mailed_letters(db_url, tmp_path) -> tuple[str, Settings, list[Letter]]:
    """Six letters, rendered, batched, printed and mailed: what returns can come back from."""
    settings_ = Settings(output_dir=tmp_path / "out")
    path = tmp_path / "mailed.csv"
    path.write_text(csv_text([row(decision_id=f"D-{n}", person_id=f"P-{n}") for n in range(6)]), encoding="utf-8", newline="")
    imported_and_verified(db_url, path)
    mail_run(db_url, settings_)
    with db.session_for(db_url) as session:
        letters = list(session.exec(select(Letter).order_by(Letter.id)))
    assert len(letters) == 6 and {letter.state for letter in letters} == {"mailed"}
    return db_url, settings_, letters


POLICY = load_policy(Settings().config_dir)
FORMS = ("id", "lower", "spaced", "imb+zip", "imb", "near", "anything")  # how the clerk gives the envelope
ANYTHING = "<the example's hostile text>"  # drawn now and then, so that most examples are returns a clerk could record


def envelope_text(letter_id: int, form: str, barcode, garbage: str) -> str:
    """The printed id (typed loosely), the barcode digits, a near miss of the id, or text that is neither."""
    code = make_letter_id(letter_id)
    tracking = imb.tracking_code(barcode.barcode_id, barcode.service_type, barcode.mailer_id, letter_id)
    forms = {"id": code, "lower": code.lower(), "spaced": code.replace("-", " "), "imb+zip": tracking + "60636", "imb": tracking,
             "near": code[:4] + garbage[:1] + code[5:], "anything": garbage}
    return forms[form]


@settings(FUZZ, max_examples=20)
@given(index=st.integers(0, 5), form=st.sampled_from(FORMS), garbage=hostile_text(),
       reason=st.sampled_from([*sorted(POLICY.reasons), ANYTHING]), forward=st.one_of(st.none(), address_texts(hostile=False), address_texts()),
       note=st.sampled_from(["", "left at the door", ANYTHING]))
@example(index=0, form="id", garbage="", reason="moved_left_no_address", forward=RawAddress("9 Elm St\x00", "", "Cicero", "IL", "60804"), note="")
@example(index=1, form="id", garbage="", reason="moved_left_no_address", forward=RawAddress("1 " + "\u00bd" * 1200, "", "Cicero", "IL", "60804"), note="")
@example(index=2, form="imb", garbage="", reason="vacant", forward=None, note="\x00")
@example(index=3, form="spaced", garbage="", reason="vacant", forward=RawAddress("9 Elm Street", "", "Cicero", "IL", "60804"), note="")
def test_recording_the_same_return_twice_keeps_one_record(mailed_letters, index, form, garbage, reason, forward, note) -> None:
    """A return recorded twice is one record; one that is refused leaves nothing behind."""
    url, settings_, letters = mailed_letters
    letter_id = letters[index].id
    text = envelope_text(letter_id, form, Renderer.from_settings(settings_, MAIL_DATE).barcode, garbage)
    reason, note = (garbage if value == ANYTHING else value for value in (reason, note))
    before = snapshot(url)
    try:
        first = record(url, text, reason, forward, note)
    except (InvalidInputError, NotFoundError, WrongStateError) as exc:
        event(f"refused: {type(exc).__name__}")
        assert str(exc)
        assert snapshot(url) == before, "a refused return left something behind"
        return
    event(f"recorded: {first.outcome}")
    with db.session_for(url) as session:
        assert len(session.exec(select(ReturnedMail.id).where(ReturnedMail.letter_id == letter_id)).all()) == 1
    after = snapshot(url)
    second = record(url, text, reason, forward, note)
    assert second.already and (second.letter_id, second.reason, second.outcome) == (first.letter_id, first.reason, first.outcome)
    assert snapshot(url) == after


def record(url: str, text: str, reason: str, forward: RawAddress | None, note: str):
    with db.session_for(url) as session:
        return record_return(session, POLICY, VERIFIER, letter_text=text, reason=reason, returned_on=date(2025, 8, 20), forward=forward, note=note, actor="clerk")
