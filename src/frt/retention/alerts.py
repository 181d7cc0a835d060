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

from frt.audit import Actor, record
from frt.governance.context import Ctx, GovernanceError, choice, require_role
from frt.lfr.models import LiveAlert
from frt.people.roles import Role
from frt.policy import Decision, PolicyRefusal
from frt.retention.models import AlertHold
from frt.store.base import utcnow

ACTOR = Actor.system("retention")
HOLD_CITE = "000 §13.2(a)–(b)"
# "In any case within" the period: the job deletes an hour before it ends, so a job that runs
# every few minutes (`frt serve`: every 10) is always inside the limit.
MARGIN = timedelta(hours=1)


class HoldGround(str, Enum):
    DPA_MOPI_CPIA = "dpa_mopi_cpia"  # 000 §13.2(a)
    COMPLAINT_CONDUCT = "complaint_conduct"  # 000 §13.2(b)

    @property
    def label(self) -> str:
        return {"dpa_mopi_cpia": "DPA 2018, MOPI, CPIA (000 §13.2(a))",
                "complaint_conduct": "complaint or conduct investigation (000 §13.2(b))"}[self.value]


def place_hold(ctx: Ctx, alert_id: str, ground: str, reason: str) -> AlertHold:
    """The DPO or a Gold records why an Alert's camera face must be kept past its period."""
    role = require_role(ctx.user, Role.DPO, Role.GOLD)
    alert = ctx.get(LiveAlert, alert_id)
    if alert.probe_sealed is None:
        raise GovernanceError("this Alert's personal data has already been deleted")
    ground = choice(HoldGround, ground, "ground")
    if not reason.strip():
        raise PolicyRefusal(Decision.refuse("a hold needs its reason recorded", HOLD_CITE))
    hold = AlertHold(alert_id=alert.id, ground=ground.value, reason=reason.strip(),
                     placed_by=ctx.user.id, placed_at=ctx.now)
    ctx.session.add(hold)
    ctx.session.flush()
    ctx.audit(role, "retention.alert.hold", "lfr_alert", alert.id, hold=hold.id,
              ground=ground.value, citation=HOLD_CITE)
    return hold


def release_hold(ctx: Ctx, hold_id: str) -> AlertHold:
    """The hold ends; the next purge deletes the camera face if its period has passed."""
    role = require_role(ctx.user, Role.DPO, Role.GOLD)
    hold = ctx.get(AlertHold, hold_id)
    if hold.released_at is not None:
        raise GovernanceError("this hold was already released")
    hold.released_by, hold.released_at = ctx.user.id, ctx.now
    ctx.audit(role, "retention.alert.release", "lfr_alert", hold.alert_id, hold=hold.id)
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
    rows = list(session.scalars(select(LiveAlert).where(LiveAlert.probe_sealed.is_not(None))
                                .order_by(LiveAlert.raised_at)))
    by_alert: dict[str, list[AlertHold]] = defaultdict(list)
    for hold in session.scalars(select(AlertHold).where(AlertHold.alert_id.in_(
            [a.id for a in rows])).order_by(AlertHold.placed_at)):
        by_alert[hold.alert_id].append(hold)
    return [KeptFace(a.id, a.deployment_id, a.raised_at, a.raised_at + period, by_alert[a.id])
            for a in rows]


def _held():
    return select(AlertHold.alert_id).where(AlertHold.released_at.is_(None))


def _past(cutoff: datetime):
    return select(LiveAlert).where(LiveAlert.probe_sealed.is_not(None),
                                   LiveAlert.raised_at <= cutoff, LiveAlert.id.not_in(_held()))


def purge(store, now: datetime | None = None, profile=None) -> dict[str, int]:
    """Delete the camera faces of Alerts past the profile's period and not held; Deployment id
    -> how many were deleted."""
    from frt.policy import load_profile

    now = now or utcnow()
    profile = profile or load_profile(store.settings.policy_profile)
    hours = profile.retention.alert_hours
    deleted: Counter[str] = Counter()
    with store.session() as session:
        if session.bind.dialect.name == "sqlite":
            session.execute(text("PRAGMA secure_delete=ON"))  # overwrite freed pages (12.1(c))
        for alert in session.scalars(_past(now - timedelta(hours=hours.value) + MARGIN)):
            alert.probe_sealed, alert.probe_deleted_at = None, now
            deleted[alert.deployment_id] += 1
        for dep_id, count in sorted(deleted.items()):
            record(session, ACTOR, "retention.alert_data.deleted", object_type="lfr_deployment",
                   object_id=dep_id, detail={"alerts": count, "citation": hours.cite})
    return dict(deleted)


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
    return [OverdueAlert(a.id, a.deployment_id, a.raised_at + period)
            for a in session.scalars(_past(now - period))]
