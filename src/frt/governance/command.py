"""Command team, roster, tactical plan, Silver reviews and overt use (GOV-09, GOV-10, GOV-11).

Gold (named by the AO) appoints one Silver, Bronzes and a Bronze Community of the right ranks
(000 §10.1). Operators, Engagement Officers and System Engineers are rostered only with in-date
training (000 §8.5, §10.3–10.14); a missing *safety* course may be set aside by a recorded
decision outside policy (000 §8.5 "exceptions … addressed within the written risk assessment"),
LFR training never. Silver sets the review interval in the tactical plan and records reviews
(004 §7.4–7.6). The overt-use record (000 §5.7–5.10) must exist before a Deployment starts.
"""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from frt.core.actions import action
from frt.core.context import Ctx, choice
from frt.core.errors import InputError
from frt.governance.deployments import posts_held
from frt.governance.enums import DeploymentState, Duty
from frt.governance.models import Authority, Deployment
from frt.governance.outside_policy import ROSTER, Scope, use
from frt.governance.oversight_models import CommandAppointment, OvertUse, RosterEntry, SilverReview
from frt.governance.training import training_check
from frt.people.models import User
from frt.people.roles import Role
from frt.policy import Decision, require
from frt.policy.lfr_rules import advance_notice, command_rank, in_post
from frt.policy.vocabulary import CommandRole

_SINGLE = {CommandRole.SILVER.value, CommandRole.BRONZE_COMMUNITY.value}


def team(ctx: Ctx, authority_id: str) -> list[CommandAppointment]:
    return team_of(ctx.session, authority_id)


def team_of(session: Session, authority_id: str) -> list[CommandAppointment]:
    """The command team in post (appointments not ended)."""
    return list(
        session.scalars(
            select(CommandAppointment)
            .where(
                CommandAppointment.authority_id == authority_id,
                CommandAppointment.ended_at.is_(None),
            )
            .order_by(CommandAppointment.appointed_at)
        )
    )


def holder(ctx: Ctx, authority_id: str, role: CommandRole) -> str | None:
    for appt in team(ctx, authority_id):
        if appt.role == role.value:
            return appt.user_id
    return None


def _posts(*needed: CommandRole, what: str, citation: str):
    """An action guard: the user holds one of `needed` on the Authority of the action's object
    (an `authority_id` or a `deployment_id` argument)."""

    def guard(ctx: Ctx, arguments: dict) -> Decision:
        authority_id = (
            arguments.get("authority_id")
            or ctx.get(Deployment, arguments["deployment_id"]).authority_id
        )
        return in_post(posts_held(ctx.session, authority_id, ctx.user.id), needed, what, citation)

    return guard


@action(
    "lfr.command.appoint",
    roles=[Role.GOLD],
    touches="lfr_authority",
    key="authority_id",
    guard=_posts(CommandRole.GOLD, what="appoints the command team", citation="000 §10.1(a)"),
)
def appoint(ctx: Ctx, authority_id: str, role: str, user_id: str) -> CommandAppointment:
    """GOV-09: Gold appoints the command team (000 §10.1(a)), each of the right rank."""
    role = choice(CommandRole, role, "role")
    if role == CommandRole.GOLD:
        raise InputError("the AO names the Gold in the authority (001 stage 3)")
    authority = ctx.get(Authority, authority_id)
    person = ctx.session.get(User, user_id)
    if person is None or person.disabled:
        raise InputError("no such user")
    rank = require(command_rank(ctx.profile, role.value, person.rank_enum))
    if role.value in _SINGLE:  # one Silver (000 §10.1(d)); one Bronze Community
        for appt in team(ctx, authority.id):
            if appt.role == role.value:
                appt.ended_at = ctx.now
    appt = CommandAppointment(
        authority_id=authority.id,
        role=role.value,
        user_id=person.id,
        appointed_by=ctx.user.id,
        appointed_at=ctx.now,
    )
    ctx.session.add(appt)
    ctx.session.flush()
    ctx.note(command_role=role.value, appointee_id=person.id, citation=rank.citation)
    return appt


@action(
    "lfr.roster.add",
    roles=[Role.GOLD, Role.SILVER, Role.BRONZE],
    touches="lfr_deployment",
    key="deployment_id",
    guard=_posts(
        CommandRole.GOLD,
        CommandRole.SILVER,
        CommandRole.BRONZE,
        what="rosters people",
        citation="000 §10.1(a), §8.2",
    ),
)
def roster(
    ctx: Ctx, deployment_id: str, user_id: str, duty: str, *, exception_id: str | None = None
) -> RosterEntry:
    deployment = ctx.get(Deployment, deployment_id)
    if DeploymentState(deployment.state).finished:
        raise InputError("the Deployment has finished")
    duty = choice(Duty, duty, "duty")
    person = ctx.session.get(User, user_id)
    if person is None or person.disabled:
        raise InputError("no such user")
    decision = training_check(ctx, person, duty, deployment)
    scope = Scope(ROSTER, deployment.id, person.id, duty.value)
    exc = use(ctx, scope, decision, exception_id)  # GOV-16: refuses unless set aside
    entry = RosterEntry(
        deployment_id=deployment.id,
        user_id=person.id,
        duty=duty.value,
        rostered_by=ctx.user.id,
        rostered_at=ctx.now,
        exception_id=exc.id if exc else None,
    )
    ctx.session.add(entry)
    ctx.session.flush()
    ctx.note(
        duty=duty.value,
        user_id=person.id,
        exception_id=entry.exception_id,
        citation=decision.citation,
    )
    return entry


