"""The template set staff edit: checks, escaping, fallback, reading grade."""

from __future__ import annotations

import shutil

from typer.testing import CliRunner

from notifier.cli.main import app
from notifier.letters.grades import reading_grades
from notifier.letters.templates import TEMPLATES_DIR, check_templates, to_blocks
from notifier.settings import get_settings


def test_shipped_templates_pass_their_check():
    assert check_templates(["en", "es"]) == []


def test_check_names_file_and_line_of_unknown_variables_and_missing_parts(tmp_path):
    root = tmp_path / "letter_templates"
    shutil.copytree(TEMPLATES_DIR, root)
    path = root / "en" / "mixed.j2"
    lines = path.read_text(encoding="utf-8").splitlines()
    lines.insert(4, "Your balance: {{ person.balance }} {{ secret_code }}")
    path.write_text("\n".join(lines), encoding="utf-8")
    (root / "es" / "none_granted.j2").unlink()
    problems = [str(p) for p in check_templates(["en", "es", "pl"], root)]
    assert f"{path}:5: error: unknown variable 'secret_code'" in "\n".join(problems).split("; known")[0]
    assert any("none_granted" in p and "missing" in p for p in problems)
    assert any("language 'pl' has no templates" in p for p in problems)


def test_templates_check_command_prints_grades_and_fails_on_problems():
    result = CliRunner().invoke(app, ["templates", "check", "--json"])
    assert result.exit_code == 0, result.stderr
    assert '"ok": true' in result.stdout


def test_english_templates_read_at_grade_8_or_below():
    grades = reading_grades(get_settings())
    assert len(grades) == 3 and all(0 < grade <= 8 for grade in grades.values()), grades


def test_blocks():
    blocks = to_blocks("## Heading\nSome text\n\n- one\n- two\n\nA **bold** para\nthat wraps")
    assert [(b.kind, b.text) for b in blocks] == [
        ("heading", "Heading"), ("para", "Some text"), ("bullet", "one"), ("bullet", "two"), ("para", "A **bold** para that wraps"),
    ]
