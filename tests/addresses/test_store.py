"""The address step through the database, on SQLite and PostgreSQL."""

from __future__ import annotations

import csv
import json

import sqlalchemy as sa
from sqlmodel import select

from notifier import db
from notifier.addresses.check import ZipDatabaseVerifier
from notifier.addresses.spreadsheet import export_review, fixes_from_file
from notifier.addresses.store import Fix, address_status_counts, apply_fix, review_queue, verify_notices
from notifier.intake.importer import import_file
from notifier.models import Address, AddressChange, AuditEvent, Notice
from tests.helpers import row, write_csv

VERIFIER = ZipDatabaseVerifier()


def people(tmp_path, name="a.csv", **overrides_by_person):
    """One decision per person P-<key>, with address overrides."""
    rows = [row(decision_id=f"D-{key}", person_id=f"P-{key}", **fields) for key, fields in overrides_by_person.items()]
    return write_csv(tmp_path / name, rows)


def addresses(url) -> dict[str, Address]:
    with db.session_for(url) as session:
        found = session.exec(select(Notice.person_id, Address).join(Address, Address.notice_id == Notice.id)).all()
    return {person: address for person, address in found}


def test_verify_stores_raw_beside_standardized_and_is_idempotent(db_url, tmp_path):
    with db.session_for(db_url) as session:
        import_file(session, people(
            tmp_path,
            ok={"address_line1": "1234 W. 63rd St.", "address_line2": "Apt 2", "city": "chicago", "state": "Illinois", "zip": "60636"},
            typo={"city": "Chicgo"},
            wrong={"city": "Evanston"},
            none={"address_line1": "", "address_line2": "", "city": "", "state": "", "zip": ""},
        ))
        assert address_status_counts(session) == {"raw": 4}
        assert verify_notices(session, VERIFIER) == {"verified": 1, "corrected": 1, "needs_review": 1, "undeliverable": 1}
    found = addresses(db_url)
    ok = found["P-ok"]
    assert (ok.raw_line1, ok.raw_line2, ok.raw_city, ok.line1, ok.city, ok.state, ok.zip5) == (
        "1234 W. 63rd St.", "Apt 2", "chicago", "1234 W 63RD ST APT 2", "CHICAGO", "IL", "60636",
    )
    assert found["P-wrong"].suggestion == {"city": "CHICAGO"}
    assert [r["code"] for r in found["P-none"].reasons] == ["empty_address"]

    with db.session_for(db_url) as session:
        assert verify_notices(session, VERIFIER) == {}
        assert address_status_counts(session) == {"verified": 1, "corrected": 1, "needs_review": 1, "undeliverable": 1}
        assert [item.notice_id for item in review_queue(session)] == sorted(a.notice_id for k, a in found.items() if k in ("P-wrong", "P-none"))


def test_a_newer_imported_address_is_checked_again_but_a_staff_fix_is_kept(db_url, tmp_path):
    with db.session_for(db_url) as session:
        import_file(session, people(tmp_path, a={"city": "Evanston"}, b={"city": "Evanston"}))
        verify_notices(session, VERIFIER)
        notice_b = session.exec(select(Notice).where(Notice.person_id == "P-b")).one()
        apply_fix(session, Fix(notice_id=notice_b.id, changes={"city": "Chicago"}), VERIFIER, actor="clerk1")
        session.commit()

    later = [row(decision_id=f"D-{k}2", person_id=f"P-{k}", decision_date="2022-01-01", address_line1="9 Elm St", city="Cicero", zip="60804") for k in "ab"]
    with db.session_for(db_url) as session:
        import_file(session, write_csv(tmp_path / "later.csv", later))
        assert verify_notices(session, VERIFIER) == {"verified": 1}
    found = addresses(db_url)
    assert (found["P-a"].line1, found["P-a"].city, found["P-a"].source) == ("9 ELM ST", "CICERO", "import")
    assert (found["P-b"].line1, found["P-b"].city, found["P-b"].source, found["P-b"].status) == ("1234 W 63RD ST", "CHICAGO", "staff", "verified")


def test_fix_accepting_the_suggestion_and_giving_up_are_audited(db_url, tmp_path):
    with db.session_for(db_url) as session:
        import_file(session, people(tmp_path, a={"city": "Evanston"}, b={"address_line1": "Homeless"}))
        verify_notices(session, VERIFIER)
        a, b = (item.notice_id for item in review_queue(session))
        fixed = apply_fix(session, Fix(notice_id=a, accept_suggestion=True), VERIFIER, actor="clerk1")
        assert (fixed.status, fixed.city, fixed.raw_city) == ("verified", "CHICAGO", "CHICAGO")
        given_up = apply_fix(session, Fix(notice_id=b, undeliverable="returned twice, no new address"), VERIFIER, actor="clerk2")
        assert (given_up.status, given_up.reasons[0]["code"]) == ("undeliverable", "staff_undeliverable")
        session.commit()
        events = session.exec(select(AuditEvent).where(AuditEvent.action.startswith("address.")).order_by(AuditEvent.id)).all()
        changes = session.exec(select(AddressChange).order_by(AddressChange.id)).all()
    assert [(e.actor, e.action, e.subject_id) for e in events] == [("clerk1", "address.fix", a), ("clerk2", "address.undeliverable", b)]
    # the trail names the fields a clerk changed; the addresses themselves are kept apart, where the purge erases them
    assert "city" in events[0].details["fields"] and events[0].details["change"] == changes[0].id
    assert "Evanston" not in json.dumps([e.details for e in events]).title() and "Chicago" not in json.dumps([e.details for e in events]).title()
    assert (changes[0].notice_id, changes[0].before["city"], changes[0].after["city"]) == (a, "Evanston", "CHICAGO")
    with db.session_for(db_url) as session:
        assert [item.notice_id for item in review_queue(session)] == [b]


def test_review_spreadsheet_round_trip_reports_every_row(db_url, tmp_path):
    export = tmp_path / "review.csv"
    with db.session_for(db_url) as session:
        import_file(session, people(tmp_path, a={"city": "Evanston"}, b={"city": "Evanston"}, c={"zip": "", "city": "Chicago"}, d={"address_line1": "=1+1"}))
        verify_notices(session, VERIFIER)
        assert export_review(session, export).count == 4
    with export.open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    assert list(rows[0])[:3] == ["notice_id", "person_id", "status"]
    assert next(r for r in rows if r["person_id"] == "P-d")["line1"] == "'=1+1"  # a spreadsheet must not run it
    edits = {"P-a": {"city": "Chicago"}, "P-b": {"accept_suggestion": "Y"}, "P-c": {"zip": "60636"}}
    for item in rows:
        item.update(edits.get(item["person_id"], {}))
    rows += [{"notice_id": "999999", "accept_suggestion": "Y"}, {"notice_id": "abc"}]
    with export.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)

    with db.session_for(db_url) as session:
        report = fixes_from_file(session, export, VERIFIER, actor="clerk")
    assert (report.read, report.fixed, report.unchanged) == (6, 3, 1)
    assert [(e["line"], e["message"]) for e in report.errors] == [(6, "no notice with id 999999"), (7, "notice_id 'abc' is not a number")]
    found = addresses(db_url)
    assert {k: found[k].status for k in ("P-a", "P-b", "P-c", "P-d")} == {"P-a": "verified", "P-b": "verified", "P-c": "verified", "P-d": "needs_review"}
    with db.session_for(db_url) as session:
        assert session.scalar(sa.select(sa.func.count()).select_from(AuditEvent).where(AuditEvent.action.startswith("address."))) == 3
