"""Live recognition pages (`/live/…`): the Operator console, the blue watchlist view, the
Engagement Officer's handheld page, the metrics page, Silver's stop controls and the devices page.

New Alerts reach an open console through SSE (`…/stream`), pushed by this server process's one
listener (`frt.lfr.push`, `web.alert_stream`), so it works whatever process or machine runs the
recognition worker. Each Alert is sent as a rendered card; the person's forms on the card call
`frt.lfr.records` — nothing here acts on an Alert by itself (LIVE-06).
"""

from __future__ import annotations

from fastapi import APIRouter, Depends, Form, HTTPException, Request
from sqlalchemy import select
from sse_starlette.sse import EventSourceResponse
from starlette.responses import RedirectResponse, Response

from frt.core.actions import may
from frt.core.errors import InputError
from frt.governance import deployments as governance_deployments
from frt.governance.enums import DeploymentState, Duty
from frt.governance.models import Deployment
from frt.lfr import blue as blue_list
from frt.lfr import devices, events, records, report
from frt.lfr.enums import Assessment, Decision, Outcome
from frt.lfr.models import LiveAlert, PerformanceConcern
from frt.people.models import User
from frt.people.roles import Role
from frt.policy.vocabulary import PoliceAction
from frt.web.alert_stream import alert_events
from frt.web.auth import Principal, require_role, store_of
from frt.web.lfr_shared import operating
from frt.web.media import image_response
from frt.web.metrics_charts import charts_for
from frt.web.panels import HomePanel, PanelItem, Site
from frt.web.templating import render, templates
from frt.web.timefmt import label as timefmt_label
from frt.web.timefmt import local_time as timefmt_local_time
from frt.web.units import run as live_run
from frt.web.units import unit as live_unit

router = APIRouter(include_in_schema=False)

LIVE_ROLES = (
    Role.LFR_OPERATOR,
    Role.ENGAGEMENT_OFFICER,
    Role.SILVER,
    Role.GOLD,
    Role.BRONZE,
    Role.SYSTEM_ENGINEER,
)
WATCHERS = events.WATCHERS
STATE_CHANGES = {
    "suspend": DeploymentState.SUSPENDED,
    "resume": DeploymentState.ACTIVE,
    "terminate": DeploymentState.TERMINATED,
    "start": DeploymentState.ACTIVE,
}
CHOICES = {
    "assessments": [a.value for a in Assessment],
    "decisions": [d.value for d in Decision],
    "outcomes": [o.value for o in Outcome],
    "actions": [p.value for p in PoliceAction],
}


def _deployment(db, dep_id: str) -> Deployment:
    dep = db.get(Deployment, dep_id)
    if dep is None:
        raise HTTPException(404, "no such Deployment")
    return dep


def card_html(store, db, alert: LiveAlert, roles: set[Role]) -> str:
    view = events.view(store, db, alert)
    return templates.env.get_template("lfr/alert_card.html").render(
        a=view, roles=roles, Role=Role, choices=CHOICES
    )


# ------------------------------------------------------------------ index and console
@router.get("/live", name="live.index")
def index(request: Request, who: Principal = Depends(require_role(*LIVE_ROLES))):
    with store_of(request).session() as db:
        deps = list(db.scalars(select(Deployment).order_by(Deployment.starts_at.desc()).limit(50)))
        rows = [(d, d.location.locality if d.location else "") for d in deps]
    return render(request, "lfr/index.html", rows=rows)


@router.get("/live/deployments/{dep_id}", name="live.console")
def console(request: Request, dep_id: str, who: Principal = Depends(require_role(*WATCHERS))):
    return _alerts_page(request, who, dep_id, blue=False)


@router.get("/live/deployments/{dep_id}/blue", name="live.blue")
def blue_view(request: Request, dep_id: str, who: Principal = Depends(require_role(*WATCHERS))):
    return _alerts_page(request, who, dep_id, blue=True)


@router.get("/live/handheld/{dep_id}", name="live.handheld")
def handheld(
    request: Request, dep_id: str, who: Principal = Depends(require_role(Role.ENGAGEMENT_OFFICER))
):
    return _alerts_page(request, who, dep_id, blue=False, handheld=True)


