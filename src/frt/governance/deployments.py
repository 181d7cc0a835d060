"""Deployments: their state, and the read API the live runtime (`frt.lfr`) uses.

States: planned → active ⇄ suspended → terminated (Silver, 000 §10.1(d)) or ended. A Deployment
starts only inside its authority's times, under an authority in force, with its overt-use
measures recorded (GOV-11). The runtime asks `may_run` before processing a frame (LIVE-10) and
reads `get_view` for the window, place, state and minimum Threshold.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from frt.governance.context import Ctx, GovernanceError, choice
from frt.governance.enums import AuthorityStatus, CommandRole, DeploymentState
from frt.governance.models import Authority, Deployment
from frt.governance.oversight_models import CommandAppointment, OvertUse
from frt.people.roles import Role
from frt.policy import Decision, PolicyRefusal, require

S = DeploymentState
_TRANSITIONS = {
    S.PLANNED: {S.ACTIVE, S.TERMINATED},
    S.ACTIVE: {S.SUSPENDED, S.TERMINATED, S.ENDED},
    S.SUSPENDED: {S.ACTIVE, S.TERMINATED, S.ENDED},
    S.TERMINATED: set(),
    S.ENDED: set(),
}


@dataclass(frozen=True)
class DeploymentView:
    """What the live runtime needs to know about a Deployment (no personal data)."""

    id: str
    authority_id: str
    authority_reference: str
    place: str
    starts_at: datetime
    ends_at: datetime
    state: DeploymentState
    min_threshold: float
    camera_count: int
    styles: tuple[str, ...]
    purposes: tuple[str, ...]


def get_view(session: Session, deployment_id: str) -> DeploymentView:
    dep = session.get(Deployment, deployment_id)
    if dep is None:
        raise GovernanceError(f"no Deployment '{deployment_id}'")
    auth = dep.authority
    further = session.scalars(
        select(Authority.purpose).where(
            Authority.parent_id == auth.id, Authority.status == AuthorityStatus.IN_FORCE.value
        )
    ).all()
    return DeploymentView(
        dep.id,
        auth.id,
        auth.reference,
        dep.location.locality,
        dep.starts_at,
        dep.ends_at,
        DeploymentState(dep.state),
        auth.min_threshold,
        dep.camera_count,
        tuple(dep.styles),
        (auth.purpose, *further),
    )


def may_run(session: Session, deployment_id: str, at: datetime) -> Decision:
    """LIVE-10: processing only while active, inside the authorised times, authority in force."""
    dep = session.get(Deployment, deployment_id)
    if dep is None:
        return Decision.refuse("no such Deployment", "000 §4.5")
    if dep.authority.status != AuthorityStatus.IN_FORCE.value:
        return Decision.refuse("the authority was stopped", "000 §4.11")
    if not dep.starts_at <= at < dep.ends_at:
        return Decision.refuse("outside the authorised times", "000 §5.1")
    if dep.state != S.ACTIVE.value:
        return Decision.refuse(f"the Deployment is {dep.state}", "000 §10.1(d)")
    return Decision.allow("inside the authority's place and times, active", "000 §5.1")


def _commander_roles(ctx: Ctx, authority_id: str) -> set[str]:
    return set(
        ctx.session.scalars(
            select(CommandAppointment.role).where(
                CommandAppointment.authority_id == authority_id,
                CommandAppointment.user_id == ctx.user.id,
                CommandAppointment.ended_at.is_(None),
            )
        )
    )


def set_state(ctx: Ctx, deployment_id: str, state: str, reason: str = "") -> Deployment:
    """Start, suspend, resume, terminate or end a Deployment (Silver or Gold; 000 §10.1(d))."""
    dep = ctx.get(Deployment, deployment_id)
    new = choice(DeploymentState, state, "state")
    roles = _commander_roles(ctx, dep.authority_id)
    if not roles & {CommandRole.SILVER.value, CommandRole.GOLD.value}:
        raise PolicyRefusal(
            Decision.refuse(
                "only the Silver (or Gold) starts, suspends or terminates a Deployment",
                "000 §10.1(d)",
            )
        )
    old = DeploymentState(dep.state)
    if new not in _TRANSITIONS[old]:
        raise GovernanceError(f"a {old.value} Deployment cannot become {new.value}")
    if new == S.ACTIVE:
        require(_may_start(ctx, dep))
    dep.state, dep.state_reason = new.value, reason.strip()
    if new == S.ACTIVE and dep.started_at is None:
        dep.started_at = ctx.now
    if new.finished:
        dep.finished_at = ctx.now
    ctx.audit(
        Role.SILVER if CommandRole.SILVER.value in roles else Role.GOLD,
        f"deployment.{new.value}",
        "lfr_deployment",
        dep.id,
        previous=old.value,
    )
    return dep


def end_by_system(session: Session, deployment_id: str, at: datetime, actor) -> Deployment:
    """The runtime (or a scheduler) ends a Deployment whose window has closed (LIVE-10)."""
    from frt.audit import record

    dep = session.get(Deployment, deployment_id)
    if dep is None or DeploymentState(dep.state).finished:
        raise GovernanceError("no running Deployment to end")
    dep.state, dep.finished_at, dep.state_reason = S.ENDED.value, at, "authorised window closed"
    record(session, actor, "deployment.ended", object_type="lfr_deployment", object_id=dep.id)
    return dep


def _may_start(ctx: Ctx, dep: Deployment) -> Decision:
    auth = dep.authority
    if auth.status != AuthorityStatus.IN_FORCE.value:
        return Decision.refuse("the authority was stopped", "000 §4.11")
    if not dep.starts_at <= ctx.now < dep.ends_at:
        return Decision.refuse("a Deployment starts only inside its authorised times", "000 §5.1")
    overt = ctx.session.scalar(select(OvertUse).where(OvertUse.authority_id == auth.id))
    if overt is None:
        return Decision.refuse(
            "record the overt-use measures (advance notice or its exception, signage, contact "
            "point) before the Deployment starts",
            ctx.profile.governance.advance_notice_required.cite,
        )
    return Decision.allow("authority in force, in time, overt measures recorded", "000 §5.7")


def finished_at(authority: Authority) -> datetime | None:
    """When the Deployment or series finished: all Deployments finished, or the period passed."""
    deps = authority.deployments
    if deps and all(DeploymentState(d.state).finished for d in deps):
        return max(d.finished_at or d.ends_at for d in deps)
    return None


def series_finished_at(authority: Authority, now: datetime) -> datetime | None:
    done = finished_at(authority)
    if done is not None:
        return done
    if now >= authority.ends_at:
        return authority.ends_at
    return None
