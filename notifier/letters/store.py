"""The storage edge of the letters step: which notices need a letter, rendering them in bulk.

A notice gets a letter when its address is mailable (verified or corrected). Rendering
draws many letters into one PDF per chunk (fonts embedded once per file: the fast path),
runs the print checks, and stores pages, sheets and the content hash. A letter whose
notice changed since (a decision joined, the address was fixed, a template was edited) is
superseded, never mailed, and a new one is rendered with the same attempt number.
"""

from __future__ import annotations

import os
import tempfile
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Callable

import sqlalchemy as sa
from reportlab.pdfgen.canvas import Canvas
from sqlmodel import Session, select

from notifier.addresses.check import MAILABLE
from notifier.db import session_for
from notifier.letters.checks import check_letter
from notifier.letters.compose import BarcodeConfig, compose, content_hash
from notifier.letters.geometry import Geometry, load_geometry, weight_oz
from notifier.letters.layout import LetterContent, draw_letter
from notifier.letters.templates import TemplateSet, template_set
from notifier.models import Address, Decision, Letter, LetterState, Notice, NoticeStatus, utcnow
from notifier.settings import Settings, load_toml

OPEN_LETTER_STATES = (LetterState.PENDING, LetterState.RENDERED, LetterState.FAILED)
NOTICE_FIELDS = ("person_id", "first_name", "middle_name", "last_name", "suffix", "language")
DECISION_FIELDS = ("decision_id", "case_number", "offense", "statute", "court", "outcome", "not_granted_reason", "disposition_date", "decision_date")
ADDRESS_FIELDS = ("line1", "line2", "city", "state", "zip5", "zip4")


@dataclass
class Renderer:
    """Everything rendering needs besides the rows: office, templates, envelope, barcode ids."""

    settings: Settings
    geometry: Geometry
    barcode: BarcodeConfig
    languages: tuple[str, ...]
    today: date

    @classmethod
    def from_settings(cls, settings: Settings, today: date | None = None) -> "Renderer":
        imb = load_toml(settings.config_dir / "imb.toml")
        return cls(
            settings=settings,
            geometry=load_geometry(settings.config_dir),
            barcode=BarcodeConfig(imb["barcode_id"], imb["service_type"], imb["mailer_id"]),
            languages=tuple(settings.office().letter_languages),
            today=today or date.today(),
        )

    def templates_for(self, language: str) -> TemplateSet:
        return template_set(language if language in self.languages else "en")

    def content(self, number: int, notice: dict, decisions: list[dict], address: dict) -> LetterContent:
        return compose(
            letter_number=number,
            notice=notice,
            decisions=decisions,
            address=address,
            office=self.settings.office(),
            templates=self.templates_for(notice["language"]),
            barcode=self.barcode,
            today=self.today,
            requested_language=notice["language"],
        )


@dataclass
class Work:
    """One notice to render: its rows as plain values, and the letter it replaces, if any."""

    notice_id: int
    notice: dict
    decisions: list[dict]
    address: dict
    digest: str
    replaces: Letter | None


def _mailable_notices(session: Session, after_id: int, limit: int) -> list[int]:
    query = (
        select(Notice.id)
        .join(Address, Address.notice_id == Notice.id)
        .where(Notice.status == NoticeStatus.OPEN, Address.status.in_(MAILABLE), Notice.id > after_id)
        .order_by(Notice.id)
        .limit(limit)
    )
    return list(session.scalars(query))


def _work_for(session: Session, notice_ids: list[int], renderer: Renderer) -> list[Work]:
    notices = {n.id: n for n in session.exec(select(Notice).where(Notice.id.in_(notice_ids)))}
    addresses = {a.notice_id: a for a in session.exec(select(Address).where(Address.notice_id.in_(notice_ids)))}
    decisions: dict[int, list[dict]] = {}
    for d in session.exec(select(Decision).where(Decision.notice_id.in_(notice_ids)).order_by(Decision.id)):
        decisions.setdefault(d.notice_id, []).append({k: getattr(d, k) for k in DECISION_FIELDS})
    current = {
        letter.notice_id: letter
        for letter in session.exec(select(Letter).where(Letter.notice_id.in_(notice_ids), Letter.state != LetterState.SUPERSEDED))
    }
    work = []
    for notice_id in notice_ids:
        notice = {k: getattr(notices[notice_id], k) for k in NOTICE_FIELDS}
        address = {k: getattr(addresses[notice_id], k) for k in ADDRESS_FIELDS}
        version = renderer.templates_for(notice["language"]).version
        digest = content_hash(notice, decisions[notice_id], address, version)
        letter = current.get(notice_id)
        if letter is not None and (letter.state not in OPEN_LETTER_STATES or letter.content_hash == digest):
            continue  # already rendered from the same content, or already on its way
        work.append(Work(notice_id, notice, decisions[notice_id], address, digest, letter))
    return work


