"""`/retention`: the DPO's (and Gold's) page of Alert data retention (DATA-01, DATA-03;
000 §13.2): every Alert whose camera face is still stored, when it will be deleted, the holds
that keep one longer, and forms to record or release a hold. Below, RFR's items (RFR-02, RFR-11;
003 §7.1): ended libraries, library images near their age/MOPI limit, and probes, with the DPO's
holds. The DPO's home panel lists any face
kept past its deadline without a hold — a breach the retention job should never leave."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Form, Request
from sqlalchemy import select
from starlette.responses import RedirectResponse

from frt.governance.models import Deployment
from frt.people.roles import Role
from frt.retention import alerts
from frt.retention.alerts import HoldGround
from frt.rfr import retention as rfr_retention
from frt.store.base import utcnow
from frt.web.api.retention import HOLDERS
from frt.web.auth import Principal, require_role, store_of
from frt.web.panels import HomePanel, PanelItem, PanelLink, Site
from frt.web.templating import render
from frt.web.units import run

router = APIRouter(include_in_schema=False)


@router.get("/retention", name="retention.page")
def page(request: Request, who: Principal = Depends(require_role(*HOLDERS))):
    profile = request.app.state.policy
    with store_of(request).session() as db:
        faces = alerts.kept_faces(db, profile)
        deployments = db.scalars(
            select(Deployment).where(Deployment.id.in_({f.deployment_id for f in faces}))
        )
        places = {d.id: (d.location.locality if d.location else "") for d in deployments}
        return render(
            request,
            "retention/alerts.html",
            faces=faces,
            places=places,
            period=profile.retention.alert_hours,
            grounds=list(HoldGround),
            labels={g.value: g.label for g in HoldGround},
            cite=alerts.HOLD_CITE,
            rfr=rfr_retention.kept(db, profile, utcnow()),
            rfr_kinds=rfr_retention.KINDS,
            rfr_cite=rfr_retention.HOLD_CITE,
            is_dpo=Role.DPO in who.roles,
        )


@router.post("/retention/alerts/{alert_id}/hold", name="retention.page.hold")
def hold(
    request: Request,
    alert_id: str,
    ground: str = Form(...),
    reason: str = Form(""),
    who: Principal = Depends(require_role(*HOLDERS)),
):
    run(request, who, lambda ctx: alerts.place_hold(ctx, alert_id, ground, reason))
    return RedirectResponse("/retention", status_code=303)


@router.post("/retention/holds/{hold_id}/release", name="retention.page.release")
def release(request: Request, hold_id: str, who: Principal = Depends(require_role(*HOLDERS))):
    run(request, who, lambda ctx: alerts.release_hold(ctx, hold_id))
    return RedirectResponse("/retention", status_code=303)


@router.post("/rfr/retention/{kind}/{object_id}/hold", name="retention.rfr.hold")
def rfr_hold(
    request: Request,
    kind: str,
    object_id: str,
    ground: str = Form(...),
    reason: str = Form(""),
    who: Principal = Depends(require_role(Role.DPO)),
):
    run(request, who, lambda ctx: rfr_retention.place_hold(ctx, kind, object_id, ground, reason))
    return RedirectResponse("/retention#rfr", status_code=303)


@router.post("/rfr/retention/holds/{hold_id}/release", name="retention.rfr.release")
def rfr_release(request: Request, hold_id: str, who: Principal = Depends(require_role(Role.DPO))):
    run(request, who, lambda ctx: rfr_retention.release_hold(ctx, hold_id))
    return RedirectResponse("/retention#rfr", status_code=303)


def install(site: Site, profile) -> None:
    """The retention page's link and the DPO's home panel (called once by `create_app`)."""

    def overdue(ctx, _who) -> list[PanelItem]:
        return [
            PanelItem(
                f"Alert {o.alert_id[:8]}: camera face kept past its deadline",
                "/retention",
                "000 §13.2",
            )
            for o in alerts.overdue_in(ctx.session, ctx.profile, ctx.now)
        ] + [
            PanelItem(
                f"RFR {rfr_retention.KINDS[k.kind]} {k.label}: kept past its deadline",
                "/retention#rfr",
                k.cite,
            )
            for k in rfr_retention.overdue_in(ctx.session, ctx.profile, ctx.now)
        ]

    site.add_nav("Retention", "/retention", HOLDERS)
    site.add_panel(
        HomePanel(
            key="dpo.alert_retention",
            role=Role.DPO,
            title="Alert data retention",
            empty=f"No camera face is kept past its {profile.retention.alert_hours.value:g}-hour "
            "period without a hold.",
            items=overdue,
            links=(PanelLink("Retention", "/retention"),),
            order=45,
        )
    )
