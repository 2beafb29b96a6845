"""The storage edge of the letters step: which notices need a letter, rendering them in bulk.

A notice gets a letter when its address is mailable (verified or corrected). Rendering
draws many letters into one PDF per chunk (fonts embedded once per file: the fast path),
runs the print checks, and stores pages, sheets and the content hash. A letter whose
notice changed since (a decision joined, the address was fixed, a template was edited) is
superseded, never mailed, and a new one is rendered with the same attempt number.
"""

from __future__ import annotations

import multiprocessing
import os
import tempfile
from concurrent.futures import ProcessPoolExecutor, as_completed
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Callable

import sqlalchemy as sa
from reportlab.pdfgen.canvas import Canvas
from sqlmodel import Session, select

from notifier.addresses.check import MAILABLE
from notifier.db import executemany, session_for
from notifier.letters.checks import check_letter
from notifier.letters.compose import BarcodeConfig, compose, content_hash
from notifier.letters.geometry import Geometry, load_geometry, sheets_for, weight_oz
from notifier.letters.layout import LetterContent, draw_letter
from notifier.letters.templates import TemplateSet, template_set
from notifier.models import Address, Decision, Letter, LetterState, Notice, NoticeStatus, utcnow
from notifier.settings import OfficeProfile, Settings, load_toml

OPEN_LETTER_STATES = (LetterState.PENDING, LetterState.RENDERED, LetterState.FAILED)
NOTICE_FIELDS = ("person_id", "first_name", "middle_name", "last_name", "suffix", "language")
DECISION_FIELDS = ("decision_id", "case_number", "offense", "statute", "court", "outcome", "not_granted_reason", "disposition_date", "decision_date")
ADDRESS_FIELDS = ("line1", "line2", "city", "state", "zip5", "zip4")


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


@dataclass
class Work:
    """One notice to render: its rows as plain values, and the letter it replaces, if any."""

    notice_id: int
    notice: dict
    decisions: list[dict]
    address: dict
    digest: str
    replaces: Letter | None
    attempt: int = 1


def _mailable_query():
    return (
        select(Notice.id)
        .join(Address, Address.notice_id == Notice.id)
        .where(Notice.status == NoticeStatus.OPEN, Address.status.in_(MAILABLE))
        .order_by(Notice.id)
    )


def _mailable_notices(session: Session, after_id: int, limit: int, up_to: int | None = None) -> list[int]:
    query = _mailable_query().where(Notice.id > after_id).limit(limit)
    if up_to is not None:
        query = query.where(Notice.id <= up_to)
    return list(session.scalars(query))


def mailable_notice_ids(session: Session) -> list[int]:
    """Ids of the notices render looks at, in order (a run cuts them into tasks)."""
    return list(session.scalars(_mailable_query()))


def _id_ranges(session: Session, parts: int, limit: int | None) -> list[tuple[int, int]]:
    """Splits the mailable notices into `parts` contiguous id ranges of about equal size."""
    total = session.scalar(select(sa.func.count()).select_from(_mailable_query().subquery())) or 0
    total = min(total, limit) if limit else total
    bounds, low = [], 0
    for part in range(1, parts + 1):
        offset = total * part // parts - 1
        if offset < 0:
            continue
        high = session.scalar(_mailable_query().offset(offset).limit(1))
        if high is not None and high > low:
            bounds.append((low, high))
            low = high
    return bounds


def notice_rows(session: Session, notice_ids: list[int]) -> dict[int, tuple[dict, list[dict], dict]]:
    """What a letter prints, per notice: (notice fields, decisions, checked address), as plain values."""
    notices = {n.id: n for n in session.exec(select(Notice).where(Notice.id.in_(notice_ids)))}
    addresses = {a.notice_id: a for a in session.exec(select(Address).where(Address.notice_id.in_(notice_ids)))}
    decisions: dict[int, list[dict]] = {}
    for d in session.exec(select(Decision).where(Decision.notice_id.in_(notice_ids)).order_by(Decision.id)):
        decisions.setdefault(d.notice_id, []).append({k: getattr(d, k) for k in DECISION_FIELDS})
    return {
        notice_id: (
            {k: getattr(notices[notice_id], k) for k in NOTICE_FIELDS},
            decisions[notice_id],
            {k: getattr(addresses[notice_id], k) for k in ADDRESS_FIELDS},
        )
        for notice_id in notice_ids
    }


