"""`/api/live/…`: the live system's REST API — for the Engagement Officers' device app and for
signed-in clients of the console (LIVE-04..07; DATA-06).

The device app authenticates with its own enrolled credential, `Authorization: Bearer frtd_…`
(`require_device`); having no session cookie, its calls need no CSRF token (see `web.csrf`).
The device sees only its Deployment's operational Alerts, and records the Engagement Officer's
decisions as that officer. Nothing here acts on an Alert by itself.
"""

from __future__ import annotations

import json
from dataclasses import dataclass

from fastapi import APIRouter, Depends, HTTPException, Request
from pydantic import BaseModel, Field
from sse_starlette.sse import EventSourceResponse
from starlette.responses import Response

from frt.audit import Actor
from frt.lfr import devices, events, records, report
from frt.lfr.enums import Assessment, Decision, Outcome
from frt.lfr.models import LiveAlert
from frt.people.models import User
from frt.people.roles import Role
from frt.policy import PolicyRefusal
from frt.policy.vocabulary import PoliceAction
from frt.web.alert_stream import alert_events
from frt.web.auth import Principal, require_role, store_of
from frt.web.limits import Input
from frt.web.media import image_response
from frt.web.units import run, unit

router = APIRouter(prefix="/api/live", tags=["live"])

WATCHERS = events.WATCHERS
DEVICE_PREFIX = "/api/live/device"


# ------------------------------------------------------------------ models
# An Alert as the API returns it: `events.AlertView`, the one definition the console shares.
AlertOut = events.AlertView


class AssessmentIn(Input):
    assessment: Assessment
    recommend_engage: bool
    note: str = Field("", max_length=500)


class DecisionIn(Input):
    decision: Decision
    outcome: Outcome
    police_action: PoliceAction = PoliceAction.NONE


class EngagementIn(Input):
    reason: str = Field(min_length=1, max_length=500)
    outcome: Outcome
    police_action: PoliceAction = PoliceAction.NONE


class ConcernIn(Input):
    note: str = Field(min_length=1, max_length=500)


class DeviceIn(Input):
    officer_id: str
    label: str = Field(min_length=1, max_length=80)


class DeviceEnrolled(BaseModel):
    device_id: str
    token: str  # shown once


class Recorded(BaseModel):
    id: str


# ------------------------------------------------------------------ the device credential
@dataclass(frozen=True)
class DevicePrincipal:
    device_id: str
    deployment_id: str
    user: User
    actor: Actor


def require_device(request: Request) -> DevicePrincipal:
    """The enrolled device's credential (000 §12.1(e)): its officer must still be an
    Engagement Officer, the device not revoked, its Deployment not finished."""
    header = request.headers.get("authorization", "")
    token = header[7:].strip() if header.lower().startswith("bearer ") else ""
    with store_of(request).session() as db:
        device, decision = devices.check_token(db, token)
        if device is None:
            raise PolicyRefusal(decision)
        user = db.get_one(User, device.officer_id)  # check_token found the officer
        found = DevicePrincipal(
            device.id, device.deployment_id, user, Actor(user.id, Role.ENGAGEMENT_OFFICER.value)
        )
    request.state.actor = found.actor
    return found


setattr(require_device, "frt_required_roles", (Role.ENGAGEMENT_OFFICER,))  # for the route walk


GONE = {"probe": ("camera image", "000 §13.2"), "candidate": ("watchlist image", "000 §13.1(b)")}


def alert_image(request: Request, who, alert_id: str, which: str) -> Response:
    """An Alert's camera face ("probe") or Watchlist image ("candidate"), opened for display by
    a read action (roster-checked and audited); 404 once it has been deleted."""
    read = events.read_probe if which == "probe" else events.read_candidate
    return image_response(run(request, who, lambda ctx: read(ctx, alert_id)), *GONE[which])


def _alerts(request: Request, who, dep_id: str, blue: bool | None, prefix: str) -> list[AlertOut]:
    store = store_of(request)
    with unit(request, who) as ctx:
        return [
            events.view(store, ctx.session, a, prefix)
            for a in events.read_alerts(ctx, dep_id, blue)
        ]


def _own_alert(request: Request, device: DevicePrincipal, alert_id: str) -> LiveAlert:
    with store_of(request).session() as db:
        alert = db.get(LiveAlert, alert_id)
        if alert is None or alert.deployment_id != device.deployment_id or alert.blue:
            raise HTTPException(404, "no such Alert for this device")
        return alert


# ------------------------------------------------------------------ device app
@router.get("/device", name="live.device.me")
def device_me(request: Request, device: DevicePrincipal = Depends(require_device)) -> dict:
    with store_of(request).session() as db:
        from frt.governance.models import Deployment

        dep = db.get_one(Deployment, device.deployment_id)
        return {
            "device_id": device.device_id,
            "deployment_id": dep.id,
            "state": dep.state,
            "officer": device.user.display_name,
        }


@router.get("/device/alerts", name="live.device.alerts")
def device_alerts(
    request: Request, device: DevicePrincipal = Depends(require_device)
) -> list[AlertOut]:
    return _alerts(request, device, device.deployment_id, False, DEVICE_PREFIX)


