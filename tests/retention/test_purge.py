"""`notifier purge` on SQLite and PostgreSQL: what goes, what stays, what is held, and that a second run finds nothing."""

from __future__ import annotations

import json
from datetime import date, timedelta
from pathlib import Path

import sqlalchemy as sa
from sqlmodel import select

from notifier import db
from notifier.batches.store import close_batch
from notifier.costs.report import GROUPINGS as COST_GROUPINGS
from notifier.costs.report import cost_report
from notifier.letters.ids import make_letter_id
from notifier.models import AuditEvent, Batch, Letter, Notice, SQLModel
from notifier.retention.store import purge
from notifier.returns.history import person_history
from notifier.returns.report import GROUPINGS as RETURN_GROUPINGS
from notifier.returns.report import returns_report
from notifier.returns.rules import load_policy
from notifier.returns.store import presume_delivered
from notifier.status import status
from tests.helpers import GOOD, row, write_csv
from tests.returns.test_returns import MAIL_DATE, imported_and_verified, mail_run, record, settings  # noqa: F401  (a fixture)

LATER = MAIL_DATE + timedelta(days=400)  # a day when the mail run is long finished
PEOPLE = [f"P-{n}" for n in range(4)]


def people_rows(person_ids: list[str], **changes: str) -> list[dict]:
    """One decision per person, each with personal values of its own that a search of the database can find."""
    return [row(decision_id=f"D-{pid}", person_id=pid, first_name=f"Firstname{pid[2:]}", last_name=f"Lastname{pid[2:]}",
                case_number=f"2009-CR-77{pid[2:]}", **changes) for pid in person_ids]


def figures(db_url: str) -> dict:
    """What status, `costs report` and `returns report` show, in every grouping."""
    with db.session_for(db_url) as session:
        return {
            "status": status(session),
            "costs": {by: cost_report(session, by=by) for by in COST_GROUPINGS},
            "returns": {by: returns_report(session, by=by) for by in RETURN_GROUPINGS},
        }


def database_text(db_url: str) -> str:
    """Every value of every table, as one text to search for personal data."""
    with db.engine_for(db_url).connect() as connection:
        return json.dumps({name: [list(map(str, r)) for r in connection.execute(sa.select(table))] for name, table in SQLModel.metadata.tables.items()})


def legacy_render_file(db_url: str, settings) -> Path:
    """Every letter drawn into one file and recorded as its `render_file`, as `letters render` did
    before it stopped drawing: databases of that time hold such files, and the purge must erase them."""
    from notifier.letters.layout import draw_letter
    from notifier.letters.renderer import Renderer
    from notifier.letters.store import notice_rows

    renderer = Renderer.from_settings(settings, MAIL_DATE)
    path = settings.output_dir / "letters" / "letters-legacy.pdf"
    with db.session_for(db_url) as session:
        letters = session.exec(select(Letter).order_by(Letter.id)).all()
        rows = notice_rows(session, [letter.notice_id for letter in letters])
        with renderer.pdf(path, "legacy render file") as canvas:
            for letter in letters:
                assert draw_letter(canvas, renderer.content(letter.id, *rows[letter.notice_id]), renderer.geometry).pages == letter.pages
                letter.render_file = str(path)
                session.add(letter)
        session.commit()
    return path


def finished_run(db_url, tmp_path, settings) -> int:
    """Four people mailed in one batch: one letter comes back for good (unreachable), the rest are presumed delivered."""
    policy = settings.config_dir / "returns.toml"
    policy.write_text(policy.read_text().replace("max_attempts = 3", "max_attempts = 1"))
    imported_and_verified(db_url, write_csv(tmp_path / "d.csv", people_rows(PEOPLE)))
    mail_run(db_url, settings)
    legacy_render_file(db_url, settings)
    with db.session_for(db_url) as session:
        first = session.exec(select(Letter).order_by(Letter.id)).first()
        batch = session.exec(select(Batch.id)).one()
    assert record(db_url, settings, make_letter_id(first.id)).outcome == "unreachable"
    with db.session_for(db_url) as session:
        assert presume_delivered(session, load_policy(settings.config_dir), MAIL_DATE + timedelta(days=60), "clerk").presumed_delivered == 3
    return batch


def run_purge(db_url, settings, **kwargs):
    with db.session_for(db_url) as session:
        return purge(session, older_than_days=kwargs.pop("older_than_days", 365), today=kwargs.pop("today", LATER), actor="records",
                     uploads_dir=settings.output_dir / "uploads", **kwargs)