def count_to_render(url: str, renderer: Renderer) -> int:
    total, after = 0, 0
    with session_for(url) as session:
        while ids := _mailable_notices(session, after, 2000):
            total += len(_work_for(session, ids, renderer))
            after = ids[-1]
    return total


def render_letters(url: str, renderer: Renderer, *, chunk: int = 500, on_progress: Callable[[int], None] | None = None) -> dict[str, int]:
    """Renders every letter that is due; returns counts by resulting state."""
    counts: dict[str, int] = {}
    after = 0
    while True:
        with session_for(url) as session:
            ids = _mailable_notices(session, after, chunk)
            if not ids:
                return counts
            after = ids[-1]
            work = _work_for(session, ids, renderer)
            if work:
                for state, n in _render_chunk(session, work, renderer).items():
                    counts[state] = counts.get(state, 0) + n
                session.commit()
        if on_progress and work:
            on_progress(len(work))


def _render_chunk(session: Session, work: list[Work], renderer: Renderer) -> dict[str, int]:
    now = utcnow()
    letters = []
    for item in work:
        attempt = 1
        if item.replaces is not None:
            item.replaces.state = LetterState.SUPERSEDED
            attempt = item.replaces.attempt
            session.add(item.replaces)
            session.flush()  # the partial unique index allows one current letter per attempt
        letter = Letter(notice_id=item.notice_id, attempt=attempt, created_at=now, checks=[])
        session.add(letter)
        letters.append(letter)
    session.flush()
    folder = renderer.settings.output_dir / "letters"
    path = folder / f"letters-{letters[0].id:09d}-{letters[-1].id:09d}.pdf"
    counts: dict[str, int] = {}
    with atomic_pdf(path) as canvas:
        for letter, item in zip(letters, work):
            content = renderer.content(letter.id, item.notice, item.decisions, item.address)
            drawn = draw_letter(canvas, content, renderer.geometry)
            failures = check_letter(content, drawn, renderer.geometry)
            letter.pages = drawn.pages
            letter.sheets = (drawn.pages + 1) // 2 if renderer.geometry.duplex else drawn.pages
            letter.weight_hundredths_oz = int(weight_oz(letter.sheets, renderer.geometry) * 100)
            letter.language = renderer.templates_for(item.notice["language"]).language
            letter.variant = content.variant
            letter.content_hash = item.digest
            letter.checks = [f.as_dict() for f in failures]
            letter.state = LetterState.FAILED if failures else LetterState.RENDERED
            letter.render_file = str(path)
            letter.rendered_at = now
            session.add(letter)
            counts[letter.state] = counts.get(letter.state, 0) + 1
    return counts


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
            os.replace(self.temp, self.path)
        else:
            Path(self.temp).unlink(missing_ok=True)


def letter_rows(url: str, *, limit: int | None = None) -> list[tuple[Letter, str]]:
    query = select(Letter, Notice.person_id).join(Notice, Notice.id == Letter.notice_id).order_by(Letter.id)
    if limit:
        query = query.limit(limit)
    with session_for(url) as session:
        return list(session.exec(query).all())


def current_notice_work(url: str, person_id: str, renderer: Renderer) -> tuple[int, Work]:
    """A person's open notice as render work, and the letter number to print (its current letter's, or 0)."""
    from notifier.errors import NotFoundError, NotifierError

    with session_for(url) as session:
        notice = session.exec(select(Notice).where(Notice.person_id == person_id, Notice.status == NoticeStatus.OPEN)).first()
        if notice is None:
            raise NotFoundError(f"person {person_id} has no open notice", todo="check the person_id (the source system's id)")
        address = session.exec(select(Address).where(Address.notice_id == notice.id)).first()
        if address is None or address.status not in MAILABLE:
            raise NotifierError(f"the address of person {person_id} is not verified", todo="run `notifier addresses verify` or fix it in `notifier addresses review`")
        decisions = [{k: getattr(d, k) for k in DECISION_FIELDS} for d in session.exec(select(Decision).where(Decision.notice_id == notice.id).order_by(Decision.id))]
        letter = session.exec(select(Letter).where(Letter.notice_id == notice.id, Letter.state != LetterState.SUPERSEDED)).first()
        work = Work(notice.id, {k: getattr(notice, k) for k in NOTICE_FIELDS}, decisions, {k: getattr(address, k) for k in ADDRESS_FIELDS}, "", None)
        return (letter.id if letter else 0), work


def letter_counts(url: str) -> dict[str, int]:
    with session_for(url) as session:
        return dict(session.execute(select(Letter.state, sa.func.count()).group_by(Letter.state)).all())