def _alerts_page(request: Request, who: Principal, dep_id: str, blue: bool, handheld: bool = False):
    store = store_of(request)
    with live_unit(request, who) as ctx:
        db = ctx.session
        dep = _deployment(db, dep_id)
        cards = [
            card_html(store, db, a, who.roles) for a in events.read_alerts(ctx, dep_id, blue=blue)
        ]
        concerns = list(
            db.scalars(
                select(PerformanceConcern)
                .where(PerformanceConcern.deployment_id == dep_id)
                .order_by(PerformanceConcern.raised_at.desc())
            )
        )
        members = blue_list.members(db, dep_id) if blue else []
        return render(
            request,
            "lfr/console.html",
            dep=dep,
            cards=cards,
            blue=blue,
            handheld=handheld,
            concerns=concerns,
            members=members,
            place=dep.location.locality if dep.location else "",
            operating=operating(request, db, dep),  # and a small sample's mark (issue 12, item 2)
            choices=CHOICES,
            Role=Role,
            stream=f"/live/deployments/{dep_id}/stream" + ("?blue=1" if blue else ""),
        )


@router.get("/live/deployments/{dep_id}/stream", name="live.stream")
async def stream(
    request: Request,
    dep_id: str,
    blue: bool = False,
    who: Principal = Depends(require_role(*WATCHERS)),
):
    live_run(request, who, lambda ctx: events.read_alerts(ctx, dep_id, blue))  # may they watch?
    store, roles = store_of(request), who.roles
    audience = ",".join(sorted(r.value for r in roles))  # a card differs only by the roles
    cards = alert_events(
        request, store, dep_id, blue, lambda db, a: card_html(store, db, a, roles), True, audience
    )
    return EventSourceResponse(cards, ping=10)


@router.get("/live/alerts/{alert_id}/probe.png", name="live.probe")
def probe(request: Request, alert_id: str, who: Principal = Depends(require_role(*WATCHERS))):
    data = live_run(request, who, lambda ctx: events.read_probe(ctx, alert_id))
    return image_response(data, "camera image", "000 §13.2")


@router.get("/live/alerts/{alert_id}/candidate", name="live.candidate")
def candidate(request: Request, alert_id: str, who: Principal = Depends(require_role(*WATCHERS))):
    data = live_run(request, who, lambda ctx: events.read_candidate(ctx, alert_id))
    return image_response(data, "watchlist image", "000 §13.1(b)")


# ------------------------------------------------------------------ people decide
def _card_response(request: Request, who: Principal, alert_id: str):
    store = store_of(request)
    with store.session() as db:
        alert = db.get_one(LiveAlert, alert_id)  # its action has just read or changed it
        return Response(card_html(store, db, alert, who.roles), media_type="text/html")


@router.post("/live/alerts/{alert_id}/assess", name="live.assess")
def assess(
    request: Request,
    alert_id: str,
    assessment: str = Form(...),
    engage: str = Form("no"),
    note: str = Form(""),
    who: Principal = Depends(require_role(Role.LFR_OPERATOR)),
):
    with live_unit(request, who) as ctx:
        records.assess(ctx, alert_id, _choice(Assessment, assessment), engage == "yes", note)
    return _card_response(request, who, alert_id)


@router.post("/live/alerts/{alert_id}/decide", name="live.decide")
def decide(
    request: Request,
    alert_id: str,
    decision: str = Form(...),
    outcome: str = Form(...),
    police_action: str = Form("none"),
    who: Principal = Depends(require_role(Role.ENGAGEMENT_OFFICER)),
):
    with live_unit(request, who) as ctx:
        records.decide(
            ctx,
            alert_id,
            _choice(Decision, decision),
            _choice(Outcome, outcome),
            _choice(PoliceAction, police_action),
        )
    return _card_response(request, who, alert_id)


def _choice(enum, value: str) -> str:
    try:
        return enum(value).value
    except ValueError:
        raise HTTPException(
            400, f"'{value}' is not one of: " + ", ".join(e.value for e in enum)
        ) from None


