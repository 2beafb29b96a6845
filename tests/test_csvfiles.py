"""CSV files staff open in spreadsheets never run a formula."""

import csv

import pytest

from notifier.csvfiles import safe_cell, write_csv


@pytest.mark.parametrize("text", ["=1+1", "+SUM(A1)", "-2+3", "@cmd", "\tx", "\rx"])
def test_formula_cells_are_neutralised(text):
    assert safe_cell(text) == "'" + text


def test_plain_cells_are_untouched():
    assert [safe_cell(v) for v in ("Núñez", "60636", 12, None, "a=b")] == ["Núñez", "60636", "12", "", "a=b"]


def test_write_is_atomic_and_readable(tmp_path):
    path = tmp_path / "out" / "x.csv"
    assert write_csv(path, ["a", "b"], [["=x", 1], ["y", 2]]) == 2
    with path.open(encoding="utf-8", newline="") as handle:
        assert list(csv.reader(handle)) == [["a", "b"], ["'=x", "1"], ["y", "2"]]
    assert [p.name for p in path.parent.iterdir()] == ["x.csv"]
