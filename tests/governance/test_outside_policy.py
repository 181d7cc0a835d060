"""GOV-16 decisions outside policy as a service: which rules may be set aside and which never,
who decides, the rationale and legal advice each profile asks for, one use per decision, and the
SRO's review (endorse, or disagree with reasons)."""

from datetime import timedelta

import pytest

from frt.core.errors import InputError
from frt.governance import command, outside_policy, watchlists, worklists
from frt.governance.bundle import installation_key
from frt.governance.notices import notifications_for
from frt.governance.outside_policy import Scope
from frt.policy import PolicyRefusal
from frt.policy.lfr_rules import NEVER_SET_ASIDE
from tests.governance.conftest import CUMBRIA, START, entry, make_bundle

EARLY = START - timedelta(hours=30)  # 30 hours before the start: outside the 24-hour window
RATIONALE = (
    "The operation's only opportunity: the venue opens at dawn and the engineer is on shift "
    "until midnight only; risk assessed in the ORA"
)


def _import(act, who, dep_id, photos, engine, *, now=EARLY, exception_id=None):
    with act(who, now=now) as ctx:
        data = make_bundle(installation_key(ctx.cipher), entry(photos=photos))
        return watchlists.import_bundle(
            ctx,
            dep_id,
            data,
            intelligence_reconfirmed=True,
            engine=engine,
            exception_id=exception_id,
            replace=True,
        ).id


@pytest.mark.req("GOV-16", "WL-05")
def test_an_early_import_proceeds_once_after_a_decision_outside_policy(
    act, people, authority, photos, engine
):
    _auth_id, dep_id = authority()
    with pytest.raises(PolicyRefusal) as refusal:
        _import(act, "silver", dep_id, photos, engine)
    assert refusal.value.decision.citation == "000 §6.2(4)"
    scope = Scope(outside_policy.WATCHLIST_IMPORT, dep_id)
    with act("silver", now=EARLY) as ctx:
        offer = outside_policy.offer(ctx, scope, refusal.value.decision)
        assert offer.settable.allowed and offer.may_record and offer.legal_advice_needed
        exc = outside_policy.record(ctx, scope, RATIONALE, legal_advice="DLS ref 77")
        assert (exc.rule, exc.used) == ("WL-IMPORT-WINDOW", False)
    assert _import(act, "silver", dep_id, photos, engine)  # the same action, repeated, proceeds
    with pytest.raises(PolicyRefusal, match="000 §6.2|too early"):  # used once only
        _import(act, "silver", dep_id, photos, engine)


@pytest.mark.req("GOV-16")
def test_a_detailed_rationale_is_needed_and_the_mps_also_needs_legal_advice(act, authority):
    _auth_id, dep_id = authority()
    scope = Scope(outside_policy.WATCHLIST_IMPORT, dep_id)
    with act("silver", now=EARLY) as ctx:
        with pytest.raises(PolicyRefusal, match="detailed rationale") as short:
            outside_policy.record(ctx, scope, "urgent", legal_advice="DLS ref 77")
        assert short.value.decision.citation == "003 §12.3"
        with pytest.raises(PolicyRefusal, match="legal advice") as no_advice:
            outside_policy.record(ctx, scope, RATIONALE)
        assert no_advice.value.decision.citation == "003 §12.3"


@pytest.mark.req("GOV-16")
def test_cumbria_asks_for_the_rationale_but_not_legal_advice(act, authority):
    _auth_id, dep_id = authority()
    scope = Scope(outside_policy.WATCHLIST_IMPORT, dep_id)
    with act("silver", now=EARLY, profile=CUMBRIA) as ctx:
        refusal = outside_policy.recheck(ctx, scope)
        assert not outside_policy.offer(ctx, scope, refusal).legal_advice_needed
        with pytest.raises(PolicyRefusal) as short:
            outside_policy.record(ctx, scope, "urgent")
        assert short.value.decision.citation == "004 §15.3"
        assert outside_policy.record(ctx, scope, RATIONALE).legal_advice == ""


@pytest.mark.req("GOV-16")
def test_only_the_authoritys_ao_gold_or_silver_in_post_decides(act, people, authority):
    _auth_id, dep_id = authority()
    scope = Scope(outside_policy.WATCHLIST_IMPORT, dep_id)
    for who in ("bronze", "inspector", "sro"):  # a Bronze; an AO and Gold of no post here
        with act(who, now=EARLY) as ctx, pytest.raises(PolicyRefusal) as refusal:
            outside_policy.record(ctx, scope, RATIONALE, legal_advice="DLS ref 77")
        assert refusal.value.decision.citation == "000 §12.1(d)"
    for who in ("ao", "gold"):
        with act(who, now=EARLY) as ctx:
            assert outside_policy.record(ctx, scope, RATIONALE, legal_advice="DLS ref 77").id


