"""Decisions outside policy (GOV-16): one refused rule set aside for one action, then the SRO's review.

The documents allow, by exception, a decision outside them: "fully documented and supported by a
detailed rationale" and, in the MPS, "supported by legal advice", "cited to the SRO for review"
(003 §12.3; Cumbria 004 §15.3 asks for the rationale and a debrief). FRT offers it only where a
rule of the LFR path refuses an *action* the documents let a commander excuse:

- `roster`: safety training (officer safety, emergency life support) out of date — 000 §8.5
  "exceptions … specifically addressed within the written risk assessment". LFR training never.
- `watchlist_import`: importing earlier than the import window (000 §6.2(4)).

Whether a refusal may be set aside is decided by its rule id (`lfr_rules.set_aside`): every other
rule either names why it can never be set aside or is not offered. The rule is re-checked on the server when the decision is recorded, so the rule and
citation come from FRT, not from the form. The decision is made by the Authority's AO, or its
Gold or Silver in post; it is used once, by the action it names, and waits on the SRO's work list
until the SRO endorses it or disagrees, with reasons.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import select

from frt.core.actions import action
from frt.core.context import Ctx
from frt.core.errors import InputError
from frt.governance.enums import DeploymentState, Duty
from frt.governance.models import Deployment
from frt.governance.notices import notify
from frt.governance.oversight_models import CommandAppointment, Notification, PolicyException
from frt.governance.training import training_check
from frt.people.models import User
from frt.people.roles import Role
from frt.policy import Decision, PolicyRefusal, require
from frt.policy.access import object_access
from frt.policy.lfr_rules import (
    exception_not_covering,
    import_window,
    outside_policy_grounds,
    set_aside,
)
from frt.policy.vocabulary import CommandRole

ROSTER, WATCHLIST_IMPORT = "roster", "watchlist_import"
ACTIONS = {
    ROSTER: "Roster a person whose safety training is not in date",
    WATCHLIST_IMPORT: "Import the Watchlist before the import window opens",
}
MIN_RATIONALE = 40  # "a detailed rationale": more than a word or two
OUTCOMES = ("endorsed", "disagreed")
DECIDERS = (Role.AUTHORISING_OFFICER, Role.GOLD, Role.SILVER)
READERS = (*DECIDERS, Role.SRO, Role.DPO, Role.AUDITOR)


@dataclass(frozen=True)
class Scope:
    """The action a refused rule stopped: what a decision outside policy would let proceed."""

    action: str
    deployment_id: str
    user_id: str | None = None  # roster: the person
    duty: str | None = None  # roster: the duty

    def subject(self) -> dict:
        return {k: v for k, v in (("user_id", self.user_id), ("duty", self.duty)) if v}

    @classmethod
    def of(cls, exc: PolicyException) -> Scope:
        extra = exc.extra or {}
        return cls(extra.get("action", ""), exc.object_id, extra.get("user_id"), extra.get("duty"))


@dataclass(frozen=True)
class Offer:
    """What a refusal page offers: may the rule be set aside here, and may this user do it."""

    refusal: Decision
    settable: Decision  # allowed: may be set aside; refused: why never
    may_record: bool
    legal_advice_needed: bool
    deciders: tuple[str, ...] = field(default=tuple(r.label for r in DECIDERS))


def _check_scope(scope: Scope) -> None:
    if scope.action not in ACTIONS:
        raise InputError(f"no decision outside policy is offered for '{scope.action}'")
    if scope.action == ROSTER and not (scope.user_id and scope.duty):
        raise InputError("say who is to be rostered, and in which duty")


def recheck(ctx: Ctx, scope: Scope) -> Decision:
    """Run the rule that refused the action again, now, on the server."""
    _check_scope(scope)
    dep = ctx.get(Deployment, scope.deployment_id)
    if scope.action == ROSTER:
        person = ctx.session.get(User, scope.user_id)
        if person is None or person.disabled:
            raise InputError("no such user")
        return training_check(ctx, person, Duty(scope.duty), dep)
    return import_window(ctx.profile, dep.starts_at, dep.ends_at, ctx.now)


# The rule each action may have set aside (GOV-16): an action excuses its own rule only.
EXCUSES = {ROSTER: "GOV-ROSTER-TRAINING", WATCHLIST_IMPORT: "WL-IMPORT-WINDOW"}


def settable(ctx: Ctx, scope: Scope, refusal: Decision) -> Decision:
    """GOV-16: may this refused rule be set aside for this action? If not, why not."""
    return set_aside(ctx.profile, refusal, EXCUSES.get(scope.action) == refusal.rule)


def _decider_role(ctx: Ctx, dep: Deployment) -> Role | None:
    """The Authority's AO, or its Gold or Silver in post, in the role they act in."""
    if dep.authority.authorising_officer_id == ctx.user.id and ctx.user.has_role(
        Role.AUTHORISING_OFFICER
    ):
        return Role.AUTHORISING_OFFICER
    posts = set(
        ctx.session.scalars(
            select(CommandAppointment.role).where(
                CommandAppointment.authority_id == dep.authority_id,
                CommandAppointment.user_id == ctx.user.id,
                CommandAppointment.ended_at.is_(None),
            )
        )
    )
    for post, role in ((CommandRole.GOLD, Role.GOLD), (CommandRole.SILVER, Role.SILVER)):
        if post.value in posts and ctx.user.has_role(role):
            return role
    return None


