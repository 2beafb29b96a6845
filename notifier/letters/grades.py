"""How staff's templates read: their problems, and the reading grade of the English letters.

Above the renderer: a grade is scored on a letter as printed, drawn from the sample data.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from notifier.letters.renderer import Renderer
from notifier.letters.samples import sample_letter
from notifier.letters.templates import TEMPLATES_DIR, VARIANTS, TemplateProblem, check_templates
from notifier.settings import Settings

GRADE_LIMIT = 8.0  # plain language: a letter above this reading grade should be simplified


def reading_grades(settings: Settings, root: Path = TEMPLATES_DIR) -> dict[str, float]:
    """Flesch-Kincaid grade of each English variant, rendered with the sample letter."""
    import textstat  # a tenth of a second to import, and only this check needs it

    renderer = Renderer.from_settings(settings)
    grades = {}
    for variant in VARIANTS:
        letter = sample_letter("en", variant)
        content = renderer.content(1, letter.notice, letter.decisions, letter.address)
        body = "\n".join(block.text.replace("**", "") for block in content.blocks if block.kind != "bullet")
        grades[f"{root / 'en' / (variant + '.j2')}"] = float(textstat.flesch_kincaid_grade(body))
    return grades


@dataclass(frozen=True)
class TemplateReport:
    problems: list[TemplateProblem]
    reading_grades: dict[str, float]

    @property
    def ok(self) -> bool:
        return not self.problems

    @property
    def too_hard(self) -> list[str]:
        """The templates whose letter reads above GRADE_LIMIT."""
        return [name for name, grade in self.reading_grades.items() if grade > GRADE_LIMIT]

    def as_dict(self) -> dict:
        return {"problems": [str(p) for p in self.problems], "reading_grades": self.reading_grades, "ok": self.ok}


def template_report(settings: Settings) -> TemplateReport:
    """The problems of every language the office writes in, and the English reading grades."""
    return TemplateReport(check_templates(settings.office().letter_languages), reading_grades(settings))
