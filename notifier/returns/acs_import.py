"""`returns import-acs`: USPS's electronic notices recorded as returned mail.

Each notice is matched to its letter by the Mailer ID and serial of its IMb (the serial is
the letter's number) and recorded through the clerk's own service (returns/store.py), so an
ACS notice and an envelope in hand mean the same: the code's reason (config/returns.toml
[acs.codes]), and for a change of address with a new address, that address through the
address checks as a typed forwarding address would go. A temporary move is noted, not
re-mailed. Every notice is kept (acs_notice) by file and line, so the same file twice
records nothing new; a notice for a piece that is not ours is reported and kept too.
"""

from __future__ import annotations

import os
from collections import Counter
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from sqlmodel import Session, select

from notifier.addresses.check import Verifier
from notifier.costs.rates import share_out
from notifier.db import one_of
from notifier.errors import InputFileError, NotFoundError, NotifierError, WrongStateError
from notifier.letters import imb
from notifier.letters.ids import make_letter_id
from notifier.models import AcsNotice, BatchFee, Letter, utcnow
from notifier.returns.acs import AcsNotice as Notice
from notifier.returns.acs import read_acs
from notifier.returns.rules import ReturnPolicy
from notifier.returns.store import record_return

FORWARDED_OUTCOMES = ("remail", "forward_needs_review")
ACS_FEES = "acs_fees"


@dataclass
class AcsReport:
    """`read` = recorded + already_recorded + unknown + invalid; `forwarded` counts the recorded
    notices whose new address became the notice's (the next attempt goes there)."""

    file: str
    read: int = 0
    recorded: int = 0
    already_recorded: int = 0
    forwarded: int = 0
    unknown: int = 0  # no letter of ours: an unknown serial, another Mailer ID, a letter never mailed
    invalid: int = 0
    fee_cents: int = 0  # the header's ACS fees
    fee_batches: dict[int, int] = field(default_factory=dict)  # batch id -> its share of the fees (a cost line of the batch)
    problems: list[dict] = field(default_factory=list)  # each unknown or invalid notice: line and what was wrong

    def as_dict(self) -> dict:
        return self.__dict__.copy()


def import_acs(session: Session, path: Path, policy: ReturnPolicy, verifier: Verifier, mailer_id: str, actor: str, today: date) -> AcsReport:
    """Records every notice of one ACS file (each committed on its own); InputFileError, with
    nothing recorded, when the file as a whole cannot be trusted (see returns/acs.py)."""
    parsed = read_acs(path, set(policy.acs_codes))
    digest = parsed.sha256
    kept = set(session.scalars(select(AcsNotice.line).where(AcsNotice.file_sha256 == digest)))  # lines of an earlier import of this file
    report = AcsReport(path.name, read=parsed.records, invalid=len(parsed.problems), fee_cents=parsed.header.fee_cents)
    report.problems = [problem.as_dict() for problem in parsed.problems]
    ours: list[int] = []
    for notice in parsed.notices:
        status, letter_id, message = _record(session, notice, policy, verifier, mailer_id, actor, today, parsed.header.shipment_number)
        if status == "unknown" or status == "foreign_mailer_id":
            report.unknown += 1
            report.problems.append({"line": notice.line, "field": "imb", "message": message})
        elif status == "already_recorded":
            report.already_recorded += 1
        else:
            report.recorded += 1
            report.forwarded += status == "forwarded"
        if letter_id is not None:
            ours.append(letter_id)
        if notice.line not in kept:
            _keep(session, path.name, digest, notice, policy, status, letter_id)
    report.fee_batches = _charge_fees(session, path.name, digest, parsed.header.fee_cents, ours)
    report.problems.sort(key=lambda problem: problem["line"])
    return report


