"""Staff journeys end to end in Debian's chromium, as issue 15's "Tests" lists them, with axe-core on every page.

One server (the module's `server`: a fresh SQLite database) carries one mail run from the
upload of a decision file to finance's chart; the tests run in file order and each picks up
what the one before it left (`journey`). Screenshots go to var/test-output/screenshots/.

1. sam uploads a decision file (and an address file) on /imports, watches it run, opens the quarantine;
2. addresses are verified (a service: no page offers it), sam works the two review items with
   the keyboard alone, letters are rendered (a service too);
3. on /batches: a draft from the "recent" wave, freeze, print, the page follows the print run,
   the manifest downloaded;
4. the batch marked mailed, three returns typed at the returns desk (one with a forwarding address);
5. the phone desk finds a letter by its id: what was sent, when, where, what came back;
6. fin reads the finance chart and its table, and no page fin can open shows a name;
7. ada reads the audit trail.
Every page on the way is screenshotted and run through axe-core (`accessible`): no serious or
critical violation.
"""

from __future__ import annotations

import csv
import re
from datetime import date

import pytest
from playwright.sync_api import expect

from notifier import db
from notifier.addresses.check import ZipDatabaseVerifier
from notifier.addresses.store import verify_addresses
from notifier.letters.renderer import Renderer
from notifier.letters.store import count_mailable, render_letters
from tests.browser.conftest import look, sign_in
from tests.helpers import row, write_csv

MAIL_DATE = date(2026, 8, 3)  # fixed, inside the rate tables (a date past their known_through is refused at freeze)
TODAY = date.today()  # the returns desk dates a return today
MANIFEST_HEADER = ["sequence", "letter_id", "imb_serial", "zip", "sheets", "ounces", "postage_class", "postage_cents"]

# Six people in Chicago with ZIPs of Chicago; two of them typed the wrong city for their ZIP (the review queue).
PEOPLE = [
    {"person_id": "P-1", "first_name": "Marisol", "last_name": "Quintanilla", "address_line1": "101 W 63rd St", "zip": "60636", "disposition_date": "2015-03-01"},
    {"person_id": "P-2", "first_name": "Octavio", "last_name": "Brennaman", "address_line1": "2200 N Halsted St", "zip": "60614", "disposition_date": "2016-04-12"},
    {"person_id": "P-3", "first_name": "Perpetua", "last_name": "Szymanowski", "address_line1": "3300 W Cermak Rd", "zip": "60623", "disposition_date": "2014-09-30"},
    {"person_id": "P-4", "first_name": "Leocadio", "last_name": "Fairweather", "address_line1": "1600 N Milwaukee Ave", "zip": "60647", "disposition_date": "2018-01-22"},
    {"person_id": "P-5", "first_name": "Wilhelmina", "last_name": "Achterberg", "address_line1": "5501 S Ashland Ave", "zip": "60636", "city": "Evanston",
     "disposition_date": "2017-06-05"},  # needs review: accept the suggestion (CHICAGO)
    {"person_id": "P-6", "first_name": "Thaddeus", "last_name": "Okonkwo", "address_line1": "233 S Wacker Dr", "zip": "60606", "city": "Evanston",
     "disposition_date": "2010-02-14"},  # needs review: the clerk types the city; wave "older", so not in the batch
]
BAD = {"person_id": "P-7", "first_name": "Gwendolyn", "last_name": "Bad-Row", "date_of_birth": "1980-02-30", "address_line1": "4000 W Madison St", "zip": "60624"}
FORWARD = {"Street line": "4800 N Broadway", "Second line (apartment, unit)": "Apt 2", "City": "Chicago", "State (two letters)": "IL", "ZIP code": "60640"}
RECENT = [p["person_id"] for p in PEOPLE if p["disposition_date"] >= "2013"]  # the "recent" wave: the batch's people


def decision_rows() -> list[dict]:
    return [row(**{"decision_id": f"D-{n}", "case_number": f"2009-CR-00{n}4471", "date_of_birth": f"1975-0{n}-1{n}", **person})
            for n, person in enumerate([*PEOPLE, BAD], start=1)]


