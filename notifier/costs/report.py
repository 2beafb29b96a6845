"""Finance reports: spend by month, batch, wave or postage class, reconciled to the cent.

Every figure is a sum of per-letter amounts, so the report's totals equal the sum of the
letters; the check is part of the report (`reconciled`).
"""

from __future__ import annotations

import io
from dataclasses import dataclass, field
from datetime import date

import sqlalchemy as sa
from sqlmodel import Session, select

from notifier.costs.money import figure
from notifier.errors import InvalidInputError
from notifier.letters.fonts import BOLD, REGULAR
from notifier.letters.pdf import new_canvas
from notifier.models import Batch, BatchFee, BatchState, Decision, Letter, LetterState

GROUPINGS = ("month", "batch", "wave", "class")
FORMATS = ("table", "csv", "json", "pdf")
COUNTED = (BatchState.FROZEN, BatchState.PRINTED, BatchState.MAILED, BatchState.CLOSED)  # estimated, not cancelled
COLUMNS = ["group", "letters", "people", "decisions", "estimate_postage_cents", "estimate_print_cents", "estimate_envelope_cents",
           "estimate_total_cents", "actual_total_cents", "variance_cents", "returned_letters", "returned_postage_cents", "fee_cents"]


@dataclass
class Row:
    group: str
    letters: int = 0
    people: set = field(default_factory=set)
    decisions: int = 0
    estimate_postage_cents: int = 0
    estimate_print_cents: int = 0
    estimate_envelope_cents: int = 0
    actual_total_cents: int = 0
    returned_letters: int = 0
    returned_postage_cents: int = 0
    fee_cents: int = 0  # charged after mailing (ACS notices' fees), per batch

    def as_dict(self) -> dict:
        estimate = self.estimate_postage_cents + self.estimate_print_cents + self.estimate_envelope_cents
        return {
            "group": self.group,
            "letters": self.letters,
            "people": len(self.people),
            "decisions": self.decisions,
            "estimate_postage_cents": self.estimate_postage_cents,
            "estimate_print_cents": self.estimate_print_cents,
            "estimate_envelope_cents": self.estimate_envelope_cents,
            "estimate_total_cents": estimate,
            "actual_total_cents": self.actual_total_cents,
            "variance_cents": self.actual_total_cents - estimate if self.actual_total_cents else 0,
            "returned_letters": self.returned_letters,
            "returned_postage_cents": self.returned_postage_cents,
            "fee_cents": self.fee_cents,
        }


def cost_report(session: Session, *, by: str, start: date | None = None, end: date | None = None) -> dict:
    """Rows per group plus a total row; only batches that were frozen (estimated) count."""
    if by not in GROUPINGS:
        raise InvalidInputError(f"cannot group costs by '{by}'", todo=f"use one of: {', '.join(GROUPINGS)}")
    decisions = dict(session.execute(select(Decision.notice_id, sa.func.count()).group_by(Decision.notice_id)).all())
    query = (
        select(Letter, Batch)
        .join(Batch, Batch.id == Letter.batch_id)
        .where(Batch.state.in_(COUNTED))
    )
    if start:
        query = query.where(Batch.mail_date >= start)
    if end:
        query = query.where(Batch.mail_date <= end)
    rows: dict[str, Row] = {}
    total = Row("total")
    for letter, batch in session.exec(query):
        key = _group(by, batch, letter.wave)
        for row in (rows.setdefault(key, Row(key)), total):
            row.letters += 1
            row.people.add(letter.notice_id)
            row.decisions += decisions.get(letter.notice_id, 0)
            row.estimate_postage_cents += letter.postage_cents or 0
            row.estimate_print_cents += letter.print_cents or 0
            row.estimate_envelope_cents += letter.envelope_cents or 0
            row.actual_total_cents += sum(getattr(letter, f"actual_{p}") or 0 for p in ("postage_cents", "print_cents", "envelope_cents"))
            if letter.state == LetterState.RETURNED:
                row.returned_letters += 1
                row.returned_postage_cents += letter.actual_postage_cents or letter.postage_cents or 0
    counted = select(Batch).where(Batch.state.in_(COUNTED))
    if start:
        counted = counted.where(Batch.mail_date >= start)
    if end:
        counted = counted.where(Batch.mail_date <= end)
    batches = list(session.exec(counted))
    batch_totals = sum((b.postage_cents or 0) + (b.print_cents or 0) + (b.envelope_cents or 0) for b in batches)
    fees = dict(session.execute(select(BatchFee.batch_id, sa.func.sum(BatchFee.cents)).group_by(BatchFee.batch_id)).all())
    for batch in batches:
        if fees.get(batch.id):
            key = _group(by, batch, batch.wave)
            for row in (rows.setdefault(key, Row(key)), total):
                row.fee_cents += fees[batch.id]
    result = total.as_dict()
    return {
        "by": by,
        "rows": [rows[key].as_dict() for key in sorted(rows)],
        "total": result,
        "reconciled": batch_totals == result["estimate_total_cents"],
    }


