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

from frt.core.actions import action
from frt.core.context import Ctx
from frt.core.errors import InputError
from frt.governance.enums import Duty
from frt.governance.models import Deployment
from frt.governance.watchlists import ImportEngine
from frt.lfr.access import on_deployment
from frt.lfr.models import BlueMember
from frt.lfr.watchlist import LiveWatchlist, WatchlistRow
from frt.people.roles import Role
from frt.policy.vocabulary import CommandRole

CATEGORY = "blue_watchlist"
CITATION = "004 §10.13"


@action(
    "lfr.blue.enrol",
    roles=[Role.SILVER],
    touches="lfr_blue_member",
    guard=on_deployment(posts=(CommandRole.SILVER,)),
)
def enrol(
    ctx: Ctx, deployment_id: str, image: bytes, consent: str, engine: ImportEngine | None = None
) -> BlueMember:
    """The Silver enrols a consenting member of staff from one photo; the photo is not kept."""
    from frt.governance.watchlists import default_engine

    ctx.get(Deployment, deployment_id)
    if not consent.strip():
        raise InputError(f"record how the member of staff consented ({CITATION})")
    found = (engine or default_engine()).analyse(image)
    row = BlueMember(
        deployment_id=deployment_id,
        enrolled_by=ctx.user.id,
        consent=consent.strip(),
        consent_at=ctx.now,
        algorithm=found.template.algorithm,
        algorithm_version=found.template.version,
        template_sealed=b"",
    )
    ctx.session.add(row)
    ctx.session.flush()
    row.template_sealed = BlueMember.TEMPLATE.seal(ctx.cipher, row.id, found.template.to_bytes())
    found.template.vector.fill(0)
    ctx.note(deployment=deployment_id, citation=CITATION)
    return row


@action(
    "lfr.blue.record_pass",
    roles=[Role.LFR_OPERATOR, Role.SILVER],
    touches="lfr_blue_member",
    key="member_id",
    guard=on_deployment(Duty.LFR_OPERATOR, posts=(CommandRole.SILVER,)),
)
def record_pass(ctx: Ctx, member_id: str, passes: int = 1) -> BlueMember:
    """An Operator or the Silver counts a blue member's walk through the zone (TRR basis)."""
    row = ctx.get(BlueMember, member_id)
    if passes < 1:
        raise InputError("count at least one pass")
    row.passes += passes
    ctx.note(passes=passes)
    return row


def members(session: Session, deployment_id: str) -> list[BlueMember]:
    return list(
        session.scalars(
            select(BlueMember)
            .where(BlueMember.deployment_id == deployment_id)
            .order_by(BlueMember.consent_at)
        )
    )


def total_passes(session: Session, deployment_id: str) -> int:
    return int(
        session.scalar(
            select(func.coalesce(func.sum(BlueMember.passes), 0)).where(
                BlueMember.deployment_id == deployment_id
            )
        )
        or 0
    )


def load_blue(store, deployment_id: str, threshold: float, cohort=None) -> LiveWatchlist | None:
    """The blue watchlist in memory for the runner, or None when nobody is enrolled."""
    from frt.engine.template import Template

    with store.session() as session:
        rows = [
            WatchlistRow(
                m.id,
                m.id,
                Template.from_bytes(
                    BlueMember.TEMPLATE.open(store.cipher, m.id, m.template_sealed),
                    m.algorithm,
                    m.algorithm_version,
                ),
                category=CATEGORY,
            )
            for m in members(session, deployment_id)
        ]
    return LiveWatchlist(rows, threshold, blue=True, cohort=cohort) if rows else None