def personal_values() -> set[str]:
    """Names, street lines and case numbers of everyone in the data (and the forwarding street)."""
    keys = ("first_name", "last_name", "address_line1", "case_number")
    return {value for item in decision_rows() for key, value in item.items() if key in keys} | {FORWARD["Street line"]}


@pytest.fixture(scope="module")
def journey() -> dict:
    """What one step leaves for the next: the run id, the batch id, the letter ids of the manifest, figures."""
    return {}


def needs(journey: dict, *keys: str) -> None:
    missing = [key for key in keys if key not in journey]
    if missing:
        pytest.fail(f"an earlier step of the journey did not finish (no {', '.join(missing)}): run the whole module")


def accessible(page, name: str) -> None:
    """Screenshot saved as NAME.png; axe-core finds no serious or critical violation."""
    assert page.locator("[data-reload-after]").count() == 0, f"{name}: the page is still reloading itself"
    assert look(page, name) == [], f"axe-core on {name} ({page.url})"


def focused_id(page) -> str:
    return page.evaluate("document.activeElement ? document.activeElement.id : ''")


def focused_text(page) -> str:
    return page.evaluate("document.activeElement ? document.activeElement.innerText : ''").strip()


def cells(table_row) -> list[str]:
    return [text.strip() for text in table_row.locator("th, td").all_inner_texts()]


def test_1_upload_a_decision_file_and_open_its_quarantine(server, browser, journey, tmp_path):
    base, _ = server
    page = sign_in(browser, base, "sam")
    page.get_by_role("link", name="Imports").click()
    expect(page.get_by_role("heading", name="Imports", exact=True)).to_be_visible()
    accessible(page, "imports")

    page.get_by_label("Decision file (CSV or JSONL)").set_input_files(str(write_csv(tmp_path / "chicago-decisions.csv", decision_rows())))
    page.get_by_role("button", name="Import the decisions").click()
    page.wait_for_url(re.compile(r"/imports\?started=\d+$"))
    first = page.content()
    if "data-reload-after" in first:  # still running when the page came back (usual, not certain: the file is small)
        assert "An import is running: this page reloads itself every 2 seconds" in first and "Stop reloading" in first
    # The page reloads itself every 2 seconds while the import runs; the run's link and counts show when it ends.
    expect(page.get_by_role("link", name=re.compile(r"^Import run \d+$"))).to_be_visible(timeout=30_000)
    expect(page.locator("[data-reload-after]")).to_have_count(0, timeout=10_000)
    expect(page.get_by_text("The import has ended: see its result below.")).to_be_visible()
    run_link = page.get_by_role("link", name=re.compile(r"^Import run \d+$"))
    run_id = int(run_link.inner_text().split()[-1])
    runs = page.get_by_role("table", name="Decision files imported, newest first")
    figures = cells(runs.get_by_role("row").filter(has=page.get_by_role("link", name=f"Run {run_id}", exact=True)))
    read, imported, duplicates, conflicts, quarantined = figures[5:10]
    assert figures[1] == "chicago-decisions.csv"
    assert (read, imported, duplicates, conflicts, quarantined) == ("7", "6", "0", "0", "1"), figures
    accessible(page, "imports-run-ended")

    run_link.click()
    expect(page.get_by_role("heading", name=f"Import run {run_id}")).to_be_visible()
    figures = page.locator("ul.figures").inner_text()
    assert "7\nrows read" in figures and "6\nimported" in figures and "1\nquarantined" in figures, figures
    quarantine = page.get_by_role("table", name="Rows of this run that wait to be fixed")
    bad = cells(quarantine.locator("tbody tr"))
    assert quarantine.locator("tbody tr").count() == 1
    assert bad[3] == "D-7" and "date_of_birth" in bad[4], bad
    assert "date" in bad[5].lower(), bad  # the reason, in words
    with page.expect_download() as download:
        page.get_by_role("link", name="Download the rows to fix (CSV)").click()
    text = download.value.path().read_text(encoding="utf-8-sig")
    assert "decision_id" in text.splitlines()[0] and "D-7" in text and "D-1" not in text
    accessible(page, "imports-quarantine")

    # An address file for someone the office never heard of: not attached, and the page says why.
    page.get_by_role("link", name="All imports").click()
    addresses = tmp_path / "legal-aid-addresses.csv"
    addresses.write_text("person_id,address_line1,address_line2,city,state,zip\r\nP-404,77 W Jackson Blvd,,Chicago,IL,60604\r\n", encoding="utf-8")
    page.get_by_label("Address file (CSV)").set_input_files(str(addresses))
    page.get_by_role("button", name="Import the addresses").click()
    problems = page.get_by_role("link", name="See the 1 problems")
    expect(problems).to_be_visible(timeout=30_000)
    expect(page.locator("[data-reload-after]")).to_have_count(0, timeout=10_000)
    problems.click()
    expect(page.get_by_role("cell", name="P-404", exact=True)).to_be_visible()
    accessible(page, "imports-address-problems")
    journey["run_id"] = run_id
    page.context.close()


