"""Live metrics of a Deployment (LIVE-08), and the provider that feeds them into governance's
cancellation report (000 §11.3 (b)–(i)) and register.

Read only from the live records: counters, Alerts, the operator's log and Engagements. Blue
watchlist Alerts (WL-08) give the True Recognition Rate and are left out of operational figures.
"""

from __future__ import annotations

from collections import Counter
from datetime import UTC, datetime

import numpy as np
from sqlalchemy import select
from sqlalchemy.orm import Session

from frt.core.actions import action
from frt.core.context import Ctx
from frt.governance.enums import Duty
from frt.governance.models import Deployment
from frt.lfr.access import on_deployment
from frt.lfr.enums import Decision, Outcome
from frt.lfr.models import Engagement, LiveAlert, OperatorLog
from frt.lfr.records import counter_series, counter_totals
from frt.people.roles import Role
from frt.policy.vocabulary import PoliceAction

# Who sees a Deployment's live metrics: the console's watchers and its System Engineers.
METRICS_READERS = (
    Role.LFR_OPERATOR,
    Role.ENGAGEMENT_OFFICER,
    Role.SILVER,
    Role.GOLD,
    Role.BRONZE,
    Role.SYSTEM_ENGINEER,
)
_on_deployment = on_deployment(Duty.LFR_OPERATOR, Duty.ENGAGEMENT_OFFICER, Duty.SYSTEM_ENGINEER)

METHOD = "counted by the live system (frt.lfr) from its own records"


@action(
    "lfr.metrics.read",
    roles=METRICS_READERS,
    touches="lfr_deployment",
    key="deployment_id",
    guard=_on_deployment,
)
def read_live_metrics(ctx: Ctx, deployment_id: str) -> dict:
    """The metrics page's figures (counts and rates only) for those rostered on the Deployment or
    in its command team (hardening item 2): the same rule as its Alerts."""
    return live_metrics(ctx.session, ctx.get(Deployment, deployment_id).id)


def live_metrics(session: Session, deployment_id: str, blue_passes: int | None = None) -> dict:
    """Everything the console's metrics page shows; counts and rates only."""
    from frt.lfr.blue import total_passes

    if blue_passes is None:
        blue_passes = total_passes(session, deployment_id)
    totals = counter_totals(session, deployment_id)
    alerts = list(
        session.scalars(select(LiveAlert).where(LiveAlert.deployment_id == deployment_id))
    )
    operational = [a for a in alerts if not a.blue]
    blue = [a for a in alerts if a.blue]
    ids = [a.id for a in operational]
    engagements = list(
        session.scalars(select(Engagement).where(Engagement.deployment_id == deployment_id))
    )
    by_alert = {e.alert_id: e for e in engagements if e.alert_id}
    dismissed = set(
        session.scalars(
            select(OperatorLog.alert_id).where(
                OperatorLog.alert_id.in_(ids or [""]), OperatorLog.assessment == "not_a_match"
            )
        )
    )
    outcomes = Counter(by_alert[i].outcome for i in ids if i in by_alert)
    false_alerts = outcomes[Outcome.CONFIRMED_FALSE.value]
    rts = [a.recognition_time_ms for a in alerts]
    scanned = totals["templates"]
    return {
        **totals,
        "alerts_operational": len(operational),
        "alerts_blue": len(blue),
        "alerts_engaged": sum(
            1 for i in ids if i in by_alert and by_alert[i].decision == Decision.ENGAGE.value
        ),
        "alerts_not_engaged": sum(
            1
            for i in ids
            if i not in by_alert or by_alert[i].decision == Decision.NO_ENGAGEMENT.value
        ),
        "true_confirmed": outcomes[Outcome.CONFIRMED_TRUE.value],
        "false_confirmed": false_alerts,
        "unconfirmed": sum(
            1
            for i in ids
            if i not in by_alert
            or by_alert[i].outcome in (Outcome.NOT_ENGAGED.value, Outcome.NOT_CONFIRMED.value)
        ),
        "dismissed_by_operator": len(dismissed),
        "recognition_time_ms_p50": float(np.percentile(rts, 50)) if rts else None,
        "recognition_time_ms_p95": float(np.percentile(rts, 95)) if rts else None,
        # 004 §14.4: system FAR over subjects processed; operational FAR after the operator's
        # review dismissed some. Confirmed false alerts only: unconfirmed ones are listed apart.
        "system_false_alert_rate": (false_alerts + len(dismissed)) / scanned if scanned else None,
        "operational_false_alert_rate": false_alerts / scanned if scanned else None,
        "true_recognition_rate": (
            len({(a.entry_id, a.camera, a.track) for a in blue}) / blue_passes
            if blue_passes
            else None
        ),
        "non_alert_engagements": sum(1 for e in engagements if e.alert_id is None),
        "blue_passes": blue_passes,
        "outcomes": dict(outcomes),
        "police_actions": dict(
            Counter(
                e.police_action for e in engagements if e.police_action != PoliceAction.NONE.value
            )
        ),
    }


