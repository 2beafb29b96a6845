"""The review queue as a spreadsheet: export it, let a clerk edit it, read the fixes back.

The address columns come pre-filled with the address as checked; a clerk edits them in
place, or writes Y under accept_suggestion, or a reason under undeliverable_reason. Rows left
as they were change nothing. Every row read back is checked and reported by line number,
and committed on its own, so one bad row never holds back the others.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass, field
from pathlib import Path

from sqlmodel import Session, select

from notifier.addresses.check import Verifier
from notifier.addresses.store import RAW_PAIRS, Fix, apply_fix, raw_of_address, raw_of_notice, review_queue
from notifier.csvfiles import Exported, unsafe_cell, write_csv
from notifier.errors import InputFileError, NotifierError
from notifier.models import Address, Notice

EDITABLE = [name for name, _ in RAW_PAIRS]
HEADER = ["notice_id", "person_id", "status", "problems", "suggestion", *EDITABLE, "accept_suggestion", "undeliverable_reason"]
YES = {"Y", "YES", "TRUE", "1", "X"}


def export_review(session: Session, path: Path, status: str | None = None) -> Exported:
    """The review queue (one status, or both) as a CSV a clerk edits and `fixes_from_file` reads back."""
    rows = (
        [
            item.notice_id,
            item.person_id,
            item.status,
            "; ".join(reason["message"] for reason in item.reasons),
            ", ".join(f"{k}={v}" for k, v in item.suggestion.items()),
            *(item.raw[name] for name in EDITABLE),
            "",
            "",
        ]
        for item in review_queue(session, status=status)
    )
    return Exported(write_csv(path, HEADER, rows), path)


@dataclass
class FixReport:
    read: int = 0
    fixed: int = 0
    unchanged: int = 0
    errors: list[dict] = field(default_factory=list)

    def as_dict(self) -> dict:
        return {"read": self.read, "fixed": self.fixed, "unchanged": self.unchanged, "errors": self.errors}


def fixes_from_file(session: Session, path: Path, verifier: Verifier, actor: str) -> FixReport:
    """Applies the edited rows of an exported review spreadsheet, committing row by row."""
    report = FixReport()
    try:
        with path.open(encoding="utf-8-sig", newline="") as handle:
            reader = csv.DictReader(handle)
            missing = [name for name in ("notice_id", *EDITABLE) if name not in (reader.fieldnames or [])]
            if missing:
                raise InputFileError(
                    f"header has no column for: {', '.join(missing)}",
                    where=f"{path}, line 1",
                    todo="start from an exported review spreadsheet",
                    action="addresses.review_export",
                )
            for row in reader:
                report.read += 1
                _apply_row(session, {k: unsafe_cell((v or "").strip()) for k, v in row.items() if k}, reader.line_num, verifier, actor, report)
    except FileNotFoundError:
        raise InputFileError("file not found", where=str(path), todo="check the path") from None
    except UnicodeDecodeError:
        raise InputFileError("not UTF-8 text", where=str(path), todo="save it from the spreadsheet as CSV UTF-8") from None
    return report


def _apply_row(session: Session, row: dict[str, str], line: int, verifier: Verifier, actor: str, report: FixReport) -> None:
    def fail(message: str) -> None:
        report.errors.append({"line": line, "notice_id": row.get("notice_id", ""), "message": message})

    if not row.get("notice_id", "").isdigit():
        return fail(f"notice_id '{row.get('notice_id', '')}' is not a number")
    notice_id = int(row["notice_id"])
    session.expire_all()  # read each row's notice as it is now: a batch or another clerk may have changed it since the last row
    notice = session.get(Notice, notice_id)
    if notice is None:
        return fail(f"no notice with id {notice_id}")
    address = session.exec(select(Address).where(Address.notice_id == notice_id)).first()
    current = raw_of_address(address) if address else raw_of_notice(notice)
    fix = Fix(
        notice_id=notice_id,
        changes={name: row[name] for name in EDITABLE if row.get(name, "") != getattr(current, name)},
        accept_suggestion=row.get("accept_suggestion", "").upper() in YES,
        undeliverable=row.get("undeliverable_reason", ""),
    )
    if fix.is_empty():
        report.unchanged += 1
        return None
    try:
        apply_fix(session, fix, verifier, actor)
    except NotifierError as exc:
        session.rollback()
        return fail(exc.what)
    session.commit()
    report.fixed += 1
    return None
