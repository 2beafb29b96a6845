"""The letters step's services: which notices need a letter, rendering them in bulk, finding letters.

A notice gets a letter when its address is mailable (verified or corrected). Rendering
lays each letter out and runs the print checks, and stores pages, sheets and the content
hash; it draws nothing. A letter is drawn once, into its batch's print file (batches/
printfiles.py), and on demand as a proof. A letter whose
notice changed since (a decision joined, the address was fixed, a template was edited) is
superseded, never mailed, and a new one is rendered with the same attempt number.

Every function takes the caller's `Session`; rendering commits chunk by chunk, so an
interruption keeps the chunks already done. Rendering in several processes is the edge's
business: it plans with `render_ranges` and gives each process one `render_range`.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from pathlib import Path
from typing import Callable

import sqlalchemy as sa
from sqlmodel import Session, select

from notifier.addresses.check import MAILABLE
from notifier.db import executemany, one_of
from notifier.errors import InvalidInputError, NotFoundError, WrongStateError
from notifier.intake.identity import held_persons
from notifier.letters import imb
from notifier.letters.checks import check_letter
from notifier.letters.compose import ADDRESS_FIELDS, DECISION_FIELDS, NOTICE_FIELDS, LetterData, content_hash
from notifier.letters.geometry import sheets_for, weight_oz
from notifier.letters.ids import make_letter_id, parse_letter_id
from notifier.letters.layout import draw_letter
from notifier.letters.renderer import Renderer, SingleLetter, write_single_letter
from notifier.models import Address, Batch, Decision, Letter, LetterState, Notice, NoticeStatus, utcnow

OPEN_LETTER_STATES = (LetterState.PENDING, LetterState.RENDERED, LetterState.FAILED)

Progress = Callable[[int], None] | None


@dataclass
class RenderResult:
    """Letters rendered, by the state they reached, and the output folder their print files (`batches/`) will be written under."""

    by_state: dict[str, int]
    output: Path

    @property
    def rendered(self) -> int:
        return sum(self.by_state.values())

    def add(self, counts: dict[str, int]) -> None:
        for state, n in counts.items():
            self.by_state[state] = self.by_state.get(state, 0) + n

    def as_dict(self) -> dict:
        return {"rendered": self.rendered, "by_state": self.by_state, "output": str(self.output)}


@dataclass(frozen=True)
class LetterRow:
    """One letter as staff see it: `number` is the Letter's key, `letter_id` the id printed from it."""

    number: int
    letter_id: str
    person_id: str
    notice_id: int
    attempt: int
    state: str
    batch_id: int | None
    pages: int
    sheets: int
    checks: list[dict]  # the print checks it failed: code and message

    @classmethod
    def of(cls, letter: Letter, person_id: str) -> "LetterRow":
        return cls(
            letter.id, make_letter_id(letter.id), person_id, letter.notice_id, letter.attempt, letter.state,
            letter.batch_id, letter.pages, letter.sheets, letter.checks,
        )

    def as_dict(self) -> dict:
        return {
            "letter_id": self.letter_id,
            "person_id": self.person_id,
            "notice_id": self.notice_id,
            "attempt": self.attempt,
            "state": self.state,
            "batch_id": self.batch_id,
            "pages": self.pages,
            "sheets": self.sheets,
        }


@dataclass
class Work:
    """One notice to render: what its letter prints, and the letter it replaces, if any."""

    notice_id: int
    letter: LetterData
    digest: str
    replaces: Letter | None
    attempt: int = 1


def _open_with_address(*columns):
    """Open notices with an address, in id order, unless an identity conflict of their person waits for staff."""
    return (
        select(*columns)
        .join(Address, Address.notice_id == Notice.id)
        .where(Notice.status == NoticeStatus.OPEN, Notice.person_id.not_in(held_persons()))
        .order_by(Notice.id)
    )


def _mailable_query():
    """Open notices with a mailable address, unless an identity conflict of their person waits for staff."""
    return _open_with_address(Notice.id).where(Address.status.in_(MAILABLE))


def _next_mailable(session: Session, after_id: int, up_to: int, limit: int) -> tuple[list[int], int | None]:
    """The mailable notices among the next `limit` open notices with id in (after_id, up_to], and the
    last id looked at (None: nothing left).

    The address status is checked here, not in SQL: given that condition, SQLite answered from
    the index on address status and read every mailable address for each chunk (render grew
    with the square of the notices); without it, the id range is the only way in.
    """
    window = session.execute(_open_with_address(Notice.id, Address.status).where(Notice.id > after_id, Notice.id <= up_to).limit(limit)).all()
    if not window:
        return [], None
    return [notice_id for notice_id, status in window if status in MAILABLE], window[-1][0]