@router.post("/live/deployments/{dep_id}/engagements", name="live.engagement")
def engagement(
    request: Request,
    dep_id: str,
    reason: str = Form(...),
    outcome: str = Form(...),
    police_action: str = Form("none"),
    who: Principal = Depends(require_role(Role.ENGAGEMENT_OFFICER, Role.LFR_OPERATOR)),
):
    with live_unit(request, who) as ctx:
        records.engagement_without_alert(
            ctx, dep_id, reason, _choice(Outcome, outcome), _choice(PoliceAction, police_action)
        )
    return _back(request, f"/live/deployments/{dep_id}")


@router.post("/live/deployments/{dep_id}/concerns", name="live.concern")
def concern(
    request: Request,
    dep_id: str,
    note: str = Form(...),
    who: Principal = Depends(require_role(Role.LFR_OPERATOR)),
):
    with live_unit(request, who) as ctx:
        if not note.strip():
            raise InputError("describe the concern")
        records.flag_concern(ctx, dep_id, note)
    return _back(request, f"/live/deployments/{dep_id}")


@router.post("/live/deployments/{dep_id}/state", name="live.state")
def change_state(
    request: Request,
    dep_id: str,
    change: str = Form(...),
    reason: str = Form(""),
    who: Principal = Depends(require_role(Role.SILVER, Role.GOLD)),
):
    if change not in STATE_CHANGES:
        raise HTTPException(400, "choose suspend, resume or terminate")
    with live_unit(request, who) as ctx:
        governance_deployments.set_state(ctx, dep_id, STATE_CHANGES[change].value, reason)
    return _back(request, f"/live/deployments/{dep_id}")


def _back(request: Request, url: str) -> Response:
    if request.headers.get("HX-Request") == "true":
        return Response(status_code=204, headers={"HX-Redirect": url})
    return RedirectResponse(url, status_code=303)


# ------------------------------------------------------------------ metrics
METRICS_READERS = require_role(*report.METRICS_READERS)


@router.get("/live/deployments/{dep_id}/metrics", name="live.metrics")
def metrics_page(request: Request, dep_id: str, who: Principal = Depends(METRICS_READERS)):
    with live_unit(request, who) as ctx:
        m = report.read_live_metrics(ctx, dep_id)  # rostered or in its command team
        dep = _deployment(ctx.session, dep_id)
        charts = _charts(request, ctx.session, dep)
        return render(request, "lfr/metrics.html", dep=dep, m=m, charts=charts, partial=False)


@router.get("/live/deployments/{dep_id}/metrics/panel", name="live.metrics.panel")
def metrics_panel(request: Request, dep_id: str, who: Principal = Depends(METRICS_READERS)):
    with live_unit(request, who) as ctx:
        may(ctx, report.read_live_metrics, dep_id)  # the page's rule; its opening was audited
        m = report.live_metrics(ctx.session, dep_id)
        dep = _deployment(ctx.session, dep_id)
        charts = _charts(request, ctx.session, dep)
        return render(request, "lfr/metrics_panel.html", dep=dep, m=m, charts=charts)


def _charts(request: Request, session, dep: Deployment) -> dict:
    series = report.live_series(session, dep.id)
    return charts_for(series, request.app.state.policy)


# ------------------------------------------------------------------ handheld devices
ENROLLERS = require_role(*devices.ENROLLERS)


@router.get("/live/deployments/{dep_id}/devices", name="live.devices")
def devices_page(request: Request, dep_id: str, who: Principal = Depends(ENROLLERS)):
    return _devices(request, who, dep_id)


def _devices(request: Request, who: Principal, dep_id: str, token: str | None = None):
    with live_unit(request, who) as ctx:
        rows = devices.read_devices(ctx, dep_id)  # its Silver or a System Engineer rostered on it
        db = ctx.session
        dep = _deployment(db, dep_id)
        officers = [
            u
            for u in db.scalars(select(User).order_by(User.display_name))
            if u.has_role(Role.ENGAGEMENT_OFFICER) and not u.disabled
        ]
        return render(
            request, "lfr/devices.html", dep=dep, rows=rows, officers=officers, token=token
        )