def rostered(ctx: Ctx, deployment_id: str) -> list[RosterEntry]:
    return list(
        ctx.session.scalars(
            select(RosterEntry)
            .where(RosterEntry.deployment_id == deployment_id)
            .order_by(RosterEntry.rostered_at)
        )
    )


@action(
    "lfr.deployment.review_interval",
    roles=[Role.SILVER],
    touches="lfr_deployment",
    key="deployment_id",
    guard=_posts(
        CommandRole.SILVER, what="sets review times in the tactical plan", citation="004 §7.6"
    ),
)
def set_review_interval(ctx: Ctx, deployment_id: str, hours: float) -> Deployment:
    """The tactical plan sets Silver's review interval (004 §7.6)."""
    deployment = ctx.get(Deployment, deployment_id)
    if not 0 < hours <= 24:
        raise InputError("a review interval lies between 0 and 24 hours")
    deployment.review_interval_hours = hours
    ctx.note(hours=hours, citation="004 §7.6")
    return deployment


def review_interval(ctx: Ctx, deployment: Deployment) -> float:
    return (
        deployment.review_interval_hours or ctx.profile.command.silver_review_interval_hours.value
    )


def next_review_at(ctx: Ctx, deployment: Deployment):
    last = ctx.session.scalar(
        select(SilverReview.at)
        .where(SilverReview.deployment_id == deployment.id)
        .order_by(SilverReview.at.desc())
        .limit(1)
    )
    base = last or deployment.started_at
    return None if base is None else base + timedelta(hours=review_interval(ctx, deployment))


@action(
    "lfr.deployment.review",
    roles=[Role.SILVER],
    touches="lfr_deployment",
    key="deployment_id",
    guard=_posts(CommandRole.SILVER, what="records the reviews", citation="004 §7.6"),
)
def record_review(
    ctx: Ctx,
    deployment_id: str,
    *,
    lawfulness: str,
    necessity: str,
    proportionality: str,
    system_performance: str,
    engagements: str,
    outcome: str = "continue",
) -> SilverReview:
    """GOV-09: Silver's review; Silver may suspend or terminate at once (000 §10.1(d))."""
    from frt.governance.deployments import set_state

    deployment = ctx.get(Deployment, deployment_id)
    texts = {
        "lawfulness": lawfulness,
        "necessity": necessity,
        "proportionality": proportionality,
        "system performance": system_performance,
        "engagements": engagements,
    }
    missing = [k for k, v in texts.items() if not v.strip()]
    if missing:
        raise InputError("a review addresses " + ", ".join(missing) + " (004 §7.6)")
    if outcome not in ("continue", "suspend", "terminate"):
        raise InputError("a review continues, suspends or terminates the Deployment")
    review = SilverReview(
        deployment_id=deployment.id,
        reviewer_id=ctx.user.id,
        at=ctx.now,
        lawfulness=lawfulness,
        necessity=necessity,
        proportionality=proportionality,
        system_performance=system_performance,
        engagements=engagements,
        outcome=outcome,
    )
    ctx.session.add(review)
    ctx.session.flush()
    ctx.note(review_id=review.id, outcome=outcome, citation="004 §7.6")
    if outcome != "continue":
        set_state(
            ctx,
            deployment.id,
            "suspended" if outcome == "suspend" else "terminated",
            reason=f"Silver review {review.id}",
        )
    return review


@action(
    "lfr.overt_use.record",
    roles=[Role.GOLD, Role.SILVER, Role.BRONZE_COMMUNITY],
    touches="lfr_authority",
    key="authority_id",
    guard=_posts(
        CommandRole.GOLD,
        CommandRole.SILVER,
        CommandRole.BRONZE_COMMUNITY,
        what="records the overt-use measures",
        citation="000 §5.7–5.8",
    ),
)
def record_overt_use(
    ctx: Ctx,
    authority_id: str,
    *,
    notice_published: bool,
    notice_channels: str = "",
    exception_reasons: str = "",
    signage: bool = False,
    leaflets: bool = False,
    notes: str = "",
    contact_point: str = "",
) -> OvertUse:
    """GOV-11: advance notice (or the exception with reasons), signage, leaflets, contact point."""
    authority = ctx.get(Authority, authority_id)
    notice = require(advance_notice(ctx.profile, notice_published, exception_reasons))
    if notice_published and not notice_channels.strip():
        raise InputError("say where the notice was published (website, social media…)")
    contact = contact_point.strip() or (ctx.profile.governance.contact_point.value or "")
    if not contact:
        raise InputError("a public contact point must be published (000 §5.10)")
    overt = ctx.session.scalar(select(OvertUse).where(OvertUse.authority_id == authority.id))
    if overt is None:
        overt = OvertUse(authority_id=authority.id, recorded_by=ctx.user.id)
        ctx.session.add(overt)
    overt.notice_published = notice_published
    overt.notice_published_at = ctx.now if notice_published else None
    overt.notice_channels = notice_channels.strip()
    overt.notice_exception_reasons = "" if notice_published else exception_reasons.strip()
    overt.signage, overt.leaflets, overt.measures_notes = signage, leaflets, notes.strip()
    overt.contact_point, overt.recorded_by, overt.recorded_at = contact, ctx.user.id, ctx.now
    ctx.session.flush()
    ctx.note(
        notice_published=notice_published,
        signage=signage,
        leaflets=leaflets,
        citation=notice.citation,
    )
    return overt


def overt_use(ctx: Ctx, authority_id: str) -> OvertUse | None:
    return ctx.session.scalar(select(OvertUse).where(OvertUse.authority_id == authority_id))
