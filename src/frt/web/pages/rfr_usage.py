"""`/rfr/usage`: RFR usage and performance (RFR-12; 003 §9.1) — live (all searches) or for the
last day or month, with SVG charts drawn on the server (no script, no CDN), CSV and JSON
exports, and the scheduled reports to named administrators. `/inbox`: a user's delivered
reports. Counts only: no personal data is shown or exported here."""

from __future__ import annotations

from datetime import timedelta

from fastapi import APIRouter, Depends, Request
from starlette.responses import JSONResponse, Response

from frt.core.errors import NotFound
from frt.people.inbox import InboxMessage, messages_of
from frt.people.models import User
from frt.people.roles import Role
from frt.rfr import usage
from frt.store.base import utcnow
from frt.web.auth import Principal, require_role, store_of
from frt.web.pages.rfr import act_async, back
from frt.web.panels import Site
from frt.web.templating import render

router = APIRouter(include_in_schema=False)
VIEWERS = (Role.ADMINISTRATOR, Role.FR_OPERATIONAL_LEAD, Role.SRO, Role.FR_TEAM)
PERIODS = {"all": None, "month": timedelta(days=31), "day": timedelta(days=1)}
CHARTS = (
    ("by_outcome", "Searches by outcome"),
    ("by_purpose", "Searches by purpose (§8.2)"),
    ("by_ground", "Searches by ground (§8.3)"),
    ("by_level", "Searches by Probe Image Level (Annex A)"),
    ("by_library", "Searches listing each library"),
    ("approvals", "Approvals and refusals by safeguard"),
    ("outside_policy", "Decisions outside policy (003 §12.3)"),
    ("per_month", "Searches per month"),
)


def _labelled(counts: dict[str, int]) -> dict[str, int]:
    """The chart's labels in the policy's words (the exports keep the keys)."""
    from frt.rfr.enums import _LABELS

    return {_LABELS.get(k, k.replace("_", " ")): v for k, v in counts.items()}


def _figures(request: Request, period: str) -> usage.Figures:
    if period not in PERIODS:
        raise NotFound(f"no period '{period}' (all, month or day)")
    now, span = utcnow(), PERIODS[period]
    since = now - span if span else None
    with store_of(request).session() as s:
        return usage.figures(s, now, since)


@router.get("/rfr/usage", name="rfr.usage")
def page(request: Request, period: str = "all", who: Principal = Depends(require_role(*VIEWERS))):
    figs = _figures(request, period)
    with store_of(request).session() as s:
        admins = [
            u
            for u in s.query(User).order_by(User.display_name)
            if u.has_role(*usage.RECIPIENT_ROLES) and not u.disabled
        ]
        plans = usage.schedules(s)
        names = {u.id: u.display_name for u in admins}
    charts = [(key, title, usage.bars(_labelled(getattr(figs, key)))) for key, title in CHARTS]
    return render(
        request,
        "rfr/usage.html",
        f=figs,
        period=period,
        charts=charts,
        admins=admins,
        plans=plans,
        names=names,
        may_schedule=bool(set(usage.RECIPIENT_ROLES) & who.roles),
        frequencies=usage.FREQUENCIES,
    )


@router.get("/rfr/usage.csv", name="rfr.usage.csv")
def export_csv(
    request: Request, period: str = "all", who: Principal = Depends(require_role(*VIEWERS))
):
    figs = _figures(request, period)
    return Response(
        figs.csv(),
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="rfr-usage-{period}.csv"'},
    )


@router.get("/rfr/usage.json", name="rfr.usage.json")
def export_json(
    request: Request, period: str = "all", who: Principal = Depends(require_role(*VIEWERS))
):
    return JSONResponse(_figures(request, period).as_json())


@router.post("/rfr/usage/schedules", name="rfr.usage.schedule")
async def add_schedule(
    request: Request, who: Principal = Depends(require_role(*usage.RECIPIENT_ROLES))
):
    form = await request.form()
    ids = [str(v) for v in form.getlist("recipient_ids")]
    emails = {i: str(form.get(f"email_{i}", "")) for i in ids}
    await act_async(
        request,
        who,
        usage.schedule,
        str(form.get("name", "")),
        str(form.get("frequency", "")),
        ids,
        emails,
    )
    return back("/rfr/usage#schedules")


@router.post("/rfr/usage/schedules/{schedule_id}/cancel", name="rfr.usage.cancel")
async def cancel_schedule(
    request: Request,
    schedule_id: str,
    who: Principal = Depends(require_role(*usage.RECIPIENT_ROLES)),
):
    await act_async(request, who, usage.cancel, schedule_id)
    return back("/rfr/usage#schedules")


@router.get("/inbox", name="inbox")
def inbox(request: Request, who: Principal = Depends(require_role(*usage.RECIPIENT_ROLES))):
    with store_of(request).session() as s:
        messages = messages_of(s, who.user.id)
    return render(request, "rfr/inbox.html", messages=messages)


@router.get("/rfr/inbox/{message_id}/attachment", name="inbox.attachment")
def attachment(
    request: Request,
    message_id: str,
    who: Principal = Depends(require_role(*usage.RECIPIENT_ROLES)),
):
    with store_of(request).session() as s:
        message = s.get(InboxMessage, message_id)
        if message is None or message.user_id != who.user.id or message.attachment is None:
            raise NotFound("no such attachment in your inbox")
        return Response(
            message.attachment,
            media_type=message.attachment_type or "application/octet-stream",
            headers={"Content-Disposition": f'attachment; filename="{message.attachment_name}"'},
        )


def install(site: Site, _profile) -> None:
    """The usage page's and the inbox's links (called once by `create_app`)."""
    site.add_nav("RFR usage", "/rfr/usage", VIEWERS)
    site.add_nav("Inbox", "/inbox", usage.RECIPIENT_ROLES)
