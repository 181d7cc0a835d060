"""Alert data retention (DATA-01, DATA-03; 000 §13.2; 004 §7.10).

An Alert's personal data is its camera face (the sealed probe); its other fields are ids, the
score and the category, which the cancellation report, the register and the public figures
count. The probe is deleted once the profile's alert period (`retention.alert_hours`: MPS 31
days, Cumbria 24 hours) has passed since the Alert was raised, unless a recorded hold applies:
retention under the DPA 2018, MOPI and the CPIA (000 §13.2(a)), or for a complaint or conduct
investigation (§13.2(b)). The operator's log and the Engagement records stay: 000 §13.4 keeps the
operator's log under MOPI.

`purge(store)` is the job (run with the Deployment purge by `frt serve` and `frt deploy purge`);
each run leaves one audit record per Deployment with the count deleted. `overdue(store)` lists
any camera face kept past its deadline without a hold: it should be empty.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import Enum

from sqlalchemy import select, text

from frt.core.actions import acting, action
from frt.core.context import Ctx, choice
from frt.core.errors import InputError
from frt.lfr.models import LiveAlert
from frt.people.roles import Role
from frt.policy import require
from frt.policy.retention_rules import hold_reason
from frt.retention.models import AlertHold
from frt.store.base import utcnow

COMPONENT = "retention"
HOLD_CITE = "000 §13.2(a)–(b)"
# "In any case within" the period: the job deletes an hour before it ends, so a job that runs
# every few minutes (`frt serve`: every 10) is always inside the limit.
MARGIN = timedelta(hours=1)


class HoldGround(str, Enum):
    DPA_MOPI_CPIA = "dpa_mopi_cpia"  # 000 §13.2(a)
    COMPLAINT_CONDUCT = "complaint_conduct"  # 000 §13.2(b)

    @property
    def label(self) -> str:
        return {
            "dpa_mopi_cpia": "DPA 2018, MOPI, CPIA (000 §13.2(a))",
            "complaint_conduct": "complaint or conduct investigation (000 §13.2(b))",
        }[self.value]


def _gold_of_its_deployment(ctx: Ctx, arguments: dict):
    """The DPO holds any Alert; a Gold only their own Authority's (hardening item 2)."""
    from frt.lfr.access import on_deployment
    from frt.policy.access import object_access
    from frt.policy.vocabulary import CommandRole

    if Role.DPO.value in ctx.user.roles_json:
        return object_access(True, "")
    if "hold_id" in arguments:
        arguments = {"alert_id": ctx.get(AlertHold, arguments["hold_id"]).alert_id}
    return on_deployment(posts=(CommandRole.GOLD,))(ctx, arguments)


@action(
    "retention.alert.hold",
    roles=[Role.DPO, Role.GOLD],
    touches="lfr_alert",
    key="alert_id",
    guard=_gold_of_its_deployment,
)
def place_hold(ctx: Ctx, alert_id: str, ground: str, reason: str) -> AlertHold:
    """The DPO or a Gold records why an Alert's camera face must be kept past its period."""
    alert = ctx.get(LiveAlert, alert_id)
    if alert.probe_sealed is None:
        raise InputError("this Alert's personal data has already been deleted")
    ground = choice(HoldGround, ground, "ground")
    require(hold_reason(reason, HOLD_CITE))
    hold = AlertHold(
        alert_id=alert.id,
        ground=ground.value,
        reason=reason.strip(),
        placed_by=ctx.user.id,
        placed_at=ctx.now,
    )
    ctx.session.add(hold)
    ctx.session.flush()
    ctx.note(hold=hold.id, ground=ground.value, citation=HOLD_CITE)
    return hold


@action(
    "retention.alert.release",
    roles=[Role.DPO, Role.GOLD],
    touches="retention_alert_hold",
    key="hold_id",
    guard=_gold_of_its_deployment,
)
def release_hold(ctx: Ctx, hold_id: str) -> AlertHold:
    """The hold ends; the next purge deletes the camera face if its period has passed."""
    hold = ctx.get(AlertHold, hold_id)
    if hold.released_at is not None:
        raise InputError("this hold was already released")
    hold.released_by, hold.released_at = ctx.user.id, ctx.now
    ctx.note(alert_id=hold.alert_id)
    return hold


