"""Returned mail through the database, on SQLite and PostgreSQL."""

from __future__ import annotations

import shutil
from datetime import date

import pytest
from sqlmodel import select

from notifier import db
from notifier.addresses.check import RawAddress, ZipDatabaseVerifier
from notifier.addresses.store import review_queue, verify_notices
from notifier.batches.store import create_batch, freeze_batch, mark_mailed
from notifier.workers import print_locally
from notifier.errors import InvalidInputError, NotifierError, WrongStateError
from notifier.intake.importer import import_file
from notifier.letters import imb
from notifier.letters.ids import make_letter_id
from notifier.letters.renderer import Renderer
from notifier.letters.store import render_letters
from notifier.models import Address, Letter, Notice, ReturnedMail
from notifier.returns.rules import load_policy, outcome
from notifier.returns.report import returns_report
from notifier.returns.store import import_returns, presume_delivered, record_return, unreachable
from notifier.settings import REPO_ROOT, Settings
from tests.helpers import row, write_csv

MAIL_DATE = date(2025, 8, 4)
VERIFIER = ZipDatabaseVerifier()
FORWARD = RawAddress(line1="9 Elm Street", city="Cicero", state="IL", zip="60804")


@pytest.fixture
def settings(tmp_path):
    config = tmp_path / "config"
    shutil.copytree(REPO_ROOT / "config", config)
    return Settings(output_dir=tmp_path / "out", config_dir=config)


def mail_run(db_url, settings) -> None:
    """Render, batch, freeze, print and mark mailed whatever is waiting."""
    with db.session_for(db_url) as session:
        render_letters(session, Renderer.from_settings(settings, MAIL_DATE))
        batch = create_batch(session, settings, mail_date=MAIL_DATE, wave=None, limit=None, postage_class=None, actor="t").id
        frozen = freeze_batch(session, settings, batch, "t")
    print_locally(db_url, settings, batch, "t")
    with db.session_for(db_url) as session:
        mark_mailed(session, batch, "t", postage_cents=frozen.estimate["postage_cents"], print_cents=None, envelope_cents=None, statement="PS", invoice="")


def imported_and_verified(db_url, path) -> None:
    with db.session_for(db_url) as session:
        import_file(session, path)
        verify_notices(session, VERIFIER)


def mailed(db_url, tmp_path, settings, people=3) -> list[Letter]:
    imported_and_verified(db_url, write_csv(tmp_path / "d.csv", [row(decision_id=f"D-{n}", person_id=f"P-{n}") for n in range(people)]))
    mail_run(db_url, settings)
    return letters(db_url)


def letters(db_url) -> list[Letter]:
    with db.session_for(db_url) as session:
        return list(session.exec(select(Letter).order_by(Letter.id)))


def record(db_url, settings, text, reason="moved_left_no_address", forward=None):
    with db.session_for(db_url) as session:
        return record_return(session, load_policy(settings.config_dir), VERIFIER, letter_text=text, reason=reason,
                             returned_on=date(2025, 8, 20), forward=forward, note="", actor="clerk")


def test_outcome_rule():
    assert outcome(dead=True, forward_status="verified", attempt=1, max_attempts=3) == "remail"
    assert outcome(dead=True, forward_status="needs_review", attempt=1, max_attempts=3) == "forward_needs_review"
    assert outcome(dead=True, forward_status=None, attempt=1, max_attempts=3) == "dead_address"
    assert outcome(dead=False, forward_status=None, attempt=2, max_attempts=3) == "noted"
    assert outcome(dead=False, forward_status="verified", attempt=3, max_attempts=3) == "unreachable"


def test_record_by_letter_id_typo_and_barcode_and_repeat(db_url, tmp_path, settings):
    first, second, third = mailed(db_url, tmp_path, settings)
    code = make_letter_id(first.id)
    assert record(db_url, settings, code.lower(), reason="refused").outcome == "noted"
    again = record(db_url, settings, code, reason="vacant")
    assert again.already and again.reason == "refused"  # the repeat changes nothing
    typo = code[:-1] + ("0" if code[-1] != "0" else "1")
    with pytest.raises(NotifierError, match="typo"):
        record(db_url, settings, typo)
    barcode = imb.tracking_code("00", "040", "123456", second.id) + "60636"
    assert record(db_url, settings, barcode, reason="deceased").letter_id == make_letter_id(second.id)
    with pytest.raises(NotifierError, match="unknown reason"):
        record(db_url, settings, make_letter_id(third.id), reason="lost_in_space")
    with db.session_for(db_url) as session:
        assert len(session.exec(select(ReturnedMail)).all()) == 2


def test_unmailed_or_unknown_letters_are_refused_and_nothing_changes(db_url, tmp_path, settings):
    imported_and_verified(db_url, write_csv(tmp_path / "d.csv", [row()]))
    with db.session_for(db_url) as session:
        render_letters(session, Renderer.from_settings(settings, MAIL_DATE))
    [letter] = letters(db_url)
    with pytest.raises(NotifierError, match="never mailed"):
        record(db_url, settings, make_letter_id(letter.id))
    with pytest.raises(NotifierError, match="no letter"):
        record(db_url, settings, make_letter_id(999))
    assert [l.state for l in letters(db_url)] == ["rendered"]


