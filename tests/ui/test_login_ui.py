"""In a real browser: sign in, see the home page for the role, sign out; a wrong password."""

from __future__ import annotations

import re

import pytest

from tests.web.conftest import PASSWORD

pytestmark = [pytest.mark.ui, pytest.mark.req("DATA-05")]


def _sign_in(page, base: str, username: str, password: str) -> None:
    page.goto(f"{base}/login")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign in").click()


def test_operator_signs_in_sees_their_home_page_and_signs_out(page, live_server, people):
    _sign_in(page, live_server, "operator", PASSWORD)
    page.wait_for_url(f"{live_server}/")
    assert page.get_by_role("heading", name="Test Operator").is_visible()
    assert page.get_by_text("LFR Operator", exact=True).is_visible()
    assert page.get_by_role("heading", name="Alerts to adjudicate").is_visible()
    assert page.get_by_text("No Alerts are waiting.").is_visible()
    assert page.get_by_role("link", name="Audit log").count() == 0
    page.get_by_role("button", name="Sign out").click()
    page.wait_for_url(re.compile(r"/login\?signed_out=1$"))
    assert page.get_by_text("You have signed out.").is_visible()
    page.goto(f"{live_server}/")
    assert re.search(r"/login$", page.url)


def test_wrong_password_shows_the_generic_message(page, live_server, people):
    _sign_in(page, live_server, "operator", "not-my-password")
    alert = page.get_by_role("alert")
    assert alert.inner_text() == (
        "Unknown username or wrong password, or the account is locked or disabled."
    )
    assert page.get_by_label("Username").input_value() == ""  # not echoed back


def test_auditor_verifies_the_chain_with_htmx(page, live_server, people):
    _sign_in(page, live_server, "auditor", PASSWORD)
    page.wait_for_url(f"{live_server}/")
    page.get_by_role("link", name="Audit log").first.click()
    page.wait_for_url(f"{live_server}/audit")
    assert page.get_by_role("cell", name="audit.read").first.is_visible()
    page.get_by_role("button", name="Verify chain").click()
    result = page.locator("#verification-result")
    result.wait_for()
    assert "audit chain intact" in result.inner_text()
    assert page.url == f"{live_server}/audit"  # swapped in place by HTMX, no reload


def test_pages_fit_a_handheld_screen(browser, live_server, people):
    context = browser.new_context(viewport={"width": 360, "height": 740}, is_mobile=True)
    page = context.new_page()
    try:
        _sign_in(page, live_server, "admin", PASSWORD)
        page.wait_for_url(f"{live_server}/")
        for path in ("/", "/admin/users", "/audit"):
            page.goto(f"{live_server}{path}")
            width = page.evaluate("document.documentElement.scrollWidth")
            assert width <= 360, f"{path} scrolls sideways on a handheld ({width}px)"
    finally:
        context.close()
