"""Mail runs in the database: create from waves, then freeze, print, mark mailed, close or cancel.

Each transition is one staff action (a function taking a batch id and returning the batch's
`BatchSummary`), refused with `WrongStateError` from the wrong state, a no-op when the batch is
already in the target state, and recorded (who, when) as an AuditEvent. Each commits its own
work. Freezing fixes the batch: presort order, sort levels and each letter's cost estimate.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from datetime import date
from decimal import Decimal

import sqlalchemy as sa
from sqlmodel import Session, select

from notifier.batches.rules import SORT_LEVELS, load_waves, sort_levels, wave_of
from notifier.costs.rates import LetterCost, Rates, letter_cost, postage_classes, share_out
from notifier.db import executemany
from notifier.errors import ConflictError, InvalidInputError, NotFoundError, WrongStateError
from notifier.intake.identity import held_persons
from notifier.letters.ids import make_letter_id
from notifier.letters.renderer import Renderer
from notifier.letters.store import stale_letters
from notifier.models import Address, AuditEvent, Batch, BatchState, Decision, Letter, LetterState, Notice, NoticeStatus, utcnow
from notifier.settings import Settings, load_toml

TRANSITIONS: dict[str, tuple[tuple[str, ...], str]] = {
    # action (as staff name it): (states it may start from, state it leads to)
    "freeze": ((BatchState.DRAFT,), BatchState.FROZEN),
    "print": ((BatchState.FROZEN,), BatchState.PRINTED),
    "mark-mailed": ((BatchState.PRINTED,), BatchState.MAILED),
    "close": ((BatchState.MAILED,), BatchState.CLOSED),
    "cancel": ((BatchState.DRAFT, BatchState.FROZEN), BatchState.CANCELLED),
}
COST_PARTS = ("postage_cents", "print_cents", "envelope_cents")


@dataclass(frozen=True)
class BatchConfig:
    letters_per_file: int
    min_5_digit: int
    min_3_digit: int
    default_class: str

    @classmethod
    def load(cls, settings: Settings) -> "BatchConfig":
        data = load_toml(settings.config_dir / "batches.toml")
        return cls(data["letters_per_file"], data["min_pieces_5_digit"], data["min_pieces_3_digit"], data["default_postage_class"])


@dataclass(frozen=True)
class BatchSummary:
    """A batch's state, counts, files and costs: what every batch action returns."""

    id: int
    state: str
    mail_date: str
    postage_class: str
    wave: str
    letters: int
    people: int
    sheets: int
    files: list[str]
    estimate: dict | None  # postage_cents, print_cents, envelope_cents, total_cents; None before freezing
    actual: dict | None  # the same, once mailed
    variance_cents: int | None
    postage_statement: str
    invoice: str

    def as_dict(self) -> dict:
        return asdict(self)


def get_batch(session: Session, batch_id: int) -> Batch:
    batch = session.get(Batch, batch_id)
    if batch is None:
        raise NotFoundError(f"no batch {batch_id}", todo="see how many batches there are in each state", action="status")
    return batch


def _audit(session: Session, batch: Batch, action: str, actor: str, details: dict | None = None) -> None:
    session.add(AuditEvent(at=utcnow(), actor=actor, action=f"batch.{action}", subject="batch", subject_id=batch.id, details=details or {}))


def _starts(batch: Batch, action: str) -> bool:
    """True when the transition should run; False when the batch is already there (idempotent)."""
    sources, target = TRANSITIONS[action]
    if batch.state == target:
        return False
    if batch.state not in sources:
        raise WrongStateError(
            f"batch {batch.id} is {batch.state}; `{action}` works on a batch that is {' or '.join(sources)}",
            todo="see the batch's state and files",
            action="batches.show",
            batch=batch.id,
        )
    return True