def _work_for(session: Session, notice_ids: list[int], renderer: Renderer) -> list[Work]:
    rows = notice_rows(session, notice_ids)
    current = {  # each notice's latest attempt
        letter.notice_id: letter
        for letter in session.exec(
            select(Letter).where(Letter.notice_id.in_(notice_ids), Letter.state != LetterState.SUPERSEDED).order_by(Letter.attempt)
        )
    }
    work = []
    for notice_id in notice_ids:
        notice, decisions, address = rows[notice_id]
        version = renderer.templates_for(notice["language"]).version
        digest = content_hash(notice, decisions, address, version)
        letter = current.get(notice_id)
        if letter is not None and letter.state == LetterState.RETURNED:
            work.append(Work(notice_id, notice, decisions, address, digest, None, attempt=letter.attempt + 1))  # the next attempt
            continue
        if letter is not None and (letter.state not in OPEN_LETTER_STATES or letter.content_hash == digest):
            continue  # already rendered from the same content, or already on its way
        work.append(Work(notice_id, notice, decisions, address, digest, letter))
    return work


def count_mailable(url: str) -> int:
    """Notices render looks at (the progress bar's total): open, with a mailable address."""
    with session_for(url) as session:
        return session.scalar(select(sa.func.count()).select_from(_mailable_query().subquery())) or 0


def render_letters(
    url: str,
    renderer: Renderer,
    *,
    chunk: int = 500,
    jobs: int = 1,
    limit: int | None = None,
    on_progress: Callable[[int], None] | None = None,
) -> dict[str, int]:
    """Renders every letter that is due, in `jobs` processes; returns counts by resulting state.

    Each process takes a contiguous range of notice ids, so no two render the same letter.
    """
    with session_for(url) as session:
        ranges = _id_ranges(session, max(jobs, 1), limit)
    counts: dict[str, int] = {}
    if jobs <= 1:
        for low, high in ranges:
            _add(counts, render_range(url, renderer, low, high, chunk, on_progress))
        return counts
    context = multiprocessing.get_context("spawn")  # a fresh interpreter: no database connection is shared
    with ProcessPoolExecutor(max_workers=jobs, mp_context=context) as pool:
        futures = [pool.submit(_render_range_in_process, url, renderer.settings, renderer.today, low, high, chunk) for low, high in ranges]
        for future in as_completed(futures):
            part, examined = future.result()
            _add(counts, part)
            if on_progress:
                on_progress(examined)
    return counts


def _add(total: dict[str, int], part: dict[str, int]) -> None:
    for state, n in part.items():
        total[state] = total.get(state, 0) + n


def _render_range_in_process(url: str, settings: Settings, today: date, low: int, high: int, chunk: int) -> tuple[dict[str, int], int]:
    examined = [0]
    counts = render_range(url, Renderer.from_settings(settings, today), low, high, chunk, lambda n: examined.__setitem__(0, examined[0] + n))
    return counts, examined[0]


def render_range(url: str, renderer: Renderer, low: int, high: int, chunk: int = 500, on_progress: Callable[[int], None] | None = None) -> dict[str, int]:
    """Renders what is due among the mailable notices with id in (low, high]; returns counts by state."""
    counts: dict[str, int] = {}
    after = low
    while True:
        with session_for(url) as session:
            ids = _mailable_notices(session, after, chunk, up_to=high)
            if not ids:
                return counts
            after = ids[-1]
            work = _work_for(session, ids, renderer)
            numbers = _claim_letters(session, work)
        if work:
            results = _draw_chunk(work, numbers, renderer)
            with session_for(url) as session:
                _add(counts, _store_results(session, numbers, results))
        if on_progress:
            on_progress(len(ids))


