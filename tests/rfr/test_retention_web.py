"""The DPO's retention page lists RFR items and holds them; the DPO's panel lists any RFR item
kept past its deadline; the cache's forms refuse bad input (RFR-02, RFR-10, RFR-11)."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from frt.core.actions import perform
from frt.rfr import libraries, retention, searches
from frt.rfr.models import RfrHold, RfrLibrary
from frt.web.app import create_app
from tests.rfr.conftest import distractors
from tests.rfr.helpers import search_for
from tests.rfr.test_retention import dpo  # noqa: F401 (fixture)
from tests.web.conftest import form_token, quick_password_hashing, signed_in  # noqa: F401


@pytest.fixture
def web(store, people):
    with TestClient(create_app(store), base_url="http://testserver") as client:
        yield client


def login(web, username: str) -> dict:
    web.cookies.clear()
    return {"X-CSRF-Token": signed_in(web, username)}


@pytest.mark.req("RFR-02", "RFR-11")
def test_the_dpo_sees_rfr_items_and_holds_a_stopped_library(
    web,
    store,
    people,
    dpo,
    approved_library,
    add_templates,  # noqa: F811
):
    lib = approved_library("Op Kestrel", kind="temporary")
    add_templates(lib, distractors(2))
    perform(store, people["supt"], libraries.review, lib, False, "Operation over")
    login(web, "dpo")
    page = web.get("/retention")
    assert page.status_code == 200
    with store.session() as s:
        ref = s.get(RfrLibrary, lib).reference
    assert ref in page.text and 'data-rfr-item="rfr_library"' in page.text
    held = web.post(
        f"/rfr/retention/rfr_library/{lib}/hold",
        data={"ground": "complaint_conduct", "reason": "IOPC", "csrf_token": form_token(page.text)},
        follow_redirects=False,
    )
    assert held.status_code == 303
    assert retention.purge(store)["libraries"] == 0
    with store.session() as s:
        hold = s.scalar(select(RfrHold))
    page = web.get("/retention")
    bad = web.post(
        f"/rfr/retention/rfr_library/{lib}/hold",
        data={"ground": "because", "reason": "x", "csrf_token": form_token(page.text)},
    )
    assert bad.status_code in (400, 422)
    web.post(
        f"/rfr/retention/holds/{hold.id}/release",
        data={"csrf_token": form_token(page.text)},
        follow_redirects=False,
    )
    assert "next run" in web.get("/retention").text  # stopped, hold released: goes at once
    assert "kept past its deadline" not in web.get("/").text  # but within its 31 days
    assert retention.purge(store)["libraries"] == 1
    assert "kept past its deadline" not in web.get("/").text


@pytest.mark.req("RFR-10")
def test_the_cache_form_refuses_a_request_without_a_ground(
    web, store, people, approved_library, add_templates, group_photo
):
    lib = approved_library("Custody images", level=1)
    add_templates(lib, distractors(3))
    search_id = search_for(store, people["rfr"], group_photo, [lib])
    perform(store, people["rfr"], searches.run_step, search_id)
    perform(store, people["rfr"], searches.record_no_match, search_id, "")
    login(web, "rfr")
    page = web.get(f"/rfr/searches/{search_id}")
    assert "Offer to the Unresolved Crime Cache" in page.text
    refused = web.post(
        f"/rfr/searches/{search_id}/cache",
        data={"rationale": "still wanted", "csrf_token": form_token(page.text)},
    )
    assert refused.status_code in (403, 422) and "§8.3" in refused.text