def create_batch(session: Session, settings: Settings, *, mail_date: date, wave: str | None, limit: int | None, postage_class: str | None, actor: str) -> BatchSummary:
    """A draft batch of rendered letters that are in no batch yet, in wave order."""
    config = BatchConfig.load(settings)
    waves = load_waves(settings.config_dir)
    if wave and wave not in {w.name for w in waves}:
        raise InvalidInputError(f"no wave named '{wave}'", todo=f"use one of: {', '.join(w.name for w in waves)} (config/waves.toml)")
    postage_class = postage_class or config.default_class
    prices = Rates.load(settings.config_dir).postage.on(mail_date)  # refuse a mail date without known prices now, not at freeze
    if postage_class not in postage_classes(prices):
        raise InvalidInputError(f"no postage class '{postage_class}' on {mail_date}", todo=f"use one of: {', '.join(postage_classes(prices))}")
    latest = (
        select(Decision.notice_id, sa.func.max(Decision.disposition_date).label("disposition"))
        .group_by(Decision.notice_id)
        .subquery()
    )
    rows = session.execute(
        select(Letter.id, latest.c.disposition)
        .join(latest, latest.c.notice_id == Letter.notice_id)
        .join(Notice, Notice.id == Letter.notice_id)
        .where(Letter.state == LetterState.RENDERED, Letter.batch_id.is_(None), Notice.person_id.not_in(held_persons()))  # held: an identity conflict waits
    ).all()
    chosen: list[tuple[int, int, object, str]] = []  # (wave index, letter id, disposition, wave name)
    for letter_id, disposition in rows:
        found = wave_of(waves, disposition)
        if found is None or (wave and found.name != wave):
            continue
        chosen.append((waves.index(found), letter_id, disposition, found.name))
    del rows  # a run of 10^6 letters: keep one list of them, not two
    chosen.sort(key=lambda item: (item[0], waves[item[0]].sort_key(item[2], item[1])))
    if limit:
        chosen = chosen[:limit]
    if not chosen:
        raise WrongStateError("no rendered letters wait for a batch" + (f" in wave '{wave}'" if wave else ""), todo="render the letters first", action="letters.render")
    batch = Batch(mail_date=mail_date, postage_class=postage_class, wave=wave or "", created_at=utcnow(), created_by=actor, files=[])
    session.add(batch)
    session.flush()
    for start in range(0, len(chosen), UPDATE_CHUNK):  # the rows of one chunk at a time: a dict per letter of a million-letter run took 200 MB
        _update_letters(session, [{"letter_pk": letter_id, "batch_id": batch.id, "state": LetterState.BATCHED, "wave": name}
                                  for _, letter_id, _, name in chosen[start : start + UPDATE_CHUNK]])
    _audit(session, batch, "create", actor, {"letters": len(chosen), "wave": wave or "", "mail_date": mail_date.isoformat()})
    session.commit()
    return batch_summary(session, batch)


UPDATE_CHUNK = 5000  # letter rows per executemany


def _in_batch(batch: Batch):
    return select(Letter.notice_id).where(Letter.batch_id == batch.id)


def _update_letters(session: Session, rows: list[dict]) -> None:
    """One executemany per chunk: a run of 10^5 letters is never held as ORM objects."""
    table = Letter.__table__
    columns = [name for name in rows[0] if name != "letter_pk"]
    statement = sa.update(table).where(table.c.id == sa.bindparam("letter_pk")).values({name: sa.bindparam(name) for name in columns})
    for start in range(0, len(rows), UPDATE_CHUNK):
        executemany(session, statement, rows[start : start + UPDATE_CHUNK])