def test_2_verify_then_work_two_review_items_with_the_keyboard_alone(server, browser, journey):
    base, settings = server
    needs(journey, "run_id")
    with db.session_for(settings.database_url) as session:  # the upload carried the file through the address checks, as `notifier run` does
        verified = verify_addresses(session, ZipDatabaseVerifier())
    assert sum(verified.checked.values()) == 0 and verified.addresses == {"verified": 4, "needs_review": 2}, verified

    page = sign_in(browser, base, "sam")
    for _ in range(12):  # from the dashboard to the Review link in the menu: Tab, then Enter
        page.keyboard.press("Tab")
        if focused_text(page) == "Review":
            break
    assert focused_text(page) == "Review", "Tab never reached the Review link"
    page.keyboard.press("Enter")
    page.wait_for_url(f"{base}/review")

    # Item 1 (Wilhelmina, city Evanston for 60636): the suggestion is right. Focus starts in Line 1; Shift+Tab is the Accept button.
    expect(page.get_by_text(re.compile(r"^Item 1 of 2: notice \d+, person P-5, needs review"))).to_be_visible()
    expect(page.get_by_role("table", name="What the check suggests")).to_contain_text("CHICAGO")
    expect(page.locator("#edit-line1")).to_be_focused()
    accessible(page, "review-item-1")
    page.keyboard.press("Shift+Tab")
    assert focused_text(page).startswith("Accept the suggestion"), focused_text(page)
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r"/review\?after=\d+&fixed=\d+&status=\w+"))
    expect(page.get_by_role("status")).to_contain_text("saved: its address is now verified")

    # Item 2 (Thaddeus, city Evanston for 60606): the clerk tabs to City, types it and presses Enter.
    expect(page.get_by_text(re.compile(r"^Item 1 of 1: notice \d+, person P-6, needs review"))).to_be_visible()
    expect(page.locator("#edit-line1")).to_be_focused()
    accessible(page, "review-item-2")
    page.keyboard.press("Tab")
    page.keyboard.press("Tab")
    assert focused_id(page) == "edit-city"
    page.keyboard.press("Control+A")
    page.keyboard.type("Chicago")
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r"/review\?after=\d+&fixed=\d+&status=\w+"))
    expect(page.get_by_role("status")).to_contain_text("saved: its address is now verified")
    expect(page.get_by_text("Nothing waits for review.")).to_be_visible()
    accessible(page, "review-done")
    page.context.close()

    with db.session_for(settings.database_url) as session:  # the upload rendered the 4 letters it could; the 2 fixed here follow (`notifier letters render`)
        rendered = render_letters(session, Renderer.from_settings(settings, MAIL_DATE))
        assert rendered.by_state == {"rendered": 2} and count_mailable(session) == len(PEOPLE), rendered
    journey["rendered"] = True


