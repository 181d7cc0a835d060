"""What the live system records: Alerts (persisted before anyone is told), the operator's log,
Engagements, performance concerns and counters — and the metrics read back from them.

No code path here or anywhere in `frt.lfr` acts on an Alert: an Engagement exists only when an
Engagement Officer records one (LIVE-06, 000 §10.8). Every change writes one audit record with
ids and counts only.
"""

from __future__ import annotations

import io
import logging
import os
import socket
from datetime import UTC, datetime, timedelta

import numpy as np
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from frt.core.actions import acting, action
from frt.core.context import Ctx
from frt.core.errors import InputError
from frt.governance.enums import Duty
from frt.governance.models import Deployment
from frt.lfr import push
from frt.lfr.access import on_deployment
from frt.lfr.enums import Assessment, Decision, Outcome
from frt.lfr.metrics import LiveCounters
from frt.lfr.models import (
    CameraCounters,
    CounterSample,
    Engagement,
    LiveAlert,
    OperatorLog,
    PerformanceConcern,
)
from frt.people.roles import Role
from frt.policy.vocabulary import PoliceAction
from frt.store.base import utcnow

logger = logging.getLogger(__name__)

WORKER = f"{socket.gethostname()}:{os.getpid()}"[:64]
COMPONENT = "lfr-worker"


def encode_probe(rgb: np.ndarray) -> bytes:
    """The camera face as PNG bytes (shown to the operator beside the watchlist image)."""
    from PIL import Image

    buffer = io.BytesIO()
    Image.fromarray(rgb).save(buffer, format="PNG")
    return buffer.getvalue()


def persist_alert(
    store,
    deployment_id: str,
    alert,
    image_id: str | None = None,
    entry_id: str | None = None,
    track_key: str | None = None,
) -> str:
    """Commit the Alert (with its sealed probe face) and return its id — before any notice.

    With a `track_key` (a camera run by `frt worker`) it is raised at most once: a worker that
    took the camera over and re-found a track already alerted gets the existing Alert's id."""
    try:
        existing = _alert_of_track(store, deployment_id, alert.camera, track_key)
        if existing is None:
            try:
                with acting(store, None, component=COMPONENT) as ctx:
                    existing = raise_alert(
                        ctx, deployment_id, alert, image_id, entry_id, track_key
                    ).id
            except IntegrityError:  # another worker committed it a moment ago
                existing = _alert_of_track(store, deployment_id, alert.camera, track_key)
                if existing is None:
                    raise
            else:
                _announce(store, deployment_id, existing, alert.blue)
    finally:
        alert.probe.fill(0)  # the sealed copy is the only one now
    return existing


def _alert_of_track(store, deployment_id: str, camera: str, track_key: str | None) -> str | None:
    if track_key is None:
        return None
    with store.read() as session:
        return session.scalar(
            select(LiveAlert.id).where(
                LiveAlert.deployment_id == deployment_id,
                LiveAlert.camera == camera,
                LiveAlert.track_key == track_key,
            )
        )


def _announce(store, deployment_id: str, alert_id: str, blue: bool) -> None:
    """Tell the consoles, after the commit (frt.lfr.push): never before the Alert is stored."""
    try:
        push.announce(store, deployment_id, alert_id, blue)
    except Exception:  # noqa: BLE001 - consoles also catch up from the database on reconnect
        logger.exception("alert %s stored but its notice failed", alert_id)


@action("lfr.alert.raise", touches="lfr_alert", system=True)
def raise_alert(
    ctx: Ctx,
    deployment_id: str,
    alert,
    image_id: str | None,
    entry_id: str | None,
    track_key: str | None = None,
) -> LiveAlert:
    """The worker records an Alert and its sealed probe face (LIVE-04); nobody acts on it here."""
    row = LiveAlert(
        deployment_id=deployment_id,
        camera=alert.camera,
        worker=WORKER,
        track=alert.track_id,
        track_key=track_key,
        image_id=image_id or alert.match.entry_id,
        entry_id=entry_id or alert.match.subject_id,
        category=alert.match.category,
        blue=alert.blue,
        score=alert.match.score,
        threshold=alert.match.threshold,
        raised_at=alert.raised_at,
        recognition_time_ms=alert.recognition_time_ms,
    )
    ctx.session.add(row)
    ctx.session.flush()
    row.probe_sealed = LiveAlert.PROBE.seal(ctx.cipher, row.id, encode_probe(alert.probe))
    push.notify_in_transaction(ctx.session, deployment_id, row.id, alert.blue)
    ctx.note(deployment=deployment_id, blue=alert.blue)
    return row


