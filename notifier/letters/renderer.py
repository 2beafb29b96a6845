"""From letter data to PDF: the office, templates and envelope a render needs, and safe PDF files.

No storage here: `store` loads the rows and records what was drawn; a proof, a sample and a
print file all draw through the same `Renderer`.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from pathlib import Path

from notifier.letters.checks import CheckFailure, check_letter
from notifier.letters.compose import BarcodeConfig, LetterData, compose
from notifier.letters.endorsement import Endorsement, endorsement_from
from notifier.letters.geometry import Geometry, load_geometry
from notifier.letters.layout import LAYOUT_VERSION, LetterContent, draw_letter
from notifier.letters.pdf import atomic_pdf
from notifier.letters.readback import Expected, PrintProblem, check_letters_file
from notifier.letters.templates import TemplateSet, template_set
from notifier.settings import OfficeProfile, Settings, load_toml


@dataclass
class Renderer:
    """Everything rendering needs besides the rows: office, templates, envelope, barcode ids, endorsement."""

    settings: Settings
    office: OfficeProfile
    geometry: Geometry
    barcode: BarcodeConfig
    languages: tuple[str, ...]
    today: date
    endorsement: Endorsement = Endorsement()

    @classmethod
    def from_settings(cls, settings: Settings, today: date | None = None) -> "Renderer":
        imb_path = settings.config_dir / "imb.toml"
        imb = load_toml(imb_path)
        office = settings.office()
        geometry = load_geometry(settings.config_dir)
        return cls(
            settings=settings,
            office=office,
            geometry=geometry,
            barcode=BarcodeConfig(imb["barcode_id"], imb["service_type"], imb["mailer_id"]),
            languages=tuple(office.letter_languages),
            today=today or date.today(),
            endorsement=endorsement_from(imb, imb_path, geometry),
        )

    def pdf(self, path: Path, title: str) -> atomic_pdf:
        """A PDF of this office's paper size, written atomically (see letters/pdf.py)."""
        page = self.geometry.page
        return atomic_pdf(path, page_size=(page.width, page.height), title=title, author=self.office.name)

    def version_of(self, language: str) -> str:
        """Everything besides the rows that decides how a letter looks: templates, layout code, paper size, endorsement."""
        page = self.geometry.page
        version = f"{self.templates_for(language).version}/{LAYOUT_VERSION}/{page.width:g}x{page.height:g}"
        return version + (f"/{self.endorsement.in_window}" if self.endorsement.in_window else "")

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
            endorsement=self.endorsement.in_window,
        )


@dataclass(frozen=True)
class SingleLetter:
    """One letter drawn to a file of its own (a proof or a sample): the print checks it failed,
    and what reading the written file back found."""

    path: Path
    pages: int
    failures: list[CheckFailure]
    readback: list[PrintProblem]

    def as_dict(self) -> dict:
        return {"path": str(self.path), "pages": self.pages, "checks": [f.as_dict() for f in self.failures], "readback": [p.as_dict() for p in self.readback]}


def write_single_letter(renderer: Renderer, number: int, letter: LetterData, out: Path, title: str) -> SingleLetter:
    """Draws letter `number` to `out`, runs the print checks on it and reads the file back; changes nothing stored."""
    content = renderer.content(number, letter.notice, letter.decisions, letter.address)
    with renderer.pdf(out, title) as canvas:
        drawn = draw_letter(canvas, content, renderer.geometry)
    read = check_letters_file(out, renderer.geometry, [Expected(content.letter_id, letter.address["zip5"], drawn.pages)], renderer.endorsement.in_window)
    return SingleLetter(out, drawn.pages, check_letter(content, drawn, renderer.geometry), read.problems)