def freeze_batch(session: Session, settings: Settings, batch_id: int, actor: str) -> BatchSummary:
    """Presort, sort levels and cost estimates become fixed; the notices stop taking new decisions.

    Letters are read in ZIP order in chunks and written back in chunks, so memory stays the
    size of the batch's letter ids, not of its letters. It commits once, at the end: sequence numbers
    mean something only when every letter has one, and a letter found stale halfway must
    leave the batch as it was.
    """
    batch = get_batch(session, batch_id)
    if not _starts(batch, "freeze"):
        return batch_summary(session, batch)
    config = BatchConfig.load(settings)
    rates = Rates.load(settings.config_dir)
    renderer = Renderer.from_settings(settings)
    in_batch = select(Letter.id, Letter.notice_id, Letter.content_hash, Letter.sheets, Letter.pages, Letter.weight_hundredths_oz, Address.zip5).join(
        Address, Address.notice_id == Letter.notice_id
    ).where(Letter.batch_id == batch.id)
    zip_counts = dict(session.execute(select(Address.zip5, sa.func.count()).join(Letter, Letter.notice_id == Address.notice_id).where(Letter.batch_id == batch.id).group_by(Address.zip5)).all())
    levels = sort_levels(zip_counts, config.min_5_digit, config.min_3_digit)
    next_sequence, start = {}, 1
    for level in SORT_LEVELS:
        next_sequence[level] = start
        start += sum(count for zip5, count in zip_counts.items() if levels[zip5] == level)
    totals = dict.fromkeys(COST_PARTS, 0)
    costs: dict[tuple, LetterCost] = {}  # letters alike cost alike: each price worked out once
    letters = 0
    # The presort order is read once as letter ids (a page at a time in ZIP order would sort the
    # whole batch for every page); each chunk's details are then read by id.
    order = list(session.scalars(select(Letter.id).join(Address, Address.notice_id == Letter.notice_id).where(Letter.batch_id == batch.id).order_by(Address.zip5, Letter.id)))
    for start in range(0, len(order), 5000):
        chunk = order[start : start + 5000]
        found = {r.id: r for r in session.execute(in_batch.where(Letter.id.in_(chunk)))}
        rows = [found[letter_id] for letter_id in chunk]
        stale = stale_letters(session, [(r.id, r.notice_id, r.content_hash) for r in rows], renderer)
        if stale:
            raise ConflictError(
                f"letters of batch {batch.id} changed since they were rendered (for example {make_letter_id(stale[0])})",
                todo="cancel the batch, render the letters again, and create the batch again",
                action="batches.cancel",
                batch=batch.id,
            )
        updates = []
        for r in rows:
            level = levels[r.zip5]
            priced = (r.sheets, r.pages, r.weight_hundredths_oz, level)  # all a letter's price depends on, in one batch
            if priced not in costs:
                costs[priced] = letter_cost(rates, batch.mail_date, batch.postage_class, r.sheets, r.pages, Decimal(r.weight_hundredths_oz) / 100, level)
            cost = costs[priced]
            updates.append({"letter_pk": r.id, "sequence": next_sequence[level], "sort_level": level, **{part: getattr(cost, part) for part in COST_PARTS}})
            next_sequence[level] += 1
            for part in COST_PARTS:
                totals[part] += getattr(cost, part)
        _update_letters(session, updates)
        letters += len(rows)
    batch.postage_cents, batch.print_cents, batch.envelope_cents = (totals[p] for p in COST_PARTS)
    session.execute(sa.update(Notice).where(Notice.id.in_(_in_batch(batch))).values(status=NoticeStatus.LOCKED))
    batch.state = BatchState.FROZEN
    _audit(session, batch, "freeze", actor, {"letters": letters, **totals})
    session.commit()
    return batch_summary(session, batch)


def mark_mailed(
    session: Session, batch_id: int, actor: str, *, postage_cents: int, print_cents: int | None, envelope_cents: int | None, statement: str, invoice: str
) -> BatchSummary:
    """Records the actual figures (cents; None: not invoiced separately) and shares them out over the letters, to the cent."""
    batch = get_batch(session, batch_id)
    if not _starts(batch, "mark-mailed"):
        return batch_summary(session, batch)
    rows = session.execute(
        select(Letter.id, *(getattr(Letter, part) for part in COST_PARTS)).where(Letter.batch_id == batch.id).order_by(Letter.sequence)
    ).all()
    updates = [{"letter_pk": r.id, "state": LetterState.MAILED} for r in rows]
    actuals = {"postage_cents": postage_cents, "print_cents": print_cents, "envelope_cents": envelope_cents}
    for part, total in actuals.items():
        if total is None:
            total = getattr(batch, part)  # not invoiced separately: the estimate stands
        setattr(batch, f"actual_{part}", total)
        for update, share in zip(updates, share_out(total, [getattr(r, part) or 0 for r in rows])):
            update[f"actual_{part}"] = share
    if updates:
        _update_letters(session, updates)
    session.execute(sa.update(Notice).where(Notice.id.in_(_in_batch(batch))).values(status=NoticeStatus.MAILED))
    batch.postage_statement, batch.invoice = statement, invoice
    batch.state = BatchState.MAILED
    session.add(batch)
    _audit(session, batch, "mark-mailed", actor, {**{f"actual_{k}": getattr(batch, f"actual_{k}") for k in actuals}, "statement": statement, "invoice": invoice})
    session.commit()
    return batch_summary(session, batch)


def check_printable(session: Session, batch: Batch) -> None:
    """Refuses a batch that is neither frozen nor printed (printing again rewrites the same files)."""
    if batch.state != BatchState.PRINTED:
        _starts(batch, "print")