def _alert(ctx: Ctx, alert_id: str) -> LiveAlert:
    return ctx.get(LiveAlert, alert_id)


@action(
    "lfr.alert.assess",
    roles=[Role.LFR_OPERATOR],
    touches="lfr_alert",
    key="alert_id",
    guard=on_deployment(Duty.LFR_OPERATOR, posts=()),
)
def assess(
    ctx: Ctx, alert_id: str, assessment: str, recommend_engage: bool, note: str = ""
) -> OperatorLog:
    """The operator's assessment and whether they support an Engagement (000 §10.5(a)–(b))."""
    alert = _alert(ctx, alert_id)
    log = OperatorLog(
        alert_id=alert.id,
        operator_id=ctx.user.id,
        assessment=Assessment(assessment).value,
        recommend_engage=bool(recommend_engage),
        note=note.strip(),
        recorded_at=ctx.now,
    )
    ctx.session.add(log)
    ctx.session.flush()
    ctx.note(assessment=log.assessment)
    return log


@action(
    "lfr.alert.decide",
    roles=[Role.ENGAGEMENT_OFFICER],
    touches="lfr_alert",
    key="alert_id",
    guard=on_deployment(Duty.ENGAGEMENT_OFFICER, posts=()),
)
def decide(
    ctx: Ctx,
    alert_id: str,
    decision: str,
    outcome: str,
    police_action: str = PoliceAction.NONE.value,
) -> Engagement:
    """The Engagement Officer's own decision on an Alert and its outcome (000 §10.8, §10.12)."""
    alert = _alert(ctx, alert_id)
    decision, outcome = Decision(decision), Outcome(outcome)
    if decision == Decision.NO_ENGAGEMENT and outcome not in (Outcome.NOT_ENGAGED,):
        raise InputError("without an Engagement the outcome is 'not engaged'")
    if decision == Decision.ENGAGE and outcome == Outcome.NOT_ENGAGED:
        raise InputError("an Engagement took place: record what it showed")
    return _engagement(
        ctx, alert.deployment_id, alert.id, decision, outcome, PoliceAction(police_action), ""
    )


@action(
    "lfr.engagement.record",
    roles=[Role.ENGAGEMENT_OFFICER, Role.LFR_OPERATOR],
    touches="lfr_deployment",
    key="deployment_id",
    guard=on_deployment(Duty.ENGAGEMENT_OFFICER, Duty.LFR_OPERATOR, posts=()),
)
def engagement_without_alert(
    ctx: Ctx,
    deployment_id: str,
    reason: str,
    outcome: str,
    police_action: str = PoliceAction.NONE.value,
) -> Engagement:
    """An Engagement not caused by an Alert, with its reason and outcome (000 §11.3(i))."""
    ctx.get(Deployment, deployment_id)
    if not reason.strip():
        raise InputError("say why the person was engaged")
    return _engagement(
        ctx,
        deployment_id,
        None,
        Decision.ENGAGE,
        Outcome(outcome),
        PoliceAction(police_action),
        reason.strip(),
    )


def _engagement(ctx, deployment_id, alert_id, decision, outcome, action, reason) -> Engagement:
    row = Engagement(
        deployment_id=deployment_id,
        alert_id=alert_id,
        officer_id=ctx.user.id,
        decision=decision.value,
        outcome=outcome.value,
        police_action=action.value,
        reason=reason,
        recorded_at=ctx.now,
    )
    ctx.session.add(row)
    ctx.session.flush()
    ctx.note(engagement_id=row.id, decision=row.decision, outcome=row.outcome)
    return row


@action(
    "lfr.concern.flag",
    roles=[Role.LFR_OPERATOR],
    touches="lfr_deployment",
    key="deployment_id",
    guard=on_deployment(Duty.LFR_OPERATOR, posts=()),
)
def flag_concern(
    ctx: Ctx, deployment_id: str, note: str, image_id: str | None = None
) -> PerformanceConcern:
    """The operator flags a performance concern; the Silver is told (000 §10.4; LIVE-07)."""
    from frt.governance.notices import notify

    ctx.get(Deployment, deployment_id)
    row = PerformanceConcern(
        deployment_id=deployment_id,
        raised_by=ctx.user.id,
        image_id=image_id,
        note=note.strip(),
        raised_at=ctx.now,
    )
    ctx.session.add(row)
    ctx.session.flush()
    notify(
        ctx,
        kind="lfr_concern",
        object_type="lfr_deployment",
        object_id=deployment_id,
        message="An LFR Operator flagged a system performance concern",
        citation="000 §10.4",
        role=Role.SILVER,
    )
    ctx.note(concern_id=row.id)
    return row