def mailable_notice_ids(session: Session) -> list[int]:
    """Ids of the notices render looks at, in order (a run cuts them into tasks)."""
    return list(session.scalars(_mailable_query()))


def count_mailable(session: Session) -> int:
    """Notices render looks at (the progress bar's total): open, with a mailable address."""
    return session.scalar(select(sa.func.count()).select_from(_mailable_query().subquery())) or 0


def render_ranges(session: Session, parts: int, limit: int | None = None) -> list[tuple[int, int]]:
    """Splits the first `limit` (all) mailable notices into `parts` contiguous id ranges (low, high] of about equal size.

    Processes given different ranges never render the same letter.
    """
    total = count_mailable(session)
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


def notice_rows(session: Session, notice_ids: list[int]) -> dict[int, LetterData]:
    """What a letter prints, per notice: (notice fields, decisions, checked address), as plain values.

    Read as columns, not ORM objects: a print file or a freeze reads every letter of a batch,
    and none of it should stay in (or be cleared from) the caller's session.
    """
    n, a, d = Notice.__table__.c, Address.__table__.c, Decision.__table__.c
    # Each row is (key, *fields in the order of the FIELDS tuple): zipped into a dict, no lookup by name.
    notices = {row[0]: dict(zip(NOTICE_FIELDS, row[1:])) for row in session.execute(sa.select(n.id, *(n[k] for k in NOTICE_FIELDS)).where(one_of(session, n.id, notice_ids)))}
    addresses = {row[0]: dict(zip(ADDRESS_FIELDS, row[1:])) for row in session.execute(sa.select(a.notice_id, *(a[k] for k in ADDRESS_FIELDS)).where(one_of(session, a.notice_id, notice_ids)))}
    decisions: dict[int, list[dict]] = {}
    # A letter lists its cases in the order of the files they came in, however the chunks were stored (two import processes interleave).
    in_file_order = (d.import_run_id, d.line_number, d.id)
    for row in session.execute(sa.select(d.notice_id, *(d[k] for k in DECISION_FIELDS)).where(one_of(session, d.notice_id, notice_ids)).order_by(*in_file_order)):
        decisions.setdefault(row[0], []).append(dict(zip(DECISION_FIELDS, row[1:])))
    return {notice_id: LetterData(notices[notice_id], decisions[notice_id], addresses[notice_id]) for notice_id in notice_ids}


def _digest(letter: LetterData, renderer: Renderer) -> str:
    """The content hash of what the letter would print now, template version included."""
    return content_hash(letter.notice, letter.decisions, letter.address, renderer.version_of(letter.notice["language"]))


def _work_for(session: Session, notice_ids: list[int], renderer: Renderer) -> list[Work]:
    rows = notice_rows(session, notice_ids)
    current = {  # each notice's latest attempt
        letter.notice_id: letter
        for letter in session.exec(
            select(Letter).where(one_of(session, Letter.notice_id, notice_ids), Letter.state != LetterState.SUPERSEDED).order_by(Letter.attempt)
        )
    }
    work = []
    for notice_id in notice_ids:
        data = rows[notice_id]
        digest = _digest(data, renderer)
        letter = current.get(notice_id)
        if letter is not None and letter.state == LetterState.RETURNED:
            work.append(Work(notice_id, data, digest, None, attempt=letter.attempt + 1))  # the next attempt
            continue
        if letter is not None and (letter.state not in OPEN_LETTER_STATES or letter.content_hash == digest):
            continue  # already rendered from the same content, or already on its way
        work.append(Work(notice_id, data, digest, letter))
    return work


def render_letters(
    session: Session,
    renderer: Renderer,
    *,
    chunk: int = 500,
    limit: int | None = None,
    on_progress: Progress = None,
) -> RenderResult:
    """Renders every letter that is due (among the first `limit` mailable notices), committing chunk by chunk."""
    result = RenderResult({}, renderer.settings.output_dir)
    for low, high in render_ranges(session, 1, limit):
        result.add(render_range(session, renderer, low, high, chunk, on_progress))
    return result


