"""In a real browser: a search that gave no Viable Match is offered to the Unresolved Crime Cache
and an Inspector approves it from their work list; the FR team enrols a new image of the same
person (a folder import); the cached probe is searched against it at once, and the owner finds the
new candidate on their work list and adjudicates it. Screenshots: /tmp/rfr_cache_*.png."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from frt.core.actions import perform
from frt.rfr import enrol, searches
from frt.rfr.models import RfrCacheEntry, RfrCandidate
from tests.rfr.conftest import (  # noqa: F401 (fixtures)
    add_templates,
    approved_library,
    astronaut_templates,
    distractors,
    group_photo,
    heads,
    people,
)
from tests.rfr.helpers import search_for
from tests.ui.test_rfr_path import sign_in

pytestmark = [pytest.mark.ui, pytest.mark.req("RFR-10")]
SHOTS = "/tmp/rfr_cache_{}.png"


def test_cache_new_enrolment_and_the_owner_adjudicates(  # noqa: F811
    browser,
    page,
    live_server,
    store,
    people,
    approved_library,
    add_templates,  # noqa: F811
    astronaut_templates,
    group_photo,
    tmp_path,
):
    custody = approved_library("Custody images", level=1)
    add_templates(custody, distractors(5))
    search_id = search_for(store, people["rfr"], group_photo, [custody])
    perform(store, people["rfr"], searches.run_step, search_id)
    perform(store, people["rfr"], searches.record_no_match, search_id, "none alike")
    base = live_server

    sign_in(page, base, "rfr")
    page.goto(f"{base}/rfr/searches/{search_id}#cache")
    offer = page.locator("form.cache-offer")
    offer.get_by_label("(b) offence, or subject of an active investigation").check()
    offer.get_by_label("Why the basis for the search is still made out").fill(
        "Robbery under investigation; the robber is still unidentified"
    )
    offer.get_by_role("button", name="Offer to the Unresolved Crime Cache").click()
    expect(page.locator("[data-cache-status]")).to_have_attribute("data-cache-status", "requested")
    page.screenshot(path=SHOTS.format("1_offered"), full_page=True)

    inspector = browser.new_context().new_page()
    sign_in(inspector, base, "inspector")
    waiting = inspector.locator("[data-panel='rfr_ao.requests'] .worklist a")
    expect(waiting).to_contain_text("Unresolved Crime Cache: add")
    waiting.first.click()
    inspector.get_by_label("Your reasons for the cache decision").fill("Tier 1 offence; keep")
    inspector.get_by_role("button", name="Approve adding to the cache").click()
    expect(inspector.locator("[data-cache-status]")).to_have_attribute(
        "data-cache-status", "active"
    )
    inspector.screenshot(path=SHOTS.format("2_approved"), full_page=True)
    inspector.context.close()

    folder = tmp_path / "new"
    folder.mkdir()
    (folder / "custody-2025-001.png").write_bytes(astronaut_templates[0][1])
    summary = enrol.run_import(store, people["frteam"], custody, folder, workers=1)
    assert summary.enrolled == 1

    page.goto(f"{base}/")
    item = page.locator(
        "[data-panel='rfr.requests'] .worklist a", has_text="Unresolved Crime Cache"
    )
    expect(item).to_have_count(1)
    page.screenshot(path=SHOTS.format("3_worklist"), full_page=True)
    item.click()
    with store.session() as s:
        steps = searches.steps_of(s, search_id)
        new_step = steps[-1]
        assert new_step.cache_entry_id and new_step.templates_searched == 1
        [cand] = s.query(RfrCandidate).filter_by(step_id=new_step.id).all()
    row = page.locator(f"#cand-{cand.id}")
    expect(row.get_by_role("img", name="Candidate rank 1")).to_be_visible()
    row.get_by_label("Adjudication of rank 1", exact=True).select_option("viable_match")
    row.get_by_label("Note for rank 1", exact=True).fill("Same eyes, nose and hairline")
    row.get_by_role("button", name="Record").click()
    expect(page.locator(f"#cand-{cand.id}")).to_contain_text("Viable Match")
    page.screenshot(path=SHOTS.format("4_adjudicated"), full_page=True)
    with store.session() as s:
        assert s.get(RfrCandidate, cand.id).adjudication == "viable_match"
        assert s.query(RfrCacheEntry).one().research_hits == 1
