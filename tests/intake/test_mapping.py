"""Mapping files that read real exports: each feature as a pure rule, and load-time errors."""

from __future__ import annotations

import pytest

from notifier.errors import ConfigError, NotFoundError
from notifier.intake.mapping import DECISION, NOT_FINAL, SKIP, Mapping, load_mapping, split_name
from notifier.settings import REPO_ROOT


@pytest.mark.parametrize(
    "text, parts",
    [
        ("SKYWALKER,LUKE S", ("LUKE", "S", "SKYWALKER", "")),
        ("LECTER, HANNIBAL", ("HANNIBAL", "", "LECTER", "")),
        ("GROUCH,OSCAR THE", ("OSCAR", "THE", "GROUCH", "")),
        ("SMITH,JOHN PAUL JR", ("JOHN", "PAUL", "SMITH", "JR")),
        ("SMITH JR,JOHN", ("JOHN", "", "SMITH", "JR")),
        ("DE LA CRUZ,  MARIA   ELENA III", ("MARIA", "ELENA", "DE LA CRUZ", "III")),
        ("Ana Núñez", ("Ana", "", "Núñez", "")),
        ("", None),
    ],
)
def test_a_name_field_splits_in_both_comma_forms_with_suffixes(text, parts):
    split = split_name(text)
    assert (tuple(split[k] for k in ("first_name", "middle_name", "last_name", "suffix")) if split else None) == parts


def mapping(**kwargs) -> Mapping:
    return Mapping(name="test", **kwargs).for_header(["Id", "Cycle", "Count", "Who", "Born", "Finding", "Kind", "Cases"])


def test_empty_tokens_and_padding_become_empty():
    m = mapping(columns={"Born": "date_of_birth", "Who": "last_name"}, empty=frozenset({"NULL"}))
    assert m.apply({"Born": "NULL  ", "Who": "  SMITH  "}).row == {"date_of_birth": "", "last_name": "SMITH"}


def test_dates_per_field_in_their_formats_and_a_clear_problem_otherwise():
    m = mapping(columns={"Born": "date_of_birth"}, dates={"date_of_birth": ("%Y%m%d", "%m/%d/%Y")})
    assert m.apply({"Born": "19600314"}).row["date_of_birth"] == "1960-03-14"
    assert m.apply({"Born": "03/14/1960"}).row["date_of_birth"] == "1960-03-14"
    [problem] = m.apply({"Born": "14.03.1960"}).problems
    assert (problem.field, problem.code) == ("date_of_birth", "bad_date") and "YYYYMMDD or MM/DD/YYYY" in problem.message


def test_a_decision_id_from_several_columns_and_the_first_alternative_the_header_has():
    m = Mapping(id_options=(("Id", "Serial"), ("Id", "Cycle", "Count")))
    assert m.for_header(["Id", "Cycle", "Count"]).apply({"Id": "A1", "Cycle": "19810411", "Count": "3"}).row["decision_id"] == "A1:19810411:3"
    assert m.for_header(["Id", "Serial", "Cycle", "Count"]).apply({"Id": "A1", "Serial": "9"}).row["decision_id"] == "A1:9"
    [problem] = m.for_header(["Id", "Serial"]).apply({"Id": "A1", "Serial": ""}).problems
    assert problem.field == "decision_id" and "Serial is empty" in problem.message


def test_skip_and_not_final_rows_by_header_or_field_blank_included():
    m = mapping(columns={"Finding": "outcome"}, skip={"Finding": frozenset({""}), "Kind": frozenset({"ARREST"})},
                not_final={"outcome": frozenset({"Hand Review"})})
    assert m.apply({"Finding": "", "Kind": "COURT"}).kind == SKIP
    assert m.apply({"Finding": "Dismiss", "Kind": "ARREST"}).kind == SKIP
    waiting = m.apply({"Finding": "Hand Review", "Kind": "COURT"})
    assert (waiting.kind, waiting.reason) == (NOT_FINAL, "outcome is 'Hand Review'")
    assert m.apply({"Finding": "Dismiss", "Kind": "COURT"}).kind == DECISION


def test_fixed_values_fill_only_what_the_file_lacks_and_lists_drop_empty_items():
    m = mapping(columns={"Cases": "case_number"}, fixed={"court": "Cook County", "decision_date": "2026-11-02"}, lists={"case_number": "; "},
                empty=frozenset({"NULL"})).with_fixed(decision_date="2026-11-03")
    row = m.apply({"Cases": "NULL  ; 140192;  140193"}).row
    assert row == {"case_number": "140192; 140193", "court": "Cook County", "decision_date": "2026-11-03"}


def test_a_reason_is_kept_only_where_the_decision_is_not_granted():
    m = mapping(columns={"Finding": "outcome", "Kind": "not_granted_reason"}, values={"outcome": {"Not eligible": "not_granted", "Dismiss": "vacated"}})
    assert m.apply({"Finding": "Not eligible", "Kind": "Occurred after 11/09/2016"}).row["not_granted_reason"] == "Occurred after 11/09/2016"
    assert m.apply({"Finding": "Dismiss", "Kind": "Dismiss all HS 11358 convictions"}).row["not_granted_reason"] == ""


def test_the_shipped_gogen_mapping_loads(tmp_path):
    gogen = load_mapping(REPO_ROOT / "config", "gogen")
    assert gogen.name_column == "PRI_NAME" and gogen.id_options[0] == ("CII_NUMBER", "CNT_ORDER") and not gogen.simple
    assert load_mapping(REPO_ROOT / "config", None).simple


def test_mapping_errors_name_the_file(tmp_path):
    (tmp_path / "mappings").mkdir()
    (tmp_path / "mappings" / "bad.toml").write_text('[dates]\noffense = ["%Y"]\n')
    with pytest.raises(ConfigError, match="not a date field"):
        load_mapping(tmp_path, "bad")
    with pytest.raises(NotFoundError, match="no mapping named 'nope'"):
        load_mapping(tmp_path, "nope")
