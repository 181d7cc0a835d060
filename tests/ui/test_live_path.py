"""In a real browser (Debian's Chromium): a Deployment runs on a video whose face is on the
Watchlist; the Alert appears on the Operator console by itself (SSE); the operator and the
Engagement Officer (on a handheld-sized page) record their decisions; Silver suspends and no
further Alert arrives; the metrics page shows the counts."""

from __future__ import annotations

import re
import threading
import time

import pytest
from playwright.sync_api import expect
from sqlalchemy import func, select

from frt.lfr import synthetic
from frt.lfr.models import LiveAlert
from frt.lfr.runner import Runner
from tests.governance.conftest import PASSWORD
from tests.lfr.live_fixtures import *  # noqa: F401,F403 (fixtures)
from tests.lfr.live_fixtures import clock_at, passes, people  # noqa: F401

pytestmark = [
    pytest.mark.ui,
    pytest.mark.req("LIVE-04", "LIVE-05", "LIVE-06", "LIVE-07", "LIVE-08", "WL-06"),
]


@pytest.fixture(scope="session")
def walking_video(live_dir):
    return synthetic.write_video(live_dir / "ui_passes.mp4", passes(10, on=12, off=14), fps=50.0)


def sign_in(page, base: str, username: str) -> None:
    page.goto(f"{base}/login")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(f"{base}/")


def alerts(store, dep_id) -> int:
    with store.session() as s:
        return s.scalar(
            select(func.count()).select_from(LiveAlert).where(LiveAlert.deployment_id == dep_id)
        )


def test_alert_decisions_suspension_and_metrics_in_the_browser(
    browser, page, live_server, store, live, officer, web_clock, walking_video
):
    _, dep_id = live(min_threshold=0.97)
    console = f"{live_server}/live/deployments/{dep_id}"
    sign_in(page, live_server, "operator")
    page.goto(console)
    assert page.get_by_text("No Alerts yet.").is_visible()

    runner = Runner(store, dep_id, [str(walking_video)], workers=0, poll_s=0.2, clock=clock_at())
    thread = threading.Thread(target=runner.run, daemon=True)
    thread.start()
    try:
        card = page.locator("article.live-alert").last
        card.wait_for(timeout=20_000)  # delivered by SSE, no reload
        assert "weapons" in card.inner_text() and "Wanted by courts" in card.inner_text()
        # An image is visible once it has loaded: wait for it (a loaded machine is slow to serve).
        expect(card.get_by_role("img", name="Watchlist image")).to_be_visible(timeout=10_000)
        alert_id = card.get_attribute("data-alert")

        card.get_by_label("Assessment").select_option("possible_match")
        card.get_by_label("Support an Engagement").select_option("yes")
        card.get_by_role("button", name="Record assessment").click()
        page.locator(f"#alert-{alert_id} [data-assessment]").wait_for()

        officer_ctx = browser.new_context(viewport={"width": 390, "height": 844})
        handheld = officer_ctx.new_page()
        sign_in(handheld, live_server, "eo")
        handheld.goto(f"{live_server}/live/handheld/{dep_id}")
        mine = handheld.locator(f"#alert-{alert_id}")
        assert "Possible match" in mine.inner_text()
        mine.get_by_label("Your decision").select_option("engage")
        mine.get_by_label("Outcome").select_option("confirmed_true")
        mine.get_by_label("Police action").select_option("arrest")
        mine.get_by_role("button", name="Record decision").click()
        handheld.locator(f"#alert-{alert_id} [data-engagement]").wait_for()
        officer_ctx.close()

        silver_ctx = browser.new_context()
        silver = silver_ctx.new_page()
        sign_in(silver, live_server, "silver")
        silver.goto(console)
        silver.get_by_role("button", name="Suspend").click()
        silver.wait_for_url(console)
        assert silver.locator("[data-state]").inner_text() == "suspended"
        page.locator("[data-state]", has_text="suspended").wait_for()  # pushed to the operator
        time.sleep(1.0)  # processing stops within a second
        frozen = alerts(store, dep_id)
        shown = page.locator("article.live-alert").count()
        time.sleep(2.5)
        assert alerts(store, dep_id) == frozen
        assert page.locator("article.live-alert").count() == shown == frozen

        silver.goto(f"{console}/metrics")
        assert silver.locator('[data-metric="alerts"]').inner_text() == str(frozen)
        assert silver.locator('[data-metric="true_confirmed"]').inner_text() == "1"
        assert silver.locator('[data-metric="alerts_engaged"]').inner_text() == "1"
        assert re.match(r"\d+", silver.locator('[data-metric="templates"]').inner_text())
        silver.get_by_role("link", name="Console").click()
        silver.get_by_role("button", name="Terminate").click()
        silver.wait_for_url(console)
        silver_ctx.close()
    finally:
        thread.join(10)
    assert not thread.is_alive()