def render_range(session: Session, renderer: Renderer, low: int, high: int, chunk: int = 500, on_progress: Progress = None) -> dict[str, int]:
    """Renders what is due among the mailable notices with id in (low, high]; returns counts by state.

    Each chunk commits twice: once its letter rows are claimed, and once their results are stored.
    """
    counts: dict[str, int] = {}
    after = low
    while True:
        ids, after = _next_mailable(session, after, high, chunk)
        if after is None:
            return counts
        if not ids:
            continue
        work = _work_for(session, ids, renderer)
        numbers = _claim_letters(session, work)
        if work:
            for state, n in _store_results(session, numbers, _lay_out_chunk(work, numbers, renderer)).items():
                counts[state] = counts.get(state, 0) + n
        if on_progress:
            on_progress(len(ids))


def _claim_letters(session: Session, work: list[Work]) -> list[int]:
    """Creates the letter rows (superseding changed ones) and commits: a short transaction of its own.

    Laying out happens outside any transaction, so several processes render at once. A letter
    left `pending` by a crash is laid out again by the next run, under the same id. Rows are
    written with two statements for the whole chunk (an ORM object per letter cost more than
    laying the letter out); `_store_results` then fills them in.
    """
    table = Letter.__table__
    reused = {item.notice_id for item in work if item.replaces is not None and item.replaces.state == LetterState.PENDING}
    superseded = [item.replaces for item in work if item.replaces is not None and item.notice_id not in reused]
    if superseded:  # first: the partial unique index allows one current letter per attempt
        session.execute(sa.update(table).where(table.c.id.in_([letter.id for letter in superseded])).values(state=LetterState.SUPERSEDED))
    now = utcnow()
    rows = [
        {"notice_id": item.notice_id, "attempt": item.replaces.attempt if item.replaces is not None else item.attempt, "created_at": now, "checks": []}
        for item in work
        if item.notice_id not in reused
    ]
    created = iter(session.scalars(sa.insert(table).returning(table.c.id, sort_by_parameter_order=True), rows).all() if rows else ())
    session.commit()
    for item in work:
        if item.replaces is not None:
            session.expunge(item.replaces)  # changed by the statements above, behind the session's back
    return [item.replaces.id if item.notice_id in reused else next(created) for item in work]


def _lay_out_chunk(work: list[Work], numbers: list[int], renderer: Renderer) -> list[dict]:
    """Lays the chunk's letters out and runs the print checks; returns what each letter measured.

    Nothing is drawn: a letter is drawn once, into the print file of its batch (dated with
    the mail date, in presort order), and on demand as a proof.
    """
    results = []
    for number, item in zip(numbers, work):
        content = renderer.content(number, *item.letter)
        drawn = draw_letter(None, content, renderer.geometry)
        failures = check_letter(content, drawn, renderer.geometry)
        sheets = sheets_for(drawn.pages, renderer.geometry.duplex)
        results.append(
            {
                "pages": drawn.pages,
                "sheets": sheets,
                "weight_hundredths_oz": int(weight_oz(sheets, renderer.geometry) * 100),
                "language": renderer.templates_for(item.letter.notice["language"]).language,
                "variant": content.variant,
                "content_hash": item.digest,
                "checks": [f.as_dict() for f in failures],
                "state": LetterState.FAILED if failures else LetterState.RENDERED,
            }
        )
    return results


def _store_results(session: Session, numbers: list[int], results: list[dict]) -> dict[str, int]:
    """One executemany UPDATE for the chunk, committed: on PostgreSQL a round trip per letter would cost more than drawing it."""
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


def stale_letters(session: Session, letters: list[tuple[int, int, str]], renderer: Renderer) -> list[int]:
    """Of (letter id, notice id, content hash) triples, the letters whose notice, address or template changed since rendering."""
    stale = []
    for start in range(0, len(letters), 1000):
        part = letters[start : start + 1000]
        rows = notice_rows(session, [notice_id for _, notice_id, _ in part])
        stale.extend(letter_id for letter_id, notice_id, digest in part if _digest(rows[notice_id], renderer) != digest)
    return stale


def _letters_query():
    return select(Letter, Notice.person_id).join(Notice, Notice.id == Letter.notice_id).order_by(Letter.id)


def list_letters(session: Session, limit: int | None = None) -> list[LetterRow]:
    """Every letter (the first `limit`), oldest first."""
    query = _letters_query()
    if limit:
        query = query.limit(limit)
    return [LetterRow.of(letter, person_id) for letter, person_id in session.exec(query)]


