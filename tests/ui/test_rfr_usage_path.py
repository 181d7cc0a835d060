"""In a real browser: an administrator opens the RFR usage page (SVG charts drawn by the server,
no script or CDN), downloads the CSV and schedules a daily report to themself and the Operational
Lead. Screenshot: /tmp/rfr_usage.png."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from frt.core.actions import perform
from frt.rfr import searches
from tests.rfr.conftest import (  # noqa: F401 (fixtures)
    add_templates,
    approved_library,
    distractors,
    group_photo,
    heads,
    people,
)
from tests.rfr.helpers import search_for
from tests.rfr.test_usage import admin  # noqa: F401 (fixture)
from tests.ui.test_rfr_path import sign_in

pytestmark = [pytest.mark.ui, pytest.mark.req("RFR-12")]


def test_usage_page_charts_export_and_schedule(  # noqa: F811
    page, live_server, store, people, admin, approved_library, add_templates, group_photo
):
    lib = approved_library("Custody images", level=1)
    add_templates(lib, distractors(3))
    for _ in range(2):
        search_id = search_for(store, people["rfr"], group_photo, [lib])
        perform(store, people["rfr"], searches.run_step, search_id)
        perform(store, people["rfr"], searches.record_no_match, search_id, "")
    sign_in(page, live_server, "admin2")
    page.get_by_role("link", name="RFR usage").click()
    expect(page.locator("[data-figure=searches]")).to_have_text("2")
    expect(page.locator("svg[data-chart=by_outcome] rect")).to_have_count(1)
    page.screenshot(path="/tmp/rfr_usage.png", full_page=True)
    with page.expect_download() as download:
        page.get_by_role("link", name="CSV").click()
    assert "by_outcome" in open(download.value.path()).read()
    page.get_by_label("Name of the report").fill("Daily RFR usage")
    page.get_by_label("Frequency").select_option("daily")
    page.get_by_label("Test admin", exact=True).check()
    page.get_by_label("Test lead", exact=True).check()
    page.get_by_role("button", name="Schedule the report").click()
    expect(page.locator("[data-schedule=daily]")).to_contain_text("Test admin")