@pytest.mark.req("GOV-16")
def test_nothing_to_set_aside_when_the_rule_allows_the_action(act, authority):
    _auth_id, dep_id = authority()
    with act("silver") as ctx, pytest.raises(InputError, match="nothing to set aside"):
        outside_policy.record(
            ctx, Scope(outside_policy.WATCHLIST_IMPORT, dep_id), RATIONALE, legal_advice="x"
        )


@pytest.mark.req("GOV-16", "WL-03")
def test_the_safeguards_themselves_are_never_set_aside(act, authority):
    """Protected persons, non-police images, categories, LFR training, roles: decided by rule id,
    each says why, none is offered — whatever paragraph a force cites for them."""
    _auth_id, dep_id = authority()
    scope = Scope(outside_policy.WATCHLIST_IMPORT, dep_id)
    with act("silver") as ctx:
        for rule in (
            "WL-PROTECTED",
            "WL-NON-POLICE",
            "WL-CATEGORY",
            "GOV-ROSTER-LFR-TRAINING",
            "ACCESS-ROLE",
        ):
            refusal = outside_policy.Decision.refuse("refused", "a force's own paragraph", rule)
            offer = outside_policy.offer(ctx, scope, refusal)
            assert not offer.settable.allowed and not offer.may_record
            assert NEVER_SET_ASIDE[rule] in offer.settable.reason
        under_13 = NEVER_SET_ASIDE["WL-PROTECTED"]
        assert "under 13" in under_13 and "advice" in under_13 and "AO" in under_13


@pytest.mark.req("GOV-16")
def test_a_rule_is_set_aside_only_for_the_action_that_may_excuse_it(act, authority):
    """The import window may be set aside for an import, never for a roster; by id, not by the
    wording or paragraph of the refusal."""
    _auth_id, dep_id = authority()
    window = outside_policy.Decision.refuse("too early", "000 §6.2(4)", "WL-IMPORT-WINDOW")
    with act("silver") as ctx:
        assert outside_policy.settable(
            ctx, Scope(outside_policy.WATCHLIST_IMPORT, dep_id), window
        ).allowed
        roster = Scope(outside_policy.ROSTER, dep_id, "someone", "lfr_operator")
        assert not outside_policy.settable(ctx, roster, window).allowed
        same_paragraph = outside_policy.Decision.refuse("too early", "000 §6.2(4)", "WL-OTHER")
        assert not outside_policy.settable(
            ctx, Scope(outside_policy.WATCHLIST_IMPORT, dep_id), same_paragraph
        ).allowed


@pytest.mark.req("GOV-16")
def test_a_decision_covers_only_its_own_action_and_person(act, people, authority):
    _auth_id, dep_id = authority()
    with act("silver") as ctx:
        scope = Scope(outside_policy.ROSTER, dep_id, people["unsafe"], "lfr_operator")
        exc = outside_policy.record(ctx, scope, RATIONALE, legal_advice="DLS ref 9")
        exc_id = exc.id
    with act("silver") as ctx, pytest.raises(PolicyRefusal, match="does not cover"):
        command.roster(ctx, dep_id, people["unsafe"], "engagement_officer", exception_id=exc_id)
    with act("silver") as ctx:
        assert command.roster(ctx, dep_id, people["unsafe"], "lfr_operator").exception_id == exc_id


@pytest.mark.req("GOV-16")
def test_the_sro_endorses_or_disagrees_with_reasons_and_the_decider_is_told(act, people, authority):
    _auth_id, dep_id = authority()
    ids = []
    for _ in range(2):
        with act("silver", now=EARLY) as ctx:
            scope = Scope(outside_policy.WATCHLIST_IMPORT, dep_id)
            ids.append(outside_policy.record(ctx, scope, RATIONALE, legal_advice="DLS 1").id)
    with act("sro") as ctx:
        waiting = [i.object_id for i in worklists.for_user(ctx) if i.kind == "outside_policy"]
        assert waiting == ids
        assert not [i for i in worklists.for_user(ctx) if i.kind == "notification"]  # no twin
        with pytest.raises(InputError, match="reasons for disagreeing"):
            outside_policy.review(ctx, ids[1], "disagreed", " ")
        with pytest.raises(InputError, match="endorses"):
            outside_policy.review(ctx, ids[1], "maybe", "")
        outside_policy.review(ctx, ids[0], "endorsed", "")
        outside_policy.review(ctx, ids[1], "disagreed", "The window exists for currency")
    with act("sro") as ctx:
        assert not [i for i in worklists.for_user(ctx) if i.kind == "outside_policy"]
        with pytest.raises(InputError, match="reviewed already"):
            outside_policy.review(ctx, ids[0], "disagreed", "second thoughts")
    with act("silver") as ctx:
        told = [n for n in notifications_for(ctx) if n.kind == "outside_policy_disagreed"]
        assert [n.object_id for n in told] == [ids[1]]
    with (
        act("silver") as ctx,
        pytest.raises(PolicyRefusal, match=r"needs the role Senior Responsible Owner"),
    ):
        outside_policy.review(ctx, ids[0], "endorsed", "")