def _charge_fees(session: Session, file_name: str, digest: str, cents: int, letter_ids: list[int]) -> dict[int, int]:
    """The file's ACS fees as a cost of the batches its notices' letters were mailed in, shared by
    notice count (to the cent); once per file. Fees of a file with none of our letters stay unallocated."""
    if not cents or not letter_ids:
        return {}
    batches = Counter(session.scalars(select(Letter.batch_id).where(one_of(session, Letter.id, letter_ids))).all())
    counted = sorted(batch for batch in batches if batch is not None)
    shares = dict(zip(counted, share_out(cents, [batches[batch] for batch in counted])))
    now = utcnow()
    for batch_id, share in shares.items():
        exists = session.exec(select(BatchFee).where(BatchFee.batch_id == batch_id, BatchFee.kind == ACS_FEES, BatchFee.source_sha256 == digest)).first()
        if exists is None and share:
            session.add(BatchFee(batch_id=batch_id, kind=ACS_FEES, cents=share, source=file_name[:255], source_sha256=digest, recorded_at=now))
    session.commit()
    return shares


def import_acs_folder(session: Session, folder: Path, policy: ReturnPolicy, verifier: Verifier, mailer_id: str, actor: str,
                      today: date) -> list[dict]:
    """Every file a scheduled download dropped into `folder`, oldest name first: each imported and
    moved to `folder/done/`, or, when it is refused as a whole, to `folder/failed/` beside a
    `.reason.txt` saying why. Returns one entry per file (its report, or its error)."""
    if not folder.is_dir():
        raise InputFileError("not a folder", where=str(folder), todo="give the folder the scheduled download writes ACS files into")
    results = []
    for path in sorted(p for p in folder.iterdir() if p.is_file() and not p.name.startswith(".")):
        try:
            report = import_acs(session, path, policy, verifier, mailer_id, actor, today)
        except NotifierError as exc:
            session.rollback()
            moved = _move(path, folder / "failed")
            moved.with_name(moved.name + ".reason.txt").write_text(f"{exc}\n", encoding="utf-8")
            results.append({"file": path.name, "moved_to": str(moved), "error": str(exc)})
            continue
        results.append({**report.as_dict(), "moved_to": str(_move(path, folder / "done"))})
    return results


def _move(path: Path, into: Path) -> Path:
    """Moves the file into `into` (made if missing), never over a file already there."""
    into.mkdir(exist_ok=True)
    target = into / path.name
    number = 1
    while target.exists():
        number += 1
        target = into / f"{path.stem}.{number}{path.suffix}"
    os.replace(path, target)
    return target


def _record(session: Session, notice: Notice, policy: ReturnPolicy, verifier: Verifier, mailer_id: str, actor: str, today: date,
            shipment: str) -> tuple[str, int | None, str]:
    """(status, letter number or None, why it is unknown)."""
    theirs = imb.mailer_id_of(notice.tracking)
    if theirs != mailer_id:
        return "foreign_mailer_id", None, f"Mailer ID {theirs} is not this office's ({mailer_id}, config/imb.toml)"
    number = imb.serial_of(notice.tracking)
    forward = notice.new_address if notice.code in policy.acs_forwarding else None
    try:
        recorded = record_return(session, policy, verifier, letter_text=make_letter_id(number), reason=policy.acs_codes[notice.code],
                                 returned_on=notice.move_effective or notice.fulfilled or today, forward=forward,
                                 note=f"ACS notice, shipment {shipment or '-'}, line {notice.line}", actor=actor)
    except (NotFoundError, WrongStateError) as exc:
        session.rollback()
        return "unknown", None, f"serial {number}: {exc.what}"
    if recorded.already:
        return "already_recorded", number, ""
    return ("forwarded" if recorded.outcome in FORWARDED_OUTCOMES else "recorded"), number, ""


def _keep(session: Session, file_name: str, digest: str, notice: Notice, policy: ReturnPolicy, status: str, letter_id: int | None) -> None:
    """The notice as received, once per file and line (a file imported again keeps its first statuses)."""
    session.add(AcsNotice(file_name=file_name[:255], file_sha256=digest, line=notice.line, tracking=notice.tracking, code=notice.code,
                          reason=policy.acs_codes[notice.code], status=status, letter_id=letter_id, move_effective=notice.move_effective,
                          received_at=utcnow()))
    session.commit()
