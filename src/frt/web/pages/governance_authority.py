"""LFR governance pages after the decision: the Authority and its Written Authority Document,
the command team, overt use, Deployments (state, roster, Silver reviews, Watchlist import), the
cancellation report, loss or theft, and decisions outside policy."""

from __future__ import annotations

from fastapi import APIRouter, Depends, HTTPException, Request
from sqlalchemy import select
from starlette.responses import HTMLResponse

from frt.governance import (
    command,
    decisions,
    deployments,
    notices,
    outside_policy,
    reports,
    watchlists,
)
from frt.governance.authority_document import read_written_authority
from frt.governance.bundle import MAX_BUNDLE_BYTES, BundleError, parse_key
from frt.governance.models import Authority, Deployment
from frt.governance.outside_policy import ROSTER, WATCHLIST_IMPORT, Scope
from frt.governance.oversight_models import LossReport
from frt.people.models import User
from frt.people.roles import Role
from frt.policy import PolicyRefusal
from frt.web.auth import Principal, require_role
from frt.web.limits import MULTIPART_MARGIN
from frt.web.pages.governance import ANY, CHOICES, back, gov_unit, when
from frt.web.pages.governance_exceptions import refused
from frt.web.templating import render

router = APIRouter(include_in_schema=False)

COMMAND = require_role(Role.GOLD, Role.SILVER, Role.BRONZE, Role.BRONZE_COMMUNITY)


def _people(ctx) -> list[User]:
    return list(
        ctx.session.scalars(
            select(User).where(User.disabled.is_(False)).order_by(User.display_name)
        )
    )


@router.get("/lfr/authorities/{auth_id}", name="lfr.authority")
def authority_page(auth_id: str, request: Request, who: Principal = Depends(ANY)):
    with gov_unit(request, who) as ctx:
        auth = ctx.get(Authority, auth_id)
        team = [(a, ctx.session.get(User, a.user_id)) for a in command.team(ctx, auth.id)]
        report = reports.report_for(ctx.session, auth.id)
        further = list(ctx.session.scalars(select(Authority).where(Authority.parent_id == auth.id)))
        losses = list(
            ctx.session.scalars(select(LossReport).where(LossReport.authority_id == auth.id))
        )
        return render(
            request,
            "governance/authority.html",
            auth=auth,
            team=team,
            people=_people(ctx),
            overt=command.overt_use(ctx, auth.id),
            report=report,
            metrics={
                k: reports.ReportMetrics.from_json(v)
                for k, v in (report.metrics if report else {}).items()
            },
            further=further,
            losses=losses,
            finished=deployments.series_finished_at(auth, ctx.now),
            **CHOICES,
        )


@router.get("/lfr/authorities/{auth_id}/document", name="lfr.authority.document")
def written_authority(auth_id: str, request: Request, who: Principal = Depends(ANY)):
    with gov_unit(request, who) as ctx:
        html = read_written_authority(ctx, auth_id, stylesheet="/static/css/written-authority.css")
    return HTMLResponse(html)


@router.post("/lfr/authorities/{auth_id}/urgent-review", name="lfr.authority.urgent_review")
async def urgent_review(
    auth_id: str, request: Request, who: Principal = Depends(require_role(Role.AUTHORISING_OFFICER))
):
    form = await request.form()
    with gov_unit(request, who) as ctx:
        decisions.review_urgent(
            ctx,
            auth_id,
            str(form.get("outcome", "")),
            str(form.get("note", "")),
            new_ends_at=when(form.get("ends_at")),
            new_gold_id=form.get("gold_id") or None,
        )
    return back(f"/lfr/authorities/{auth_id}")


@router.post("/lfr/authorities/{auth_id}/written", name="lfr.authority.written")
def written_record(
    auth_id: str, request: Request, who: Principal = Depends(require_role(Role.AUTHORISING_OFFICER))
):
    with gov_unit(request, who) as ctx:
        decisions.record_written(ctx, auth_id)
    return back(f"/lfr/authorities/{auth_id}")


