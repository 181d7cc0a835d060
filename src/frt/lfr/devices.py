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

from frt.governance.context import Ctx, GovernanceError, require_role
from frt.governance.enums import DeploymentState
from frt.governance.models import Deployment
from frt.lfr.models import HandheldDevice
from frt.people.models import User
from frt.people.roles import Role
from frt.policy import Decision
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


def enrol(ctx: Ctx, deployment_id: str, officer_id: str, label: str) -> Enrolled:
    """A Silver or System Engineer enrols an Engagement Officer's device for a Deployment."""
    role = require_role(ctx.user, *ENROLLERS)
    ctx.get(Deployment, deployment_id)
    officer = ctx.get(User, officer_id)
    if not officer.has_role(Role.ENGAGEMENT_OFFICER) or officer.disabled:
        raise GovernanceError("a handheld device is enrolled for an Engagement Officer")
    if not label.strip():
        raise GovernanceError("give the device a label (e.g. its asset number)")
    token = TOKEN_PREFIX + secrets.token_urlsafe(32)
    row = HandheldDevice(deployment_id=deployment_id, officer_id=officer.id,
                         label=label.strip()[:80], token_hash=token_hash(token),
                         enrolled_by=ctx.user.id, enrolled_at=ctx.now)
    ctx.session.add(row)
    ctx.session.flush()
    ctx.audit(role, "lfr.device.enrolled", "lfr_device", row.id, deployment=deployment_id,
              officer=officer.id, citation=CITATION)
    return Enrolled(row.id, token)


def revoke(ctx: Ctx, device_id: str, reason: str = "") -> HandheldDevice:
    """Revoked at once, e.g. when a device is lost (000 §13.5)."""
    role = require_role(ctx.user, *ENROLLERS)
    row = ctx.get(HandheldDevice, device_id)
    if row.revoked_at is None:
        row.revoked_at = ctx.now
        ctx.audit(role, "lfr.device.revoked", "lfr_device", row.id, reason=reason.strip()[:200])
    return row


def devices_of(session: Session, deployment_id: str) -> list[HandheldDevice]:
    return list(session.scalars(select(HandheldDevice).where(
        HandheldDevice.deployment_id == deployment_id).order_by(HandheldDevice.enrolled_at)))


def check_token(session: Session, token: str) -> tuple[HandheldDevice | None, Decision]:
    """The device a token belongs to, if it may be used now; else why not."""
    if not token or not token.startswith(TOKEN_PREFIX):
        return None, Decision.refuse("no device credential", CITATION)
    row = session.scalar(select(HandheldDevice).where(
        HandheldDevice.token_hash == token_hash(token)))
    if row is None:
        return None, Decision.refuse("unknown device credential", CITATION)
    if row.revoked_at is not None:
        return None, Decision.refuse("this device was revoked", CITATION)
    dep = session.get(Deployment, row.deployment_id)
    if DeploymentState(dep.state).finished:
        return None, Decision.refuse("the Deployment has finished", "000 §13.1(b)")
    officer = session.get(User, row.officer_id)
    if officer is None or officer.disabled or not officer.has_role(Role.ENGAGEMENT_OFFICER):
        return None, Decision.refuse("the device's officer may no longer use it", "000 §12.1(d)")
    row.last_seen_at = utcnow()
    return row, Decision.allow("enrolled device", CITATION)


def revoke_for_deployment(session: Session, deployment_id: str, at) -> int:
    """Revoke every device of a finished Deployment; returns how many (for the wipe record)."""
    n = 0
    for row in devices_of(session, deployment_id):
        if row.revoked_at is None:
            row.revoked_at = at
            n += 1
    return n
