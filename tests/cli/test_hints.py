"""The command line's half of an error: the exact command for the action that resolves it."""

from __future__ import annotations

import ast
from pathlib import Path

from notifier.cli.hints import COMMANDS, error_line
from notifier.errors import NotFoundError, WrongStateError

PACKAGE = Path(__file__).resolve().parents[2] / "notifier"


def test_the_command_follows_the_words_with_the_ids_filled_in():
    error = WrongStateError("batch 7 is mailed", todo="see the batch's state and files", action="batches.show", batch=7)
    assert error_line(error) == "batch 7 is mailed; see the batch's state and files (`notifier batches show 7`)"
    assert error.code == "wrong_state" and error.as_dict()["batch"] == 7


def test_an_error_without_an_action_is_its_own_text():
    assert error_line(NotFoundError("no run 3", todo="check the id")) == "no run 3; check the id"


def test_a_missing_id_leaves_the_command_as_a_pattern():
    assert error_line(WrongStateError("x", action="batches.cancel")) == "x (`notifier batches cancel {batch}`)"


def actions_used() -> set[str]:
    """Every literal `action=` given to an error anywhere in the package (audit events have actions of their own)."""
    found = set()
    for path in PACKAGE.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            name = getattr(getattr(node, "func", None), "id", "")
            if isinstance(node, ast.Call) and name.endswith("Error"):
                found.update(k.value.value for k in node.keywords if k.arg == "action" and isinstance(k.value, ast.Constant) and isinstance(k.value.value, str))
    return found


def test_every_action_the_package_names_has_a_command():
    used = actions_used()
    assert {"letters.render", "batches.show", "import.encoding"} <= used  # the scan finds them
    assert sorted(used - set(COMMANDS)) == []
