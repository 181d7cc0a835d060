"""After a Deployment (DATA-02, DATA-08; 000 §12.1(c), §13.1(b); 004 §7.9(b)).

`purge(store, now)` is the job: it ends any Deployment whose authorised window has closed without
a runner to end it (LIVE-10), and for every finished Deployment not yet wiped deletes its working
data — the imported Watchlist (governance's tables: entries, images, templates), the blue
watchlist templates, and the handheld devices' credentials (revoked). The profile's window
(`watchlist.deletion_hours_after_end`) is the deadline; the job deletes at its first run after
the end, and says in the audit record whether that was within the deadline.

Each wipe leaves one audit record of counts and a `DeploymentWipe` row with the same counts, so
the cancellation report keeps Watchlist composition (000 §11.3(a)) after the Watchlist is gone.
Alerts are not deleted here: they have their own period (000 §13.2; `frt.retention.alerts`).
`frt.retention.jobs` runs both jobs every few minutes.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select, text

from frt.core.actions import acting, action
from frt.core.context import Ctx
from frt.governance.deployments import end_by_system
from frt.governance.enums import DeploymentState
from frt.governance.models import Deployment
from frt.governance.watchlists import composition, watchlist_for
from frt.lfr import blue as blue_list
from frt.lfr.devices import revoke_for_deployment
from frt.lfr.models import DeploymentWipe
from frt.store.base import utcnow

logger = logging.getLogger(__name__)

COMPONENT = "lfr-purge"
RUNNING = (
    DeploymentState.PLANNED.value,
    DeploymentState.ACTIVE.value,
    DeploymentState.SUSPENDED.value,
)


@dataclass(frozen=True)
class Wiped:
    deployment_id: str
    watchlist_individuals: int
    watchlist_images: int
    blue_members: int
    devices_revoked: int
    on_time: bool


def purge(store, now: datetime | None = None, profile=None) -> list[Wiped]:
    """One run of the job; returns what was wiped (counts only)."""
    from frt.policy import load_profile

    now = now or utcnow()
    profile = profile or load_profile(store.settings.policy_profile)
    with acting(store, None, profile=profile, now=now, component=COMPONENT) as ctx:
        _end_closed_windows(ctx)
    wiped = []
    for dep_id in _due(store):
        with acting(store, None, profile=profile, now=now, component=COMPONENT) as ctx:
            wiped.append(wipe(ctx, dep_id))
    return wiped


@dataclass(frozen=True)
class Overdue:
    deployment_id: str
    deadline: datetime
    wiped_at: datetime | None  # None: still held


def retention_report(store, now: datetime | None = None, profile=None) -> list[Overdue]:
    """DATA-03: every finished Deployment whose Watchlist outlived its deadline — still held past
    it, or wiped late. It should be empty; anything listed is a breach to explain."""
    from frt.policy import load_profile

    now = now or utcnow()
    profile = profile or load_profile(store.settings.policy_profile)
    allowed = timedelta(hours=profile.watchlist.deletion_hours_after_end.value)
    late = []
    with store.session() as session:
        wipes = {w.deployment_id: w.wiped_at for w in session.scalars(select(DeploymentWipe))}
        for dep in session.scalars(select(Deployment).where(Deployment.state.not_in(RUNNING))):
            deadline = (dep.finished_at or dep.ends_at) + allowed
            wiped_at = wipes.get(dep.id)
            if (wiped_at or now) > deadline:
                late.append(Overdue(dep.id, deadline, wiped_at))
    return late


def _end_closed_windows(ctx: Ctx) -> None:
    for dep_id in ctx.session.scalars(
        select(Deployment.id).where(Deployment.state.in_(RUNNING), Deployment.ends_at <= ctx.now)
    ).all():
        end_by_system(ctx, dep_id)


def _due(store) -> list[str]:
    with store.session() as session:
        done = select(DeploymentWipe.deployment_id)
        return list(
            session.scalars(
                select(Deployment.id).where(
                    Deployment.state.not_in(RUNNING), Deployment.id.not_in(done)
                )
            )
        )


@action("lfr.deployment.wipe", touches="lfr_deployment", key="dep_id", system=True)
def wipe(ctx: Ctx, dep_id: str) -> Wiped:
    """Delete one finished Deployment's working data; its counts stay (DATA-02, DATA-08)."""
    session, now = ctx.session, ctx.now
    hours = ctx.profile.watchlist.deletion_hours_after_end
    if session.get_bind().dialect.name == "sqlite":
        session.execute(text("PRAGMA secure_delete=ON"))  # overwrite freed pages (12.1(c))
    dep = ctx.get(Deployment, dep_id)
    watchlist = watchlist_for(session, dep_id)
    stats = composition(session, watchlist.id if watchlist else None)
    if watchlist is not None:
        session.delete(watchlist)  # entries and images (sealed images and templates) cascade
    members = blue_list.members(session, dep_id)
    for member in members:
        session.delete(member)
    devices = revoke_for_deployment(session, dep_id, now)
    finished = dep.finished_at or dep.ends_at
    on_time = now <= finished + timedelta(hours=hours.value)
    row = DeploymentWipe(
        deployment_id=dep_id,
        wiped_at=now,
        watchlist_individuals=stats["individuals"],
        watchlist_images=stats["images"],
        blue_members=len(members),
        devices_revoked=devices,
    )
    session.add(row)
    ctx.note(
        watchlist_individuals=row.watchlist_individuals,
        watchlist_images=row.watchlist_images,
        blue_members=row.blue_members,
        devices_revoked=devices,
        within_deadline=on_time,
        citation=hours.cite,
    )
    if not on_time:
        logger.warning("deployment %s wiped after its deadline (%s)", dep_id, hours.cite)
    return Wiped(
        dep_id, row.watchlist_individuals, row.watchlist_images, row.blue_members, devices, on_time
    )