def save_counters(
    store, deployment_id: str, camera: str, counters: LiveCounters, worker: str = WORKER
) -> None:
    """Store this worker's running counts for one camera (replacing its previous figures)."""
    with store.session() as session:
        row = session.scalar(
            select(CameraCounters).where(
                CameraCounters.deployment_id == deployment_id,
                CameraCounters.camera == camera,
                CameraCounters.worker == worker,
            )
        )
        if row is None:
            row = CameraCounters(deployment_id=deployment_id, camera=camera, worker=worker)
            session.add(row)
        for key in (
            "frames",
            "dropped_frames",
            "corrupt_frames",
            "reconnects",
            "faces_detected",
            "tracks",
            "templates",
            "alerts",
        ):
            setattr(row, key, getattr(counters, key))
        row.updated_at = utcnow()
        _sample(session, row)


# A camera's counts are kept over time at most this often (8 hours: under 6,000 rows a camera).
SAMPLE_EVERY = timedelta(seconds=5)


def _sample(session: Session, row: CameraCounters) -> None:
    """Keep the counts at this moment for the metrics page's charts (issue 12, item 12). The
    newest sample always holds the latest counts: it is moved forward while the one before it is
    under SAMPLE_EVERY old, so samples lie SAMPLE_EVERY apart and a run's first is kept."""
    newest = list(
        session.scalars(
            select(CounterSample)
            .where(
                CounterSample.deployment_id == row.deployment_id,
                CounterSample.camera == row.camera,
                CounterSample.worker == row.worker,
            )
            .order_by(CounterSample.at.desc())
            .limit(2)
        )
    )
    now = _aware(row.updated_at)
    if len(newest) == 2 and now - _aware(newest[1].at) < SAMPLE_EVERY:
        sample = newest[0]
    else:
        sample = CounterSample(
            deployment_id=row.deployment_id, camera=row.camera, worker=row.worker
        )
        session.add(sample)
    sample.at = row.updated_at
    for key in ("frames", "faces_detected", "templates", "alerts"):
        setattr(sample, key, getattr(row, key))


def _aware(value: datetime) -> datetime:
    return value if value.tzinfo else value.replace(tzinfo=UTC)


def counter_series(session: Session, deployment_id: str) -> list[tuple[datetime, dict]]:
    """The Deployment's counts over time, every camera added up: at each sample's moment, the
    sum of each camera's latest sample so far (counts only)."""
    latest: dict[tuple[str, str], dict] = {}
    series = []
    for sample in session.scalars(
        select(CounterSample)
        .where(CounterSample.deployment_id == deployment_id)
        .order_by(CounterSample.at, CounterSample.id)
    ):
        latest[(sample.camera, sample.worker)] = {
            k: getattr(sample, k) for k in ("frames", "faces_detected", "templates", "alerts")
        }
        total = {k: sum(c[k] for c in latest.values()) for k in next(iter(latest.values()))}
        series.append((_aware(sample.at), total))
    return series


def alerts_since(
    session: Session, deployment_id: str | None, after: datetime | None, limit: int = 50
) -> list[LiveAlert]:
    """Alerts newest last (the console polls this: it works across any number of workers)."""
    q = select(LiveAlert).order_by(LiveAlert.raised_at, LiveAlert.id).limit(limit)
    if deployment_id:
        q = q.where(LiveAlert.deployment_id == deployment_id)
    if after is not None:
        q = q.where(LiveAlert.raised_at > after)
    return list(session.scalars(q))


def counter_totals(session: Session, deployment_id: str) -> dict:
    cols = (
        "frames",
        "dropped_frames",
        "corrupt_frames",
        "reconnects",
        "faces_detected",
        "tracks",
        "templates",
        "alerts",
    )
    row = session.execute(
        select(*[func.coalesce(func.sum(getattr(CameraCounters, c)), 0) for c in cols]).where(
            CameraCounters.deployment_id == deployment_id
        )
    ).one()
    return dict(zip(cols, map(int, row)))
