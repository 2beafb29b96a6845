"""From letter data to PDF: the office, templates and envelope a render needs, and safe PDF files.

No storage here: `store` loads the rows and records what was drawn; a proof, a sample and a
print file all draw through the same `Renderer`.
"""

from __future__ import annotations

import os
import tempfile
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from reportlab.pdfgen.canvas import Canvas

from notifier.letters.checks import CheckFailure, check_letter
from notifier.letters.compose import BarcodeConfig, LetterData, compose
from notifier.letters.geometry import Geometry, load_geometry
from notifier.letters.layout import LetterContent, draw_letter
from notifier.letters.templates import TemplateSet, template_set
from notifier.settings import OfficeProfile, Settings, load_toml


@dataclass
class Renderer:
    """Everything rendering needs besides the rows: office, templates, envelope, barcode ids."""

    settings: Settings
    office: OfficeProfile
    geometry: Geometry
    barcode: BarcodeConfig
    languages: tuple[str, ...]
    today: date

    @classmethod
    def from_settings(cls, settings: Settings, today: date | None = None) -> "Renderer":
        imb = load_toml(settings.config_dir / "imb.toml")
        office = settings.office()
        return cls(
            settings=settings,
            office=office,
            geometry=load_geometry(settings.config_dir),
            barcode=BarcodeConfig(imb["barcode_id"], imb["service_type"], imb["mailer_id"]),
            languages=tuple(office.letter_languages),
            today=today or date.today(),
        )

    @property
    def letters_dir(self) -> Path:
        """Where rendered letters go: files of many letters each, by letter number."""
        return letters_dir(self.settings)

    def templates_for(self, language: str) -> TemplateSet:
        return template_set(language if language in self.languages else "en")

    def content(self, number: int, notice: dict, decisions: list[dict], address: dict) -> LetterContent:
        return compose(
            letter_number=number,
            notice=notice,
            decisions=decisions,
            address=address,
            office=self.office,
            templates=self.templates_for(notice["language"]),
            barcode=self.barcode,
            today=self.today,
            requested_language=notice["language"],
        )


def letters_dir(settings: Settings) -> Path:
    """Where rendered letters go (under NOTIFIER_OUTPUT_DIR)."""
    return settings.output_dir / "letters"


class atomic_pdf:
    """A canvas writing to a temporary file beside `path`, renamed into place when done."""

    def __init__(self, path: Path):
        self.path = path

    def __enter__(self) -> Canvas:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        handle, self.temp = tempfile.mkstemp(dir=self.path.parent, prefix=f".{self.path.name}.", suffix=".tmp")
        os.close(handle)
        self.canvas = Canvas(self.temp, invariant=1, pageCompression=1)
        return self.canvas

    def __exit__(self, kind, value, traceback) -> None:
        if kind is None:
            self.canvas.save()
            os.chmod(self.temp, 0o644)
            os.replace(self.temp, self.path)
        else:
            Path(self.temp).unlink(missing_ok=True)


@dataclass(frozen=True)
class SingleLetter:
    """One letter drawn to a file of its own (a proof or a sample), and the print checks it failed."""

    path: Path
    pages: int
    failures: list[CheckFailure]

    def as_dict(self) -> dict:
        return {"path": str(self.path), "pages": self.pages, "checks": [f.as_dict() for f in self.failures]}


def write_single_letter(renderer: Renderer, number: int, letter: LetterData, out: Path) -> SingleLetter:
    """Draws letter `number` to `out` and runs the print checks on it; changes nothing stored."""
    content = renderer.content(number, letter.notice, letter.decisions, letter.address)
    with atomic_pdf(out) as canvas:
        drawn = draw_letter(canvas, content, renderer.geometry)
    return SingleLetter(out, drawn.pages, check_letter(content, drawn, renderer.geometry))
