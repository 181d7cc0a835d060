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

from frt.governance.context import Ctx, GovernanceError, choice
from frt.governance.enums import CommandRole, DeploymentState, Duty
from frt.governance.models import Authority, Deployment
from frt.governance.outside_policy import ROSTER, Scope, use
from frt.governance.oversight_models import CommandAppointment, OvertUse, RosterEntry, SilverReview
from frt.people.models import User
from frt.people.roles import Role, TrainingKind
from frt.policy import Decision, PolicyRefusal, require
from frt.policy.lfr_rules import command_rank
from frt.policy.rules import in_date_training

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


def _is_commander(ctx: Ctx, authority_id: str, *roles: CommandRole) -> bool:
    return any(
        a.user_id == ctx.user.id and a.role in {r.value for r in roles}
        for a in team(ctx, authority_id)
    )


def appoint(ctx: Ctx, authority_id: str, role: str, user_id: str) -> CommandAppointment:
    """GOV-09: Gold appoints the command team (000 §10.1(a)), each of the right rank."""
    role = choice(CommandRole, role, "role")
    if role == CommandRole.GOLD:
        raise GovernanceError("the AO names the Gold in the authority (001 stage 3)")
    authority = ctx.get(Authority, authority_id)
    if authority.gold_id != ctx.user.id:
        raise PolicyRefusal(
            Decision.refuse("only the Gold appoints the command team", "000 §10.1(a)")
        )
    person = ctx.session.get(User, user_id)
    if person is None or person.disabled:
        raise GovernanceError("no such user")
    require(command_rank(ctx.profile, role.value, person.rank_enum))
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
    ctx.audit(
        Role.GOLD,
        "command.appoint",
        "lfr_authority",
        authority.id,
        command_role=role.value,
        appointee_id=person.id,
        citation=command_rank(ctx.profile, role.value, person.rank_enum).citation,
    )
    return appt


def training_check(ctx: Ctx, person: User, duty: Duty, deployment: Deployment) -> Decision:
    """GOV-10: in date for the whole Deployment; LFR training is never excused (000 §8.5)."""
    held = person.training_expiries()
    on = deployment.ends_at.date()
    if TrainingKind.LFR.value not in held or held[TrainingKind.LFR.value] < on:
        return Decision.refuse(
            f"not trained to be rostered as {duty.value.replace('_', ' ')}: no in-date LFR "
            "training (every person deployed receives LFR training first)",
            "000 §8.5",
        )
    return in_date_training(ctx.profile, duty.value, held, on)


def roster(
    ctx: Ctx, deployment_id: str, user_id: str, duty: str, *, exception_id: str | None = None
) -> RosterEntry:
    deployment = ctx.get(Deployment, deployment_id)
    if not _is_commander(
        ctx, deployment.authority_id, CommandRole.GOLD, CommandRole.SILVER, CommandRole.BRONZE
    ):
        raise PolicyRefusal(
            Decision.refuse("only the command team rosters people", "000 §10.1(a), §8.2")
        )
    if DeploymentState(deployment.state).finished:
        raise GovernanceError("the Deployment has finished")
    duty = choice(Duty, duty, "duty")
    person = ctx.session.get(User, user_id)
    if person is None or person.disabled:
        raise GovernanceError("no such user")
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
    ctx.audit(
        None,
        "roster.add",
        "lfr_deployment",
        deployment.id,
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


def set_review_interval(ctx: Ctx, deployment_id: str, hours: float) -> Deployment:
    """The tactical plan sets Silver's review interval (004 §7.6)."""
    deployment = ctx.get(Deployment, deployment_id)
    if not _is_commander(ctx, deployment.authority_id, CommandRole.SILVER):
        raise PolicyRefusal(
            Decision.refuse("the Silver sets review times in the tactical plan", "004 §7.6")
        )
    if not 0 < hours <= 24:
        raise GovernanceError("a review interval lies between 0 and 24 hours")
    deployment.review_interval_hours = hours
    ctx.audit(
        Role.SILVER,
        "deployment.review_interval",
        "lfr_deployment",
        deployment.id,
        hours=hours,
        citation="004 §7.6",
    )
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
    if not _is_commander(ctx, deployment.authority_id, CommandRole.SILVER):
        raise PolicyRefusal(Decision.refuse("the Silver records the reviews", "004 §7.6"))
    texts = {
        "lawfulness": lawfulness,
        "necessity": necessity,
        "proportionality": proportionality,
        "system performance": system_performance,
        "engagements": engagements,
    }
    missing = [k for k, v in texts.items() if not v.strip()]
    if missing:
        raise GovernanceError("a review addresses " + ", ".join(missing) + " (004 §7.6)")
    if outcome not in ("continue", "suspend", "terminate"):
        raise GovernanceError("a review continues, suspends or terminates the Deployment")
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
    ctx.audit(
        Role.SILVER,
        "deployment.review",
        "lfr_deployment",
        deployment.id,
        review_id=review.id,
        outcome=outcome,
        citation="004 §7.6",
    )
    if outcome != "continue":
        set_state(
            ctx,
            deployment.id,
            "suspended" if outcome == "suspend" else "terminated",
            reason=f"Silver review {review.id}",
        )
    return review


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
    if not _is_commander(
        ctx, authority.id, CommandRole.GOLD, CommandRole.SILVER, CommandRole.BRONZE_COMMUNITY
    ):
        raise PolicyRefusal(
            Decision.refuse("the command team records the overt-use measures", "000 §5.7–5.8")
        )
    rule = ctx.profile.governance.advance_notice_required
    if rule.value and not notice_published and not exception_reasons.strip():
        raise PolicyRefusal(
            Decision.refuse(
                "advance notice must be published, or the exception recorded with its reasons",
                rule.cite,
            )
        )
    if notice_published and not notice_channels.strip():
        raise GovernanceError("say where the notice was published (website, social media…)")
    contact = contact_point.strip() or (ctx.profile.governance.contact_point.value or "")
    if not contact:
        raise GovernanceError("a public contact point must be published (000 §5.10)")
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
    ctx.audit(
        None,
        "overt_use.record",
        "lfr_authority",
        authority.id,
        notice_published=notice_published,
        signage=signage,
        leaflets=leaflets,
        citation=rule.cite,
    )
    return overt


def overt_use(ctx: Ctx, authority_id: str) -> OvertUse | None:
    return ctx.session.scalar(select(OvertUse).where(OvertUse.authority_id == authority_id))
