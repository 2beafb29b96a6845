"""`notifier audit` reads the trail back: oldest first, filtered, one JSON object per line, no personal values."""

from __future__ import annotations

import json

from tests.helpers import row, write_csv


def test_audit_lists_who_did_what_with_filters(cli, db_url, tmp_path):
    from notifier import db
    from notifier.accounts.store import add_user

    cli("import", write_csv(tmp_path / "d.csv", [row()]))
    cli("addresses", "verify")
    cli("addresses", "fix", "1", "--city", "Chicago", "--by", "clerk")
    with db.session_for(db_url) as session:
        add_user(session, "ada", "admin", "correct horse battery", actor="boss")
    events = [json.loads(line) for line in cli("audit", "--json").stdout.splitlines()]
    assert [e["action"] for e in events] == ["address.fix", "user.add"] and [e["actor"] for e in events] == ["clerk", "boss"]
    assert set(events[0]) == {"id", "at", "actor", "action", "subject", "subject_id", "details"}
    assert [e["action"] for e in map(json.loads, cli("audit", "--actor", "boss", "--json").stdout.splitlines())] == ["user.add"]
    assert [e["action"] for e in map(json.loads, cli("audit", "--action", "user.", "--json").stdout.splitlines())] == ["user.add"]
    assert cli("audit", "--since", "2999-01-01").stdout.strip() == "no audit events"
    assert "correct horse battery" not in cli("audit").stdout
    bad = cli("audit", "--since", "yesterday", ok=False)
    assert bad.exit_code == 1 and "--since" in bad.stderr