def find_letter(session: Session, text: str) -> LetterRow:
    """The letter a clerk has in hand: its printed letter id (any case, typos caught) or the IMb digits a scanner reads."""
    digits = "".join(text.split())
    try:
        number = imb.serial_of(imb.parse_scanned(digits)[0]) if digits.isdigit() and len(digits) >= 20 else parse_letter_id(text)
    except ValueError as exc:
        raise InvalidInputError(str(exc), todo="type the letter id as printed (for example 000-000-024) or scan the barcode") from None
    found = session.exec(_letters_query().where(Letter.id == number)).first()
    if found is None:
        raise NotFoundError(f"no letter {text.strip()}", todo="check the id against the list of every letter", action="letters.list")
    return LetterRow.of(*found)


def sample_person(session: Session, language: str) -> str | None:
    """A person whose rendered letter is in `language` with a one-line street address: a good sample to show."""
    query = (
        select(Notice.person_id)
        .join(Letter, Letter.notice_id == Notice.id)
        .join(Address, Address.notice_id == Notice.id)
        .where(Letter.state == LetterState.RENDERED, Letter.language == language, Address.line2 == "")
        .order_by(Letter.id)
    )
    return session.exec(query).first()


def proof_letter(session: Session, renderer: Renderer, person_id: str, out: Path) -> SingleLetter:
    """Draws a person's open notice to `out` as its letter prints now, and checks it; changes nothing stored.

    The letter carries the number of the notice's current letter, or 1 before it has one.
    """
    notice = session.exec(select(Notice).where(Notice.person_id == person_id, Notice.status == NoticeStatus.OPEN)).first()
    if notice is None:
        raise NotFoundError(f"person {person_id} has no open notice", todo="check the person_id (the source system's id)")
    address = session.exec(select(Address).where(Address.notice_id == notice.id)).first()
    if address is None or address.status not in MAILABLE:
        raise WrongStateError(
            f"the address of person {person_id} is not verified",
            todo="verify the addresses, or fix this one in the address review",
            action="addresses.verify",
        )
    number = session.exec(select(Letter.id).where(Letter.notice_id == notice.id, Letter.state != LetterState.SUPERSEDED)).first()
    number = number or 1
    return write_single_letter(renderer, number, notice_rows(session, [notice.id])[notice.id], out, f"Letter proof {make_letter_id(number)}")


def letters_of_person(session: Session, person_id: str) -> list[LetterRow]:
    """Every letter of a person, of all their notices, oldest first (none yet: an empty list)."""
    return [LetterRow.of(letter, pid) for letter, pid in session.exec(_letters_query().where(Notice.person_id == person_id))]


def search_letters(session: Session, text: str) -> list[LetterRow]:
    """What a clerk typed or scanned: a person id exactly as the source writes it (their letters), else a letter id or IMb digits."""
    text = text.strip()
    if not text:
        raise InvalidInputError("nothing to search for", todo="type a letter id as printed, a person id, or scan the barcode")
    # No person id holds NUL (intake refuses it, and PostgreSQL text cannot hold it): such text is only looked up as a letter id.
    if "\x00" not in text and session.exec(select(Notice.id).where(Notice.person_id == text).limit(1)).first() is not None:
        return letters_of_person(session, text)
    try:
        return [find_letter(session, text)]
    except InvalidInputError as exc:
        raise NotFoundError(f"'{text}' is no person id, and not a letter id: {exc.what}", todo=exc.todo) from None


def letter_proof(session: Session, renderer: Renderer, number: int, out: Path) -> SingleLetter:
    """Draws letter `number` to `out` again from its notice, as a print file draws it (dated with its batch's mail date); changes nothing stored.

    What is drawn is the notice as it is now: a letter whose notice changed after it was printed shows the change.
    """
    letter = session.get(Letter, number)
    if letter is None:
        raise NotFoundError(f"no letter {make_letter_id(number)}", todo="check the id against the list of every letter", action="letters.list")
    if session.scalar(select(Notice.purged_at).where(Notice.id == letter.notice_id)) is not None:
        raise WrongStateError(f"letter {make_letter_id(number)} cannot be drawn again: the retention purge erased its name and address",
                              todo="its state, batch and costs are still kept; see them in the list of letters")
    mail_date = session.scalar(select(Batch.mail_date).where(Batch.id == letter.batch_id)) if letter.batch_id else None
    dated = replace(renderer, today=mail_date) if mail_date else renderer
    return write_single_letter(dated, letter.id, notice_rows(session, [letter.notice_id])[letter.notice_id], out, f"Letter {make_letter_id(letter.id)}")
