"""LFR governance pages (`/lfr/…`) and the public transparency page (`/public/`).

Every step of issue 4 is a form here that calls one `frt.governance` function inside
`gov_unit(request, who, action)`; a refusal reaches the user through the app's error handler
(reason and citation, audited), a wrong input as a 400 page with the message. Work lists go to
the home page as panels (`register_panels`).
"""

from __future__ import annotations

from datetime import UTC, datetime

from fastapi import APIRouter, Depends, HTTPException, Request
from sqlalchemy import select
from starlette.responses import JSONResponse, RedirectResponse, Response

from frt.core.context import Ctx
from frt.governance import applications, decisions, notices, transparency, worklists
from frt.governance.applications import MAX_DOCUMENT_BYTES, REQUIRED_FIELDS, latest_documents
from frt.governance.enums import DeploymentStyle, DocumentKind, Duty, LossItem, Sensitivity, UseCase
from frt.governance.models import Application, Authority
from frt.people.models import User
from frt.people.roles import LFR_ROLES as GOVERNANCE_ROLES
from frt.people.roles import Role
from frt.policy.decision_rules import REASON_HEADINGS
from frt.policy.vocabulary import Category, SubjectFlag
from frt.web.auth import Principal, require_role, store_of
from frt.web.limits import MULTIPART_MARGIN
from frt.web.panels import HomePanel, PanelItem, PanelLink, Site
from frt.web.templating import render
from frt.web.units import unit as gov_unit

router = APIRouter(include_in_schema=False)

COMMANDERS = (Role.GOLD, Role.SILVER, Role.BRONZE, Role.BRONZE_COMMUNITY)
ANY = require_role(*GOVERNANCE_ROLES)



def back(url: str) -> RedirectResponse:
    return RedirectResponse(url, status_code=303)


def when(value: str | None) -> datetime | None:
    """A datetime-local field, read as UTC (the forms say so)."""
    if not value:
        return None
    try:
        return datetime.fromisoformat(value).replace(tzinfo=UTC)
    except ValueError:
        raise HTTPException(400, f"'{value}' is not a date and time") from None


def _people(ctx: Ctx) -> list[User]:
    return list(
        ctx.session.scalars(
            select(User).where(User.disabled.is_(False)).order_by(User.display_name)
        )
    )


CHOICES = dict(
    UseCase=UseCase,
    DeploymentStyle=DeploymentStyle,
    Sensitivity=Sensitivity,
    DocumentKind=DocumentKind,
    Category=Category,
    SubjectFlag=SubjectFlag,
    Duty=Duty,
    LossItem=LossItem,
    REASON_HEADINGS=REASON_HEADINGS,
    Role=Role,
)


# ------------------------------------------------------------------ index and applications
@router.get("/lfr", name="lfr.index")
def index(request: Request, who: Principal = Depends(ANY)):
    with gov_unit(request, who) as ctx:
        apps = list(
            ctx.session.scalars(select(Application).order_by(Application.created_at.desc()))
        )
        auths = list(ctx.session.scalars(select(Authority).order_by(Authority.issued_at.desc())))
        items = worklists.for_user(ctx)
        return render(
            request,
            "governance/index.html",
            apps=apps,
            auths=auths,
            items=items,
            href=_href,
            **CHOICES,
        )


@router.post("/lfr/applications", name="lfr.application.create")
async def create_application(
    request: Request, who: Principal = Depends(require_role(Role.APPLICANT))
):
    form = await request.form()
    with gov_unit(request, who) as ctx:
        app = applications.create(ctx, str(form.get("title", "")).strip() or "Untitled")
        return back(f"/lfr/applications/{app.id}")


@router.get("/lfr/applications/{app_id}", name="lfr.application")
def application_page(app_id: str, request: Request, who: Principal = Depends(ANY)):
    with gov_unit(request, who) as ctx:
        app = ctx.get(Application, app_id)
        missing = applications.missing_items(ctx, app)
        consultation = decisions.latest_consultation(ctx, app)
        auth = ctx.session.scalar(
            select(Authority).where(
                Authority.application_id == app.id, Authority.parent_id.is_(None)
            )
        )
        golds = [u for u in _people(ctx) if u.has_role(Role.GOLD)]
        return render(
            request,
            "governance/application.html",
            app=app,
            missing=missing,
            consultation=consultation,
            authority=auth,
            golds=golds,
            latest=latest_documents(app),
            labels=REQUIRED_FIELDS,
            **CHOICES,
        )


