"""The staff pages in a real browser: Debian's chromium driven by Playwright, axe-core on every page.

The server is the real app under uvicorn on a free port, on the demo's kind of data (SQLite).
Screenshots of every page go to var/test-output/screenshots/. Without chromium the tests skip,
unless NOTIFIER_REQUIRE_SERVICES=1 (CI), where they fail: `make test` installs it.
"""

from __future__ import annotations

import os
import shutil
import socket
import threading
import time

import pytest

from notifier import db
from notifier.accounts.store import add_user
from notifier.settings import REPO_ROOT, Settings

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
SCREENSHOTS = REPO_ROOT / "var" / "test-output" / "screenshots"
PASSWORD = "correct horse battery"
LAUNCH_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync"]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="session")
def chromium_path() -> str:
    if not CHROMIUM:
        if os.environ.get("NOTIFIER_REQUIRE_SERVICES") == "1":
            pytest.fail("chromium is not installed but NOTIFIER_REQUIRE_SERVICES=1 (make test installs it)")
        pytest.skip("chromium not installed")
    return CHROMIUM


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    """The app on a fresh SQLite database with one user per role; yields (base URL, settings)."""
    import uvicorn

    from notifier.web.app import create_app

    folder = tmp_path_factory.mktemp("web")
    url = f"sqlite:///{folder / 'notifier.db'}"
    db.ensure_schema(url)
    with db.session_for(url) as session:
        for name, role in (("ada", "admin"), ("sam", "staff"), ("fin", "finance")):
            add_user(session, name, role, PASSWORD, actor="test")
    settings = Settings(database_url=url, output_dir=folder / "out")
    port = _free_port()
    server = uvicorn.Server(uvicorn.Config(create_app(settings), host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 15
    while not server.started and time.monotonic() < deadline:
        time.sleep(0.05)
    yield f"http://127.0.0.1:{port}", settings
    server.should_exit = True
    thread.join(timeout=5)
    db.dispose(url)


@pytest.fixture(scope="module")
def browser(chromium_path):
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=chromium_path, headless=True, args=LAUNCH_ARGS)
        yield browser
        browser.close()


def sign_in(browser, base: str, name: str):
    """A fresh browser context, signed in as `name`; returns its page."""
    context = browser.new_context()
    page = context.new_page()
    page.goto(f"{base}/login")
    page.get_by_label("User name").fill(name)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_label("Password").press("Enter")
    page.wait_for_url(f"{base}/")
    return page


def look(page, name: str) -> list[dict]:
    """A screenshot of the page, and axe-core's serious or critical violations on it."""
    from axe_playwright_python.sync_playwright import Axe

    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / f"{name}.png"), full_page=True)
    results = Axe().run(page)
    return [{"id": v["id"], "impact": v["impact"], "nodes": len(v["nodes"])} for v in results.response["violations"] if v["impact"] in ("serious", "critical")]