@router.get("/device/alerts/{alert_id}/probe.png", name="live.device.probe")
def device_probe(
    request: Request, alert_id: str, device: DevicePrincipal = Depends(require_device)
):
    _own_alert(request, device, alert_id)
    return alert_image(request, device, alert_id, "probe")


@router.get("/device/alerts/{alert_id}/candidate", name="live.device.candidate")
def device_candidate(
    request: Request, alert_id: str, device: DevicePrincipal = Depends(require_device)
):
    _own_alert(request, device, alert_id)
    return alert_image(request, device, alert_id, "candidate")


@router.post("/device/alerts/{alert_id}/decision", name="live.device.decision")
def device_decision(
    request: Request,
    alert_id: str,
    body: DecisionIn,
    device: DevicePrincipal = Depends(require_device),
) -> Recorded:
    _own_alert(request, device, alert_id)
    return Recorded(
        id=run(
            request,
            device,
            lambda ctx: (
                records.decide(
                    ctx, alert_id, body.decision.value, body.outcome.value, body.police_action.value
                ).id
            ),
        )
    )


@router.post("/device/engagements", name="live.device.engagement")
def device_engagement(
    request: Request, body: EngagementIn, device: DevicePrincipal = Depends(require_device)
) -> Recorded:
    return Recorded(
        id=run(
            request,
            device,
            lambda ctx: (
                records.engagement_without_alert(
                    ctx,
                    device.deployment_id,
                    body.reason,
                    body.outcome.value,
                    body.police_action.value,
                ).id
            ),
        )
    )


@router.get("/device/stream", name="live.device.stream")
async def device_stream(request: Request, device: DevicePrincipal = Depends(require_device)):
    """New Alerts as JSON server-sent events (`event: alert`)."""
    run(request, device, lambda ctx: events.read_alerts(ctx, device.deployment_id, False))
    store = store_of(request)

    def as_json(db, alert: LiveAlert) -> str:
        return json.dumps(events.view(store, db, alert, DEVICE_PREFIX).to_json())

    stream = alert_events(
        request, store, device.deployment_id, False, as_json, states=False, audience="device"
    )
    return EventSourceResponse(stream, ping=10)


# ------------------------------------------------------------------ signed-in clients
@router.get("/deployments/{dep_id}/alerts", name="live.alerts")
def alerts(
    request: Request,
    dep_id: str,
    blue: bool = False,
    who: Principal = Depends(require_role(*WATCHERS)),
) -> list[AlertOut]:
    return _alerts(request, who, dep_id, blue, "/live")


@router.post("/alerts/{alert_id}/assessment", name="live.assessment")
def assessment(
    request: Request,
    alert_id: str,
    body: AssessmentIn,
    who: Principal = Depends(require_role(Role.LFR_OPERATOR)),
) -> Recorded:
    return Recorded(
        id=run(
            request,
            who,
            lambda ctx: (
                records.assess(
                    ctx, alert_id, body.assessment.value, body.recommend_engage, body.note
                ).id
            ),
        )
    )


@router.post("/alerts/{alert_id}/decision", name="live.decision")
def decision(
    request: Request,
    alert_id: str,
    body: DecisionIn,
    who: Principal = Depends(require_role(Role.ENGAGEMENT_OFFICER)),
) -> Recorded:
    return Recorded(
        id=run(
            request,
            who,
            lambda ctx: (
                records.decide(
                    ctx, alert_id, body.decision.value, body.outcome.value, body.police_action.value
                ).id
            ),
        )
    )


@router.post("/deployments/{dep_id}/concerns", name="live.concerns")
def concerns(
    request: Request,
    dep_id: str,
    body: ConcernIn,
    who: Principal = Depends(require_role(Role.LFR_OPERATOR)),
) -> Recorded:
    return Recorded(
        id=run(request, who, lambda ctx: records.flag_concern(ctx, dep_id, body.note).id)
    )


@router.get("/deployments/{dep_id}/metrics", name="live.metrics.json")
def metrics(
    request: Request,
    dep_id: str,
    who: Principal = Depends(require_role(*report.METRICS_READERS)),
) -> dict:
    return run(request, who, lambda ctx: report.read_live_metrics(ctx, dep_id))


@router.post("/deployments/{dep_id}/devices", name="live.devices.enrol.json")
def enrol(
    request: Request,
    dep_id: str,
    body: DeviceIn,
    who: Principal = Depends(require_role(*devices.ENROLLERS)),
) -> DeviceEnrolled:
    enrolled = run(
        request, who, lambda ctx: devices.enrol(ctx, dep_id, body.officer_id, body.label)
    )
    return DeviceEnrolled(device_id=enrolled.device_id, token=enrolled.token)  # shown once


@router.post("/devices/{device_id}/revoke", name="live.devices.revoke.json")
def revoke(
    request: Request, device_id: str, who: Principal = Depends(require_role(*devices.ENROLLERS))
) -> Recorded:
    return Recorded(
        id=run(request, who, lambda ctx: devices.revoke(ctx, device_id, "revoked via the API").id)
    )