def offer(ctx: Ctx, scope: Scope, refusal: Decision) -> Offer:
    dep = ctx.get(Deployment, scope.deployment_id)
    can = settable(ctx, scope, refusal)
    return Offer(
        refusal,
        can,
        can.allowed and _decider_role(ctx, dep) is not None,
        bool(ctx.profile.governance.outside_policy_needs_legal_advice.value),
    )


def _a_decider(ctx: Ctx, arguments: dict) -> Decision:
    dep = ctx.get(Deployment, arguments["scope"].deployment_id)
    return object_access(
        _decider_role(ctx, dep) is not None,
        "only the Authority's AO, or its Gold or Silver in post, decides outside policy",
    )


@action("lfr.outside_policy.record", roles=DECIDERS, touches="lfr_deployment", guard=_a_decider)
def record(ctx: Ctx, scope: Scope, rationale: str, legal_advice: str = "") -> PolicyException:
    """GOV-16: record the decision, flag it to the SRO, and return it (unused) for the action."""
    dep = ctx.get(Deployment, scope.deployment_id)
    ctx.touch(dep.id)
    if DeploymentState(dep.state).finished:
        raise InputError("the Deployment has finished")
    refusal = recheck(ctx, scope)
    if refusal.allowed:
        raise InputError(f"nothing to set aside: {refusal.reason} ({refusal.citation})")
    require(settable(ctx, scope, refusal))
    _require_grounds(ctx, rationale, legal_advice)
    exc = PolicyException(
        object_type="lfr_deployment",
        object_id=dep.id,
        rule=refusal.rule,
        refused_reason=refusal.reason,
        rationale=rationale.strip(),
        legal_advice=legal_advice.strip(),
        decided_by=ctx.user.id,
        decided_at=ctx.now,
        extra={"action": scope.action, **scope.subject()},
    )
    ctx.session.add(exc)
    ctx.session.flush()
    _flag_to_sro(ctx, exc)
    return exc


def _require_grounds(ctx: Ctx, rationale: str, legal_advice: str) -> None:
    require(outside_policy_grounds(ctx.profile, rationale, legal_advice, MIN_RATIONALE))


def _flag_to_sro(ctx: Ctx, exc: PolicyException) -> None:
    cite = ctx.profile.governance.outside_policy_needs_legal_advice.cite
    notify(
        ctx,
        kind="outside_policy",
        object_type="gov_policy_exception",
        object_id=exc.id,
        message=f"Decision outside policy ({exc.rule}): review it",
        citation=cite,
        role=Role.SRO,
    )
    ctx.note(
        exception_id=exc.id,
        for_action=(exc.extra or {}).get("action"),
        rule=exc.rule,
        citation=cite,
    )


@action(
    "lfr.outside_policy.use",
    roles=[*DECIDERS, Role.BRONZE, Role.SYSTEM_ENGINEER],
    touches="gov_policy_exception",
)
def _use(ctx: Ctx, exc: PolicyException) -> PolicyException:
    exc.used = True
    ctx.touch(exc.id)
    ctx.note(rule=exc.rule)
    return exc


