"""Mail runs through the database, on SQLite and PostgreSQL: lifecycle, files, costs, reports."""

from __future__ import annotations

import csv
import shutil
from datetime import date

import pytest
from pypdf import PdfReader
from sqlmodel import select

from notifier import db
from notifier.addresses.check import ZipDatabaseVerifier
from notifier.addresses.store import verify_notices
from notifier.batches.printfiles import MANIFEST_COLUMNS
from notifier.batches.store import cancel_batch, close_batch, create_batch, freeze_batch, get_batch, mark_mailed, show_batch
from notifier.workers import print_locally
from notifier.costs.report import cost_report
from notifier.errors import ConflictError, InvalidInputError, NotFoundError, NotifierError, WrongStateError
from notifier.intake.importer import import_file
from notifier.letters.renderer import Renderer
from notifier.letters.store import render_letters
from notifier.models import Batch, Letter, Notice
from notifier.settings import REPO_ROOT, Settings
from tests.helpers import row, write_csv

MAIL_DATE = date(2025, 8, 4)


@pytest.fixture
def settings(tmp_path):
    config = tmp_path / "config"
    shutil.copytree(REPO_ROOT / "config", config)
    return Settings(output_dir=tmp_path / "out", config_dir=config)


def prepare(db_url, tmp_path, settings, people: int = 6):
    rows = [row(decision_id=f"D-{n}", person_id=f"P-{n}", zip="60636" if n % 2 else "60601", disposition_date="2015-01-01" if n < 4 else "2009-01-01")
            for n in range(people)]
    rows.append(row(decision_id="D-99", person_id="P-0", case_number="2011-CR-1"))  # P-0 has two decisions
    with db.session_for(db_url) as session:
        import_file(session, write_csv(tmp_path / "d.csv", rows))
        verify_notices(session, ZipDatabaseVerifier())
        render_letters(session, Renderer.from_settings(settings, MAIL_DATE))


def render(db_url, settings) -> None:
    with db.session_for(db_url) as session:
        render_letters(session, Renderer.from_settings(settings, MAIL_DATE))


def import_more(db_url, path) -> None:
    with db.session_for(db_url) as session:
        import_file(session, path)


def batch_of(db_url, settings, **kwargs) -> int:
    with db.session_for(db_url) as session:
        return create_batch(session, settings, mail_date=kwargs.get("mail_date", MAIL_DATE), wave=kwargs.get("wave"), limit=kwargs.get("limit"), postage_class=kwargs.get("postage_class"), actor="clerk").id


def run(db_url, settings, batch_id: int, command: str, **kwargs) -> dict:
    if command == "print":
        return print_locally(db_url, settings, batch_id, "clerk").as_dict()
    with db.session_for(db_url) as session:
        if command == "freeze":
            summary = freeze_batch(session, settings, batch_id, "clerk")
        elif command == "mark-mailed":
            summary = mark_mailed(session, batch_id, "clerk", **kwargs)
        elif command == "close":
            summary = close_batch(session, batch_id, "clerk")
        else:
            summary = cancel_batch(session, batch_id, "clerk")
        return summary.as_dict()


def test_waves_choose_and_order_the_letters(db_url, tmp_path, settings):
    prepare(db_url, tmp_path, settings)
    recent = batch_of(db_url, settings, wave="recent")
    with db.session_for(db_url) as session:
        assert {l.wave for l in session.exec(select(Letter).where(Letter.batch_id == recent))} == {"recent"}
        assert show_batch(session, recent).as_dict()["letters"] == 4
    rest = batch_of(db_url, settings, limit=1)
    with db.session_for(db_url) as session:
        assert show_batch(session, rest).as_dict()["letters"] == 1
    with pytest.raises(NotifierError, match="no wave named"):
        batch_of(db_url, settings, wave="nope")