def _group(by: str, batch: Batch, wave: str | None) -> str:
    return {"month": batch.mail_date.strftime("%Y-%m"), "batch": str(batch.id), "wave": wave or "(none)", "class": batch.postage_class}[by]


def cost_report_pdf(session: Session, *, by: str, start: date | None = None, end: date | None = None) -> bytes:
    """The report by `by` as a one-page PDF, with its chart of spend by month over the same dates."""
    return as_pdf(cost_report(session, by=by, start=start, end=end), cost_report(session, by="month", start=start, end=end))


def as_table(report: dict) -> str:
    lines = [f"{'group':<10}{'letters':>9}{'people':>8}{'decisions':>10}{'estimate':>13}{'actual':>13}{'variance':>13}{'returned $':>13}{'ACS fees':>13}"]
    for row in [*report["rows"], report["total"]]:
        lines.append(
            f"{row['group']:<10}{row['letters']:>9}{row['people']:>8}{row['decisions']:>10}{figure(row['estimate_total_cents'])} "
            f"{figure(row['actual_total_cents'])} {figure(row['variance_cents'])} {figure(row['returned_postage_cents'])} {figure(row['fee_cents'])}"
        )
    lines.append(f"reconciled with batch totals: {'yes' if report['reconciled'] else 'NO'}")
    return "\n".join(lines)


def as_pdf(report: dict, monthly: dict) -> bytes:
    """A one-page summary with a chart of spend by month (reportlab graphics)."""
    from reportlab.graphics.charts.barcharts import VerticalBarChart
    from reportlab.graphics.shapes import Drawing
    from reportlab.lib.colors import HexColor
    from reportlab.lib.pagesizes import LETTER
    from reportlab.lib.units import inch

    buffer = io.BytesIO()
    canvas = new_canvas(buffer, page_size=LETTER, title=f"Mailing costs by {report['by']}", author="notifier")
    canvas.setFont(BOLD, 16)
    canvas.drawString(inch, 10.2 * inch, f"Mailing costs by {report['by']}")
    canvas.setFont(REGULAR, 8)
    y = 9.8 * inch
    for line in as_table(report).splitlines():
        canvas.drawString(inch, y, line)
        y -= 11
    months = monthly["rows"]
    drawing = Drawing(6.5 * inch, 3 * inch, initialFontName=REGULAR)
    chart = VerticalBarChart()
    chart.x, chart.y, chart.width, chart.height = 40, 30, 6.5 * inch - 60, 3 * inch - 50
    chart.data = [[row["estimate_total_cents"] / 100 for row in months] or [0], [row["actual_total_cents"] / 100 for row in months] or [0]]
    chart.categoryAxis.categoryNames = [row["group"] for row in months] or ["-"]
    chart.valueAxis.valueMin = 0
    chart.categoryAxis.labels.fontName = chart.valueAxis.labels.fontName = REGULAR  # reportlab's default, Helvetica, is not embedded
    chart.bars[0].fillColor, chart.bars[1].fillColor = HexColor("#8fa8c8"), HexColor("#2f4f7f")
    drawing.add(chart)
    canvas.setFont(BOLD, 11)
    canvas.drawString(inch, min(y, 6 * inch) - 10, "Spend by month (USD): estimate, actual")
    drawing.drawOn(canvas, inch, min(y, 6 * inch) - 20 - 3 * inch)
    canvas.showPage()
    canvas.save()
    return buffer.getvalue()
