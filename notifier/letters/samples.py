"""Made-up letters (letter_templates/sample.toml) for staff editing templates and for the grade check."""

from __future__ import annotations

from notifier.errors import InvalidInputError
from notifier.letters.compose import DECISION_FIELDS, LetterData
from notifier.letters.templates import TEMPLATES_DIR, VARIANTS
from notifier.settings import load_toml


def sample_letter(language: str, variant: str) -> LetterData:
    """The sample person's letter of one variant (letter_templates/sample.toml), for editing templates and grading them."""
    if variant not in VARIANTS:
        raise InvalidInputError(f"no letter variant '{variant}'", todo=f"use one of: {', '.join(VARIANTS)}")
    data = load_toml(TEMPLATES_DIR / "sample.toml")
    cases = [{k: case.get(k, "") for k in DECISION_FIELDS} for case in data["cases"]]
    for number, case in enumerate(cases, start=1):
        case["decision_id"] = f"SAMPLE-{number}"
    if variant == "all_granted":
        cases = [c for c in cases if c["outcome"] != "not_granted"]
    elif variant == "none_granted":
        cases = [c for c in cases if c["outcome"] == "not_granted"]
    notice = {"person_id": "SAMPLE", **data["person"], "language": language}
    return LetterData(notice, cases, data["address"])
