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

from frt.core.actions import action
from frt.core.context import Ctx, choice
from frt.core.errors import InputError
from frt.governance.enums import AuthorityStatus, DeploymentState
from frt.governance.models import Authority, Deployment
from frt.governance.oversight_models import CommandAppointment, OvertUse
from frt.people.roles import LFR_ROLES, Role
from frt.policy import Decision, require
from frt.policy import lfr_rules as rules
from frt.policy.vocabulary import CommandRole

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
        raise InputError(f"no Deployment '{deployment_id}'")
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
        raise InputError(f"no Deployment '{deployment_id}'")
    in_force = dep.authority.status == AuthorityStatus.IN_FORCE.value
    return rules.may_run(in_force, dep.starts_at, dep.ends_at, at, dep.state)


def posts_held(session: Session, authority_id: str, user_id: str) -> set[str]:
    """The command posts `user_id` holds on this Authority now (GOV-09)."""
    return set(
        session.scalars(
            select(CommandAppointment.role).where(
                CommandAppointment.authority_id == authority_id,
                CommandAppointment.user_id == user_id,
                CommandAppointment.ended_at.is_(None),
            )
        )
    )


def _silver_or_gold(ctx: Ctx, arguments: dict) -> Decision:
    dep = ctx.get(Deployment, arguments["deployment_id"])
    return rules.in_post(
        posts_held(ctx.session, dep.authority_id, ctx.user.id),
        [CommandRole.SILVER, CommandRole.GOLD],
        "starts, suspends or terminates a Deployment",
        "000 §10.1(d)",
    )


@action(
    "lfr.deployment.set_state",
    roles=[Role.SILVER, Role.GOLD],
    touches="lfr_deployment",
    key="deployment_id",
    guard=_silver_or_gold,
)
def set_state(ctx: Ctx, deployment_id: str, state: str, reason: str = "") -> Deployment:
    """Start, suspend, resume, terminate or end a Deployment (Silver or Gold; 000 §10.1(d))."""
    dep = ctx.get(Deployment, deployment_id)
    new = choice(DeploymentState, state, "state")
    old = DeploymentState(dep.state)
    if new not in _TRANSITIONS[old]:
        raise InputError(f"a {old.value} Deployment cannot become {new.value}")
    if new == S.ACTIVE:
        require(_may_start(ctx, dep))
    dep.state, dep.state_reason = new.value, reason.strip()
    if new == S.ACTIVE and dep.started_at is None:
        dep.started_at = ctx.now
    if new.finished:
        dep.finished_at = ctx.now
    ctx.note(state=new.value, previous=old.value)
    return dep


@action(
    "lfr.deployment.read",
    roles=LFR_ROLES,
    touches="lfr_deployment",
    key="deployment_id",
    guard=lambda ctx, arguments: _reads(ctx, arguments),
)
def read(ctx: Ctx, deployment_id: str) -> Deployment:
    """A Deployment as its page shows it, to those who may see it (hardening item 2): those who
    decide, oversight, its applicant, its command team, the people rostered on it."""
    return ctx.get(Deployment, deployment_id)


def _reads(ctx: Ctx, arguments: dict) -> Decision:
    from frt.governance.access import reads_deployment  # access reads posts_held from here

    return reads_deployment(ctx, arguments)


@action("lfr.deployment.end", touches="lfr_deployment", key="deployment_id", system=True)
def end_by_system(ctx: Ctx, deployment_id: str) -> Deployment:
    """The runtime (or a scheduler) ends a Deployment whose window has closed (LIVE-10)."""
    dep = ctx.session.get(Deployment, deployment_id)
    if dep is None or DeploymentState(dep.state).finished:
        raise InputError("no running Deployment to end")
    dep.state, dep.finished_at, dep.state_reason = (
        S.ENDED.value,
        ctx.now,
        "authorised window closed",
    )
    ctx.note(citation="000 §5.1")
    return dep


def _may_start(ctx: Ctx, dep: Deployment) -> Decision:
    auth = dep.authority
    overt = ctx.session.scalar(select(OvertUse.id).where(OvertUse.authority_id == auth.id))
    return rules.may_start(
        ctx.profile,
        auth.status == AuthorityStatus.IN_FORCE.value,
        dep.starts_at,
        dep.ends_at,
        ctx.now,
        overt is not None,
    )


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