def complete_print(session: Session, batch: Batch, files: list[dict], actor: str) -> None:
    """The batch is printed with these files; in the caller's transaction (it does not commit)."""
    first_time = batch.state != BatchState.PRINTED
    batch.files = files
    batch.state = BatchState.PRINTED
    session.add(batch)
    if first_time:
        _audit(session, batch, "print", actor, {"files": len(files)})


def close_batch(session: Session, batch_id: int, actor: str) -> BatchSummary:
    """A mailed batch is done with."""
    batch = get_batch(session, batch_id)
    if _starts(batch, "close"):
        _set_state(session, batch, "close", actor)
    return batch_summary(session, batch)


def cancel_batch(session: Session, batch_id: int, actor: str) -> BatchSummary:
    """A draft or frozen batch is dropped: its letters wait for a batch again (rendered, in no batch) and its notices reopen."""
    batch = get_batch(session, batch_id)
    if _starts(batch, "cancel"):
        session.execute(sa.update(Notice).where(Notice.id.in_(_in_batch(batch)), Notice.status == NoticeStatus.LOCKED).values(status=NoticeStatus.OPEN))
        session.execute(
            sa.update(Letter.__table__).where(Letter.__table__.c.batch_id == batch.id).values(
                batch_id=None, state=LetterState.RENDERED, sequence=None, sort_level="", wave="", postage_cents=None, print_cents=None, envelope_cents=None
            )
        )
        _set_state(session, batch, "cancel", actor)
    return batch_summary(session, batch)


def _set_state(session: Session, batch: Batch, action: str, actor: str) -> None:
    batch.state = TRANSITIONS[action][1]
    session.add(batch)
    _audit(session, batch, action, actor)
    session.commit()


def show_batch(session: Session, batch_id: int) -> BatchSummary:
    return batch_summary(session, get_batch(session, batch_id))


def letters_in_print_order(session: Session, batch_id: int) -> list[int]:
    """The numbers of a batch's letters as the print house stacks them (presort sequence)."""
    return list(session.scalars(select(Letter.id).where(Letter.batch_id == batch_id).order_by(Letter.sequence)))


def batch_summary(session: Session, batch: Batch) -> BatchSummary:
    """State, counts, files and costs (`as_dict()` is what `batches show --json` prints)."""
    letters, people, sheets = session.execute(
        select(sa.func.count(Letter.id), sa.func.count(sa.distinct(Letter.notice_id)), sa.func.coalesce(sa.func.sum(Letter.sheets), 0)).where(Letter.batch_id == batch.id)
    ).one()
    return _summary(batch, letters, people, sheets)


def list_batches(session: Session) -> list[BatchSummary]:
    """Every batch, newest first, with its counts and costs (one query for the counts of all)."""
    counts = {
        row.batch_id: row
        for row in session.execute(
            select(Letter.batch_id, sa.func.count(Letter.id).label("letters"), sa.func.count(sa.distinct(Letter.notice_id)).label("people"),
                   sa.func.coalesce(sa.func.sum(Letter.sheets), 0).label("sheets"))
            .where(Letter.batch_id.is_not(None))
            .group_by(Letter.batch_id)
        )
    }
    batches = session.exec(select(Batch).order_by(Batch.id.desc())).all()
    return [_summary(b, *((counts[b.id].letters, counts[b.id].people, counts[b.id].sheets) if b.id in counts else (0, 0, 0))) for b in batches]


def _summary(batch: Batch, letters: int, people: int, sheets: int) -> BatchSummary:
    def money(prefix: str) -> dict | None:
        parts = {part: getattr(batch, prefix + part) for part in COST_PARTS}
        if any(value is None for value in parts.values()):
            return None
        return {**parts, "total_cents": sum(parts.values())}

    estimate, actual = money(""), money("actual_")
    return BatchSummary(
        id=batch.id,
        state=str(batch.state),
        mail_date=batch.mail_date.isoformat(),
        postage_class=batch.postage_class,
        wave=batch.wave,
        letters=letters,
        people=people,
        sheets=sheets,
        files=[f["path"] for f in batch.files],
        estimate=estimate,
        actual=actual,
        variance_cents=actual["total_cents"] - estimate["total_cents"] if estimate and actual else None,
        postage_statement=batch.postage_statement,
        invoice=batch.invoice,
    )