def test_lifecycle_with_refusals_and_idempotent_repeats(db_url, tmp_path, settings):
    prepare(db_url, tmp_path, settings)
    batch_id = batch_of(db_url, settings)
    with pytest.raises(NotifierError, match="is draft; `print` works on a batch that is frozen"):
        run(db_url, settings, batch_id, "print")
    with pytest.raises(NotifierError, match="is draft; `close`"):
        run(db_url, settings, batch_id, "close")
    frozen = run(db_url, settings, batch_id, "freeze")
    assert frozen["state"] == "frozen" and frozen["estimate"]["total_cents"] > 0
    assert run(db_url, settings, batch_id, "freeze") == frozen  # nothing changes the second time

    # a decision for a person in a frozen batch starts a new notice
    import_more(db_url, write_csv(tmp_path / "later.csv", [row(decision_id="D-100", person_id="P-1", case_number="2019-CR-9")]))
    with db.session_for(db_url) as session:
        assert sorted(n.status for n in session.exec(select(Notice).where(Notice.person_id == "P-1"))) == ["locked", "open"]

    printed = run(db_url, settings, batch_id, "print")
    with pytest.raises(NotifierError, match="is printed; `cancel` works on a batch that is draft or frozen"):
        run(db_url, settings, batch_id, "cancel")
    mailed = run(db_url, settings, batch_id, "mark-mailed", postage_cents=printed["estimate"]["postage_cents"] + 7, print_cents=None, envelope_cents=None, statement="PS-1", invoice="INV-1")
    assert mailed["variance_cents"] == 7 and mailed["actual"]["print_cents"] == mailed["estimate"]["print_cents"]
    with db.session_for(db_url) as session:
        letters = list(session.exec(select(Letter).where(Letter.batch_id == batch_id)))
        assert sum(l.actual_postage_cents for l in letters) == mailed["actual"]["postage_cents"]
        assert {l.state for l in letters} == {"mailed"}
    assert run(db_url, settings, batch_id, "close")["state"] == "closed"


def test_a_batch_whose_letters_changed_is_not_frozen_and_a_frozen_notice_is_not_fixed(db_url, tmp_path, settings):
    from notifier.addresses.store import Fix, apply_fix

    prepare(db_url, tmp_path, settings)
    batch_id = batch_of(db_url, settings)
    import_more(db_url, write_csv(tmp_path / "later.csv", [row(decision_id="D-101", person_id="P-2", case_number="2019-CR-8")]))
    with pytest.raises(NotifierError, match="changed since they were rendered"):
        run(db_url, settings, batch_id, "freeze")
    with pytest.raises(NotifierError, match="is draft; `mark-mailed` works on a batch that is printed"):
        run(db_url, settings, batch_id, "mark-mailed", postage_cents=1, print_cents=None, envelope_cents=None, statement="", invoice="")
    run(db_url, settings, batch_id, "cancel")
    render(db_url, settings)
    fresh = batch_of(db_url, settings)
    run(db_url, settings, fresh, "freeze")
    with db.session_for(db_url) as session:
        locked = session.exec(select(Notice).where(Notice.status == "locked")).first()
        with pytest.raises(NotifierError, match="frozen batch"):
            apply_fix(session, Fix(notice_id=locked.id, changes={"city": "Chicago"}), ZipDatabaseVerifier(), "clerk")


def test_refusals_say_what_kind_and_which_action_resolves_them(db_url, tmp_path, settings):
    def refused(kind, call) -> NotifierError:
        with pytest.raises(kind) as caught:
            call()
        assert "notifier " not in (caught.value.todo or "") and "--" not in (caught.value.todo or "")  # plain words, no CLI syntax
        return caught.value

    with db.session_for(db_url) as session:
        missing = refused(NotFoundError, lambda: show_batch(session, 42))
    assert (missing.code, missing.what, missing.action) == ("not_found", "no batch 42", "status")
    assert refused(WrongStateError, lambda: batch_of(db_url, settings)).action == "letters.render"
    prepare(db_url, tmp_path, settings)
    assert refused(InvalidInputError, lambda: batch_of(db_url, settings, wave="nope")).code == "invalid_input"
    batch_id = batch_of(db_url, settings)
    wrong = refused(WrongStateError, lambda: run(db_url, settings, batch_id, "close"))
    assert (wrong.code, wrong.action, wrong.subject) == ("wrong_state", "batches.show", {"batch": batch_id})
    import_more(db_url, write_csv(tmp_path / "later.csv", [row(decision_id="D-102", person_id="P-3", case_number="2019-CR-7")]))
    stale = refused(ConflictError, lambda: run(db_url, settings, batch_id, "freeze"))
    assert (stale.action, stale.subject) == ("batches.cancel", {"batch": batch_id})
    with db.session_for(db_url) as session:
        assert show_batch(session, batch_id).state == "draft"  # the refused freeze left nothing behind


