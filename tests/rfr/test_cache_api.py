"""The Unresolved Crime Cache through the API (RFR-10): offered by the owner with a §8.3 ground,
decided by an Inspector, reviewed and removed by the owner; others are refused."""

from __future__ import annotations

import pytest

from frt.core.actions import perform
from frt.rfr import searches
from tests.rfr.conftest import distractors
from tests.rfr.helpers import search_for
from tests.rfr.test_rfr_web import login, web  # noqa: F401 (fixture)

pytestmark = pytest.mark.req("RFR-10")


def test_offer_decide_review_and_remove_through_the_api(  # noqa: F811
    web, store, people, approved_library, add_templates, group_photo
):
    lib = approved_library("Custody images", level=1)
    add_templates(lib, distractors(3))
    search_id = search_for(store, people["rfr"], group_photo, [lib])
    perform(store, people["rfr"], searches.run_step, search_id)
    perform(store, people["rfr"], searches.record_no_match, search_id, "")
    h = login(web, "rfr")
    url = f"/api/rfr/searches/{search_id}/cache"
    bare = web.post(url, json={"grounds": [], "rationale": "x"}, headers=h)
    assert bare.status_code == 403 and bare.json()["rule"] == "RFR-CACHE-GROUND"
    assert web.post(url, json={"grounds": "a"}, headers=h).status_code == 422
    made = web.post(url, json={"grounds": ["e_risk_of_harm"], "rationale": "At large"}, headers=h)
    assert made.status_code == 200 and made.json()["status"] == "requested"
    entry = made.json()["id"]
    own = web.post(
        f"/api/rfr/cache/{entry}/decision", json={"approve": True, "note": "x"}, headers=h
    )
    assert own.status_code == 403  # not an approving officer
    h = login(web, "inspector")
    ok = web.post(
        f"/api/rfr/cache/{entry}/decision", json={"approve": True, "note": "ok"}, headers=h
    )
    assert ok.status_code == 200 and ok.json()["status"] == "active" and ok.json()["tier"] == 1
    h = login(web, "rfr2")
    other = web.post(f"/api/rfr/cache/{entry}/removal", json={"reason": "mine"}, headers=h)
    assert other.status_code == 403
    h = login(web, "rfr")
    kept = web.post(
        f"/api/rfr/cache/{entry}/review", json={"keep": True, "note": "Still at large"}, headers=h
    )
    assert kept.status_code == 200
    gone = web.post(f"/api/rfr/cache/{entry}/removal", json={"reason": "Found"}, headers=h)
    assert gone.status_code == 200 and gone.json()["status"] == "removed"