def test_3_create_freeze_print_a_batch_and_download_its_manifest(server, browser, journey):
    base, _ = server
    needs(journey, "rendered")
    page = sign_in(browser, base, "sam")
    page.get_by_role("link", name="Batches").click()
    expect(page.get_by_text("No batch yet.")).to_be_visible()
    accessible(page, "batches-empty")

    page.get_by_label("Wave").select_option("recent")
    page.get_by_label("Mail date").fill(MAIL_DATE.isoformat())
    page.get_by_role("button", name="Create the draft").click()
    page.wait_for_url(re.compile(r"/batches/\d+\?done=create$"))
    batch_id = int(re.search(r"/batches/(\d+)", page.url).group(1))
    expect(page.get_by_role("status")).to_have_text("The draft is created.")
    summary = page.get_by_role("table", name=f"Batch {batch_id}")
    expect(summary.get_by_role("row", name=re.compile("^State"))).to_contain_text("draft")
    expect(summary.get_by_role("row", name=re.compile("^Letters"))).to_contain_text(f"{len(RECENT)} to {len(RECENT)} people")
    accessible(page, "batch-draft")

    page.get_by_role("button", name=re.compile("^Freeze")).click()
    expect(page.get_by_role("status")).to_have_text(re.compile("^The batch is frozen"))
    estimate = cells(page.get_by_role("table", name="Costs").get_by_role("row", name=re.compile("^Estimate")))
    assert estimate[0] == "Estimate" and estimate[4].startswith("$"), estimate
    accessible(page, "batch-frozen")

    page.get_by_role("button", name=re.compile("^Print:")).click()
    page.wait_for_url(re.compile(r"/batches/\d+\?done=print$"))
    first = page.content()
    if "data-reload-after" in first:  # still printing when the page came back (usual, not certain)
        assert "This page reloads itself every 2 seconds until the run ends." in first and "Stop reloading" in first
    # The page follows the print run by reloading itself every 2 seconds until it ends.
    expect(page.get_by_text("The print run finished.")).to_be_visible(timeout=60_000)
    expect(page.get_by_text("Preflight passed.")).to_be_visible()
    expect(summary.get_by_role("row", name=re.compile("^State"))).to_contain_text("printed")
    accessible(page, "batch-printed")

    with page.expect_download() as download:
        page.get_by_role("link", name="manifest.csv").click()
    assert download.value.suggested_filename == f"batch-{batch_id}-manifest.csv"
    with open(download.value.path(), newline="", encoding="utf-8-sig") as handle:
        manifest = list(csv.reader(handle))
    assert manifest[0] == MANIFEST_HEADER
    assert len(manifest) - 1 == len(RECENT) and all(len(line) == len(MANIFEST_HEADER) for line in manifest[1:])
    letter_ids = [line[1] for line in manifest[1:]]
    assert len(set(letter_ids)) == len(RECENT)

    page.get_by_role("link", name="Read the files back again now").click()
    expect(page.get_by_role("heading", name=f"Preflight of batch {batch_id}")).to_be_visible()
    expect(page.get_by_text("Preflight passed.")).to_be_visible()
    accessible(page, "batch-preflight")
    journey.update(batch_id=batch_id, letter_ids=letter_ids, estimate_total=estimate[4])
    page.context.close()


