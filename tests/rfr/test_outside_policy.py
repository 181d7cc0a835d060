"""RFR decisions outside policy (003 §12.3) are recorded and cited to the SRO as LFR's are: a
'search all' without urgency, by an Inspector not the searcher, with a detailed rationale and
legal advice, used once, reviewed by the SRO; the public page shows RFR counts only (RFR-12)."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from frt.core.actions import perform
from frt.governance import outside_policy as lfr_outside_policy
from frt.governance.oversight_models import Notification, PolicyException
from frt.policy import PolicyRefusal
from frt.rfr import outside_policy, searches, usage
from frt.web.app import create_app
from tests.rfr.conftest import distractors
from tests.rfr.helpers import search_for

RATIONALE = "A live threat to life: every library must be searched now, beyond the policy's cases"


@pytest.fixture
def approved_search(store, people, group_photo, approved_library, add_templates):
    """A search of two levels, its Form 3 approved by the Inspector (a Level 4 library)."""
    low = approved_library("Custody images", level=1)
    high = approved_library("Covert product", level=4)
    add_templates(low, distractors(3))
    add_templates(high, distractors(3, seed=3))
    search_id = search_for(store, people["rfr"], group_photo, [low, high])
    perform(store, people["inspector"], searches.decide, search_id, True, "Justified")
    return search_id


@pytest.mark.req("GOV-16", "RFR-07")
def test_search_all_outside_policy_is_recorded_flagged_to_the_sro_and_used_once(
    store, people, approved_search
):
    with pytest.raises(PolicyRefusal) as refused:
        perform(store, people["rfr"], searches.run_step, approved_search, search_all=True)
    assert refused.value.decision.rule == "RFR-SEARCH-ALL-URGENCY"
    with pytest.raises(PolicyRefusal) as thin:
        perform(store, people["inspector"], outside_policy.record, approved_search, "urgent", "")
    assert thin.value.decision.rule == "GOV-OUTSIDE-POLICY-GROUNDS"
    with pytest.raises(PolicyRefusal):  # the searcher never decides their own
        perform(store, people["rfr"], outside_policy.record, approved_search, RATIONALE, "LA/1")
    exc = perform(
        store, people["inspector"], outside_policy.record, approved_search, RATIONALE, "LA/77"
    )
    with store.session() as s:
        flag = s.scalar(select(Notification).where(Notification.object_id == exc.id))
        assert flag.recipient_role == "senior_responsible_owner" and flag.kind == "outside_policy"
    step = perform(store, people["rfr"], searches.run_step, approved_search, search_all=True)
    assert step.levels == [1, 4] and step.search_all
    with store.session() as s:
        assert s.get(PolicyException, exc.id).used
    # the SRO reviews it as an LFR decision outside policy
    from frt.core.actions import acting

    with acting(store, people["sro"]) as ctx:
        assert exc.id in [e.id for e in lfr_outside_policy.awaiting_review(ctx)]
        lfr_outside_policy.review(ctx, exc.id, "endorsed", "")
    with store.session() as s:
        figures = usage.figures(s, s.get(PolicyException, exc.id).decided_at.replace(year=2100))
    assert figures.outside_policy == {
        "recorded": 1,
        "awaiting_sro_review": 0,
        "endorsed": 1,
        "disagreed": 0,
    }


@pytest.mark.req("GOV-16")
def test_the_sro_sees_the_rfr_decision_on_the_exceptions_page(store, people, approved_search):
    from tests.web.conftest import quick_password_hashing, signed_in  # noqa: F401

    exc = perform(
        store, people["inspector"], outside_policy.record, approved_search, RATIONALE, "LA/77"
    )
    with TestClient(create_app(store), base_url="http://testserver") as web:
        signed_in(web, "sro")
        page = web.get(f"/lfr/exceptions/{exc.id}")
        assert page.status_code == 200
        assert f"/rfr/searches/{approved_search}" in page.text and "RFR-S-" in page.text


@pytest.mark.req("RFR-12")
def test_the_public_page_has_rfr_counts_only(store, people, approved_search):
    with TestClient(create_app(store), base_url="http://testserver") as web:
        page = web.get("/public/")
        assert page.status_code == 200 and 'id="rfr"' in page.text
        assert 'data-rfr-level="Level 1"' in page.text and "Level 4: 1" in page.text
        assert "CASE/123/24" not in page.text  # no case reference, name or image
        data = web.get("/public/", params={"format": "rfr-json"}).json()
    assert data["months"][0]["searches"] == 1 and data["months"][0]["viable_matches"] == 0
    assert data["libraries_by_level"] == {"Level 1": 1, "Level 4": 1}