def _claim_letters(session: Session, work: list[Work]) -> list[int]:
    """Creates the letter rows (superseding changed ones) in a short transaction of its own.

    Drawing happens outside any transaction, so several processes render at once. A letter
    left `pending` by a crash is drawn again by the next run, under the same id.
    """
    now = utcnow()
    letters = []
    for item in work:
        if item.replaces is not None and item.replaces.state == LetterState.PENDING:
            letters.append(item.replaces)
            continue
        attempt = item.attempt
        if item.replaces is not None:
            item.replaces.state = LetterState.SUPERSEDED
            attempt = item.replaces.attempt
            session.add(item.replaces)
            session.flush()  # the partial unique index allows one current letter per attempt
        letter = Letter(notice_id=item.notice_id, attempt=attempt, created_at=now, checks=[])
        session.add(letter)
        letters.append(letter)
    session.commit()
    return [letter.id for letter in letters]


def _draw_chunk(work: list[Work], numbers: list[int], renderer: Renderer) -> list[dict]:
    """Draws the chunk's letters into one print-ready PDF; returns what each letter measured."""
    path = renderer.settings.output_dir / "letters" / f"letters-{min(numbers):09d}-{max(numbers):09d}.pdf"
    results = []
    with atomic_pdf(path) as canvas:
        for number, item in zip(numbers, work):
            content = renderer.content(number, item.notice, item.decisions, item.address)
            drawn = draw_letter(canvas, content, renderer.geometry)
            failures = check_letter(content, drawn, renderer.geometry)
            sheets = sheets_for(drawn.pages, renderer.geometry.duplex)
            results.append(
                {
                    "pages": drawn.pages,
                    "sheets": sheets,
                    "weight_hundredths_oz": int(weight_oz(sheets, renderer.geometry) * 100),
                    "language": renderer.templates_for(item.notice["language"]).language,
                    "variant": content.variant,
                    "content_hash": item.digest,
                    "checks": [f.as_dict() for f in failures],
                    "state": LetterState.FAILED if failures else LetterState.RENDERED,
                    "render_file": str(path),
                }
            )
    return results


def _store_results(session: Session, numbers: list[int], results: list[dict]) -> dict[str, int]:
    """One executemany UPDATE for the chunk: on PostgreSQL a round trip per letter would cost more than drawing it."""
    now = utcnow()
    counts: dict[str, int] = {}
    table = Letter.__table__
    rows = [{"letter_pk": number, **result, "rendered_at": now} for number, result in zip(numbers, results)]
    columns = [name for name in rows[0] if name != "letter_pk"]
    executemany(session, sa.update(table).where(table.c.id == sa.bindparam("letter_pk")).values({name: sa.bindparam(name) for name in columns}), rows)
    for result in results:
        counts[result["state"]] = counts.get(result["state"], 0) + 1
    session.commit()
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
            os.chmod(self.temp, 0o644)
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



def find_letter(url: str, text: str) -> tuple[Letter, str]:
    """The letter a clerk has in hand: its printed letter id (any case, typos caught) or the IMb digits a scanner reads."""
    from notifier.errors import NotFoundError, NotifierError
    from notifier.letters import imb
    from notifier.letters.ids import parse_letter_id

    digits = "".join(text.split())
    try:
        number = imb.serial_of(imb.parse_scanned(digits)[0]) if digits.isdigit() and len(digits) >= 20 else parse_letter_id(text)
    except ValueError as exc:
        raise NotifierError(str(exc), todo="type the letter id as printed (for example 000-000-024) or scan the barcode") from None
    with session_for(url) as session:
        found = session.exec(select(Letter, Notice.person_id).join(Notice, Notice.id == Letter.notice_id).where(Letter.id == number)).first()
    if found is None:
        raise NotFoundError(f"no letter {text.strip()}", todo="check the id; `notifier letters list` shows every letter")
    return found


def stale_letters(session: Session, letters: list[tuple[int, int, str]], renderer: Renderer) -> list[int]:
    """Of (letter id, notice id, content hash) triples, the letters whose notice, address or template changed since rendering."""
    stale = []
    for start in range(0, len(letters), 1000):
        part = letters[start : start + 1000]
        rows = notice_rows(session, [notice_id for _, notice_id, _ in part])
        for letter_id, notice_id, digest in part:
            notice, decisions, address = rows[notice_id]
            version = renderer.templates_for(notice["language"]).version
            if content_hash(notice, decisions, address, version) != digest:
                stale.append(letter_id)
        session.expunge_all()  # the rows were read for their values only
    return stale
