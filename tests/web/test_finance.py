"""/finance through the app's test client, on SQLite and PostgreSQL: rates, the report, its chart and CSV, counts and money only."""

from __future__ import annotations

import csv
import io
import re

from notifier import db
from notifier.costs.report import COLUMNS, cost_report
from notifier.web.routes.finance import chart
from tests.web.conftest import signed_in
from tests.web.test_batches import MAIL_DATE, act, create, personal_values, prepare, printed

PATHS = ("/finance", "/finance?by=batch", "/finance?by=wave", "/finance?by=class", "/finance/costs.csv", "/finance/costs.csv?by=wave")


def mailed_batch(app, tmp_path) -> tuple[list[dict], int]:
    """A batch of the recent wave printed and marked mailed, the older wave frozen only; returns the rows and the mailed batch."""
    rows = prepare(app, tmp_path)
    staff = signed_in(app, "sam")
    batch_id = create(staff, wave="recent")
    assert act(staff, batch_id, "freeze").status_code == 303 and act(staff, batch_id, "print").status_code == 303
    printed(staff, batch_id)
    assert act(staff, batch_id, "mark-mailed", postage="3.10", statement="PS-1").status_code == 303
    assert act(staff, create(staff, wave="older"), "freeze").status_code == 303
    return rows, batch_id


def test_every_role_may_read_finance(app):
    for user in ("ada", "sam", "fin"):
        client = signed_in(app, user)
        assert all(client.get(path).status_code == 200 for path in PATHS), user
        assert 'href="/finance"' in client.get("/").text


def test_rates_in_force_today_and_an_empty_report(app):
    page = signed_in(app, "fin").get("/finance").text
    assert "Rates in force today" in page and "first class metered" in page and "$0.78" in page  # from 2026-07-12 (config/rates/postage.toml)
    assert "Envelope" in page and "nothing to report" in page and "<svg" not in page
    empty = signed_in(app, "fin").get("/finance/costs.csv").text.splitlines()
    assert empty[0] == ",".join(COLUMNS) and empty[1].startswith("total,0,0,0")


def test_estimate_against_actual_by_month_batch_and_wave(app, db_url, tmp_path, cli):
    _, batch_id = mailed_batch(app, tmp_path)
    client = signed_in(app, "fin")
    with db.session_for(db_url) as session:
        by_batch = cost_report(session, by="batch")
    page = client.get("/finance?by=batch").text
    assert '<option value="batch" selected>' in page and "reconciled with the batch totals" in page
    assert re.search(r'<svg role="img" aria-labelledby="chart-title chart-desc"', page) and page.count("<rect") == 2 * 2 + 2  # two bars a batch, two in the legend
    figures = page[page.index("The chart's figures") :]
    mailed = next(r for r in by_batch["rows"] if r["group"] == str(batch_id))
    assert f'<th scope="row">{batch_id}</th><td>${mailed["estimate_total_cents"] / 100:,.2f}</td><td>${mailed["actual_total_cents"] / 100:,.2f}</td>' in figures
    assert mailed["actual_total_cents"] > 310  # postage as stated, print and envelopes as estimated

    month = client.get("/finance").text
    assert f'<th scope="row">{MAIL_DATE:%Y-%m}</th>' in month
    waves = client.get("/finance?by=wave").text
    assert '<th scope="row">recent</th>' in waves and '<th scope="row">older</th>' in waves
    later = client.get("/finance?from=2025-09-01").text
    assert "nothing to report" in later and "<svg" not in later
    assert client.get("/finance?by=person").status_code == 400
    assert client.get("/finance?from=someday").status_code == 400

    download = client.get("/finance/costs.csv?by=batch")
    assert download.headers["content-type"].startswith("text/csv") and 'filename="costs-by-batch.csv"' in download.headers["content-disposition"]
    table = list(csv.DictReader(io.StringIO(download.text)))
    assert list(table[0]) == COLUMNS and [r["group"] for r in table] == [r["group"] for r in by_batch["rows"]] + ["total"]
    assert download.text.splitlines() == cli("costs", "report", "--by", "batch", "--format", "csv").stdout.splitlines()  # what the command line writes


def test_finance_sees_no_name_address_or_case_number(app, tmp_path):
    rows, _ = mailed_batch(app, tmp_path)
    personal = personal_values(rows)
    client = signed_in(app, "fin")
    for path in PATHS:
        text = client.get(path).text
        assert [value for value in personal if value in text] == [], path


def test_the_chart_scales_to_a_round_dollar_figure():
    drawn = chart([{"group": "2025-08", "estimate_total_cents": 1234, "actual_total_cents": 617}, {"group": "2025-09", "estimate_total_cents": 0, "actual_total_cents": 0}])
    assert [label for _, label in drawn["ticks"]] == ["$0.00", "$5.00", "$10.00", "$15.00", "$20.00"]
    estimate, actual = drawn["bars"][0][1], drawn["bars"][1][1]
    assert estimate.height == 2 * actual.height and estimate.y + estimate.height == drawn["base"] and "$12.34" in estimate.label
    assert chart([])["bars"] == []