def use(ctx: Ctx, scope: Scope, refusal: Decision, exception_id: str | None = None):
    """The unused decision that sets `refusal` aside for this action (marked used), or refuse.

    Without `exception_id` the latest matching decision is taken, so an action simply repeated
    after the decision was recorded proceeds.
    """
    if refusal.allowed:
        return None
    if not settable(ctx, scope, refusal).allowed:
        raise PolicyRefusal(refusal)
    exc = _matching(ctx, scope, refusal, exception_id)
    if exc is None:
        if exception_id is not None:
            raise PolicyRefusal(exception_not_covering(ctx.profile))
        raise PolicyRefusal(refusal)
    return _use(ctx, exc)


def _matching(ctx: Ctx, scope: Scope, refusal: Decision, exception_id: str | None):
    query = (
        select(PolicyException)
        .where(
            PolicyException.object_id == scope.deployment_id,
            PolicyException.rule == refusal.rule,
            PolicyException.used.is_(False),
        )
        .order_by(PolicyException.decided_at.desc())
    )
    if exception_id is not None:
        query = query.where(PolicyException.id == exception_id)
    for exc in ctx.session.scalars(query):
        if Scope.of(exc) == scope:
            return exc
    return None


def pending_for(ctx: Ctx, deployment_id: str) -> list[PolicyException]:
    """Recorded decisions waiting for their action on this Deployment."""
    return list(
        ctx.session.scalars(
            select(PolicyException).where(
                PolicyException.object_id == deployment_id, PolicyException.used.is_(False)
            )
        )
    )


@action(
    "lfr.outside_policy.review",
    roles=[Role.SRO],
    touches="gov_policy_exception",
    key="exception_id",
)
def review(ctx: Ctx, exception_id: str, outcome: str, reasons: str) -> PolicyException:
    """GOV-16: the SRO endorses the decision or disagrees, with reasons (003 §12.3)."""
    exc = ctx.get(PolicyException, exception_id)
    if exc.sro_reviewed_at is not None:
        raise InputError("this decision has been reviewed already")
    if outcome not in OUTCOMES:
        raise InputError("the SRO endorses the decision or disagrees with it")
    if outcome == "disagreed" and not reasons.strip():
        raise InputError("give the reasons for disagreeing")
    exc.sro_reviewed_by, exc.sro_reviewed_at = ctx.user.id, ctx.now
    exc.sro_outcome, exc.sro_note = outcome, reasons.strip()
    _close_flag(ctx, exc)
    if outcome == "disagreed":
        notify(
            ctx,
            kind="outside_policy_disagreed",
            object_type="gov_policy_exception",
            object_id=exc.id,
            message=f"The SRO disagreed with your decision outside policy ({exc.rule})",
            citation="003 §12.3",
            user_id=exc.decided_by,
        )
    ctx.note(outcome=outcome, citation="003 §12.3")
    return exc


def _close_flag(ctx: Ctx, exc: PolicyException) -> None:
    for note in ctx.session.scalars(
        select(Notification).where(
            Notification.object_id == exc.id,
            Notification.kind == "outside_policy",
            Notification.acknowledged_at.is_(None),
        )
    ):
        note.acknowledged_by, note.acknowledged_at = ctx.user.id, ctx.now


def _may_read(ctx: Ctx, arguments: dict) -> Decision:
    """Oversight (SRO, DPO, auditor) reads every decision outside policy; otherwise the
    Authority's AO, or its Gold or Silver in post (hardening item 2)."""
    exc = ctx.get(PolicyException, arguments["exception_id"])
    oversight = {Role.SRO.value, Role.DPO.value, Role.AUDITOR.value} & set(ctx.user.roles_json)
    dep = ctx.session.get(Deployment, exc.object_id)
    return object_access(
        bool(oversight) or (dep is not None and _decider_role(ctx, dep) is not None),
        "only oversight and the Authority's AO, Gold or Silver read this decision outside policy",
    )


@action(
    "lfr.outside_policy.read",
    roles=READERS,
    touches="gov_policy_exception",
    key="exception_id",
    reads=True,
    guard=_may_read,
)
def read(ctx: Ctx, exception_id: str) -> PolicyException:
    """One decision outside policy, as its page shows it (the read is audited)."""
    return ctx.get(PolicyException, exception_id)


def awaiting_review(ctx: Ctx) -> list[PolicyException]:
    return list(
        ctx.session.scalars(
            select(PolicyException)
            .where(PolicyException.sro_reviewed_at.is_(None))
            .order_by(PolicyException.decided_at)
        )
    )


def all_decisions(ctx: Ctx) -> list[PolicyException]:
    return list(
        ctx.session.scalars(select(PolicyException).order_by(PolicyException.decided_at.desc()))
    )
