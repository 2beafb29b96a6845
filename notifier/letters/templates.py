"""Letter templates in letter_templates/<lang>/, edited by office staff: loading, rendering, checking.

A template is Jinja2 producing plain text with four marks: a blank line between
paragraphs, `## ` for a heading, `- ` for a bullet and `**bold**`. Values are inserted as
plain text and escaped by the layout, so a name such as O'Brien <& Sons> prints as written.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import jinja2
from jinja2 import meta

from notifier.errors import ConfigError
from notifier.letters.layout import Block
from notifier.settings import REPO_ROOT, load_toml

TEMPLATES_DIR = REPO_ROOT / "letter_templates"
VARIANTS = ("all_granted", "none_granted", "mixed")
VARIABLES = frozenset({"person", "letter_id", "letter_date", "office", "help_line", "granted", "not_granted", "variant", "language"})
REQUIRED_STRINGS = ("letter_id", "page", "outcome_expunged", "outcome_vacated", "outcome_vacated_and_expunged", "outcome_sealed", "outcome_not_granted")
MONTHS = {
    "en": ["January", "February", "March", "April", "May", "June", "July", "August", "September", "October", "November", "December"],
    "es": ["enero", "febrero", "marzo", "abril", "mayo", "junio", "julio", "agosto", "septiembre", "octubre", "noviembre", "diciembre"],
}


def variant_for(outcomes: list[str]) -> str:
    granted = [o != "not_granted" for o in outcomes]
    return "all_granted" if all(granted) else "none_granted" if not any(granted) else "mixed"


def format_date(value, language: str) -> str:
    if value is None:
        return ""
    months = MONTHS.get(language, MONTHS["en"])
    if language == "es":
        return f"{value.day} de {months[value.month - 1]} de {value.year}"
    return f"{months[value.month - 1]} {value.day}, {value.year}"


@dataclass(frozen=True)
class TemplateSet:
    """One language's templates, reason paragraphs and printed labels."""

    language: str
    environment: jinja2.Environment
    reasons: dict[str, str]
    strings: dict[str, str]
    version: str  # hash of the files: a changed template makes letters render again

    def render(self, variant: str, context: dict) -> list[Block]:
        text = self.environment.get_template(f"{variant}.j2").render(**context)
        return to_blocks(text)


def to_blocks(text: str) -> list[Block]:
    blocks: list[Block] = []
    for chunk in re.split(r"\n\s*\n", text.strip()):
        lines = [line.rstrip() for line in chunk.strip().splitlines() if line.strip()]
        if not lines:
            continue
        if all(line.lstrip().startswith("- ") for line in lines):
            blocks.extend(Block("bullet", line.lstrip()[2:]) for line in lines)
        elif lines[0].startswith("## "):
            blocks.append(Block("heading", lines[0][3:]))
            if lines[1:]:
                blocks.append(Block("para", " ".join(lines[1:])))
        else:
            blocks.append(Block("para", " ".join(lines)))
    return blocks


@cache
def template_set(language: str, root: Path = TEMPLATES_DIR) -> TemplateSet:
    folder = root / language
    if not folder.is_dir():
        raise ConfigError(f"no templates for language '{language}'", where=str(folder), todo="copy letter_templates/en and translate it")
    environment = jinja2.Environment(
        loader=jinja2.FileSystemLoader(str(folder)),
        undefined=jinja2.StrictUndefined,
        autoescape=False,  # plain text; the layout escapes for the PDF
        keep_trailing_newline=True,
    )
    digest = hashlib.sha256()
    for path in sorted(folder.iterdir()):
        digest.update(path.name.encode() + path.read_bytes())
    return TemplateSet(
        language=language,
        environment=environment,
        reasons=load_toml(folder / "reasons.toml").get("reasons", {}),
        strings=load_toml(folder / "strings.toml").get("strings", {}),
        version=digest.hexdigest()[:16],
    )


def fallback_sentence(language: str, phone: str, root: Path = TEMPLATES_DIR) -> str:
    """"Call us for this letter in your language", in that language, or '' when there is none."""
    table = load_toml(root / "fallback.toml").get("call_us", {})
    return table.get(language, "").replace("{phone}", phone)


@dataclass(frozen=True)
class TemplateProblem:
    path: str
    line: int
    message: str
    warning: bool = False

    def __str__(self) -> str:
        kind = "warning" if self.warning else "error"
        return f"{self.path}:{self.line}: {kind}: {self.message}"


def check_templates(languages: list[str], root: Path = TEMPLATES_DIR) -> list[TemplateProblem]:
    """Unknown variables, syntax errors, missing variants, languages, strings and reasons."""
    problems: list[TemplateProblem] = []
    for language in languages:
        folder = root / language
        if not folder.is_dir():
            problems.append(TemplateProblem(str(folder), 0, f"language '{language}' has no templates"))
            continue
        environment = jinja2.Environment()
        for variant in VARIANTS:
            path = folder / f"{variant}.j2"
            if not path.exists():
                problems.append(TemplateProblem(str(path), 0, f"variant '{variant}' is missing"))
                continue
            source = path.read_text(encoding="utf-8")
            try:
                parsed = environment.parse(source)
            except jinja2.TemplateSyntaxError as exc:
                problems.append(TemplateProblem(str(path), exc.lineno or 0, f"syntax error: {exc.message}"))
                continue
            for name in sorted(meta.find_undeclared_variables(parsed) - VARIABLES):
                line = next((n for n, text in enumerate(source.splitlines(), 1) if re.search(rf"\b{re.escape(name)}\b", text)), 0)
                problems.append(TemplateProblem(str(path), line, f"unknown variable '{name}'; known: {', '.join(sorted(VARIABLES))}"))
        for name, keys in (("strings.toml", REQUIRED_STRINGS), ("reasons.toml", ("default",))):
            path = folder / name
            try:
                table = load_toml(path).get(name.split(".")[0], {})
            except ConfigError as exc:
                problems.append(TemplateProblem(str(path), 0, exc.what))
                continue
            problems.extend(TemplateProblem(str(path), 0, f"missing entry '{key}'") for key in keys if key not in table)
    return problems