@router.post("/live/deployments/{dep_id}/devices", name="live.devices.enrol")
def enrol_device(
    request: Request,
    dep_id: str,
    officer_id: str = Form(...),
    label: str = Form(...),
    who: Principal = Depends(ENROLLERS),
):
    with live_unit(request, who) as ctx:
        enrolled = devices.enrol(ctx, dep_id, officer_id, label)
    return _devices(request, who, dep_id, token=enrolled.token)  # shown once, never again


@router.post("/live/devices/{device_id}/revoke", name="live.devices.revoke")
def revoke_device(
    request: Request, device_id: str, reason: str = Form(""), who: Principal = Depends(ENROLLERS)
):
    with live_unit(request, who) as ctx:
        dep_id = devices.revoke(ctx, device_id, reason).deployment_id
    return _back(request, f"/live/deployments/{dep_id}/devices")


# ------------------------------------------------------------------ home panels
def _running(ctx) -> list[Deployment]:
    """Running Deployments this person is rostered on or commands (hardening item 2)."""
    from frt.lfr.access import may_act
    from frt.policy.vocabulary import CommandRole

    running = ctx.session.scalars(
        select(Deployment)
        .where(
            Deployment.state.in_((DeploymentState.ACTIVE.value, DeploymentState.SUSPENDED.value))
        )
        .order_by(Deployment.starts_at)
    )
    return [d for d in running if may_act(ctx, d.id, tuple(Duty), tuple(CommandRole))]


def _console_items(ctx, _who) -> list[PanelItem]:
    """Each running Deployment this person serves on, with the Alerts awaiting assessment."""
    from sqlalchemy import func

    from frt.lfr.models import OperatorLog
    from frt.web.timefmt import count, label

    items = []
    for d in _running(ctx):
        assessed = select(OperatorLog.alert_id)
        waiting = (
            ctx.session.scalar(
                select(func.count())
                .select_from(LiveAlert)
                .where(
                    LiveAlert.deployment_id == d.id,
                    LiveAlert.blue.is_(False),
                    LiveAlert.id.not_in(assessed),
                )
            )
            or 0
        )
        detail = (
            f"{count(waiting, 'Alert')} awaiting assessment"
            if waiting
            else "no Alert awaiting assessment"
        ) + f" · {label(d.state)}"
        items.append(
            PanelItem(
                f"Console: {d.location.locality if d.location else d.id}",
                f"/live/deployments/{d.id}",
                detail,
            )
        )
    return items


def _handheld_items(ctx, _who) -> list[PanelItem]:
    return [
        PanelItem(
            f"Alerts: {d.location.locality if d.location else d.id}",
            f"/live/handheld/{d.id}",
            timefmt_label(d.state),
        )
        for d in _running(ctx)
    ]


def _silver_items(ctx, who) -> list[PanelItem]:
    items = []
    for d in _running(ctx):
        for c in ctx.session.scalars(
            select(PerformanceConcern)
            .where(PerformanceConcern.deployment_id == d.id)
            .order_by(PerformanceConcern.raised_at.desc())
        ):
            items.append(
                PanelItem(
                    f"Performance concern: {c.note[:80]}",
                    f"/live/deployments/{d.id}",
                    f"raised {timefmt_local_time(c.raised_at, ctx.profile)} (000 §10.4)",
                )
            )
    items += _console_items(ctx, who)
    return items


def install(site: Site, _profile) -> None:
    """The live pages' navigation link and home panels (called once by `create_app`)."""
    site.add_nav("Live", "/live", LIVE_ROLES)
    site.add_panel(
        HomePanel(
            key="operator.alerts",
            role=Role.LFR_OPERATOR,
            title="Alerts to adjudicate",
            items=_console_items,
            empty="No Alerts are waiting. No Deployment you are rostered on is running.",
        )
    )
    site.add_panel(
        HomePanel(
            key="engagement.alerts",
            role=Role.ENGAGEMENT_OFFICER,
            title="Alerts to engage",
            items=_handheld_items,
            empty="No Alerts have been passed to you. No Deployment you are "
            "rostered on is running.",
        )
    )
    site.add_panel(
        HomePanel(
            key="silver.live",
            role=Role.SILVER,
            title="Live Deployments and performance concerns",
            items=_silver_items,
            order=90,
            empty="No Deployment is running; no concern has been flagged.",
        )
    )