@router.post("/lfr/applications/{app_id}/fields", name="lfr.application.fields")
async def application_fields(
    app_id: str, request: Request, who: Principal = Depends(require_role(Role.APPLICANT))
):
    form = await request.form()
    text = {
        k: str(form.get(k, "")).strip()
        for k in (
            "title",
            "legal_basis",
            "legitimate_aim",
            "dpa_schedule8_grounds",
            "necessity",
            "alternatives_considered",
            "awareness_measures",
            "watchlist_criteria",
            "proposed_composition",
            "resources",
            "urgency_grounds",
        )
    }
    fields = dict(
        text,
        use_case=form.get("use_case") or None,
        deployment_styles=form.getlist("deployment_styles"),
        camera_count=int(form.get("camera_count") or 0) or None,
        starts_at=when(form.get("starts_at")),
        ends_at=when(form.get("ends_at")),
        echr_articles=[8, *[int(a) for a in form.getlist("echr_articles")]],
        proposed_categories=form.getlist("proposed_categories"),
        proposed_flags=form.getlist("proposed_flags"),
        non_police_images_proposed=form.get("non_police_images_proposed") == "on",
        proposed_threshold=float(form.get("proposed_threshold") or 0) or None,
        urgent=form.get("urgent") == "on",
    )
    with gov_unit(request, who) as ctx:
        applications.update(ctx, app_id, **fields)
    return back(f"/lfr/applications/{app_id}")


@router.post("/lfr/applications/{app_id}/locations", name="lfr.application.location")
async def application_location(
    app_id: str, request: Request, who: Principal = Depends(require_role(Role.APPLICANT))
):
    form = await request.form()
    with gov_unit(request, who) as ctx:
        applications.add_location(
            ctx,
            app_id,
            name=str(form.get("name", "")),
            locality=str(form.get("locality", "")),
            reason=str(form.get("reason", "")),
            sensitivities=form.getlist("sensitivities"),
            mitigations=str(form.get("mitigations", "")),
        )
    return back(f"/lfr/applications/{app_id}#locations")


@router.post("/lfr/applications/{app_id}/documents", name="lfr.application.document",
              max_body_size=MAX_DOCUMENT_BYTES + MULTIPART_MARGIN)
async def application_document(
    app_id: str, request: Request, who: Principal = Depends(require_role(Role.APPLICANT))
):
    form = await request.form()
    upload = form.get("file")
    data = await upload.read() if getattr(upload, "filename", "") else None
    text = str(form.get("text", "")) if data is None else None
    with gov_unit(request, who) as ctx:
        applications.attach_document(
            ctx,
            app_id,
            str(form.get("kind", "")),
            title=str(form.get("title", "")) or "Document",
            text=text,
            data=data,
            filename=getattr(upload, "filename", None) if data else None,
            content_type=getattr(upload, "content_type", None) if data else None,
        )
    return back(f"/lfr/applications/{app_id}#documents")


@router.post("/lfr/applications/{app_id}/submit", name="lfr.application.submit")
def application_submit(
    app_id: str, request: Request, who: Principal = Depends(require_role(Role.APPLICANT))
):
    with gov_unit(request, who) as ctx:
        applications.submit(ctx, app_id)
    return back(f"/lfr/applications/{app_id}")


@router.get("/lfr/documents/{doc_id}", name="lfr.document")
def document(
    doc_id: str,
    request: Request,
    who: Principal = Depends(require_role(*applications.DOCUMENT_READERS)),
):
    with gov_unit(request, who) as ctx:
        doc = ctx.get(applications.Document, doc_id)
        body = applications.read_document(ctx, doc_id)
        kind = doc.content_type if doc.filename else "text/plain; charset=utf-8"
        return Response(
            body,
            media_type=kind,
            headers={"Content-Disposition": f'attachment; filename="{doc.kind}-v{doc.version}"'},
        )


@router.post("/lfr/documents/{doc_id}/review", name="lfr.document.review")
async def document_review(
    doc_id: str,
    request: Request,
    who: Principal = Depends(require_role(Role.AUTHORISING_OFFICER, Role.DPO)),
):
    form = await request.form()
    with gov_unit(request, who) as ctx:
        doc = applications.review_document(
            ctx, doc_id, str(form.get("status", "reviewed")), str(form.get("note", ""))
        )
        return back(f"/lfr/applications/{doc.application_id}#documents")


@router.post("/lfr/applications/{app_id}/consult", name="lfr.application.consult")
async def application_consult(
    app_id: str, request: Request, who: Principal = Depends(require_role(Role.NPCC_OFFICER))
):
    form = await request.form()
    with gov_unit(request, who) as ctx:
        decisions.consult(ctx, app_id, str(form.get("outcome", "")), str(form.get("notes", "")))
    return back(f"/lfr/applications/{app_id}")


@router.post("/lfr/applications/{app_id}/decide", name="lfr.application.decide")
async def application_decide(
    app_id: str, request: Request, who: Principal = Depends(require_role(Role.AUTHORISING_OFFICER))
):
    form = await request.form()
    outcome = str(form.get("outcome", ""))
    reasons = {h: str(form.get(f"reason_{h}", "")) for h in REASON_HEADINGS}
    with gov_unit(request, who) as ctx:
        terms = None
        if outcome == "authorise":
            app = ctx.get(Application, app_id)
            terms = decisions.Terms(
                starts_at=when(form.get("starts_at")) or app.starts_at,
                ends_at=when(form.get("ends_at")) or app.ends_at,
                place_ids=form.getlist("place_ids"),
                categories=form.getlist("categories"),
                min_threshold=float(form.get("min_threshold") or 0),
                gold_id=str(form.get("gold_id", "")),
                protected_inclusions=form.getlist("protected_inclusions"),
                non_police_allowed=form.get("non_police_allowed") == "on",
                non_police_layers=form.getlist("non_police_layers"),
                conditions=str(form.get("conditions", "")),
            )
        result = decisions.decide(
            ctx,
            app_id,
            outcome,
            reasons,
            terms=terms,
            urgent=form.get("urgent") == "on",
            verbal=form.get("verbal") == "on",
        )
        if isinstance(result, Authority):
            return back(f"/lfr/authorities/{result.id}")
    return back(f"/lfr/applications/{app_id}")


