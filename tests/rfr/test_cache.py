"""The Unresolved Crime Cache (RFR-10; 003 §6, §7.1(b)(iv)A), on a clock the tests move: a probe
with no Viable Match is added with an Inspector's approval while a §8.3 ground applies; new images
of its person are found, unrelated ones are not; reviews fall due by tier; an overdue review stops
re-searching; removal needs its reason."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from frt.core.actions import perform
from frt.policy import PolicyRefusal, load_profile
from frt.policy.rfr_cache_rules import add_months
from frt.rfr import cache, results, searches, worklists
from frt.rfr.models import RfrCacheEntry, RfrCandidate, RfrSearchStep
from tests.rfr.clock import Clock
from tests.rfr.conftest import distractors
from tests.rfr.helpers import search_for

pytestmark = pytest.mark.req("RFR-10")
GROUNDS = ["b_offence_or_investigation"]


@pytest.fixture
def clock():
    return Clock()


@pytest.fixture
def custody(approved_library, add_templates):
    lib = approved_library("Custody images", level=1)
    add_templates(lib, distractors(6))
    return lib


def no_match_search(store, people, group_photo, custody, clock, **form) -> str:
    """A search of the custody library that gave no Viable Match, completed at `clock.now`."""
    search_id = search_for(store, people["rfr"], group_photo, [custody], **form)
    perform(store, people["rfr"], searches.run_step, search_id, now=clock.now)
    perform(store, people["rfr"], searches.record_no_match, search_id, "none", now=clock.now)
    return search_id


def cached(store, people, search_id, clock) -> str:
    entry = perform(
        store,
        people["rfr"],
        cache.request,
        search_id,
        GROUNDS,
        "Robbery still under investigation; suspect unidentified",
        now=clock.now,
    )
    perform(
        store, people["inspector"], cache.decide, entry.id, True, "Serious; keep", now=clock.now
    )
    return entry.id


def _steps(store, search_id):
    with store.session() as s:
        return [st for st in searches.steps_of(s, search_id) if st.cache_entry_id]


def test_new_image_of_the_person_is_found_and_an_unrelated_one_is_not(
    store, people, group_photo, custody, add_templates, astronaut_templates, clock
):
    search_id = no_match_search(store, people, group_photo, custody, clock)
    entry_id = cached(store, people, search_id, clock)

    clock.advance(days=10)
    add_templates(custody, distractors(4, seed=21), created_at=clock.now)
    found = cache.run(store, now=clock.now)
    assert (found.searched, found.hits) == (1, 0)
    assert _steps(store, search_id) == []  # an unrelated person: nothing for the owner

    clock.advance(days=10)
    hers = add_templates(
        custody,
        [astronaut_templates[0][0]],
        images=[astronaut_templates[0][1]],
        created_at=clock.now,
    )
    found = cache.run(store, now=clock.now)
    assert found.hits == 1 and found.entries_with_hits == [entry_id]
    [step] = _steps(store, search_id)
    assert step.templates_searched == 1  # only the new image, not the library again
    assert step.outcome == "pending"
    with store.session() as s:
        [cand] = s.scalars(select(RfrCandidate).where(RfrCandidate.step_id == step.id)).all()
        assert cand.image_id == hers[0] and cand.score >= 0.91
        owner = s.get(type(s.get(RfrCacheEntry, entry_id)), entry_id).owner_id
        from frt.people.models import User

        items = worklists.searcher_items(s, s.get(User, owner), clock.now)
    assert any("New candidates from the Unresolved Crime Cache" in i.label for i in items)

    # a second run finds nothing new: the same image is never searched twice
    assert cache.run(store, now=clock.advance(hours=1)).hits == 0
    assert len(_steps(store, search_id)) == 1

    # the owner adjudicates the new candidate as any other
    perform(store, people["rfr"], results.adjudicate, cand.id, True, "Same face", now=clock.now)
    with store.session() as s:
        assert s.get(RfrSearchStep, step.id).outcome == "viable_match"


@pytest.mark.parametrize(
    "offence, tier, months", [("robbery", 1, 9), ("burglary", 2, 6), ("fraud", 3, 3)]
)
def test_reviews_fall_due_by_tier(
    store, people, group_photo, custody, clock, offence, tier, months
):
    search_id = no_match_search(store, people, group_photo, custody, clock, offence=offence)
    with store.session() as s:
        submitted = s.get(searches.RfrSearch, search_id).submitted_at
    entry_id = cached(store, people, search_id, clock)
    with store.session() as s:
        entry = s.get(RfrCacheEntry, entry_id)
        assert entry.tier == tier
        assert entry.review_due == add_months(submitted, months)
    from frt.people.models import User

    def review_items(when):
        with store.session() as s:
            user = s.get(User, people["rfr"])
            return [i for i in worklists.searcher_items(s, user, when) if "Cache review" in i.label]

    due = add_months(submitted, months)
    assert review_items(due - worklists.REVIEW_NOTICE - timedelta(seconds=1)) == []
    assert "by" in review_items(due - worklists.REVIEW_NOTICE)[0].detail
    assert "overdue" in review_items(due)[0].detail


def test_an_overdue_review_stops_re_searching_until_reviewed(
    store, people, group_photo, custody, add_templates, astronaut_templates, clock
):
    search_id = no_match_search(store, people, group_photo, custody, clock, offence="fraud")
    entry_id = cached(store, people, search_id, clock)  # Tier 3: review in 3 months
    clock.now = add_months(clock.now, 3) + timedelta(minutes=1)
    add_templates(custody, [astronaut_templates[0][0]], created_at=clock.now)
    found = cache.run(store, now=clock.now)
    assert (found.overdue, found.searched, found.hits) == (1, 0, 0)
    assert _steps(store, search_id) == []
    with pytest.raises(PolicyRefusal) as refused:
        perform(store, None, cache.research, entry_id, now=clock.now, component="rfr.cache")
    assert refused.value.decision.rule == "RFR-CACHE-REVIEW"

    perform(store, people["rfr"], cache.review, entry_id, True, "Still unidentified", now=clock.now)
    with store.session() as s:
        entry = s.get(RfrCacheEntry, entry_id)
        assert entry.review_due == add_months(clock.now, 3) and entry.reviews == 1
    assert cache.run(store, now=clock.advance(minutes=5)).hits == 1  # the image waiting for it


def test_adding_needs_a_ground_an_eligible_search_and_an_independent_inspector(
    store, people, group_photo, custody, clock
):
    search_id = no_match_search(store, people, group_photo, custody, clock)
    with pytest.raises(PolicyRefusal) as no_ground:
        perform(store, people["rfr"], cache.request, search_id, [], "reasons", now=clock.now)
    assert no_ground.value.decision.rule == "RFR-CACHE-GROUND"
    entry = perform(
        store, people["rfr"], cache.request, search_id, GROUNDS, "still wanted", now=clock.now
    )
    with pytest.raises(PolicyRefusal) as sergeant:
        perform(store, people["sergeant"], cache.decide, entry.id, True, "ok", now=clock.now)
    assert sergeant.value.decision.rule == "RFR-CACHE-APPROVER"
    assert "Inspector" in sergeant.value.decision.reason
    with pytest.raises(PolicyRefusal):
        perform(store, people["rfr"], cache.decide, entry.id, True, "mine", now=clock.now)
    with store.session() as s:
        from frt.people.models import User

        items = worklists.approver_items(s, s.get(User, people["inspector"]), clock.now)
    assert any("Unresolved Crime Cache: add" in i.label for i in items)
    perform(store, people["inspector"], cache.decide, entry.id, True, "ok", now=clock.now)
    with store.session() as s:
        assert s.get(RfrCacheEntry, entry.id).status == "active"


def test_a_search_in_progress_or_with_a_known_match_is_not_cached(
    store, people, group_photo, approved_library, add_templates, astronaut_templates, clock
):
    lib = approved_library("Custody images", level=1)
    add_templates(lib, [astronaut_templates[0][0]])
    search_id = search_for(store, people["rfr"], group_photo, [lib])
    with pytest.raises(PolicyRefusal) as early:
        perform(store, people["rfr"], cache.request, search_id, GROUNDS, "x", now=clock.now)
    assert early.value.decision.rule == "RFR-CACHE-ELIGIBLE"
    perform(store, people["rfr"], searches.run_step, search_id, now=clock.now)
    with store.session() as s:
        cand = s.scalar(select(RfrCandidate).where(RfrCandidate.search_id == search_id))
    perform(store, people["rfr"], results.adjudicate, cand.id, True, "same", now=clock.now)
    with pytest.raises(PolicyRefusal) as known:
        perform(store, people["rfr"], cache.request, search_id, GROUNDS, "x", now=clock.now)
    assert "unknown person" in known.value.decision.reason
    # a Viable Match against an image of an unknown person may be cached (003 §6.1(b))
    entry = perform(
        store, people["rfr"], cache.request, search_id, GROUNDS, "x", True, now=clock.now
    )
    assert entry.status == "requested"


def test_removal_records_its_reason(store, people, group_photo, custody, clock):
    search_id = no_match_search(store, people, group_photo, custody, clock)
    entry_id = cached(store, people, search_id, clock)
    with pytest.raises(PolicyRefusal) as bare:
        perform(store, people["rfr"], cache.remove, entry_id, "  ", now=clock.now)
    assert bare.value.decision.rule == "RFR-CACHE-REMOVAL"
    with pytest.raises(PolicyRefusal):
        perform(store, people["rfr2"], cache.remove, entry_id, "not mine", now=clock.now)
    perform(store, people["rfr"], cache.remove, entry_id, "Charged after a tip-off", now=clock.now)
    with store.session() as s:
        entry = s.get(RfrCacheEntry, entry_id)
        assert (entry.status, entry.removal_reason) == ("removed", "Charged after a tip-off")
    assert cache.run(store, now=clock.advance(days=1)).searched == 0


def test_the_profile_sets_the_approvers_rank():
    assert load_profile("mps").rfr.cache_approver_min_rank.value.value == "inspector"
