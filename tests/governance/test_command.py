"""GOV-09 command team and Silver reviews, GOV-10 rostering with training, GOV-11 overt use,
GOV-16 a decision outside policy, and the Deployment states the live runtime reads."""

from datetime import timedelta

import pytest

from frt.core.errors import InputError
from frt.governance import command, deployments, outside_policy, worklists
from frt.governance.models import Deployment
from frt.policy import PolicyRefusal
from tests.conftest import setup_session
from tests.governance.conftest import END, START

DURING = START + timedelta(hours=1)


def _overt(act, auth_id):
    with act("silver") as ctx:
        command.record_overt_use(
            ctx,
            auth_id,
            notice_published=True,
            notice_channels="force website, social media",
            signage=True,
            leaflets=True,
        )


def _start(act, auth_id, dep_id):
    _overt(act, auth_id)
    with act("silver", now=DURING) as ctx:
        deployments.set_state(ctx, dep_id, "active")


@pytest.mark.req("GOV-09")
def test_gold_appoints_one_silver_bronzes_and_a_bronze_community_of_the_right_ranks(
    act, people, authority
):
    auth_id, _ = authority()
    with act("gold") as ctx:
        with pytest.raises(PolicyRefusal) as refusal:
            command.appoint(ctx, auth_id, "silver", people["bronze"])  # a Sergeant
        assert refusal.value.decision.citation == "000 §10.1"
        with pytest.raises(PolicyRefusal, match="may not be Bronze"):
            command.appoint(ctx, auth_id, "bronze", people["constable"])
        command.appoint(ctx, auth_id, "bronze_community", people["bronze"])
        command.appoint(ctx, auth_id, "silver", people["inspector"])  # replaces the Silver
        roles = [a.role for a in command.team(ctx, auth_id)]
    assert sorted(roles) == ["bronze", "bronze_community", "gold", "silver"]
    with act("silver") as ctx:
        with pytest.raises(PolicyRefusal, match="Gold"):
            command.appoint(ctx, auth_id, "bronze", people["bronze"])


@pytest.mark.req("GOV-09")
def test_silver_reviews_fall_due_at_the_tactical_plan_interval(act, people, authority):
    auth_id, dep_id = authority()
    _start(act, auth_id, dep_id)
    with act("silver", now=DURING) as ctx:
        command.set_review_interval(ctx, dep_id, 1.5)
    later = DURING + timedelta(hours=2)
    with act("silver", now=later) as ctx:
        due = [i for i in worklists.for_user(ctx) if i.kind == "silver_review_due"]
        assert [i.object_id for i in due] == [dep_id] and due[0].citation == "004 §7.6"
        command.record_review(
            ctx,
            dep_id,
            lawfulness="lawful",
            necessity="still necessary",
            proportionality="proportionate",
            system_performance="no issues",
            engagements="two, both proportionate",
        )
    with act("silver", now=later) as ctx:
        assert not [i for i in worklists.for_user(ctx) if i.kind == "silver_review_due"]


@pytest.mark.req("GOV-09")
def test_silver_may_suspend_and_terminate_at_once(act, people, authority, store):
    auth_id, dep_id = authority()
    _start(act, auth_id, dep_id)
    with act("silver", now=DURING) as ctx:
        command.record_review(
            ctx,
            dep_id,
            lawfulness="l",
            necessity="n",
            proportionality="p",
            system_performance="occlusion from crowd flow",
            engagements="e",
            outcome="suspend",
        )
        assert not deployments.may_run(ctx.session, dep_id, DURING).allowed
        deployments.set_state(ctx, dep_id, "terminated", "weather")
    with store.session() as session:
        assert session.get(Deployment, dep_id).state == "terminated"
    with act("bronze", now=DURING) as ctx, pytest.raises(PolicyRefusal, match="Silver"):
        deployments.set_state(ctx, dep_id, "active")


@pytest.mark.req("GOV-10")
def test_untrained_operator_cannot_be_rostered(act, people, authority):
    _auth_id, dep_id = authority()
    with act("silver") as ctx:
        with pytest.raises(PolicyRefusal) as refusal:
            command.roster(ctx, dep_id, people["untrained"], "lfr_operator")
    assert refusal.value.decision.citation == "000 §8.5"
    assert "no in-date LFR training" in refusal.value.decision.reason
    with act("silver") as ctx:
        command.roster(ctx, dep_id, people["operator"], "lfr_operator")
        command.roster(ctx, dep_id, people["engineer"], "system_engineer")
        assert len(command.rostered(ctx, dep_id)) == 2