def test_purge_erases_finished_notices_and_keeps_the_figures(db_url, tmp_path, settings):
    batch = finished_run(db_url, tmp_path, settings)
    # one more person, imported later and still waiting for a letter: nothing of theirs may go
    imported_and_verified(db_url, write_csv(tmp_path / "later.csv", people_rows(["P-9"])))
    with db.session_for(db_url) as session:
        files = [Path(entry["path"]) for entry in session.get(Batch, batch).files] + [Path(p) for p in session.scalars(select(Letter.render_file).distinct())]
    assert files and all(path.is_file() for path in files)

    held = run_purge(db_url, settings)  # the batch is mailed, not closed: its returns may still come
    assert (held.notices, held.held, held.files) == (0, 4, 0)
    with db.session_for(db_url) as session:
        close_batch(session, batch, "t")
    assert run_purge(db_url, settings, today=MAIL_DATE + timedelta(days=100)).notices == 0  # not past the period yet

    before = figures(db_url)
    dry = run_purge(db_url, settings, dry_run=True)
    assert (dry.notices, dry.letters, dry.held, dry.files) == (4, 4, 0, len(set(files)))
    assert "Lastname0" in database_text(db_url) and all(path.is_file() for path in files)  # a dry run changes nothing

    done = run_purge(db_url, settings)
    assert done.as_dict() | {"bytes": 0} == dry.as_dict() | {"bytes": 0, "dry_run": False} and done.bytes == dry.bytes > 0
    assert not any(path.exists() for path in files)
    after = figures(db_url)
    assert (before["status"].pop("notices_purged"), after["status"].pop("notices_purged")) == (0, 4)
    assert after == before

    text = database_text(db_url)
    for pid in PEOPLE:
        for value in (f"Firstname{pid[2:]}", f"Lastname{pid[2:]}", f"2009-CR-77{pid[2:]}", f"LASTNAME{pid[2:]}", f"FIRSTNAME{pid[2:]}"):
            assert value not in text, value
    for value in (GOOD["address_line1"], GOOD["address_line1"].upper(), "63RD", GOOD["date_of_birth"], GOOD["offense"], GOOD["court"], GOOD["statute"]):
        assert text.count(value) <= text.count("P-9"), value  # only in the later person's rows, if anywhere
    assert "Lastname9" in text and "2009-CR-779" in text  # the open notice is untouched

    with db.session_for(db_url) as session:
        [history] = person_history(session, person_ids=["P-1"])
        events = session.exec(select(AuditEvent).where(AuditEvent.action == "purge")).all()
        purged = session.exec(select(Notice).where(Notice.purged_at.is_not(None))).all()
    assert (history.name, history.letters[0].address, history.letters[0].state) == ("", [], "presumed_delivered")
    assert len(purged) == 4 and {n.status for n in purged} == {"mailed", "unreachable"}
    # every run leaves one event (the held one and the early one found nothing); a dry run leaves none
    assert [e.details["notices"] for e in events] == [0, 0, 4] and (events[0].details["held"], events[2].details["files"]) == (4, len(set(files)))
    assert all(set(e.details) >= {"notices", "letters", "files", "bytes", "quarantined_rows"} for e in events)

    again = run_purge(db_url, settings)  # idempotent
    assert (again.notices, again.letters, again.files, again.quarantined_rows) == (0, 0, 0, 0)
    assert figures(db_url) == dict(after, status=dict(after["status"], notices_purged=4))


def test_reimporting_a_purged_export_brings_nothing_back(db_url, tmp_path, settings):
    batch = finished_run(db_url, tmp_path, settings)
    with db.session_for(db_url) as session:
        close_batch(session, batch, "t")
    run_purge(db_url, settings)
    imported_and_verified(db_url, tmp_path / "d.csv")
    text = database_text(db_url)
    assert "Lastname0" not in text and "2009-CR-770" not in text


def test_quarantined_rows_of_purged_people_are_erased_but_counted(db_url, tmp_path, settings):
    batch = finished_run(db_url, tmp_path, settings)
    bad = people_rows(["P-2"], date_of_birth="1980-13-45")  # the same person, a row that breaks the rules
    bad[0]["decision_id"] = "D-P-2-bad"
    imported_and_verified(db_url, write_csv(tmp_path / "bad.csv", bad))
    with db.session_for(db_url) as session:
        close_batch(session, batch, "t")
    before = figures(db_url)
    assert "1980-13-45" in database_text(db_url)
    assert run_purge(db_url, settings).quarantined_rows == 1
    after = figures(db_url)
    assert after["status"].pop("notices_purged") == 4 and before["status"].pop("notices_purged") == 0
    text = database_text(db_url)
    assert "1980-13-45" not in text, text[text.index("1980-13-45") - 300 :][:400]
    assert after == before


