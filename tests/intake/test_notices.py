"""The pure rule that joins a person's decisions into one notice."""

from datetime import date

from notifier.intake import notices
from tests.helpers import row


def decision(**changes):
    values = row(**changes)
    values["decision_date"] = date.fromisoformat(values["decision_date"])
    return values


def test_latest_decision_gives_name_and_address_and_disagreement_is_reported():
    snapshot = notices.start(decision(decision_id="D-1", decision_date="2021-01-15"))
    snapshot, differing = notices.join(snapshot, decision(decision_id="D-2", decision_date="2021-03-01", last_name="Nunez", address_line1="9 Elm St"))
    assert differing == ["last_name", "address_line1"]
    assert (snapshot["last_name"], snapshot["address_line1"], snapshot["source_decision_id"]) == ("Nunez", "9 Elm St", "D-2")


def test_an_older_decision_does_not_win():
    snapshot = notices.start(decision(decision_id="D-2", decision_date="2021-03-01"))
    snapshot, differing = notices.join(snapshot, decision(decision_id="D-1", decision_date="2021-01-15", address_line1="9 Elm St"))
    assert differing == ["address_line1"]
    assert snapshot["address_line1"] == "1234 W 63rd St" and snapshot["source_decision_id"] == "D-2"


def test_case_and_spacing_are_not_disagreements():
    snapshot = notices.start(decision())
    _, differing = notices.join(snapshot, decision(decision_id="D-2", city="CHICAGO", address_line1="1234  w 63rd st"))
    assert differing == []


def test_a_newer_decision_without_address_keeps_the_known_address():
    snapshot = notices.start(decision(decision_date="2021-01-15"))
    empty = dict.fromkeys(("address_line1", "address_line2", "city", "state", "zip"), "")
    snapshot, differing = notices.join(snapshot, decision(decision_id="D-2", decision_date="2021-06-01", **empty))
    assert differing == [] and snapshot["address_line1"] == "1234 W 63rd St"
    # an address dated between the two still beats the older address
    snapshot, _ = notices.join(snapshot, decision(decision_id="D-3", decision_date="2021-03-01", address_line1="9 Elm St"))
    assert snapshot["address_line1"] == "9 Elm St" and snapshot["source_decision_id"] == "D-2"
