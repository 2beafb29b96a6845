"""`notifier audit` reads the trail back: oldest first, filtered, one JSON object per line, no personal values."""

from __future__ import annotations

import json

from tests.helpers import GOOD, row, write_csv

PERSONAL = ("first_name", "last_name", "address_line1", "date_of_birth", "case_number")


def test_audit_lists_who_did_what_with_filters(cli, db_url, tmp_path):
    from notifier import db
    from notifier.accounts.store import add_user

    cli("import", write_csv(tmp_path / "d.csv", [row()]))
    cli("addresses", "verify")
    cli("addresses", "fix", "1", "--line2", "Apt 2", "--by", "clerk")
    cli("quarantine", "list")
    cli("addresses", "review", "--export", str(tmp_path / "review.csv"))
    with db.session_for(db_url) as session:
        add_user(session, "ada", "admin", "correct horse battery", actor="boss")
    trail = cli("audit", "--json").stdout
    events = [json.loads(line) for line in trail.splitlines()]
    assert [e["action"] for e in events] == ["import.decisions", "address.fix", "view.quarantine.list", "view.addresses.review_export", "user.add"]
    assert (events[1]["actor"], events[4]["actor"]) == ("clerk", "boss")
    assert set(events[0]) == {"id", "at", "actor", "action", "subject", "subject_id", "details"}
    assert (events[0]["subject"], events[0]["details"]["read"], events[0]["details"]["imported"]) == ("import_run", 1, 1)
    assert events[1]["details"]["fields"] == ["line2"] and events[3]["details"]["rows"] == 0
    for name in PERSONAL:  # ids and counts only: the row's own values never reach the trail
        assert GOOD[name] not in trail and GOOD[name].upper() not in trail, name
    assert [e["action"] for e in map(json.loads, cli("audit", "--actor", "boss", "--json").stdout.splitlines())] == ["user.add"]
    assert [e["action"] for e in map(json.loads, cli("audit", "--action", "user.", "--json").stdout.splitlines())] == ["user.add"]
    assert cli("audit", "--since", "2999-01-01").stdout.strip() == "no audit events"
    assert "correct horse battery" not in cli("audit").stdout
    bad = cli("audit", "--since", "yesterday", ok=False)
    assert bad.exit_code == 1 and "--since" in bad.stderr
