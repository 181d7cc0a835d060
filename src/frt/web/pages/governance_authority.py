"""LFR governance pages after the decision: the Authority and its Written Authority Document,
the command team, overt use, Deployments (state, roster, Silver reviews, Watchlist import), the
cancellation report, and loss or theft. Forms are read through the API's models
(`frt.web.schemas`); a refused form is shown again with every problem (`frt.web.forms`)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Annotated

from fastapi import APIRouter, Depends, File, Form, HTTPException, Request, UploadFile
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
from frt.governance.watchlist_models import Watchlist
from frt.people.models import User
from frt.people.roles import Role
from frt.policy import PolicyRefusal
from frt.web.auth import Principal, require_role
from frt.web.forms import INVALID, Problem, attempt
from frt.web.lfr_shared import (
    ANY,
    OVERT_RECORDERS,
    ROSTERERS,
    operating,
    people,
    refused,
)
from frt.web.limits import MULTIPART_MARGIN
from frt.web.pages.governance import CHOICES, back
from frt.web.schemas.base import aware
from frt.web.schemas.lfr_authorities import (
    AppointIn,
    FurtherPurposeForm,
    LossIn,
    OvertIn,
    ReportIn,
    UrgentReviewIn,
)
from frt.web.schemas.lfr_deployments import (
    IntervalIn,
    RosterIn,
    SilverReviewIn,
    StateIn,
    WatchlistImportIn,
)
from frt.web.templating import render
from frt.web.timefmt import zone_of
from frt.web.units import unit

router = APIRouter(include_in_schema=False)
AO = require_role(Role.AUTHORISING_OFFICER)
GOLD = require_role(Role.GOLD)
RUNNING = ("active", "suspended")


@router.get("/lfr/authorities/{auth_id}", name="lfr.authority")
def authority_page(auth_id: str, request: Request, who: Principal = Depends(ANY)):
    return authority_view(request, who, auth_id)


def authority_view(
    request: Request,
    who: Principal,
    auth_id: str,
    *,
    form: str = "",
    values: dict | None = None,
    problems: Sequence[Problem] = (),
    status: int = 200,
):
    with unit(request, who) as ctx:
        auth = decisions.read_authority(ctx, auth_id)  # the same rule as the API's
        team = [(a, ctx.session.get(User, a.user_id)) for a in command.team(ctx, auth.id)]
        report = reports.report_for(ctx.session, auth.id)
        further = list(ctx.session.scalars(select(Authority).where(Authority.parent_id == auth.id)))
        losses = list(
            ctx.session.scalars(select(LossReport).where(LossReport.authority_id == auth.id))
        )
        return render(
            request,
            "governance/authority.html",
            status,
            form=form,
            values=values or {},
            problems=list(problems),
            auth=auth,
            team=team,
            people=people(ctx),
            overt=command.overt_use(ctx, auth.id),
            report=report,
            metrics={
                k: reports.ReportMetrics.from_json(v)
                for k, v in (report.metrics if report else {}).items()
            },
            further=further,
            losses=losses,
            # Only those who may report a loss are offered the form (000 §13.5).
            may_report_loss=bool(who.roles & set(notices.LOSS_REPORTERS)),
            finished=deployments.series_finished_at(auth, ctx.now),
            **CHOICES,
        )


@router.get("/lfr/authorities/{auth_id}/document", name="lfr.authority.document")
def written_authority(auth_id: str, request: Request, who: Principal = Depends(ANY)):
    with unit(request, who) as ctx:
        html = read_written_authority(ctx, auth_id, stylesheet="/static/css/written-authority.css")
    return HTMLResponse(html)


def _tz(request: Request):
    return zone_of(request.app.state.policy)


def _again(request, who, auth_id: str, form: str, values: dict, done):
    return authority_view(
        request, who, auth_id, form=form, values=values, problems=done.problems, status=INVALID
    )


@router.post("/lfr/authorities/{auth_id}/urgent-review", name="lfr.authority.urgent_review")
def urgent_review(
    auth_id: str,
    request: Request,
    form: Annotated[UrgentReviewIn, Form()],
    who: Principal = Depends(AO),
):
    done = attempt(
        request,
        who,
        lambda ctx: decisions.review_urgent(
            ctx,
            auth_id,
            form.outcome,
            form.note,
            new_ends_at=aware(form.new_ends_at, _tz(request)),
            new_gold_id=form.new_gold_id or None,
        ),
    )
    if not done.ok:
        return _again(request, who, auth_id, "urgent", form.model_dump(), done)
    return back(f"/lfr/authorities/{auth_id}")


@router.post("/lfr/authorities/{auth_id}/written", name="lfr.authority.written")
def written_record(auth_id: str, request: Request, who: Principal = Depends(AO)):
    with unit(request, who) as ctx:
        decisions.record_written(ctx, auth_id)
    return back(f"/lfr/authorities/{auth_id}")


@router.post("/lfr/authorities/{auth_id}/further-purpose", name="lfr.authority.further")
def further_purpose(
    auth_id: str,
    request: Request,
    form: Annotated[FurtherPurposeForm, Form()],
    who: Principal = Depends(AO),
):
    reasons = {h: getattr(form, f"reason_{h}") for h in CHOICES["REASON_HEADINGS"]}
    done = attempt(
        request,
        who,
        lambda ctx: decisions.grant_further_purpose(ctx, auth_id, form.purpose, reasons),
    )
    if not done.ok:
        return _again(request, who, auth_id, "further", form.model_dump(), done)
    return back(f"/lfr/authorities/{auth_id}")


@router.post("/lfr/authorities/{auth_id}/appoint", name="lfr.authority.appoint")
def appoint(
    auth_id: str,
    request: Request,
    form: Annotated[AppointIn, Form()],
    who: Principal = Depends(GOLD),
):
    done = attempt(request, who, lambda ctx: command.appoint(ctx, auth_id, form.role, form.user_id))
    if not done.ok:
        return _again(request, who, auth_id, "appoint", form.model_dump(), done)
    return back(f"/lfr/authorities/{auth_id}#command")


@router.post("/lfr/authorities/{auth_id}/overt", name="lfr.authority.overt")
def overt(
    auth_id: str,
    request: Request,
    form: Annotated[OvertIn, Form()],
    who: Principal = Depends(OVERT_RECORDERS),
):
    done = attempt(
        request, who, lambda ctx: command.record_overt_use(ctx, auth_id, **form.model_dump())
    )
    if not done.ok:
        return _again(request, who, auth_id, "overt", form.model_dump(), done)
    return back(f"/lfr/authorities/{auth_id}#overt")


@router.post("/lfr/authorities/{auth_id}/loss", name="lfr.authority.loss")
def loss(
    auth_id: str,
    request: Request,
    form: Annotated[LossIn, Form()],
    who: Principal = Depends(require_role(*notices.LOSS_REPORTERS)),
):
    done = attempt(
        request,
        who,
        lambda ctx: notices.report_loss(
            ctx,
            auth_id,
            form.item,
            form.circumstances,
            aware(form.occurred_at, _tz(request)) or ctx.now,
            encrypted=form.encrypted,
        ),
    )
    if not done.ok:
        return _again(request, who, auth_id, "loss", form.model_dump(), done)
    return back(f"/lfr/authorities/{auth_id}#loss")


@router.post("/lfr/authorities/{auth_id}/report", name="lfr.report.prepare")
def report_prepare(auth_id: str, request: Request, who: Principal = Depends(GOLD)):
    done = attempt(request, who, lambda ctx: reports.prepare(ctx, auth_id))
    if not done.ok:
        return _again(request, who, auth_id, "report", {}, done)
    return back(f"/lfr/authorities/{auth_id}#report")


@router.post("/lfr/reports/{report_id}/evaluate", name="lfr.report.evaluate")
def report_evaluate(
    report_id: str,
    request: Request,
    form: Annotated[ReportIn, Form()],
    who: Principal = Depends(GOLD),
):
    def evaluate(ctx):
        report = reports.evaluate(
            ctx,
            report_id,
            evaluation=form.evaluation,
            safeguards=form.safeguards,
            learning=form.learning,
        )
        if form.submit:
            reports.submit(ctx, report_id)
        return report.authority_id

    done = attempt(request, who, evaluate)
    if not done.ok:
        with unit(request, who) as ctx:
            from frt.governance.watchlist_models import CancellationReport

            auth_id = ctx.get(CancellationReport, report_id).authority_id
        return _again(request, who, auth_id, "report", form.model_dump(), done)
    return back(f"/lfr/authorities/{done.value}#report")


# ------------------------------------------------------------------ Deployments
@router.get("/lfr/deployments/{dep_id}", name="lfr.deployment")
def deployment_page(dep_id: str, request: Request, who: Principal = Depends(ANY)):
    return deployment_view(request, who, dep_id)


def deployment_view(
    request: Request,
    who: Principal,
    dep_id: str,
    *,
    form: str = "",
    values: dict | None = None,
    problems: Sequence[Problem] = (),
    status: int = 200,
):
    with unit(request, who) as ctx:
        dep = deployments.read(ctx, dep_id)  # the same rule as the API's
        summary = watchlists.read_summary(ctx, dep.id)
        watchlist = ctx.session.get(Watchlist, summary["id"]) if summary else None
        roster = [(r, ctx.session.get(User, r.user_id)) for r in command.rostered(ctx, dep.id)]
        rosterable = (Role.LFR_OPERATOR, Role.ENGAGEMENT_OFFICER, Role.SYSTEM_ENGINEER)
        return render(
            request,
            "governance/deployment.html",
            status,
            form=form,
            values=values or {},
            problems=list(problems),
            dep=dep,
            auth=dep.authority,
            watchlist=watchlist,
            roster=roster,
            people=[p for p in people(ctx) if any(p.has_role(r) for r in rosterable)],
            stats=summary["composition"] if summary else watchlists.composition(ctx.session, None),
            warnings=summary["images"] if summary else [],
            # An ended Deployment has no next review (issue 12, item 10).
            next_review=command.next_review_at(ctx, dep) if dep.state in RUNNING else None,
            operating=operating(request, ctx.session, dep),
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


def _again_dep(request, who, dep_id: str, form: str, values: dict, done):
    return deployment_view(
        request, who, dep_id, form=form, values=values, problems=done.problems, status=INVALID
    )


@router.post("/lfr/deployments/{dep_id}/state", name="lfr.deployment.state")
def deployment_state(
    dep_id: str,
    request: Request,
    form: Annotated[StateIn, Form()],
    who: Principal = Depends(require_role(Role.GOLD, Role.SILVER)),
):
    done = attempt(
        request, who, lambda ctx: deployments.set_state(ctx, dep_id, form.state, form.reason)
    )
    if not done.ok:
        return _again_dep(request, who, dep_id, "state", form.model_dump(), done)
    return back(f"/lfr/deployments/{dep_id}")


@router.post("/lfr/deployments/{dep_id}/roster", name="lfr.deployment.roster")
def deployment_roster(
    dep_id: str,
    request: Request,
    form: Annotated[RosterIn, Form()],
    who: Principal = Depends(ROSTERERS),
):
    try:
        with unit(request, who) as ctx:
            command.roster(
                ctx, dep_id, form.user_id, form.duty, exception_id=form.exception_id or None
            )
    except PolicyRefusal as exc:  # GOV-16: say whether it may be set aside, and offer it
        return refused(request, who, Scope(ROSTER, dep_id, form.user_id, form.duty), exc.decision)
    return back(f"/lfr/deployments/{dep_id}#roster")


@router.post("/lfr/deployments/{dep_id}/interval", name="lfr.deployment.interval")
def deployment_interval(
    dep_id: str,
    request: Request,
    form: Annotated[IntervalIn, Form()],
    who: Principal = Depends(require_role(Role.SILVER)),
):
    done = attempt(request, who, lambda ctx: command.set_review_interval(ctx, dep_id, form.hours))
    if not done.ok:
        return _again_dep(request, who, dep_id, "interval", form.model_dump(), done)
    return back(f"/lfr/deployments/{dep_id}#reviews")


@router.post("/lfr/deployments/{dep_id}/review", name="lfr.deployment.review")
def deployment_review(
    dep_id: str,
    request: Request,
    form: Annotated[SilverReviewIn, Form()],
    who: Principal = Depends(require_role(Role.SILVER)),
):
    done = attempt(
        request, who, lambda ctx: command.record_review(ctx, dep_id, **form.model_dump())
    )
    if not done.ok:
        return _again_dep(request, who, dep_id, "review", form.model_dump(), done)
    return back(f"/lfr/deployments/{dep_id}#reviews")


@router.post(
    "/lfr/deployments/{dep_id}/watchlist",
    name="lfr.deployment.watchlist",
    max_body_size=MAX_BUNDLE_BYTES + MULTIPART_MARGIN,
)
async def deployment_watchlist(
    dep_id: str,
    request: Request,
    form: Annotated[WatchlistImportIn, Form()],
    bundle: UploadFile | None = File(None),
    key_file: UploadFile | None = File(None),
    who: Principal = Depends(
        require_role(Role.GOLD, Role.SILVER, Role.BRONZE, Role.SYSTEM_ENGINEER)
    ),
):
    if bundle is None or not bundle.filename:
        raise HTTPException(400, "choose the bundle file to import")
    data = await bundle.read()
    key = None
    if key_file is not None and key_file.filename:
        try:
            key = parse_key(await key_file.read(), source="the uploaded key file")
        except BundleError as exc:
            raise HTTPException(400, str(exc)) from None
    try:
        with unit(request, who) as ctx:
            watchlists.import_bundle(
                ctx,
                dep_id,
                data,
                key=key,
                intelligence_reconfirmed=form.intelligence_reconfirmed,
                exception_id=form.exception_id or None,
                replace=form.replace,
            )
    except PolicyRefusal as exc:  # GOV-16: say whether it may be set aside, and offer it
        return refused(request, who, Scope(WATCHLIST_IMPORT, dep_id), exc.decision)
    return back(f"/lfr/deployments/{dep_id}#watchlist")