@pytest.mark.req("GOV-10")
def test_training_must_be_in_date_for_the_whole_deployment(act, people, authority, store):
    from frt.people.models import TrainingRecord

    _auth_id, dep_id = authority()
    with setup_session(store) as session:
        for rec in session.query(TrainingRecord).filter_by(
            user_id=people["operator"], kind="officer_safety"
        ):
            rec.expires_on = START.date()  # lapses before the Deployment ends the next day
    with setup_session(store) as session:
        session.get(Deployment, dep_id).ends_at = END + timedelta(days=1)
    with act("silver") as ctx:
        with pytest.raises(PolicyRefusal, match="expired officer safety"):
            command.roster(ctx, dep_id, people["operator"], "lfr_operator")


@pytest.mark.req("GOV-16", "GOV-10")
def test_missing_safety_training_may_be_set_aside_only_by_a_recorded_decision_outside_policy(
    act, people, authority
):
    _auth_id, dep_id = authority()
    with act("silver") as ctx:
        with pytest.raises(PolicyRefusal) as refusal:
            command.roster(ctx, dep_id, people["unsafe"], "lfr_operator")
    decision = refusal.value.decision
    assert decision.citation == "000 §10.3" and "officer safety" in decision.reason
    scope = outside_policy.Scope("roster", dep_id, people["unsafe"], "lfr_operator")
    rationale = (
        "OST course cancelled by the provider; risk addressed in the ORA section 4; the "
        "operator works inside the van only"
    )
    with act("silver") as ctx, pytest.raises(PolicyRefusal, match="legal advice"):
        outside_policy.record(ctx, scope, rationale)
    with act("silver") as ctx:
        exc = outside_policy.record(ctx, scope, rationale, legal_advice="DLS ref 123: lawful")
        command.roster(ctx, dep_id, people["unsafe"], "lfr_operator")  # uses the decision
        exc_id = exc.id
    with act("sro") as ctx:
        items = [i for i in worklists.for_user(ctx) if i.kind == "outside_policy"]
        assert [i.object_id for i in items] == [exc_id]
        outside_policy.review(ctx, exc_id, "endorsed", "Reviewed; raise at Ops Board")
    with act("sro") as ctx:
        assert not [i for i in worklists.for_user(ctx) if i.kind == "outside_policy"]


@pytest.mark.req("GOV-16", "GOV-10")
def test_the_lfr_training_rule_is_never_set_aside(act, people, authority):
    _auth_id, dep_id = authority()
    scope = outside_policy.Scope("roster", dep_id, people["untrained"], "lfr_operator")
    with act("silver") as ctx:
        refusal = outside_policy.recheck(ctx, scope)
        assert refusal.citation == "000 §8.5"
        never = outside_policy.settable(ctx, scope, refusal)
        assert not never.allowed and "LFR training" in never.reason
        with pytest.raises(PolicyRefusal, match="no decision outside policy sets this rule"):
            outside_policy.record(ctx, scope, "x" * 60, legal_advice="a")
    with act("silver") as ctx, pytest.raises(PolicyRefusal, match="000 §8.5"):
        command.roster(ctx, dep_id, people["untrained"], "lfr_operator")


@pytest.mark.req("GOV-11")
def test_a_deployment_starts_only_after_the_overt_use_measures_are_recorded(act, people, authority):
    auth_id, dep_id = authority()
    with act("silver", now=DURING) as ctx, pytest.raises(PolicyRefusal, match="overt-use"):
        deployments.set_state(ctx, dep_id, "active")
    with act("silver") as ctx, pytest.raises(PolicyRefusal) as refusal:
        command.record_overt_use(ctx, auth_id, notice_published=False)
    assert refusal.value.decision.citation == "000 §5.7"
    with act("silver") as ctx:
        overt = command.record_overt_use(
            ctx,
            auth_id,
            notice_published=False,
            signage=True,
            leaflets=True,
            exception_reasons="Notice would compromise the operation (000 §5.7 exception)",
        )
        assert overt.contact_point == "LFR@met.police.uk"
    with act("silver", now=DURING) as ctx:
        deployments.set_state(ctx, dep_id, "active")
        assert deployments.may_run(ctx.session, dep_id, DURING).allowed


@pytest.mark.req("GOV-11")
def test_a_deployment_never_starts_outside_its_authorised_times(act, people, authority):
    auth_id, dep_id = authority()
    _overt(act, auth_id)
    with act("silver") as ctx, pytest.raises(PolicyRefusal, match="inside its authorised times"):
        deployments.set_state(ctx, dep_id, "active")  # NOW is before START
    with act("silver", now=DURING) as ctx:
        deployments.set_state(ctx, dep_id, "active")
        assert not deployments.may_run(ctx.session, dep_id, END + timedelta(minutes=1))
        with pytest.raises(InputError, match="cannot become"):
            deployments.set_state(ctx, dep_id, "planned")


def test_the_runtime_reads_the_deployment_view(act, authority):
    _auth_id, dep_id = authority()
    with act("silver") as ctx:
        view = deployments.get_view(ctx.session, dep_id)
    assert view.place == "High Street" and view.min_threshold == 0.64
    assert view.state.value == "planned" and view.purposes == (
        "Locate people wanted by the courts",
    )