def test_old_uploads_go_new_ones_stay(db_url, tmp_path, settings):
    import os

    uploads = settings.output_dir / "uploads"
    uploads.mkdir(parents=True)
    old, new = uploads / "old.csv", uploads / "new.csv"
    old.write_text("x")
    new.write_text("y")
    long_ago = (LATER - timedelta(days=500) - date(1970, 1, 1)).days * 86400
    os.utime(old, (long_ago, long_ago))
    result = run_purge(db_url, settings, today=date.today() + timedelta(days=1), older_than_days=30)
    assert (result.files, old.exists(), new.exists()) == (1, False, True)


def test_purge_command(cli, db_url, tmp_path, settings, monkeypatch):
    monkeypatch.setenv("NOTIFIER_OUTPUT_DIR", str(settings.output_dir))
    batch = finished_run(db_url, tmp_path, settings)
    cli("batches", "close", batch)
    today = (MAIL_DATE + timedelta(days=800)).isoformat()
    dry = json.loads(cli("purge", "--dry-run", "--today", today, "--json").stdout)
    assert {k: dry[k] for k in ("notices", "letters", "quarantined_rows", "dry_run", "older_than_days")} == {
        "notices": 4, "letters": 4, "quarantined_rows": 0, "dry_run": True, "older_than_days": 730}  # the default, from config/retention.toml
    assert dry["files"] > 0 and dry["bytes"] > 0
    assert json.loads(cli("purge", "--dry-run", "--today", today, "--json").stdout)["notices"] == 4  # still: a dry run changes nothing
    text = cli("purge", "--older-than", "365", "--today", today, "--by", "records").stdout
    assert text.startswith(f"erased the personal data of 4 notices finished on or before {MAIL_DATE + timedelta(days=435)} (365 days)")
    assert json.loads(cli("purge", "--older-than", "365", "--today", today, "--json").stdout)["notices"] == 0
    assert "purged           4 finished notices" in cli("status").stdout
    [event] = [json.loads(line) for line in cli("audit", "--action", "purge", "--actor", "records", "--json").stdout.splitlines()]
    assert event["details"]["notices"] == 4
    bad = cli("purge", "--older-than", "-1", ok=False)
    assert bad.exit_code != 0 and "--older-than" in bad.stderr


def test_rows_of_a_run_abandoned_while_staging_go_after_the_period(db_url, settings):
    from datetime import datetime, timezone

    from notifier.models import Run, StagedRecord

    with db.session_for(db_url) as session:
        old = Run(kind="pipeline", stage="staging", started_at=datetime(2024, 1, 2, tzinfo=timezone.utc))
        new = Run(kind="pipeline", stage="staging", started_at=datetime(2026, 1, 2, tzinfo=timezone.utc))
        session.add_all([old, new])
        session.flush()
        session.add_all([StagedRecord(run_id=run.id, seq=1, line=2, raw={"last_name": "Lastname7"}) for run in (old, new)])
        session.commit()
    assert run_purge(db_url, settings, today=date(2026, 1, 31), older_than_days=365).staged_records == 1
    with db.session_for(db_url) as session:
        assert [r.run_id for r in session.exec(select(StagedRecord))] == [new.id]


def test_a_letter_file_shared_with_kept_letters_loses_only_the_purged_pages(db_url, tmp_path, settings):
    from notifier.letters.pdf import page_count
    from tests.pdftools import text as pdf_text

    imported_and_verified(db_url, write_csv(tmp_path / "d.csv", people_rows(["P-0", "P-1", "P-2"])))
    mail_run(db_url, settings)
    chunk = legacy_render_file(db_url, settings)
    with db.session_for(db_url) as session:
        letters = session.exec(select(Letter).order_by(Letter.id)).all()
        batch = letters[0].batch_id
    assert record(db_url, settings, make_letter_id(letters[1].id)).outcome == "dead_address"  # P-1 waits for a new address: not finished
    with db.session_for(db_url) as session:
        presume_delivered(session, load_policy(settings.config_dir), MAIL_DATE + timedelta(days=60), "clerk")
        close_batch(session, batch, "t")
    assert "LASTNAME0" in pdf_text(chunk).upper()

    done = run_purge(db_url, settings)
    assert (done.notices, done.rewritten, done.files) == (2, 1, 0)  # the batch's print files keep P-1's letter: not wholly purged
    text = pdf_text(chunk).upper()
    assert "LASTNAME1" in text and "LASTNAME0" not in text and "LASTNAME2" not in text
    assert page_count(chunk) == letters[1].pages and oct(chunk.stat().st_mode & 0o777) == "0o600"
    with db.session_for(db_url) as session:
        assert [letter.render_file for letter in session.exec(select(Letter).order_by(Letter.id))] == ["", str(chunk), ""]
    assert run_purge(db_url, settings).rewritten == 0  # done once