@dataclass(frozen=True)
class KeptFace:
    """An Alert whose camera face is still stored: when it goes, and what holds it."""

    alert_id: str
    deployment_id: str
    raised_at: datetime
    deadline: datetime
    holds: list[AlertHold]

    @property
    def held(self) -> bool:
        return any(h.released_at is None for h in self.holds)


def kept_faces(session, profile) -> list[KeptFace]:
    """Every Alert whose camera face is still stored, oldest first, with its holds (the DPO's
    retention page): two queries, however many Alerts."""
    period = timedelta(hours=profile.retention.alert_hours.value)
    rows = list(
        session.scalars(
            select(LiveAlert)
            .where(LiveAlert.probe_sealed.is_not(None))
            .order_by(LiveAlert.raised_at)
        )
    )
    by_alert: dict[str, list[AlertHold]] = defaultdict(list)
    for hold in session.scalars(
        select(AlertHold)
        .where(AlertHold.alert_id.in_([a.id for a in rows]))
        .order_by(AlertHold.placed_at)
    ):
        by_alert[hold.alert_id].append(hold)
    return [
        KeptFace(a.id, a.deployment_id, a.raised_at, a.raised_at + period, by_alert[a.id])
        for a in rows
    ]


def _held():
    return select(AlertHold.alert_id).where(AlertHold.released_at.is_(None))


def _past(cutoff: datetime):
    return select(LiveAlert).where(
        LiveAlert.probe_sealed.is_not(None),
        LiveAlert.raised_at <= cutoff,
        LiveAlert.id.not_in(_held()),
    )


def purge(store, now: datetime | None = None, profile=None) -> dict[str, int]:
    """Delete the camera faces of Alerts past the profile's period and not held; Deployment id
    -> how many were deleted."""
    from frt.policy import load_profile

    now = now or utcnow()
    profile = profile or load_profile(store.settings.policy_profile)
    hours = profile.retention.alert_hours
    deleted: Counter[str] = Counter()
    with acting(store, None, profile=profile, now=now, component=COMPONENT) as ctx:
        if ctx.session.get_bind().dialect.name == "sqlite":
            ctx.session.execute(text("PRAGMA secure_delete=ON"))  # overwrite freed pages
        past = list(ctx.session.scalars(_past(now - timedelta(hours=hours.value) + MARGIN)))
        by_deployment: dict[str, list[LiveAlert]] = defaultdict(list)
        for alert in past:
            by_deployment[alert.deployment_id].append(alert)
        for dep_id, alerts in sorted(by_deployment.items()):
            deleted[dep_id] = delete_alert_data(ctx, dep_id, alerts)
    return dict(deleted)


@action("retention.alert_data.delete", touches="lfr_deployment", key="deployment_id", system=True)
def delete_alert_data(ctx: Ctx, deployment_id: str, alerts: list[LiveAlert]) -> int:
    """DATA-01, DATA-03: one Deployment's camera faces past their period go; the count stays."""
    for alert in alerts:
        alert.probe_sealed, alert.probe_deleted_at = None, ctx.now
    hours = ctx.profile.retention.alert_hours
    ctx.note(alerts=len(alerts), citation=hours.cite)
    return len(alerts)


@dataclass(frozen=True)
class OverdueAlert:
    alert_id: str
    deployment_id: str
    deadline: datetime


def overdue(store, now: datetime | None = None, profile=None) -> list[OverdueAlert]:
    """DATA-03: every camera face kept past its deadline without a hold (should be none)."""
    from frt.policy import load_profile

    profile = profile or load_profile(store.settings.policy_profile)
    with store.session() as session:
        return overdue_in(session, profile, now or utcnow())


def overdue_in(session, profile, now: datetime) -> list[OverdueAlert]:
    period = timedelta(hours=profile.retention.alert_hours.value)
    return [
        OverdueAlert(a.id, a.deployment_id, a.raised_at + period)
        for a in session.scalars(_past(now - period))
    ]