def live_series(session: Session, deployment_id: str) -> dict:
    """What the metrics page charts (issue 12, item 12), counts only: faces detected and templates
    made over time (every camera added up), each operational Alert's time, and the Recognition
    Times. Read after `read_live_metrics` has admitted the reader in the same unit of work."""
    counts = counter_series(session, deployment_id)
    alerts = list(
        session.execute(
            select(LiveAlert.raised_at, LiveAlert.recognition_time_ms, LiveAlert.blue)
            .where(LiveAlert.deployment_id == deployment_id)
            .order_by(LiveAlert.raised_at)
        )
    )
    return {
        "counts": counts,
        "alert_times": [_utc(at) for at, _, blue in alerts if not blue],
        "recognition_times_ms": [float(ms) for _, ms, _ in alerts],
    }


def _utc(value: datetime) -> datetime:
    return value if value.tzinfo else value.replace(tzinfo=UTC)


class LiveRecords:
    """`MetricsProvider` for governance's cancellation report (`frt.app.build` passes it in)."""

    name = "lfr"

    def contribute(self, session: Session, deployment_id: str, metrics) -> None:
        alerts = [
            a
            for a in session.scalars(
                select(LiveAlert).where(LiveAlert.deployment_id == deployment_id)
            )
            if not a.blue
        ]
        engagements = list(
            session.scalars(select(Engagement).where(Engagement.deployment_id == deployment_id))
        )
        by_alert = {e.alert_id: e for e in engagements if e.alert_id}
        totals = counter_totals(session, deployment_id)
        metrics.faces_templated = totals["templates"]
        metrics.faces_scanned = totals["templates"]
        metrics.alerts = len(alerts)
        engaged = [
            by_alert[a.id]
            for a in alerts
            if a.id in by_alert and by_alert[a.id].decision == Decision.ENGAGE.value
        ]
        metrics.alerts_engaged = len(engaged)
        metrics.alerts_not_engaged = len(alerts) - len(engaged)
        outcome = Counter(by_alert[a.id].outcome for a in alerts if a.id in by_alert)
        metrics.true_alerts_confirmed = outcome[Outcome.CONFIRMED_TRUE.value]
        metrics.false_alerts_confirmed = outcome[Outcome.CONFIRMED_FALSE.value]
        metrics.true_alerts_unconfirmed = 0  # an unconfirmed alert is not called true or false
        metrics.false_alerts_unconfirmed = 0
        metrics.correct_engaged_no_further_action = sum(
            1
            for e in engaged
            if e.outcome == Outcome.CONFIRMED_TRUE.value
            and e.police_action == PoliceAction.NONE.value
        )
        metrics.police_action_outcomes = dict(
            Counter(e.police_action for e in engaged if e.police_action != PoliceAction.NONE.value)
        )
        metrics.non_alert_engagements = [
            {"reason": e.reason, "outcome": e.outcome, "police_action": e.police_action}
            for e in engagements
            if e.alert_id is None
        ]
        for key in ("b", "c", "d", "e", "f", "g", "h", "i", "faces_scanned"):
            metrics.methods[key] = METHOD
        _composition_after_wipe(session, deployment_id, metrics)
        _threshold_used(session, deployment_id, metrics)


def _threshold_used(session: Session, deployment_id: str, metrics) -> None:
    """GOV-14 (6): the Threshold the Deployment alerted at, by the worker's own rule."""
    from frt.governance.models import Deployment
    from frt.installation import training_minimum
    from frt.lfr.operating import operating_threshold
    from frt.policy import load_profile
    from frt.settings import load_settings

    settings = load_settings()
    dep = session.get(Deployment, deployment_id)
    if dep is None:
        return
    used = operating_threshold(
        session,
        load_profile(settings.policy_profile),
        dep,
        training=training_minimum(settings, deployment_id),
    )
    if used is None or used.value is None:
        return
    metrics.operating_threshold = round(used.value, 4)
    metrics.threshold_note = "; ".join(x for x in (used.reason, used.small_sample) if x)
    metrics.methods["threshold"] = "the operating Threshold rule over the recorded evaluation"


def _composition_after_wipe(session: Session, deployment_id: str, metrics) -> None:
    """Once the Watchlist is deleted (DATA-02), its counts come from the wipe record (11.3(a))."""
    from frt.lfr.models import DeploymentWipe

    wipe = session.scalar(
        select(DeploymentWipe).where(DeploymentWipe.deployment_id == deployment_id)
    )
    if wipe is not None and not metrics.watchlist_individuals:
        metrics.watchlist_individuals = wipe.watchlist_individuals
        metrics.watchlist_images = wipe.watchlist_images
        metrics.methods["a"] = "Watchlist import record, counted when it was deleted"