def test_cancel_releases_the_letters(db_url, tmp_path, settings):
    prepare(db_url, tmp_path, settings)
    batch_id = batch_of(db_url, settings)
    run(db_url, settings, batch_id, "freeze")
    run(db_url, settings, batch_id, "cancel")
    with db.session_for(db_url) as session:
        letters = list(session.exec(select(Letter)))
        assert {(l.state, l.batch_id, l.postage_cents) for l in letters} == {("rendered", None, None)}
        assert {n.status for n in session.exec(select(Notice))} == {"open"}
    assert batch_of(db_url, settings)  # they can go into a new batch


def test_print_files_presorted_duplex_padded_and_identical_when_printed_again(db_url, tmp_path, settings):
    prepare(db_url, tmp_path, settings)
    batch_id = batch_of(db_url, settings)
    run(db_url, settings, batch_id, "freeze")
    first = run(db_url, settings, batch_id, "print")
    with db.session_for(db_url) as session:
        files = get_batch(session, batch_id).files
        letters = list(session.exec(select(Letter).where(Letter.batch_id == batch_id).order_by(Letter.sequence)))
    pdf, manifest, cover = (f["path"] for f in files)
    assert len(PdfReader(pdf).pages) == sum(2 * l.sheets for l in letters)  # every letter starts on a front side
    with open(manifest, encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    assert list(rows[0]) == MANIFEST_COLUMNS
    levels = [letter.sort_level for letter in letters]
    assert levels == sorted(levels, key=["5_digit", "aadc", "mixed_aadc"].index)  # 5-digit groups first
    for level in set(levels):
        zips = [r["zip"] for r, letter in zip(rows, letters) if letter.sort_level == level]
        assert zips == sorted(zips)
    assert [int(r["sequence"]) for r in rows] == list(range(1, len(letters) + 1))
    assert sum(int(r["postage_cents"]) for r in rows) == first["estimate"]["postage_cents"]
    assert "Núñez" not in open(manifest, encoding="utf-8").read() and "CR" not in open(manifest, encoding="utf-8").read()
    assert files[0]["sha256"] in " ".join(page.extract_text() for page in PdfReader(cover).pages)

    again = run(db_url, settings, batch_id, "print")
    with db.session_for(db_url) as session:
        assert get_batch(session, batch_id).files == files and again["files"] == first["files"]


def test_manifest_neutralises_formula_cells(db_url, tmp_path, settings):
    rates = settings.config_dir / "rates" / "postage.toml"
    rates.write_text(rates.read_text(encoding="utf-8") + '\n[periods.classes."=cmd"]\nfirst_ounce = 1\nadditional_ounce = 1\nmax_ounces = 3.5\n', encoding="utf-8")
    prepare(db_url, tmp_path, settings, people=2)
    batch_id = batch_of(db_url, settings, postage_class="=cmd", mail_date=date(2026, 8, 3))  # the class sits in the newest period
    run(db_url, settings, batch_id, "freeze")
    run(db_url, settings, batch_id, "print")
    with db.session_for(db_url) as session:
        manifest = get_batch(session, batch_id).files[-2]["path"]
    assert ",'=cmd," in open(manifest, encoding="utf-8").read()


def test_costs_reconcile_to_the_cent(db_url, tmp_path, settings):
    prepare(db_url, tmp_path, settings)
    first, second = batch_of(db_url, settings, wave="recent"), batch_of(db_url, settings, wave="older")
    for batch_id in (first, second):
        run(db_url, settings, batch_id, "freeze")
    with db.session_for(db_url) as session:
        letters = list(session.exec(select(Letter).where(Letter.batch_id.is_not(None))))
        batches = list(session.exec(select(Batch)))
        for by in ("month", "batch", "wave", "class"):
            report = cost_report(session, by=by)
            assert report["reconciled"]
            assert report["total"]["estimate_total_cents"] == sum(l.postage_cents + l.print_cents + l.envelope_cents for l in letters)
            assert sum(r["estimate_total_cents"] for r in report["rows"]) == report["total"]["estimate_total_cents"]
        assert report["total"]["estimate_total_cents"] == sum(b.postage_cents + b.print_cents + b.envelope_cents for b in batches)
        by_wave = {r["group"]: r for r in cost_report(session, by="wave")["rows"]}
        assert by_wave["recent"]["decisions"] == 5 and by_wave["recent"]["people"] == 4  # P-0 has two decisions
