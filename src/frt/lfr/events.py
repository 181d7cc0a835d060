"""Alerts as the Operator console and the Engagement Officers' devices see them (LIVE-04, WL-06,
WL-08), and the feed that delivers new ones.

The recognition worker (`frt worker`, `frt deploy run`) and the web server are separate processes
— perhaps separate machines — sharing one database. The worker commits each Alert before anyone
is told. A console's stream first sends the Deployment's Alerts (`AlertFeed.poll`), then waits
for this process's Hub (`frt.lfr.push`) to name new ones (`AlertFeed.take`) — one listener per
server process, not a poll per open page. A console that reconnects receives every Alert of the
Deployment again, and a listener that reconnects has every stream catch up: none is ever lost.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from frt.core.actions import action
from frt.core.context import Ctx
from frt.governance.enums import Duty
from frt.lfr.access import on_deployment
from frt.lfr.models import Engagement, LiveAlert, OperatorLog
from frt.people.roles import Role

LOOKBACK = timedelta(seconds=60)  # workers' clocks and commits may be a little out of order


@dataclass(frozen=True)
class AlertView:
    """What an Alert shows (000 §10.3, §10.8; SOP 6.2(5)): no template, ever."""

    id: str
    deployment_id: str
    camera: str
    raised_at: str
    score: float
    threshold: float
    category: str
    markers: list[str]
    blue: bool
    recognition_time_ms: float
    has_candidate: bool
    assessment: dict | None = None  # the operator's latest (000 §10.5(a)–(b))
    engagement: dict | None = None  # the Engagement Officer's decision and outcome
    probe_url: str = field(default="")
    candidate_url: str = field(default="")

    def to_json(self) -> dict:
        return asdict(self)


def view(store, session: Session, alert: LiveAlert, prefix: str = "/live") -> AlertView:
    markers, has_candidate = _watchlist_details(store, session, alert)
    log = session.scalar(
        select(OperatorLog)
        .where(OperatorLog.alert_id == alert.id)
        .order_by(OperatorLog.recorded_at.desc())
        .limit(1)
    )
    eng = session.scalar(
        select(Engagement)
        .where(Engagement.alert_id == alert.id)
        .order_by(Engagement.recorded_at.desc())
        .limit(1)
    )
    return AlertView(
        alert.id,
        alert.deployment_id,
        alert.camera,
        alert.raised_at.isoformat(),
        round(alert.score, 4),
        round(alert.threshold, 4),
        alert.category,
        markers,
        alert.blue,
        round(alert.recognition_time_ms, 1),
        has_candidate,
        {"assessment": log.assessment, "recommend_engage": log.recommend_engage, "note": log.note}
        if log
        else None,
        {"decision": eng.decision, "outcome": eng.outcome, "police_action": eng.police_action}
        if eng
        else None,
        probe_url=f"{prefix}/alerts/{alert.id}/probe.png",
        candidate_url=f"{prefix}/alerts/{alert.id}/candidate" if has_candidate else "",
    )


def _watchlist_details(store, session: Session, alert: LiveAlert) -> tuple[list[str], bool]:
    """Warning markers (sealed in governance's entry) and whether the image is still held."""
    from frt.governance.watchlist_models import WatchlistEntry, WatchlistImage

    if alert.blue:
        return [], False
    entry = session.get(WatchlistEntry, alert.entry_id)
    markers: list[str] = []
    if entry is not None:
        details = json.loads(
            WatchlistEntry.DETAILS.open(store.cipher, entry.id, entry.details_sealed)
        )
        markers = list(details.get("warning_markers", []))
    return markers, session.get(WatchlistImage, alert.image_id) is not None


class AlertFeed:
    """New Alerts of one Deployment (operational or blue), each returned once."""

    def __init__(self, deployment_id: str, blue: bool = False):
        self.deployment_id, self.blue = deployment_id, blue
        self._sent: set[str] = set()
        self._newest: datetime | None = None

    def poll(self, session: Session) -> list[LiveAlert]:
        q = select(LiveAlert).where(
            LiveAlert.deployment_id == self.deployment_id, LiveAlert.blue == self.blue
        )
        if self._newest is not None:
            q = q.where(LiveAlert.raised_at >= self._newest - LOOKBACK)
        fresh = [
            a
            for a in session.scalars(q.order_by(LiveAlert.raised_at, LiveAlert.id))
            if a.id not in self._sent
        ]
        for a in fresh:
            self._mark(a)
        return fresh

    def take(self, session: Session, alert_id: str) -> LiveAlert | None:
        """The Alert a push named, unless it was sent already (or is not this feed's)."""
        if alert_id in self._sent:
            return None
        alert = session.get(LiveAlert, alert_id)
        if alert is None or alert.deployment_id != self.deployment_id or alert.blue != self.blue:
            return None
        self._mark(alert)
        return alert

    def sent(self, alert_id: str) -> bool:
        return alert_id in self._sent

    def mark(self, alert_id: str) -> None:
        """Sent by the caller (data it had already: the newest-first bookkeeping is unchanged)."""
        self._sent.add(alert_id)

    def _mark(self, alert: LiveAlert) -> None:
        self._sent.add(alert.id)
        if self._newest is None or alert.raised_at > self._newest:
            self._newest = alert.raised_at


def deployment_alerts(
    session: Session, deployment_id: str, blue: bool | None = None
) -> list[LiveAlert]:
    q = select(LiveAlert).where(LiveAlert.deployment_id == deployment_id)
    if blue is not None:
        q = q.where(LiveAlert.blue == blue)
    return list(session.scalars(q.order_by(LiveAlert.raised_at.desc(), LiveAlert.id)))


# Who watches a Deployment's Alerts: its rostered operators and engagement officers and its
# command team — each only on a Deployment they are rostered on or command (hardening item 2).
WATCHERS = (Role.LFR_OPERATOR, Role.ENGAGEMENT_OFFICER, Role.SILVER, Role.GOLD, Role.BRONZE)
_ON_DEPLOYMENT = on_deployment(Duty.LFR_OPERATOR, Duty.ENGAGEMENT_OFFICER)


@action(
    "lfr.alerts.read",
    roles=WATCHERS,
    touches="lfr_deployment",
    key="deployment_id",
    reads=True,
    guard=_ON_DEPLOYMENT,
)
def read_alerts(ctx: Ctx, deployment_id: str, blue: bool | None = None) -> list[LiveAlert]:
    """A Deployment's Alerts, newest first, for a console or handheld (the read is audited)."""
    return deployment_alerts(ctx.session, deployment_id, blue)


@action(
    "lfr.alert.read_probe",
    roles=WATCHERS,
    touches="lfr_alert",
    key="alert_id",
    reads=True,
    guard=_ON_DEPLOYMENT,
)
def read_probe(ctx: Ctx, alert_id: str) -> bytes | None:
    """The Alert's camera face (PNG), None once deleted (000 §13.2)."""
    row = ctx.get(LiveAlert, alert_id)
    if row.probe_sealed is None:
        return None
    return LiveAlert.PROBE.open(ctx.cipher, row.id, row.probe_sealed)


@action(
    "lfr.alert.read_candidate",
    roles=WATCHERS,
    touches="lfr_alert",
    key="alert_id",
    reads=True,
    guard=_ON_DEPLOYMENT,
)
def read_candidate(ctx: Ctx, alert_id: str) -> bytes | None:
    """The Watchlist image the Alert matched, None once the Watchlist is deleted (DATA-02)."""
    from frt.governance.watchlist_models import WatchlistImage

    alert = ctx.get(LiveAlert, alert_id)
    image = None if alert.blue else ctx.session.get(WatchlistImage, alert.image_id)
    if image is None:
        return None
    return WatchlistImage.IMAGE.open(ctx.cipher, image.id, image.image_sealed)