def test_4_mark_mailed_then_record_three_returns_at_the_desk(server, browser, journey):
    base, _ = server
    needs(journey, "batch_id", "letter_ids")
    batch_id, letter_ids = journey["batch_id"], journey["letter_ids"]
    page = sign_in(browser, base, "sam")
    page.goto(f"{base}/batches/{batch_id}")
    page.get_by_label("Actual postage, in dollars").fill("4.31")
    page.get_by_label("Postage statement number").fill("PS-3602-0042")
    page.get_by_role("button", name="Mark mailed").click()
    expect(page.get_by_role("status").first).to_have_text("The batch is marked mailed with the actual figures.")
    actual = cells(page.get_by_role("table", name="Costs").get_by_role("row", name=re.compile("^Actual")))
    assert actual[1] == "$4.31", actual
    accessible(page, "batch-mailed")

    page.get_by_role("link", name="Returns desk").click()
    expect(page.locator("#scan")).to_be_focused()
    expect(page.locator("#tally")).to_contain_text("0 returns recorded by you since you signed in")
    accessible(page, "returns-desk")

    reason = page.get_by_label("Reason on the envelope")
    returns = [  # letter id, reason, forwarding address, the outcome in words
        (letter_ids[0], "refused", None, "Refused; noted: nothing else changes."),
        (letter_ids[1], "moved_left_no_address", FORWARD, "Moved, Left No Address; re-mail: the forwarding address verified, the next letter goes there."),
        (letter_ids[2], "no_such_number", None, "No Such Number; dead address: back in the address review for a new one."),
    ]
    for count, (letter_id, code, forward, said) in enumerate(returns, start=1):
        reason.select_option(code)
        for label, value in (forward or {}).items():
            page.get_by_label(label, exact=True).fill(value)
        page.locator("#scan").focus()
        page.keyboard.type(letter_id)  # as a clerk types the id printed on the envelope
        page.keyboard.press("Enter")
        page.wait_for_url(re.compile(rf"/returns\?letter={letter_id}&"))
        expect(page.locator("p.done[role=status]")).to_have_text(f"Recorded letter {letter_id} (attempt 1): {said}")
        expect(page.locator("#tally")).to_contain_text(f"{count} return{'' if count == 1 else 's'} recorded by you since you signed in")
        expect(page.locator("#scan")).to_be_focused()
        expect(page.locator("#scan")).to_have_value("")
        expect(reason).to_have_value(code)  # the reason stays chosen for the next envelope
    tally = page.get_by_role("table", name="Your returns since you signed in, by outcome")
    assert sorted(cells(r)[1] for r in tally.locator("tbody tr").all()) == ["1", "1", "1"]

    # The same envelope again records nothing, and says so; focus stays on the field.
    page.locator("#scan").fill(letter_ids[0])
    page.keyboard.press("Enter")
    expect(page.locator("p.done[role=status]")).to_contain_text(f"Already recorded: letter {letter_ids[0]} came back before")
    expect(page.locator("#tally")).to_contain_text("3 returns recorded by you")
    expect(page.locator("#scan")).to_be_focused()
    accessible(page, "returns-desk-three-recorded")
    journey["returned"] = True
    page.context.close()


def test_5_the_phone_desk_finds_a_letter_by_its_id(server, browser, journey):
    base, _ = server
    needs(journey, "returned")
    letter_id = journey["letter_ids"][1]  # the one that came back with a forwarding address
    page = sign_in(browser, base, "sam")
    page.get_by_role("link", name="Phone desk").click()
    expect(page.get_by_label("Letter id or barcode digits")).to_be_focused()
    accessible(page, "phone")
    page.keyboard.type(letter_id)
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r"/phone\?letter="))
    section = page.get_by_role("region").filter(has=page.get_by_role("heading", level=3))
    expect(section).to_have_count(1)
    heading = section.get_by_role("heading", level=3).inner_text()
    person = re.search(r"\(person (P-\d)\)$", heading).group(1)
    sent = next(p for p in PEOPLE if p["person_id"] == person)
    assert heading.startswith(sent["first_name"]) and sent["last_name"] in heading, heading
    letter = cells(section.get_by_role("row").filter(has=page.get_by_role("rowheader", name=letter_id)))
    letter_id_cell, attempt, state, mailed, sent_to, came_back = letter
    assert (letter_id_cell, attempt, state) == (letter_id, "1", "returned"), letter
    assert mailed == f"{MAIL_DATE.isoformat()} (batch {journey['batch_id']})", letter
    assert sent["address_line1"].upper() in sent_to.upper() and sent["zip"] in sent_to, letter
    assert came_back.startswith(f"{TODAY.isoformat()}: Moved, Left No Address; re-mail"), letter
    assert "forwarding address 4800 N Broadway" in came_back, letter
    accessible(page, "phone-letter")

    page.get_by_role("link", name="Letters").click()
    page.get_by_label("Letter id, barcode digits or person id").fill(person)
    page.keyboard.press("Enter")
    expect(page.get_by_role("rowheader", name=letter_id)).to_be_visible()
    accessible(page, "letters-person")
    page.context.close()


