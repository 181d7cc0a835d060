"""Engagement Officers' handheld devices, each enrolled with its own credential (DATA-06;
000 §12.1(e)–(g)).

A device belongs to one Engagement Officer for one Deployment. Enrolment makes a random token,
shown once; only its SHA-256 is stored (the token has 256 bits of entropy, so a fast hash is
enough and lookups stay constant-time by index). A revoked device, or one whose Deployment has
finished, is refused at once. Enrolment and revocation are audited with ids only.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from frt.core.actions import action
from frt.core.context import Ctx
from frt.core.errors import InputError
from frt.governance.enums import DeploymentState, Duty
from frt.governance.models import Deployment
from frt.governance.oversight_models import RosterEntry
from frt.lfr.models import HandheldDevice
from frt.people.models import User
from frt.people.roles import Role
from frt.policy import Decision, require
from frt.policy.access import object_access
from frt.policy.lfr_rules import device_usable
from frt.policy.vocabulary import CommandRole
from frt.store.base import utcnow

TOKEN_PREFIX = "frtd_"
CITATION = "000 §12.1(e)"
ENROLLERS = (Role.SILVER, Role.SYSTEM_ENGINEER)


@dataclass(frozen=True)
class Enrolled:
    device_id: str
    token: str  # shown once; never stored


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def _enroller(ctx: Ctx, arguments: dict):
    from frt.lfr.access import on_deployment

    return on_deployment(Duty.SYSTEM_ENGINEER, posts=(CommandRole.SILVER,))(ctx, arguments)


@action("lfr.device.enrol", roles=ENROLLERS, touches="lfr_device", guard=_enroller)
def enrol(ctx: Ctx, deployment_id: str, officer_id: str, label: str) -> Enrolled:
    """A Silver or System Engineer enrols an Engagement Officer's device for a Deployment."""
    ctx.get(Deployment, deployment_id)
    officer = ctx.get(User, officer_id)
    if not officer.has_role(Role.ENGAGEMENT_OFFICER) or officer.disabled:
        raise InputError("a handheld device is enrolled for an Engagement Officer")
    rostered = ctx.session.scalar(
        select(RosterEntry.id)
        .where(
            RosterEntry.deployment_id == deployment_id,
            RosterEntry.user_id == officer.id,
            RosterEntry.duty == Duty.ENGAGEMENT_OFFICER.value,
        )
        .limit(1)
    )
    require(
        object_access(
            rostered is not None,
            "a device is enrolled for an Engagement Officer rostered on this Deployment",
        )
    )
    if not label.strip():
        raise InputError("give the device a label (e.g. its asset number)")
    token = TOKEN_PREFIX + secrets.token_urlsafe(32)
    row = HandheldDevice(
        deployment_id=deployment_id,
        officer_id=officer.id,
        label=label.strip()[:80],
        token_hash=token_hash(token),
        enrolled_by=ctx.user.id,
        enrolled_at=ctx.now,
    )
    ctx.session.add(row)
    ctx.session.flush()
    ctx.touch(row.id)
    ctx.note(deployment=deployment_id, officer=officer.id, citation=CITATION)
    return Enrolled(row.id, token)


@action(
    "lfr.device.revoke", roles=ENROLLERS, touches="lfr_device", key="device_id", guard=_enroller
)
def revoke(ctx: Ctx, device_id: str, reason: str = "") -> HandheldDevice:
    """Revoked at once, e.g. when a device is lost (000 §13.5)."""
    row = ctx.get(HandheldDevice, device_id)
    if row.revoked_at is None:
        row.revoked_at = ctx.now
    ctx.note(already_revoked=row.revoked_at != ctx.now)
    return row


@action(
    "lfr.devices.read",
    roles=ENROLLERS,
    touches="lfr_deployment",
    key="deployment_id",
    reads=True,
    guard=_enroller,
)
def read_devices(ctx: Ctx, deployment_id: str) -> list[HandheldDevice]:
    """The Deployment's devices and their officers, for its Silver or a System Engineer rostered
    on it (hardening item 2): what the devices page lists."""
    return devices_of(ctx.session, ctx.get(Deployment, deployment_id).id)


def devices_of(session: Session, deployment_id: str) -> list[HandheldDevice]:
    return list(
        session.scalars(
            select(HandheldDevice)
            .where(HandheldDevice.deployment_id == deployment_id)
            .order_by(HandheldDevice.enrolled_at)
        )
    )


def check_token(session: Session, token: str) -> tuple[HandheldDevice | None, Decision]:
    """The device a token belongs to, if it may be used now; else why not (the rule's)."""
    row = None
    if token and token.startswith(TOKEN_PREFIX):
        row = session.scalar(
            select(HandheldDevice).where(HandheldDevice.token_hash == token_hash(token))
        )
    if row is None:
        return None, device_usable(bool(token), False, False, False, False)
    dep = session.get(Deployment, row.deployment_id)
    officer = session.get(User, row.officer_id)
    officer_ok = (
        officer is not None and not officer.disabled and officer.has_role(Role.ENGAGEMENT_OFFICER)
    )
    finished = dep is None or DeploymentState(dep.state).finished
    decision = device_usable(True, True, row.revoked_at is not None, finished, officer_ok)
    if not decision:
        return None, decision
    row.last_seen_at = utcnow()
    return row, decision


def revoke_for_deployment(session: Session, deployment_id: str, at) -> int:
    """Revoke every device of a finished Deployment; returns how many (for the wipe record)."""
    n = 0
    for row in devices_of(session, deployment_id):
        if row.revoked_at is None:
            row.revoked_at = at
            n += 1
    return n