# ------------------------------------------------------------------ register and public data
@router.get("/lfr/register", name="lfr.register")
def register_page(
    request: Request,
    who: Principal = Depends(require_role(*transparency.REGISTER_READERS)),
):
    with gov_unit(request, who) as ctx:
        return render(request, "governance/register.html", rows=transparency.read_register(ctx))


def public_transparency(request: Request, format: str | None = None) -> Response:
    """GOV-14 (004 §9.6–9.7): the published figures, as a page, JSON or CSV. No login."""
    with store_of(request).session() as db:
        if format == "json":
            return JSONResponse(transparency.public_json(db))
        if format == "csv":
            return Response(
                transparency.public_csv(db),
                media_type="text/csv",
                headers={"Content-Disposition": 'attachment; filename="lfr-deployments.csv"'},
            )
        rows = transparency.public_deployments(db)
    return render(
        request,
        "governance/public.html",
        rows=rows,
        contact=request.app.state.policy.governance.contact_point.value,
    )


# ------------------------------------------------------------------ home-page work lists
def _panel(*kinds: str):
    def items(ctx, who) -> list[PanelItem]:
        found = []
        for item in worklists.for_user(ctx):
            if item.kind in kinds:
                found.append(
                    PanelItem(
                        item.title,
                        _href(item),
                        ("OVERDUE · " if item.overdue else "") + item.citation,
                    )
                )
        return found

    return items


def _href(item: worklists.WorkItem) -> str | None:
    return {
        "lfr_application": f"/lfr/applications/{item.object_id}",
        "lfr_authority": f"/lfr/authorities/{item.object_id}",
        "lfr_deployment": f"/lfr/deployments/{item.object_id}",
        "gov_policy_exception": f"/lfr/exceptions/{item.object_id}",
        "lfr_loss_report": "/lfr",
    }.get(item.object_type, "/lfr")


def install(site: Site, _profile) -> None:
    """The governance pages' links and work lists (called once by `create_app`)."""
    site.add_nav("LFR deployments", "/lfr", GOVERNANCE_ROLES)
    site.add_nav("Register", "/lfr/register", transparency.REGISTER_READERS)
    note = ("notification",)
    for key, role, title, empty, kinds in [
        (
            "applicant.applications",
            Role.APPLICANT,
            "Your LFR applications",
            "You have no LFR applications in progress.",
            ("application_draft", "amendments_required"),
        ),
        (
            "ao.applications",
            Role.AUTHORISING_OFFICER,
            "LFR applications to decide",
            "No applications are waiting for your decision.",
            ("application_to_decide", "superintendent_review_due", "written_record_due") + note,
        ),
        (
            "npcc.consultations",
            Role.NPCC_OFFICER,
            "Consultations requested",
            "No Authorising Officer has asked to consult you.",
            ("consultation",),
        ),
        (
            "gold.deployments",
            Role.GOLD,
            "Deployments you command (Gold)",
            "No Deployments are assigned to you.",
            ("appoint_command_team", "report_due", "report_overdue") + note,
        ),
        (
            "silver.deployments",
            Role.SILVER,
            "Deployments you command (Silver)",
            "No Deployments are assigned to you, and no reviews are due.",
            ("silver_review_due",),
        ),
        (
            "sro.reviews",
            Role.SRO,
            "Reviews and reports due",
            "No reviews or reports are due.",
            ("outside_policy",) + note,
        ),
        (
            "dpo.retention",
            Role.DPO,
            "Data protection notices",
            "No data-protection notices are waiting.",
            note,
        ),
    ]:
        links = (PanelLink("LFR deployments", "/lfr"),)
        if role == Role.SRO:
            links += (PanelLink("Decisions outside policy", "/lfr/exceptions"),)
        if role in (Role.SRO, Role.DPO):
            links += (PanelLink("Audit log", "/audit"),)
        site.add_panel(
            HomePanel(
                key=key,
                role=role,
                title=title,
                empty=empty,
                items=_panel(*kinds),
                links=links,
                order=50,
            )
        )


@router.post("/lfr/notifications/{note_id}/ack", name="lfr.notification.ack")
def acknowledge(note_id: str, request: Request, who: Principal = Depends(ANY)):
    with gov_unit(request, who) as ctx:
        notices.acknowledge(ctx, note_id)
    return back("/lfr")
