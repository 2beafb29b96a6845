"""The returned-mail report: how many letters came back, why, what was re-mailed, and what it cost.

Grouped by reason, batch, ZIP or month; every figure is counted from the letters themselves,
so the total row is the sum of the groups.
"""

from __future__ import annotations

import sqlalchemy as sa
from sqlmodel import Session, select

from notifier.costs.money import figure
from notifier.errors import InvalidInputError
from notifier.models import Address, Batch, Letter, LetterState, Notice, NoticeStatus, ReturnedMail

GROUPINGS = ("reason", "batch", "zip", "month")  # what returns_report can group by
FORMATS = ("table", "csv", "json")  # how the report can be written out
COLUMNS = ["group", "mailed", "returned", "returned_share", "remailed", "returned_postage_cents"]


def returns_report(session: Session, *, by: str) -> dict:
    """Returned share, reasons, re-mails, unreachable people and the postage of letters that came back."""
    if by not in GROUPINGS:
        raise InvalidInputError(f"cannot group returns by '{by}'", todo=f"use one of: {', '.join(GROUPINGS)}")
    rows = session.execute(
        select(Letter.id, Letter.state, Letter.batch_id, Letter.actual_postage_cents, Letter.postage_cents, Address.zip5, Batch.mail_date, ReturnedMail.reason, ReturnedMail.outcome)
        .join(Batch, Batch.id == Letter.batch_id)
        .join(Address, Address.notice_id == Letter.notice_id)
        .outerjoin(ReturnedMail, ReturnedMail.letter_id == Letter.id)
        .where(Letter.state.in_([LetterState.MAILED, LetterState.PRESUMED_DELIVERED, LetterState.RETURNED]))
    ).all()
    groups: dict[str, dict] = {}
    total = {"group": "total", "mailed": 0, "returned": 0, "remailed": 0, "returned_postage_cents": 0}
    for r in rows:
        key = {"reason": r.reason or "(not returned)", "batch": str(r.batch_id), "zip": r.zip5, "month": r.mail_date.strftime("%Y-%m")}[by]
        for g in (groups.setdefault(key, {"group": key, "mailed": 0, "returned": 0, "remailed": 0, "returned_postage_cents": 0}), total):
            g["mailed"] += 1
            if r.reason:
                g["returned"] += 1
                g["remailed"] += r.outcome == "remail"
                g["returned_postage_cents"] += r.actual_postage_cents or r.postage_cents or 0
    for g in [*groups.values(), total]:
        g["returned_share"] = round(g["returned"] / g["mailed"], 4) if g["mailed"] else 0.0
    total["unreachable_people"] = session.scalar(select(sa.func.count()).select_from(Notice).where(Notice.status == NoticeStatus.UNREACHABLE)) or 0
    return {"by": by, "rows": [groups[k] for k in sorted(groups)], "total": total}


def as_table(report: dict) -> str:
    """The report as a terminal table, the total row last."""
    lines = [f"{'group':<22}{'mailed':>8}{'returned':>9}{'share':>8}{'re-mailed':>10}{'postage':>12}"]
    for row in [*report["rows"], report["total"]]:
        lines.append(f"{row['group']:<22}{row['mailed']:>8}{row['returned']:>9}{row['returned_share']:>8.1%}{row['remailed']:>10}{figure(row['returned_postage_cents'])}")
    lines.append(f"unreachable people: {report['total']['unreachable_people']}")
    return "\n".join(lines)
