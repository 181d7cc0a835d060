"""GOV-03 … GOV-08: NPCC consultation, who may authorise, verbal authority, the decision and the
Written Authority Document, the authority period, a further purpose."""

from datetime import timedelta

import pytest

from frt.core.errors import InputError
from frt.governance import applications, decisions, worklists
from frt.governance.authority_document import render_written_authority
from frt.governance.decisions import Window
from frt.governance.models import Application, Authority
from frt.policy import PolicyRefusal
from tests.conftest import setup_session
from tests.governance.conftest import CUMBRIA, END, MPS, START, all_reasons, terms


def _authorise(act, people, app_id, who="ao", profile=MPS, **kw):
    with act(who, profile=profile) as ctx:
        t = kw.pop("terms", None) or terms(ctx, app_id, people, **kw.pop("overrides", {}))
        return decisions.decide(ctx, app_id, "authorise", all_reasons(), terms=t, **kw).id


@pytest.mark.req("GOV-03")
def test_an_npcc_veto_blocks_authority(act, people, submitted):
    app_id = submitted(consult=False)
    with act("npcc") as ctx:
        decisions.consult(ctx, app_id, "veto", "Pan-London tension this weekend")
    with pytest.raises(PolicyRefusal) as refusal:
        _authorise(act, people, app_id)
    assert refusal.value.decision.citation == "000 §4.6" and "vetoed" in str(refusal.value)


@pytest.mark.req("GOV-03")
def test_mps_needs_the_consultation_before_authority_cumbria_does_not(act, people, submitted):
    with pytest.raises(PolicyRefusal, match="NPCC rank must be consulted"):
        _authorise(act, people, submitted(consult=False))
    assert _authorise(act, people, submitted(profile=CUMBRIA, consult=False), profile=CUMBRIA)


@pytest.mark.req("GOV-03")
def test_only_an_officer_of_npcc_rank_is_consulted(act, people, submitted, store):
    app_id = submitted(consult=False)
    from frt.people.models import User

    with setup_session(store) as session:  # an NPCC-role user who is only a Chief Superintendent
        session.get(User, people["npcc"]).rank = "chief_superintendent"
    with pytest.raises(PolicyRefusal, match="not of NPCC rank"), act("npcc") as ctx:
        decisions.consult(ctx, app_id, "supported")


@pytest.mark.req("GOV-04")
def test_inspector_authorising_without_urgency_is_refused(act, people, submitted):
    with pytest.raises(PolicyRefusal) as refusal:
        _authorise(act, people, submitted(), who="inspector")
    assert refusal.value.decision.citation == "000 §4.5"
    assert "only in urgency" in refusal.value.decision.reason


@pytest.mark.req("GOV-04", "GOV-09")
def test_urgent_authority_by_an_inspector_opens_a_superintendent_review(act, people, submitted):
    app_id = submitted(urgent=True, urgency_grounds="Threat to life: missing child at risk")
    auth_id = _authorise(
        act,
        people,
        app_id,
        who="inspector",
        urgent=True,
        overrides={"gold_id": people["inspector"]},
    )
    with act("ao") as ctx:
        items = [i for i in worklists.for_user(ctx) if i.kind == "superintendent_review_due"]
        assert [i.object_id for i in items] == [auth_id] and items[0].citation == "000 §4.11"
        # The Inspector Gold must revert to Superintendent or above (000 §10.1 fn 11).
        with pytest.raises(PolicyRefusal, match="revert"):
            decisions.review_urgent(ctx, auth_id, "continue", "Necessary and proportionate")
    with act("ao") as ctx:
        decisions.review_urgent(ctx, auth_id, "continue", "Continue", new_gold_id=people["gold"])
        assert ctx.get(Authority, auth_id).gold_id == people["gold"]
        assert not [i for i in worklists.for_user(ctx) if i.kind == "superintendent_review_due"]


@pytest.mark.req("GOV-04")
def test_a_superintendent_may_stop_an_urgent_authority(act, people, submitted):
    app_id = submitted(urgent=True, urgency_grounds="Imminent serious harm")
    auth_id = _authorise(act, people, app_id, who="inspector", urgent=True)
    with act("ao") as ctx:
        auth = decisions.review_urgent(ctx, auth_id, "stop", "Not proportionate")
        assert auth.status == "stopped"
        assert {d.state for d in auth.deployments} == {"terminated"}


@pytest.mark.req("GOV-05")
def test_verbal_authority_is_listed_until_written(act, people, submitted):
    auth_id = _authorise(act, people, submitted(), verbal=True)
    with act("ao") as ctx:
        due = [i for i in worklists.for_user(ctx) if i.kind == "written_record_due"]
        assert [i.object_id for i in due] == [auth_id] and due[0].citation == "000 §4.7"
        decisions.record_written(ctx, auth_id)
    with act("ao") as ctx:
        assert not [i for i in worklists.for_user(ctx) if i.kind == "written_record_due"]


@pytest.mark.req("GOV-06")
def test_authority_needs_reasons_under_all_seven_headings(act, people, submitted):
    app_id = submitted()
    reasons = all_reasons()
    del reasons["watchlist_composition"]
    with pytest.raises(PolicyRefusal, match="watchlist composition"), act("ao") as ctx:
        decisions.decide(ctx, app_id, "authorise", reasons, terms=terms(ctx, app_id, people))


