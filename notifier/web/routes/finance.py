"""/finance (finance, staff, admin): rates in force, estimate against actual, a chart and a CSV.

Counts and money only: the report groups by month, batch, wave or postage class, never by a
person, and the rates are the config tables. The CSV has the columns of
`notifier costs report --format csv`; the chart is drawn here as inline SVG (no script), with
its figures in a table beside it.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from datetime import date

from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response
from sqlmodel import Session

from notifier.cli.common import parse_date
from notifier.costs.money import dollars
from notifier.costs.rates import Period, Rates, postage_classes
from notifier.costs.report import COLUMNS, GROUPINGS, cost_report
from notifier.csvfiles import safe_cell
from notifier.errors import RateError
from notifier.settings import Settings
from notifier.web.pages import page
from notifier.web.security import ADMIN, FINANCE, STAFF, Visitor, allow, db_session

router = APIRouter()
MENU = ("Finance", "finance", (FINANCE, STAFF, ADMIN))
ROLES = (FINANCE, STAFF, ADMIN)
POSTAGE_PRICES = (("first_ounce", "First ounce"), ("additional_ounce", "Each additional ounce"), ("nonmachinable_surcharge", "Nonmachinable surcharge"))
PRINT_PRICES = (("per_sheet", "Paper, per sheet"), ("per_side", "Printing, per printed side"), ("envelope", "Envelope"), ("insert", "Insert"))


def _report(request: Request, session: Session) -> tuple[dict, dict[str, str]]:
    """The cost report the query asks for, and the query as given (for the form and the CSV link)."""
    query = {name: request.query_params.get(name, "").strip() for name in ("by", "from", "to")}
    query["by"] = query["by"] or "month"
    report = cost_report(session, by=query["by"], start=parse_date(query["from"], "From"), end=parse_date(query["to"], "To"))
    return report, query


@router.get("/finance", name="finance")
def finance(request: Request, visitor: Visitor = Depends(allow(*ROLES)), session: Session = Depends(db_session)):
    report, query = _report(request, session)
    postage, printing, rates_problem = _rates_today(request.app.state.settings)
    return page(
        request,
        "finance.html",
        title="Finance",
        visitor=visitor,
        report=report,
        query=query,
        groupings=GROUPINGS,
        chart=chart(report["rows"]),
        postage=postage,
        printing=printing,
        rates_problem=rates_problem,
        today=date.today(),
        dollars=dollars,
    )


@router.get("/finance/costs.csv", name="finance_csv")
def finance_csv(request: Request, visitor: Visitor = Depends(allow(*ROLES)), session: Session = Depends(db_session)):
    report, query = _report(request, session)
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(COLUMNS)
    writer.writerows([safe_cell(row[column]) for column in COLUMNS] for row in [*report["rows"], report["total"]])
    headers = {"Content-Disposition": f'attachment; filename="costs-by-{query["by"]}.csv"'}
    return Response(buffer.getvalue(), media_type="text/csv; charset=utf-8", headers=headers)


def _rates_today(settings: Settings) -> tuple[dict | None, dict | None, str]:
    """The postage classes and print prices in force today, as rows of dollars; or why they are not known."""
    today = date.today()
    try:
        rates = Rates.load(settings.config_dir)
        postage_period, print_period = rates.postage.on(today), rates.printing.on(today)
    except RateError as exc:
        return None, None, str(exc)
    return _postage_rows(postage_period), _print_rows(print_period), ""


def _price(values: dict, key: str) -> str:
    return dollars(values[key]) if key in values else "not known"


def _postage_rows(period: Period) -> dict:
    classes = []
    for name in postage_classes(period):
        prices = period.values["classes"][name]
        row = {"class": name.replace("_", " "), **{label: _price(prices, key) for key, label in POSTAGE_PRICES}, "Most ounces": str(prices.get("max_ounces", ""))}
        if "first_ounce_by_sort" in prices:
            row["First ounce"] = ", ".join(f"{level.replace('_', ' ')} {dollars(cents)}" for level, cents in prices["first_ounce_by_sort"].items())
        classes.append(row)
    return {"since": period.effective_from, "columns": [label for _, label in POSTAGE_PRICES] + ["Most ounces"], "classes": classes}


def _print_rows(period: Period) -> dict:
    return {"since": period.effective_from, "prices": [(label, _price(period.values, key)) for key, label in PRINT_PRICES]}


# --- the chart ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Bar:
    x: float
    y: float
    width: float
    height: float
    label: str  # what a pointer shows (the table beside the chart says the same to everyone)


WIDTH, HEIGHT, LEFT, RIGHT, TOP, BOTTOM = 640, 300, 84, 12, 16, 64


def chart(rows: list[dict]) -> dict:
    """Bar geometry of estimate and actual per group, the value axis in dollars (inline SVG, no script)."""
    top_cents = max([row["estimate_total_cents"] for row in rows] + [row["actual_total_cents"] for row in rows] + [0])
    scale_cents = _nice_ceiling(top_cents)
    plot_width, plot_height = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM
    slot = plot_width / max(len(rows), 1)
    bar_width = min(slot * 0.38, 48)
    bars, labels = [], []
    for index, row in enumerate(rows):
        middle = LEFT + slot * (index + 0.5)
        for offset, key, name in ((-1, "estimate_total_cents", "estimate"), (0, "actual_total_cents", "actual")):
            height = plot_height * row[key] / scale_cents
            bars.append((name, Bar(middle + offset * bar_width, TOP + plot_height - height, bar_width, height, f"{row['group']} {name} {dollars(row[key])}")))
        labels.append((middle, row["group"]))
    ticks = [(TOP + plot_height - plot_height * step / 4, dollars(scale_cents * step // 4)) for step in range(5)]
    return {
        "width": WIDTH, "height": HEIGHT, "left": LEFT, "right": WIDTH - RIGHT, "base": TOP + plot_height,
        "bars": bars, "labels": labels, "ticks": ticks, "slanted": len(rows) > 8,
    }


def _nice_ceiling(cents: int) -> int:
    """The smallest 1, 2 or 5 times a power of ten (in dollars) at or above the largest figure: a readable axis."""
    step = 100
    while True:
        for factor in (1, 2, 5):
            if step * factor >= cents:
                return step * factor
        step *= 10