def test_refusals_say_what_kind(db_url, tmp_path, settings):
    [first] = mailed(db_url, tmp_path, settings, people=1)
    with pytest.raises(InvalidInputError, match="unknown reason") as caught:
        record(db_url, settings, make_letter_id(first.id), reason="lost_in_space")
    assert "config/returns.toml" in caught.value.todo
    imported_and_verified(db_url, write_csv(tmp_path / "new.csv", [row(decision_id="D-new", person_id="P-new")]))
    with db.session_for(db_url) as session:
        render_letters(session, Renderer.from_settings(settings, MAIL_DATE))
    with pytest.raises(WrongStateError, match="never mailed"):
        record(db_url, settings, make_letter_id(letters(db_url)[-1].id))


def test_dead_address_is_never_used_again_and_forwarding_gives_attempt_two_in_the_next_run(db_url, tmp_path, settings):
    first, second, _ = mailed(db_url, tmp_path, settings)
    assert record(db_url, settings, make_letter_id(first.id)).outcome == "dead_address"
    with db.session_for(db_url) as session:
        assert [item.notice_id for item in review_queue(session)] == [first.notice_id]  # staff may find a new address
    assert record(db_url, settings, make_letter_id(second.id), forward=FORWARD).outcome == "remail"
    # a later notice at the dead address (same standardized address) is not mailed there
    imported_and_verified(db_url, write_csv(tmp_path / "new.csv", [row(decision_id="D-new", person_id="P-new")]))
    with db.session_for(db_url) as session:
        new = session.exec(select(Notice).where(Notice.person_id == "P-new")).one()
        address = session.exec(select(Address).where(Address.notice_id == new.id)).one()
    assert (address.status, address.reasons[0]["code"]) == ("undeliverable", "dead_address")

    mail_run(db_url, settings)
    remailed = [l for l in letters(db_url) if l.notice_id == second.notice_id]
    assert [(l.attempt, l.state) for l in remailed] == [(1, "returned"), (2, "mailed")]
    with db.session_for(db_url) as session:
        address = session.exec(select(Address).where(Address.notice_id == second.notice_id)).one()
    assert (address.line1, address.city, address.source) == ("9 ELM ST", "CICERO", "forward")


def test_after_the_last_attempt_the_notice_is_unreachable(db_url, tmp_path, settings):
    (settings.config_dir / "returns.toml").write_text((settings.config_dir / "returns.toml").read_text().replace("max_attempts = 3", "max_attempts = 2"))
    [first] = mailed(db_url, tmp_path, settings, people=1)
    assert record(db_url, settings, make_letter_id(first.id), forward=FORWARD).outcome == "remail"
    mail_run(db_url, settings)
    second = letters(db_url)[-1]
    assert second.attempt == 2
    assert record(db_url, settings, make_letter_id(second.id), forward=RawAddress(line1="1 Oak St", city="Cicero", state="IL", zip="60804")).outcome == "unreachable"
    with db.session_for(db_url) as session:
        assert session.get(Notice, first.notice_id).status == "unreachable"
        report = returns_report(session, by="reason")
        assert [person.as_dict() for person in unreachable(session)] == [{"notice_id": first.notice_id, "person_id": "P-0"}]
    assert report["total"]["unreachable_people"] == 1 and report["total"]["returned"] == 2 and report["total"]["remailed"] == 1
    assert report["total"]["returned_postage_cents"] == first.actual_postage_cents + second.actual_postage_cents


def test_bulk_import_records_good_rows_and_reports_bad_ones(db_url, tmp_path, settings):
    first, second, third = mailed(db_url, tmp_path, settings)
    path = tmp_path / "returns.csv"
    path.write_text(
        "id,reason,date,forward_line1,forward_city,forward_state,forward_zip,note\n"
        f"{make_letter_id(first.id)},vacant,2025-08-20,,,,,\n"
        f"{make_letter_id(second.id)},moved_left_no_address,2025-08-21,9 Elm Street,Cicero,IL,60804,ACS\n"
        f"{make_letter_id(third.id)},vacant,21/08/2025,,,,,\n"
        "ZZZ-ZZZ-ZZZ,vacant,,,,,,\n"
        f"{make_letter_id(first.id)},vacant,2025-08-20,,,,,\n",
        encoding="utf-8",
    )
    with db.session_for(db_url) as session:
        report = import_returns(session, path, load_policy(settings.config_dir), VERIFIER, "clerk", date(2025, 9, 1))
    assert (report.read, report.recorded, report.already) == (5, 2, 1)
    assert [e["line"] for e in report.errors] == [4, 5]


def test_presumed_delivered_after_the_configured_days(db_url, tmp_path, settings):
    mailed(db_url, tmp_path, settings, people=2)
    policy = load_policy(settings.config_dir)
    with db.session_for(db_url) as session:
        assert presume_delivered(session, policy, date(2025, 9, 1), "clerk").presumed_delivered == 0
        assert presume_delivered(session, policy, date(2025, 9, 18), "clerk").presumed_delivered == 2
    assert {l.state for l in letters(db_url)} == {"presumed_delivered"}