def test_6_finance_reads_the_chart_and_never_a_name(server, browser, journey):
    base, _ = server
    needs(journey, "returned", "estimate_total")
    page = sign_in(browser, base, "fin")
    accessible(page, "dashboard-finance")
    personal = personal_values()
    assert [value for value in personal if value in page.content()] == []

    page.get_by_role("link", name="Finance").click()
    chart = page.get_by_role("img", name=re.compile("^Estimate and actual spend by month, in US dollars"))
    expect(chart).to_be_visible()
    month = MAIL_DATE.strftime("%Y-%m")
    figures = page.get_by_role("table", name="The chart's figures")
    _, estimate, actual = cells(figures.get_by_role("row", name=re.compile(f"^{month}")))
    assert estimate == journey["estimate_total"], (estimate, journey["estimate_total"])
    assert actual not in ("$0.00", estimate)  # mailed: the actual postage typed in, the print and envelope estimates
    bars = [title.text_content() for title in chart.locator("rect > title").all()]
    assert bars == [f"{month} estimate {estimate}", f"{month} actual {actual}"]  # the chart says what its table says
    assert chart.locator("text", has_text=month).count() == 1  # the month on the axis
    accessible(page, "finance")
    seen = {"/": page.content()}

    for by in ("batch", "wave", "class"):
        page.get_by_label("Group by").select_option(by)
        page.get_by_role("button", name="Show").click()
        page.wait_for_url(re.compile(rf"/finance\?by={by}"))
        expect(page.get_by_role("img", name=re.compile(f"^Estimate and actual spend by {by}"))).to_be_visible()
        seen[page.url] = page.content()
    accessible(page, "finance-by-class")
    with page.expect_download() as download:
        page.get_by_role("link", name="Download this report as CSV").click()
    seen["csv"] = download.value.path().read_text(encoding="utf-8-sig")
    assert seen["csv"].splitlines()[0].startswith("group,")

    menu = page.get_by_role("navigation", name="Pages").get_by_role("link").all_inner_texts()
    assert menu == ["Dashboard", "Finance"], menu
    letter_id = journey["letter_ids"][1]
    for path in ("/imports", f"/imports/{journey['run_id']}", "/review", "/batches", f"/batches/{journey['batch_id']}", "/returns", f"/phone?letter={letter_id}",
                 "/phone?person=P-2", f"/letters?q={letter_id}", "/letters/1.pdf", f"/batches/{journey['batch_id']}/files/manifest.csv", "/audit", "/users"):
        response = page.request.get(base + path)
        assert response.status == 403, (path, response.status)
        seen[path] = response.text()
    page.goto(f"{base}/phone?letter={letter_id}")
    expect(page.get_by_role("heading", name="Not allowed")).to_be_visible()
    accessible(page, "forbidden-finance")
    leaks = {where: [value for value in personal if value in text] for where, text in seen.items()}
    assert {where: found for where, found in leaks.items() if found} == {}
    page.context.close()


def test_7_the_admin_reads_the_audit_trail_of_the_journey(server, browser, journey):
    base, _ = server
    needs(journey, "returned")
    page = sign_in(browser, base, "ada")
    page.get_by_role("link", name="Audit").click()
    trail = page.locator("main").inner_text()
    for action in ("return.record", "batches.manifest", "phone.history", "review.item", "imports.quarantine"):
        assert action in trail, action
    assert [value for value in personal_values() if value in page.content()] == []  # ids only
    accessible(page, "audit")
    page.get_by_role("link", name="Dashboard").click()
    accessible(page, "dashboard-after-the-mail-run")
    page.context.close()
