"""The Form 3 and its safeguards: one refusal per safeguard, each naming its rule and paragraph
(RFR-04, RFR-05; 003 §4.7, §8.11, §8.15–8.22, §5.17)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from frt.audit.models import AuditRecord
from frt.core.actions import perform
from frt.policy import PolicyRefusal
from frt.rfr import searches
from frt.rfr.models import RfrSearch, RfrSearchApproval
from frt.store.base import utcnow
from tests.conftest import setup_session
from tests.rfr.conftest import distractors
from tests.rfr.helpers import search_for

pytestmark = pytest.mark.req("RFR-05")


@pytest.fixture
def custody(approved_library, add_templates):
    lib = approved_library("Custody images", level=1)
    add_templates(lib, distractors(5))
    return lib


def _refused(call, rule: str, cite: str | None = None) -> PolicyRefusal:
    with pytest.raises(PolicyRefusal) as refused:
        call()
    assert refused.value.decision.rule == rule, refused.value.decision
    if cite:
        assert cite in refused.value.decision.citation
    return refused.value


def _status(store, search_id):
    with store.session() as s:
        return s.get(RfrSearch, search_id).status


def test_under_13_is_refused_outright(store, people, group_photo, custody):
    sid = search_for(
        store, people["rfr"], group_photo, [custody], submit=False, age_band="under_13"
    )
    _refused(
        lambda: perform(store, people["rfr"], searches.submit, sid), "RFR-AGE-UNDER-13", "003 §8.22"
    )
    assert _status(store, sid) == "draft"
    with store.session() as s:
        entry = s.scalars(
            select(AuditRecord).where(AuditRecord.action == "rfr.search.submit")
        ).one()
    assert entry.outcome == "refused" and entry.detail["rule"] == "RFR-AGE-UNDER-13"


def test_13_to_15_needs_a_recordable_offence(store, people, group_photo, custody):
    sid = search_for(
        store,
        people["rfr"],
        group_photo,
        [custody],
        submit=False,
        age_band="13_15",
        offence="speeding",
    )
    refusal = _refused(
        lambda: perform(store, people["rfr"], searches.submit, sid), "RFR-AGE-13-15-OFFENCE", "§8.6"
    )
    assert "not a Recordable Offence" in refusal.decision.reason


def test_13_to_15_is_not_searched_without_an_inspectors_endorsement(
    store, people, group_photo, custody
):
    sid = search_for(
        store, people["rfr"], group_photo, [custody], age_band="13_15", offence="robbery"
    )
    assert _status(store, sid) == "awaiting_approval"
    _refused(
        lambda: perform(store, people["rfr"], searches.run_step, sid),
        "RFR-AGE-13-15-ENDORSEMENT",
        "003 §8.22",
    )
    _refused(
        lambda: perform(store, people["sergeant"], searches.decide, sid, True, "ok"),
        "RFR-APPROVER-RANK",
    )
    perform(store, people["inspector"], searches.decide, sid, True, "Endorsed: robbery, risk")
    perform(store, people["rfr"], searches.run_step, sid)
    with store.session() as s:
        [approval] = s.scalars(select(RfrSearchApproval)).all()
        assert approval.approved and approval.keys == ["age_13_15"]


def test_a_probe_collection_needs_approval(store, people, group_photo, custody):
    sid = search_for(store, people["rfr"], group_photo, [custody], collection=True)
    _refused(
        lambda: perform(store, people["rfr"], searches.run_step, sid),
        "RFR-COLLECTION-APPROVAL",
        "003 §8.18",
    )


def test_image_levels_the_profile_reserves_need_approval(
    store, people, group_photo, custody, approved_library, add_templates
):
    covert = approved_library("Covert product", level=4)
    add_templates(covert, distractors(3, seed=2))
    sid = search_for(store, people["rfr"], group_photo, [custody], probe_level=5)
    refusal = _refused(
        lambda: perform(store, people["rfr"], searches.run_step, sid),
        "RFR-PROBE-LEVEL-APPROVAL",
        "003 §8.21",
    )
    assert "Image Level 5" in refusal.decision.reason
    sid2 = search_for(store, people["rfr"], group_photo, [custody, covert])
    _refused(
        lambda: perform(store, people["rfr"], searches.run_step, sid2),
        "RFR-LIBRARY-LEVEL-APPROVAL",
        "003 §8.21",
    )


def test_disability_and_gender_reassignment_need_technical_advice_before_approval(
    store, people, group_photo, custody
):
    sid = search_for(
        store, people["rfr"], group_photo, [custody], disability=True, gender_reassignment=True
    )
    _refused(
        lambda: perform(store, people["rfr"], searches.run_step, sid),
        "RFR-DISABILITY-APPROVAL",
        "003 §4.7",
    )
    _refused(
        lambda: perform(store, people["inspector"], searches.decide, sid, True, "ok"),
        "RFR-TECHNICAL-ADVICE",
    )
    perform(
        store,
        people["frteam"],
        searches.advise,
        sid,
        "Facial injury may lower accuracy; search custody images first",
    )
    perform(store, people["inspector"], searches.decide, sid, True, "Approved with the advice")
    assert _status(store, sid) == "ready"


def test_an_expired_library_is_not_searched(store, people, group_photo, custody):
    sid = search_for(store, people["rfr"], group_photo, [custody])
    with setup_session(store) as s:  # the approval's review date passes
        from frt.rfr.models import RfrLibrary

        s.get(RfrLibrary, custody).review_due = utcnow() - timedelta(minutes=1)
    _refused(
        lambda: perform(store, people["rfr"], searches.run_step, sid),
        "RFR-LIB-EXPIRED",
        "003 §7.1(b)(ii)",
    )


def test_a_library_outside_the_users_access_is_not_searched(
    store, people, group_photo, approved_library
):
    restricted = approved_library("Op Test images", level=1, access=["rfr2"])
    refusal = _refused(
        lambda: search_for(store, people["rfr"], group_photo, [restricted]),
        "ACCESS-OBJECT",
        "003 §5.7(f)(ii)",
    )
    assert "access restrictions" in refusal.decision.reason


def test_search_all_needs_a_recorded_urgency_rationale(
    store, people, group_photo, custody, approved_library, add_templates
):
    public = approved_library("Public appeal images", level=3)
    add_templates(public, distractors(3, seed=3))
    form = dict(search_all=True)
    refusal = _refused(
        lambda: search_for(store, people["rfr"], group_photo, [custody, public], **form),
        "RFR-SEARCH-ALL-URGENCY",
        "003 §5.17",
    )
    assert "urgency" in refusal.decision.reason
    sid = search_for(store, people["rfr"], group_photo, [custody, public])
    _refused(
        lambda: perform(store, people["rfr"], searches.run_step, sid, search_all=True),
        "RFR-SEARCH-ALL-URGENCY",
    )
    urgent = search_for(
        store,
        people["rfr"],
        group_photo,
        [custody, public],
        urgent=True,
        urgency_rationale="Risk to life",
        search_all=True,
        search_all_rationale="A child is missing: no time to go level by level",
    )
    step = perform(store, people["rfr"], searches.run_step, urgent, search_all=True)
    assert step.levels == [1, 3] and step.search_all


def test_no_template_and_no_search_before_a_face_is_selected(store, people, group_photo, custody):
    sid = search_for(store, people["rfr"], group_photo, [custody], choose=(), submit=False)
    _refused(
        lambda: perform(store, people["rfr"], searches.submit, sid), "RFR-FACE-SELECTION", "§8.24"
    )
    _refused(lambda: perform(store, people["rfr"], searches.run_step, sid), "RFR-FACE-SELECTION")
    with store.session() as s:
        assert all(
            f.template_sealed is None and f.crop_sealed is None for f in searches.all_faces(s, sid)
        )


@pytest.mark.req("RFR-04")
def test_the_form_3_records_what_the_policy_asks_or_is_refused(store, people, group_photo, custody):
    for form, rule in [
        (dict(purposes=[]), "RFR-PURPOSE"),
        (dict(grounds=[]), "RFR-GROUNDS"),
        (dict(subject_status="witness"), "RFR-STATUS-RATIONALE"),
        (dict(pre_checks=[]), "RFR-PRE-CHECKS"),
        (dict(necessity=""), "RFR-NECESSITY"),
        (dict(legal_basis=""), "RFR-PROBE-SOURCE"),
    ]:
        sid = search_for(store, people["rfr"], group_photo, [custody], submit=False, **form)
        _refused(lambda: perform(store, people["rfr"], searches.submit, sid), rule)
    sid = search_for(
        store,
        people["rfr"],
        group_photo,
        [custody],
        subject_status="witness",
        status_rationale="Saw the attack; the only one who did",
        pre_checks=[],
        urgent=True,
        urgency_rationale="Suspect at large, armed",
        probe_level_doubt=[2, 3],
    )
    with store.session() as s:
        search = s.get(RfrSearch, sid)
        assert search.probe_level == 3  # in doubt, the higher (Annex A ¶2)
        assert search.status == "ready" and search.grounds == ["b_offence_or_investigation"]


@pytest.mark.req("RFR-04")
def test_an_unknown_offence_or_level_is_a_wrong_input(store, people, group_photo, custody):
    from frt.core.errors import InputError

    sid = search_for(store, people["rfr"], group_photo, [custody], submit=False)
    with pytest.raises(InputError, match="list of offences"):
        perform(store, people["rfr"], searches.fill, sid, offence="jaywalking")
    with pytest.raises(InputError, match="1 to 5"):
        perform(store, people["rfr"], searches.fill, sid, probe_level=6)


def test_the_searcher_cannot_approve_and_an_untrained_user_cannot_search(
    store, people, group_photo, custody
):
    _refused(lambda: perform(store, people["untrained"], searches.create, "C1"), "ACCESS-TRAINING")
    _refused(lambda: perform(store, people["operator"], searches.create, "C1"), "ACCESS-ROLE")
