"""Signing in and the pages that exist, in Debian's chromium, with axe-core on each."""

from __future__ import annotations

from tests.browser.conftest import look, sign_in


def test_sign_in_with_the_keyboard_and_see_the_dashboard(server, browser):
    base, _ = server
    page = browser.new_context().new_page()
    page.goto(f"{base}/")
    assert page.url == f"{base}/login"  # every page but /login needs a session
    assert look(page, "login") == []
    page.keyboard.press("Tab")  # the skip link, then the user name field (autofocus puts us there already)
    page.get_by_label("User name").fill("sam")
    page.keyboard.press("Tab")
    page.keyboard.type("correct horse battery")
    page.keyboard.press("Enter")
    page.wait_for_url(f"{base}/")
    assert page.get_by_role("heading", name="Dashboard").is_visible()
    assert look(page, "dashboard") == []
    assert page.get_by_role("link", name="Users").count() == 0  # not in staff's menu ...
    assert page.goto(f"{base}/users").status == 403  # ... and refused, not merely hidden


def test_an_admin_adds_a_user_in_the_browser(server, browser):
    base, _ = server
    page = sign_in(browser, base, "ada")
    page.get_by_role("link", name="Users").click()
    assert look(page, "users") == []
    page.get_by_label("New user's name").fill("eve")
    page.get_by_label("New user's role").select_option("finance")
    page.get_by_label("New user's password (12 characters or more)").fill("another long password")
    page.get_by_role("button", name="Add the user").click()
    assert page.get_by_role("status").inner_text().startswith("Done")
    assert page.get_by_role("cell", name="eve", exact=True).is_visible()
