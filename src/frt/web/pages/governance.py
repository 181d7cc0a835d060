"""LFR governance pages (`/lfr/…`): the index, Applications from draft to decision, the register.

Every step is a form here that calls one `frt.governance` action in a unit of work. Each form is
read through the same model the JSON API reads (`frt.web.schemas`, `Annotated[Model, Form()]`).
A form that is refused or has wrong input is shown again with what was typed and every problem
at once (422; `frt.web.forms`); the refusal is in the audit log with its rule. Work lists go to
the home page as panels (`frt.web.pages.governance_panels`).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Annotated, Any

from fastapi import APIRouter, Depends, File, Form, Request, UploadFile
from sqlalchemy import select
from starlette.responses import RedirectResponse, Response

from frt.governance import access, applications, decisions, notices, transparency, worklists
from frt.governance.applications import MAX_DOCUMENT_BYTES, REQUIRED_FIELDS, latest_documents
from frt.governance.enums import DeploymentStyle, DocumentKind, Duty, LossItem, Sensitivity, UseCase
from frt.governance.models import Application, Authority
from frt.people.roles import Role
from frt.policy.decision_rules import REASON_HEADINGS
from frt.policy.vocabulary import Category, SubjectFlag
from frt.web.auth import Principal, require_role
from frt.web.forms import INVALID, Problem, attempt
from frt.web.lfr_shared import ANY, people
from frt.web.limits import MULTIPART_MARGIN
from frt.web.schemas.base import aware
from frt.web.schemas.lfr_applications import (
    ApplicationIn,
    ConsultIn,
    DecisionForm,
    DocumentIn,
    LocationIn,
    ReviewIn,
    domain_terms,
    form_reasons,
    form_terms,
)
from frt.web.templating import render
from frt.web.timefmt import zone_of
from frt.web.units import unit

router = APIRouter(include_in_schema=False)
APPLICANT = require_role(Role.APPLICANT)

CHOICES: dict[str, Any] = dict(
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


def back(url: str) -> RedirectResponse:
    return RedirectResponse(url, status_code=303)


def href(item: worklists.WorkItem) -> str:
    """Where a work item is dealt with."""
    return {
        "lfr_application": f"/lfr/applications/{item.object_id}",
        "lfr_authority": f"/lfr/authorities/{item.object_id}",
        "lfr_deployment": f"/lfr/deployments/{item.object_id}",
        "gov_policy_exception": f"/lfr/exceptions/{item.object_id}",
        "lfr_cancellation_report": f"/lfr/reports/{item.object_id}",
        "lfr_loss_report": "/lfr",
    }.get(item.object_type, "/lfr")


# ------------------------------------------------------------------ index and applications
@router.get("/lfr", name="lfr.index")
def index(request: Request, who: Principal = Depends(ANY)):
    with unit(request, who) as ctx:
        # Only what this person may open: the same rules as the pages the rows link to.
        apps = [
            a
            for a in ctx.session.scalars(
                select(Application).order_by(Application.created_at.desc())
            )
            if access.may_read_application(ctx, a)
        ]
        auths = [
            a
            for a in ctx.session.scalars(select(Authority).order_by(Authority.issued_at.desc()))
            if access.may_read_authority(ctx, a)
        ]
        return render(
            request,
            "governance/index.html",
            apps=apps,
            auths=auths,
            items=worklists.for_user(ctx),
            href=href,
            **CHOICES,
        )


@router.post("/lfr/applications", name="lfr.application.create")
def create_application(
    request: Request, form: Annotated[ApplicationIn, Form()], who: Principal = Depends(APPLICANT)
):
    with unit(request, who) as ctx:
        app = applications.create(ctx, (form.title or "").strip() or "Untitled")
        return back(f"/lfr/applications/{app.id}")


@router.get("/lfr/applications/{app_id}", name="lfr.application")
def application_page(app_id: str, request: Request, who: Principal = Depends(ANY)):
    return application_view(request, who, app_id)


def application_view(
    request: Request,
    who: Principal,
    app_id: str,
    *,
    form: str = "",
    values: dict | None = None,
    problems: Sequence[Problem] = (),
    status: int = 200,
):
    """The Application's page; after a refused or wrong form, that form again (`form`) with
    what was typed (`values`) and every problem, answered `status`."""
    with unit(request, who) as ctx:
        app = applications.read(ctx, app_id)  # its applicant, deciders, oversight, command team
        auth = ctx.session.scalar(
            select(Authority).where(
                Authority.application_id == app.id, Authority.parent_id.is_(None)
            )
        )
        return render(
            request,
            "governance/application.html",
            status,
            app=app,
            missing=applications.missing_items(ctx, app),
            consultation=decisions.latest_consultation(ctx, app),
            authority=auth,
            golds=[u for u in people(ctx) if u.has_role(Role.GOLD)],
            latest=latest_documents(app),
            labels=REQUIRED_FIELDS,
            form=form,
            values=values or {},
            problems=list(problems),
            **CHOICES,
        )


def _again(request, who, app_id: str, form: str, values: dict, outcome):
    return application_view(
        request, who, app_id, form=form, values=values, problems=outcome.problems, status=INVALID
    )


@router.post("/lfr/applications/{app_id}/fields", name="lfr.application.fields")
def application_fields(
    app_id: str,
    request: Request,
    form: Annotated[ApplicationIn, Form()],
    who: Principal = Depends(APPLICANT),
):
    fields = form.as_form()
    tz = zone_of(request.app.state.policy)
    fields["starts_at"], fields["ends_at"] = aware(form.starts_at, tz), aware(form.ends_at, tz)
    done = attempt(request, who, lambda ctx: applications.update(ctx, app_id, **fields))
    if not done.ok:
        return _again(request, who, app_id, "fields", form.model_dump(), done)
    return back(f"/lfr/applications/{app_id}")


@router.post("/lfr/applications/{app_id}/locations", name="lfr.application.location")
def application_location(
    app_id: str,
    request: Request,
    form: Annotated[LocationIn, Form()],
    who: Principal = Depends(APPLICANT),
):
    done = attempt(
        request, who, lambda ctx: applications.add_location(ctx, app_id, **form.model_dump())
    )
    if not done.ok:
        return _again(request, who, app_id, "location", form.model_dump(), done)
    return back(f"/lfr/applications/{app_id}#locations")


@router.post(
    "/lfr/applications/{app_id}/documents",
    name="lfr.application.document",
    max_body_size=MAX_DOCUMENT_BYTES + MULTIPART_MARGIN,
)
async def application_document(
    app_id: str,
    request: Request,
    form: Annotated[DocumentIn, Form()],
    file: UploadFile | None = File(None),
    who: Principal = Depends(APPLICANT),
):
    data = await file.read() if file is not None and file.filename else None

    def attach(ctx):
        return applications.attach_document(
            ctx,
            app_id,
            form.kind,
            title=form.title or "Document",
            text=form.text if data is None else None,
            data=data,
            filename=file.filename if data else None,
            content_type=file.content_type if data else None,
        )

    done = attempt(request, who, attach)
    if not done.ok:
        return _again(request, who, app_id, "document", form.model_dump(), done)
    return back(f"/lfr/applications/{app_id}#documents")


@router.post("/lfr/applications/{app_id}/submit", name="lfr.application.submit")
def application_submit(app_id: str, request: Request, who: Principal = Depends(APPLICANT)):
    done = attempt(request, who, lambda ctx: applications.submit(ctx, app_id))
    if not done.ok:
        return _again(request, who, app_id, "submit", {}, done)
    return back(f"/lfr/applications/{app_id}")


@router.get("/lfr/documents/{doc_id}", name="lfr.document")
def document(
    doc_id: str,
    request: Request,
    who: Principal = Depends(require_role(*applications.DOCUMENT_READERS)),
):
    with unit(request, who) as ctx:
        doc = ctx.get(applications.Document, doc_id)
        body = applications.read_document(ctx, doc_id)
        kind = doc.content_type if doc.filename else "text/plain; charset=utf-8"
        return Response(
            body,
            media_type=kind,
            headers={"Content-Disposition": f'attachment; filename="{doc.kind}-v{doc.version}"'},
        )


@router.post("/lfr/documents/{doc_id}/review", name="lfr.document.review")
def document_review(
    doc_id: str,
    request: Request,
    form: Annotated[ReviewIn, Form()],
    who: Principal = Depends(require_role(Role.AUTHORISING_OFFICER, Role.DPO)),
):
    with unit(request, who) as ctx:
        doc = applications.review_document(ctx, doc_id, form.status, form.note)
        return back(f"/lfr/applications/{doc.application_id}#documents")


@router.post("/lfr/applications/{app_id}/consult", name="lfr.application.consult")
def application_consult(
    app_id: str,
    request: Request,
    form: Annotated[ConsultIn, Form()],
    who: Principal = Depends(require_role(Role.NPCC_OFFICER)),
):
    done = attempt(
        request, who, lambda ctx: decisions.consult(ctx, app_id, form.outcome, form.notes)
    )
    if not done.ok:
        return _again(request, who, app_id, "consult", form.model_dump(), done)
    return back(f"/lfr/applications/{app_id}")


@router.post("/lfr/applications/{app_id}/decide", name="lfr.application.decide")
def application_decide(
    app_id: str,
    request: Request,
    form: Annotated[DecisionForm, Form()],
    who: Principal = Depends(require_role(Role.AUTHORISING_OFFICER)),
):
    reasons, profile = form_reasons(form), request.app.state.policy
    authorising = form.outcome == "authorise"

    def terms(ctx):
        return domain_terms(ctx.get(Application, app_id), form_terms(form), profile)

    def decide(ctx):
        return decisions.decide(
            ctx,
            app_id,
            form.outcome,
            reasons,
            terms=terms(ctx) if authorising else None,
            urgent=form.urgent,
            verbal=form.verbal,
        )

    def everything(ctx):
        return decisions.decision_problems(
            ctx,
            app_id,
            form.outcome,
            reasons,
            terms=terms(ctx) if authorising else None,
            urgent=form.urgent,
            verbal=form.verbal,
        )

    done = attempt(request, who, decide, more=everything)
    if not done.ok:
        return _again(request, who, app_id, "decide", form.model_dump(), done)
    if isinstance(done.value, Authority):
        return back(f"/lfr/authorities/{done.value.id}")
    return back(f"/lfr/applications/{app_id}")


@router.get("/lfr/reports/{report_id}", name="lfr.report")
def report_page(report_id: str, request: Request, who: Principal = Depends(ANY)):
    """A cancellation report is read on its Authority's page: a notification about one links
    here (issue 12, item 10), and those who may read the Authority are sent on to it."""
    from frt.governance.watchlist_models import CancellationReport

    with unit(request, who) as ctx:
        report = ctx.get(CancellationReport, report_id)
        auth = decisions.read_authority(ctx, report.authority_id)
        return back(f"/lfr/authorities/{auth.id}#report")


# ------------------------------------------------------------------ register and notifications
@router.get("/lfr/register", name="lfr.register")
def register_page(
    request: Request, who: Principal = Depends(require_role(*transparency.REGISTER_READERS))
):
    with unit(request, who) as ctx:
        return render(request, "governance/register.html", rows=transparency.read_register(ctx))


@router.post("/lfr/notifications/{note_id}/ack", name="lfr.notification.ack")
def acknowledge(
    note_id: str, request: Request, next: str = Form("/lfr"), who: Principal = Depends(ANY)
):
    with unit(request, who) as ctx:
        notices.acknowledge(ctx, note_id)
    return back(next if next in ("/", "/lfr") else "/lfr")  # home or the LFR index only