@router.post("/lfr/authorities/{auth_id}/further-purpose", name="lfr.authority.further")
async def further_purpose(
    auth_id: str, request: Request, who: Principal = Depends(require_role(Role.AUTHORISING_OFFICER))
):
    form = await request.form()
    reasons = {h: str(form.get(f"reason_{h}", "")) for h in CHOICES["REASON_HEADINGS"]}
    with gov_unit(request, who) as ctx:
        decisions.grant_further_purpose(ctx, auth_id, str(form.get("purpose", "")), reasons)
    return back(f"/lfr/authorities/{auth_id}")


@router.post("/lfr/authorities/{auth_id}/appoint", name="lfr.authority.appoint")
async def appoint(
    auth_id: str, request: Request, who: Principal = Depends(require_role(Role.GOLD))
):
    form = await request.form()
    with gov_unit(request, who) as ctx:
        command.appoint(ctx, auth_id, str(form.get("role", "")), str(form.get("user_id", "")))
    return back(f"/lfr/authorities/{auth_id}#command")


@router.post("/lfr/authorities/{auth_id}/overt", name="lfr.authority.overt")
async def overt(auth_id: str, request: Request, who: Principal = Depends(COMMAND)):
    form = await request.form()
    with gov_unit(request, who) as ctx:
        command.record_overt_use(
            ctx,
            auth_id,
            notice_published=form.get("notice_published") == "on",
            notice_channels=str(form.get("notice_channels", "")),
            exception_reasons=str(form.get("exception_reasons", "")),
            signage=form.get("signage") == "on",
            leaflets=form.get("leaflets") == "on",
            notes=str(form.get("notes", "")),
            contact_point=str(form.get("contact_point", "")),
        )
    return back(f"/lfr/authorities/{auth_id}#overt")


@router.post("/lfr/authorities/{auth_id}/loss", name="lfr.authority.loss")
async def loss(
    auth_id: str,
    request: Request,
    who: Principal = Depends(require_role(*notices.LOSS_REPORTERS)),
):
    form = await request.form()
    with gov_unit(request, who) as ctx:
        notices.report_loss(
            ctx,
            auth_id,
            str(form.get("item", "")),
            str(form.get("circumstances", "")),
            when(form.get("occurred_at")) or ctx.now,
            encrypted=form.get("encrypted") == "on",
        )
    return back(f"/lfr/authorities/{auth_id}#loss")


@router.post("/lfr/authorities/{auth_id}/report", name="lfr.report.prepare")
def report_prepare(
    auth_id: str, request: Request, who: Principal = Depends(require_role(Role.GOLD))
):
    with gov_unit(request, who) as ctx:
        reports.prepare(ctx, auth_id)
    return back(f"/lfr/authorities/{auth_id}#report")


@router.post("/lfr/reports/{report_id}/evaluate", name="lfr.report.evaluate")
async def report_evaluate(
    report_id: str, request: Request, who: Principal = Depends(require_role(Role.GOLD))
):
    form = await request.form()
    with gov_unit(request, who) as ctx:
        report = reports.evaluate(
            ctx,
            report_id,
            evaluation=str(form.get("evaluation", "")),
            safeguards=str(form.get("safeguards", "")),
            learning=str(form.get("learning", "")),
        )
        if form.get("submit") == "yes":
            reports.submit(ctx, report_id)
        return back(f"/lfr/authorities/{report.authority_id}#report")


# ------------------------------------------------------------------ Deployments
@router.get("/lfr/deployments/{dep_id}", name="lfr.deployment")
def deployment_page(dep_id: str, request: Request, who: Principal = Depends(ANY)):
    with gov_unit(request, who) as ctx:
        dep = ctx.get(Deployment, dep_id)
        watchlist = watchlists.watchlist_for(ctx.session, dep.id)
        roster = [(r, ctx.session.get(User, r.user_id)) for r in command.rostered(ctx, dep.id)]
        return render(
            request,
            "governance/deployment.html",
            dep=dep,
            auth=dep.authority,
            watchlist=watchlist,
            roster=roster,
            people=[
                p
                for p in _people(ctx)
                if any(
                    p.has_role(r)
                    for r in (Role.LFR_OPERATOR, Role.ENGAGEMENT_OFFICER, Role.SYSTEM_ENGINEER)
                )
            ],
            stats=watchlists.composition(ctx.session, watchlist.id if watchlist else None),
            warnings=watchlists.image_warnings(ctx.session, watchlist.id) if watchlist else [],
            next_review=command.next_review_at(ctx, dep),
            pending=outside_policy.pending_for(ctx, dep.id),
            raisers=_threshold_raisers(ctx, dep),
            max_mb=MAX_BUNDLE_BYTES // (1024 * 1024),
            **CHOICES,
        )


