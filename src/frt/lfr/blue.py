"""The blue watchlist (WL-08; 004 §2, §10.13, §14.3): consenting staff walked through the Zone of
Recognition to measure the True Recognition Rate.

Members are enrolled apart from the operational Watchlist, with their consent recorded and only a
sealed template kept (no photo, no name: the consent text says how consent was given). The
runner loads them as a second `LiveWatchlist(blue=True)`, so their Alerts are flagged `blue`,
shown in their own view, and left out of operational figures. Each walk through the zone is
counted (`record_pass`): True Recognition Rate = blue Alerts / passes.
"""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from frt.governance.context import Ctx, GovernanceError, require_role
from frt.governance.models import Deployment
from frt.lfr.models import BlueMember
from frt.lfr.watchlist import LiveWatchlist, WatchlistRow
from frt.people.roles import Role

CATEGORY = "blue_watchlist"
CITATION = "004 §10.13"


def _ctx(member_id: str) -> bytes:
    return f"lfr_blue_members.template:{member_id}".encode()


def enrol(ctx: Ctx, deployment_id: str, image: bytes, consent: str, engine=None) -> BlueMember:
    """The Silver enrols a consenting member of staff from one photo; the photo is not kept."""
    from frt.governance.watchlists import default_engine

    require_role(ctx.user, Role.SILVER)
    ctx.get(Deployment, deployment_id)
    if not consent.strip():
        raise GovernanceError(f"record how the member of staff consented ({CITATION})")
    found = (engine or default_engine()).analyse(image)
    row = BlueMember(deployment_id=deployment_id, enrolled_by=ctx.user.id,
                     consent=consent.strip(), consent_at=ctx.now,
                     algorithm=found.template.algorithm, algorithm_version=found.template.version,
                     template_sealed=b"")
    ctx.session.add(row)
    ctx.session.flush()
    row.template_sealed = ctx.cipher.seal(found.template.to_bytes(), context=_ctx(row.id))
    found.template.vector.fill(0)
    ctx.audit(Role.SILVER, "lfr.blue.enrolled", "lfr_blue_member", row.id,
              deployment=deployment_id, citation=CITATION)
    return row


def record_pass(ctx: Ctx, member_id: str, passes: int = 1) -> BlueMember:
    """An Operator or the Silver counts a blue member's walk through the zone (TRR basis)."""
    role = require_role(ctx.user, Role.LFR_OPERATOR, Role.SILVER)
    row = ctx.get(BlueMember, member_id)
    if passes < 1:
        raise GovernanceError("count at least one pass")
    row.passes += passes
    ctx.audit(role, "lfr.blue.pass", "lfr_blue_member", row.id, passes=passes)
    return row


def members(session: Session, deployment_id: str) -> list[BlueMember]:
    return list(session.scalars(select(BlueMember).where(
        BlueMember.deployment_id == deployment_id).order_by(BlueMember.consent_at)))


def total_passes(session: Session, deployment_id: str) -> int:
    return int(session.scalar(select(func.coalesce(func.sum(BlueMember.passes), 0)).where(
        BlueMember.deployment_id == deployment_id)))


def load_blue(store, deployment_id: str, threshold: float, cohort=None) -> LiveWatchlist | None:
    """The blue watchlist in memory for the runner, or None when nobody is enrolled."""
    from frt.engine.template import Template

    with store.session() as session:
        rows = [WatchlistRow(m.id, m.id, Template.from_bytes(
                    store.cipher.open(m.template_sealed, context=_ctx(m.id)),
                    m.algorithm, m.algorithm_version), category=CATEGORY)
                for m in members(session, deployment_id)]
    return LiveWatchlist(rows, threshold, blue=True, cohort=cohort) if rows else None
