"""Image Reference Libraries: Form 1 / Form 2, who approves, urgency, reviews, expiry (RFR-01,
RFR-02; 003 §5.5–5.10, §5.7(f), §7.1(b)(ii))."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from frt.audit.models import AuditRecord
from frt.core.actions import perform
from frt.core.errors import InputError
from frt.policy import PolicyRefusal
from frt.rfr import libraries, worklists
from frt.store.base import utcnow
from tests.rfr.conftest import FORM

pytestmark = pytest.mark.req("RFR-01")


def _apply(store, who, kind="substantive", **form):
    fields = dict(FORM, **form)
    return perform(
        store,
        who,
        libraries.apply,
        kind,
        "A library",
        investigation="Op Test" if kind == "temporary" else "",
        **fields,
    ).id


def _approve(store, who, lib_id, days=300, **kw):
    return perform(
        store,
        who,
        libraries.decide,
        lib_id,
        True,
        kw.pop("rationale", "Needed"),
        image_level=kw.pop("level", 2),
        access_all=kw.pop("access_all", True),
        review_due=utcnow() + timedelta(days=days),
        **kw,
    )


def test_a_substantive_library_is_approved_by_the_sro_with_the_terms_of_5_7_f(store, people):
    lib_id = _apply(store, people["rfr"])
    with pytest.raises(PolicyRefusal) as refused:
        _approve(store, people["supt"], lib_id)
    assert refused.value.decision.rule == "RFR-LIB-APPROVER"
    _approve(
        store,
        people["sro"],
        lib_id,
        access_all=False,
        access_user_ids=[people["rfr"]],
        conditions="Custody searches only",
        level=1,
    )
    with store.session() as s:
        lib = s.get(libraries.RfrLibrary, lib_id)
        assert (lib.status, lib.image_level, lib.access_user_ids, lib.conditions) == (
            "approved",
            1,
            [people["rfr"]],
            "Custody searches only",
        )
        [decision] = libraries.decisions_of(s, lib_id)
        assert decision.rationale == "Needed" and decision.review_due == lib.review_due


def test_a_substantive_review_date_is_at_most_a_year_away(store, people):
    lib_id = _apply(store, people["rfr"])
    with pytest.raises(PolicyRefusal) as refused:
        _approve(store, people["sro"], lib_id, days=400)
    assert refused.value.decision.rule == "RFR-LIB-REVIEW-PERIOD"
    assert "365" in refused.value.decision.reason


def test_an_incomplete_form_and_missing_terms_are_refused(store, people):
    lib_id = _apply(store, people["rfr"], monitoring="")
    with pytest.raises(PolicyRefusal) as refused:
        _approve(store, people["sro"], lib_id)
    assert refused.value.decision.rule == "RFR-LIB-FORM-INCOMPLETE"
    assert "monitored" in refused.value.decision.reason
    other = _apply(store, people["rfr"])
    with pytest.raises(PolicyRefusal, match="who may search"):
        _approve(store, people["sro"], other, access_all=False)
    with pytest.raises(PolicyRefusal, match="Image Level"):
        _approve(store, people["sro"], other, level=7)


def test_a_temporary_library_needs_a_superintendent_and_31_days_at_first(store, people):
    lib_id = _apply(store, people["rfr"], kind="temporary")
    with pytest.raises(PolicyRefusal) as refused:
        _approve(store, people["inspector"], lib_id, days=20)
    assert refused.value.decision.rule == "RFR-LIB-APPROVER"
    with pytest.raises(PolicyRefusal, match="31 days"):
        _approve(store, people["supt"], lib_id, days=40)
    _approve(store, people["supt"], lib_id, days=31)


def test_an_inspector_approves_in_urgency_and_a_superintendent_continues_varies_or_stops(
    store, people
):
    lib_id = _apply(store, people["rfr"], kind="temporary")
    _approve(store, people["inspector"], lib_id, days=10, urgent=True, verbal=True)
    with store.session() as s:
        lib = s.get(libraries.RfrLibrary, lib_id)
        assert lib.status == "urgent_approved" and lib.written_rationale_due
        # the work items: the written rationale for the inspector, the follow-up for the supt
        assert [
            i.href
            for i in worklists.approver_items(
                s, s.get(libraries.User, people["inspector"]), utcnow()
            )
        ] == [f"/rfr/libraries/{lib_id}"]
        assert any(
            i.href == f"/rfr/libraries/{lib_id}"
            for i in worklists.approver_items(s, s.get(libraries.User, people["supt"]), utcnow())
        )
    with pytest.raises(PolicyRefusal) as refused:
        perform(store, people["inspector"], libraries.follow_up, lib_id, "continue", "ok")
    assert refused.value.decision.rule == "RFR-LIB-URGENT-FOLLOW-UP"
    perform(
        store,
        people["inspector"],
        libraries.written_rationale,
        lib_id,
        "Risk to life: the library is the only lead (written up)",
    )
    perform(
        store,
        people["supt"],
        libraries.follow_up,
        lib_id,
        "vary",
        "Narrower access",
        access_all=False,
        access_user_ids=[people["rfr"]],
    )
    with store.session() as s:
        lib = s.get(libraries.RfrLibrary, lib_id)
        assert lib.status == "approved" and lib.access_user_ids == [people["rfr"]]
        assert not lib.written_rationale_due
        kinds = [d.kind for d in libraries.decisions_of(s, lib_id)]
    assert kinds == ["urgent_approve", "written_rationale", "vary"]


def test_verbal_approval_is_only_for_urgency(store, people):
    lib_id = _apply(store, people["rfr"], kind="temporary")
    with pytest.raises(PolicyRefusal) as refused:
        _approve(store, people["supt"], lib_id, days=20, verbal=True)
    assert refused.value.decision.rule == "RFR-LIB-VERBAL"


def test_reviews_go_to_the_operational_lead_and_an_overdue_review_is_on_their_list(
    store, people, approved_library
):
    lib_id = approved_library(days=30)
    with store.session() as s:
        lead = s.get(libraries.User, people["lead"])
        assert worklists.lead_items(s, lead, utcnow()) == []
        overdue = worklists.lead_items(s, lead, utcnow() + timedelta(days=31))
        assert [i.href for i in overdue] == [f"/rfr/libraries/{lib_id}"]
        assert "overdue" in overdue[0].detail
    review = perform(
        store,
        people["sro"],
        libraries.review,
        lib_id,
        True,
        "Still needed",
        utcnow() + timedelta(days=200),
    )
    with store.session() as s:
        lead = s.get(libraries.User, people["lead"])
        items = worklists.lead_items(s, lead, utcnow())
        assert any("review" in i.label.lower() for i in items)
    perform(store, people["lead"], libraries.note_review, review.id)
    with store.session() as s:
        assert worklists.lead_items(s, s.get(libraries.User, people["lead"]), utcnow()) == []
        assert s.get(libraries.RfrLibraryDecision, review.id).noted_by == people["lead"]


@pytest.mark.req("RFR-02")
def test_a_library_past_its_approval_is_unsearchable_at_once(store, people, approved_library):
    lib_id = approved_library(days=5)
    with store.session() as s:
        lib = s.get(libraries.RfrLibrary, lib_id)
        assert libraries.searchable(lib, utcnow())
        later = libraries.searchable(lib, lib.review_due)
        assert not later and later.rule == "RFR-LIB-EXPIRED" and "7.1(b)(ii)" in later.citation


def test_every_library_action_is_audited_and_refusals_name_their_rule(store, people):
    lib_id = _apply(store, people["rfr"])
    with pytest.raises(PolicyRefusal):
        _approve(store, people["operator"], lib_id)
    with pytest.raises(InputError):
        perform(store, people["rfr"], libraries.apply, "permanent", "x")
    with store.session() as s:
        rows = list(
            s.scalars(
                select(AuditRecord)
                .where(AuditRecord.action.like("rfr.library.%"))
                .order_by(AuditRecord.seq)
            )
        )
    assert [(r.action, r.outcome) for r in rows] == [
        ("rfr.library.apply", "ok"),
        ("rfr.library.decide", "refused"),
        ("rfr.library.apply", "refused"),
    ]
    assert rows[1].detail["rule"] == "ACCESS-ROLE"