@pytest.mark.req("GOV-06", "GOV-02")
def test_authority_needs_every_assessment_reviewed(act, people, submitted):
    app_id = submitted()
    with act("applicant") as ctx:  # the Application is submitted: no more changes by the applicant
        with pytest.raises(InputError):
            applications.attach_document(ctx, app_id, "dpia", title="x", text="x")
    with act("ao") as ctx:
        doc = next(d for d in ctx.get(Application, app_id).documents if d.kind == "eia")
        applications.review_document(ctx, doc.id, "needs_amendment")
    with pytest.raises(PolicyRefusal, match="Equality Impact Assessment v1 not reviewed"):
        _authorise(act, people, app_id)


@pytest.mark.req("GOV-06")
def test_amendments_send_the_application_back_and_reject_closes_it(act, people, submitted):
    app_id = submitted()
    with act("ao") as ctx:
        decisions.decide(ctx, app_id, "amend", {"location_and_times": "Add a second site"})
        assert ctx.get(Application, app_id).status == "amendments_required"
    with act("applicant") as ctx:
        assert any(i.kind == "amendments_required" for i in worklists.for_user(ctx))
        applications.update(ctx, app_id, resources="Three vans")
        applications.submit(ctx, app_id)
    with act("ao") as ctx:
        decisions.decide(ctx, app_id, "reject", {"proportionality": "Not proportionate"})
        assert ctx.get(Application, app_id).status == "rejected"


@pytest.mark.req("GOV-06")
def test_the_authority_fixes_its_terms_and_yields_the_written_authority_document(
    act, people, submitted
):
    auth_id = _authorise(act, people, submitted(), overrides={"conditions": "No Layer C"})
    with act("ao") as ctx:
        auth = ctx.get(Authority, auth_id)
        assert auth.gold_id == people["gold"] and auth.min_threshold == 0.64
        assert auth.categories == ["suspect", "wanted_by_courts"]
        html = render_written_authority(ctx.session, MPS, auth_id)
    assert "Written Authority Document" in html and auth.reference in html
    assert "High Street north" in html and "Gold" in html and "0.64" in html
    assert "Document compliance" in html and "not allowed" in html


@pytest.mark.req("GOV-06", "WL-03")
def test_the_ao_cannot_include_flagged_persons_without_the_advice(act, people, submitted):
    with pytest.raises(PolicyRefusal) as refusal:
        _authorise(act, people, submitted(), overrides={"protected_inclusions": ["under_18"]})
    assert refusal.value.decision.citation == "000 §6.7" and "Legal advice" in str(refusal.value)


@pytest.mark.req("GOV-06")
def test_cumbria_refuses_a_threshold_below_its_minimum_and_a_gold_below_superintendent(
    act, people, submitted
):
    app_id = submitted(profile=CUMBRIA, consult=False)
    with pytest.raises(PolicyRefusal, match="below the force minimum of 0.64"):
        _authorise(act, people, app_id, profile=CUMBRIA, overrides={"min_threshold": 0.6})
    with pytest.raises(PolicyRefusal, match="may not be Gold"):
        _authorise(act, people, app_id, profile=CUMBRIA, overrides={"gold_id": people["silver"]})


@pytest.mark.req("GOV-07")
@pytest.mark.parametrize("profile, days, cite", [(MPS, 32, "000 §4.4"), (CUMBRIA, 8, "004 §6.1")])
def test_authority_longer_than_the_profile_allows_is_refused(
    act, people, submitted, profile, days, cite
):
    app_id = submitted(profile=profile, consult=profile is MPS)
    with pytest.raises(PolicyRefusal) as refusal:
        _authorise(
            act,
            people,
            app_id,
            profile=profile,
            overrides={"ends_at": START + timedelta(days=days)},
        )
    assert refusal.value.decision.citation == cite
    assert f"limit of {days - 1} days" in refusal.value.decision.reason


@pytest.mark.req("GOV-07")
def test_a_series_of_deployments_is_created_inside_the_period(act, people, submitted):
    app_id = submitted()
    with act("ao") as ctx:
        place = ctx.get(Application, app_id).locations[0].id
        windows = [
            Window(place, START + timedelta(days=d), END + timedelta(days=d)) for d in range(3)
        ]
        t = terms(ctx, app_id, people, ends_at=END + timedelta(days=3), windows=windows)
        auth = decisions.decide(ctx, app_id, "authorise", all_reasons(), terms=t)
        assert len(auth.deployments) == 3
        bad = [Window(place, START, END + timedelta(days=10))]
        with pytest.raises(PolicyRefusal, match="inside the authority"):
            decisions._check_terms(
                ctx,
                ctx.get(Application, app_id),
                terms(ctx, app_id, people, windows=bad),
                urgent=False,
            )


@pytest.mark.req("GOV-08")
def test_a_further_purpose_needs_a_further_authority(act, people, submitted):
    auth_id = _authorise(act, people, submitted())
    with act("ao") as ctx:
        assert decisions.may_process_for(ctx, auth_id, "Locate people wanted by the courts")
        refused = decisions.may_process_for(ctx, auth_id, "Locate a missing person")
        assert not refused.allowed and refused.citation == "000 §4.8"
        with pytest.raises(PolicyRefusal, match="proportionality"):
            decisions.grant_further_purpose(
                ctx, auth_id, "Locate a missing person", {"legitimate_aim": "Safeguarding"}
            )
    with act("ao") as ctx:
        decisions.grant_further_purpose(ctx, auth_id, "Locate a missing person", all_reasons())
        assert decisions.may_process_for(ctx, auth_id, "locate a missing person").allowed