def _threshold_raisers(ctx, dep: Deployment) -> bool:
    """WL-09: is the signed-in user rostered as this Deployment's Operator or System Engineer?"""
    return any(
        r.user_id == ctx.user.id and r.duty in ("lfr_operator", "system_engineer")
        for r in command.rostered(ctx, dep.id)
    )


@router.post("/lfr/deployments/{dep_id}/state", name="lfr.deployment.state")
async def deployment_state(
    dep_id: str, request: Request, who: Principal = Depends(require_role(Role.GOLD, Role.SILVER))
):
    form = await request.form()
    with gov_unit(request, who) as ctx:
        deployments.set_state(ctx, dep_id, str(form.get("state", "")), str(form.get("reason", "")))
    return back(f"/lfr/deployments/{dep_id}")


@router.post("/lfr/deployments/{dep_id}/roster", name="lfr.deployment.roster")
async def deployment_roster(dep_id: str, request: Request, who: Principal = Depends(COMMAND)):
    form = await request.form()
    user_id, duty = str(form.get("user_id", "")), str(form.get("duty", ""))
    try:
        with gov_unit(request, who) as ctx:
            command.roster(
                ctx, dep_id, user_id, duty, exception_id=form.get("exception_id") or None
            )
    except PolicyRefusal as exc:  # GOV-16: say whether it may be set aside, and offer it
        return refused(request, who, Scope(ROSTER, dep_id, user_id, duty), exc.decision)
    return back(f"/lfr/deployments/{dep_id}#roster")


@router.post("/lfr/deployments/{dep_id}/interval", name="lfr.deployment.interval")
async def deployment_interval(
    dep_id: str, request: Request, who: Principal = Depends(require_role(Role.SILVER))
):
    form = await request.form()
    with gov_unit(request, who) as ctx:
        command.set_review_interval(ctx, dep_id, float(form.get("hours") or 0))
    return back(f"/lfr/deployments/{dep_id}#reviews")


@router.post("/lfr/deployments/{dep_id}/review", name="lfr.deployment.review")
async def deployment_review(
    dep_id: str, request: Request, who: Principal = Depends(require_role(Role.SILVER))
):
    form = await request.form()
    fields = {
        k: str(form.get(k, ""))
        for k in ("lawfulness", "necessity", "proportionality", "system_performance", "engagements")
    }
    with gov_unit(request, who) as ctx:
        command.record_review(ctx, dep_id, outcome=str(form.get("outcome", "continue")), **fields)
    return back(f"/lfr/deployments/{dep_id}#reviews")


@router.post("/lfr/deployments/{dep_id}/watchlist", name="lfr.deployment.watchlist",
              max_body_size=MAX_BUNDLE_BYTES + MULTIPART_MARGIN)
async def deployment_watchlist(
    dep_id: str,
    request: Request,
    who: Principal = Depends(
        require_role(Role.GOLD, Role.SILVER, Role.BRONZE, Role.SYSTEM_ENGINEER)
    ),
):
    form = await request.form()
    upload, key_upload = form.get("bundle"), form.get("key_file")
    if not getattr(upload, "filename", ""):
        raise HTTPException(400, "choose the bundle file to import")
    data = await upload.read()
    key = None
    if getattr(key_upload, "filename", ""):
        try:
            key = parse_key(await key_upload.read(), source="the uploaded key file")
        except BundleError as exc:
            raise HTTPException(400, str(exc)) from None
    try:
        with gov_unit(request, who) as ctx:
            watchlists.import_bundle(
                ctx,
                dep_id,
                data,
                key=key,
                intelligence_reconfirmed=form.get("reconfirmed") == "on",
                exception_id=form.get("exception_id") or None,
                replace=form.get("replace") == "on",
            )
    except PolicyRefusal as exc:  # GOV-16: say whether it may be set aside, and offer it
        return refused(request, who, Scope(WATCHLIST_IMPORT, dep_id), exc.decision)
    return back(f"/lfr/deployments/{dep_id}#watchlist")
