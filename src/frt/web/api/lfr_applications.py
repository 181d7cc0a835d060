"""`/api/lfr/applications/…`: an Application from draft to the AO's decision (GOV-01 … GOV-08).

Each route declares its roles, calls one `frt.governance` action in a unit of work and answers
ids and states. Refusals answer 403 with reason, rule and citation; wrong input 400 (422 for a
body that does not parse). Models: `frt.web.schemas.lfr_applications` (the pages' forms too).
"""

from __future__ import annotations

from fastapi import APIRouter, Depends, File, Form, Request, UploadFile

from frt.core.context import Ctx
from frt.governance import applications, decisions
from frt.governance.applications import MAX_DOCUMENT_BYTES
from frt.governance.models import Application, Authority
from frt.people.roles import Role
from frt.web.auth import Principal, require_role
from frt.web.lfr_shared import ANY
from frt.web.limits import MULTIPART_MARGIN
from frt.web.schemas.base import Ref
from frt.web.schemas.lfr_applications import (
    ApplicationIn,
    ApplicationOut,
    ConsultIn,
    DecisionIn,
    DocumentIn,
    DocumentSummary,
    LocationIn,
    ReviewIn,
    domain_terms,
)
from frt.web.units import unit

router = APIRouter(prefix="/api/lfr", tags=["lfr applications"])
APPLICANT = require_role(Role.APPLICANT)
UPLOAD_BYTES = MAX_DOCUMENT_BYTES + MULTIPART_MARGIN


def application_out(ctx: Ctx, app: Application) -> ApplicationOut:
    return ApplicationOut(
        id=app.id,
        reference=app.reference,
        status=app.status,
        missing=applications.missing_items(ctx, app) if app.status == "draft" else [],
        locations=[loc.id for loc in app.locations],
        documents={
            k: DocumentSummary(id=d.id, version=d.version, review_status=d.review_status)
            for k, d in applications.latest_documents(app).items()
        },
    )


@router.post("/applications", name="api.lfr.application.create")
def create(
    body: ApplicationIn, request: Request, who: Principal = Depends(APPLICANT)
) -> ApplicationOut:
    with unit(request, who) as ctx:
        return application_out(
            ctx, applications.create(ctx, body.title or "Untitled", **body.fields())
        )


@router.get("/applications/{app_id}", name="api.lfr.application")
def read(app_id: str, request: Request, who: Principal = Depends(ANY)) -> ApplicationOut:
    with unit(request, who) as ctx:
        return application_out(ctx, applications.read(ctx, app_id))


@router.patch("/applications/{app_id}", name="api.lfr.application.update")
def update(
    app_id: str, body: ApplicationIn, request: Request, who: Principal = Depends(APPLICANT)
) -> ApplicationOut:
    with unit(request, who) as ctx:
        fields = body.fields() | ({"title": body.title} if body.title else {})
        return application_out(ctx, applications.update(ctx, app_id, **fields))


@router.post("/applications/{app_id}/locations", name="api.lfr.application.location")
def location(
    app_id: str, body: LocationIn, request: Request, who: Principal = Depends(APPLICANT)
) -> Ref:
    with unit(request, who) as ctx:
        loc = applications.add_location(ctx, app_id, **body.model_dump())
        return Ref(id=loc.id, state="added")


@router.post(
    "/applications/{app_id}/documents",
    name="api.lfr.application.document",
    max_body_size=UPLOAD_BYTES,
)
def document(
    app_id: str, body: DocumentIn, request: Request, who: Principal = Depends(APPLICANT)
) -> Ref:
    with unit(request, who) as ctx:
        doc = applications.attach_document(
            ctx, app_id, body.kind, title=body.title or "Document", text=body.text
        )
        return Ref(id=doc.id, state=f"v{doc.version}")


@router.post(
    "/applications/{app_id}/documents/upload",
    name="api.lfr.application.upload",
    max_body_size=UPLOAD_BYTES,
)
async def upload(
    app_id: str,
    request: Request,
    kind: str = Form(...),
    title: str = Form(...),
    file: UploadFile = File(...),
    who: Principal = Depends(APPLICANT),
) -> Ref:
    data = await file.read()
    with unit(request, who) as ctx:
        doc = applications.attach_document(
            ctx,
            app_id,
            kind,
            title=title,
            data=data,
            filename=file.filename,
            content_type=file.content_type,
        )
        return Ref(id=doc.id, state=f"v{doc.version}")


@router.post("/documents/{doc_id}/review", name="api.lfr.document.review")
def review(
    doc_id: str,
    body: ReviewIn,
    request: Request,
    who: Principal = Depends(require_role(Role.AUTHORISING_OFFICER, Role.DPO)),
) -> Ref:
    with unit(request, who) as ctx:
        doc = applications.review_document(ctx, doc_id, body.status, body.note)
        return Ref(id=doc.id, state=doc.review_status)


@router.post("/applications/{app_id}/submit", name="api.lfr.application.submit")
def submit(app_id: str, request: Request, who: Principal = Depends(APPLICANT)) -> ApplicationOut:
    with unit(request, who) as ctx:
        return application_out(ctx, applications.submit(ctx, app_id))


@router.post("/applications/{app_id}/consultation", name="api.lfr.application.consult")
def consult(
    app_id: str,
    body: ConsultIn,
    request: Request,
    who: Principal = Depends(require_role(Role.NPCC_OFFICER)),
) -> Ref:
    with unit(request, who) as ctx:
        entry = decisions.consult(ctx, app_id, body.outcome, body.notes)
        return Ref(id=entry.id, state=entry.outcome)


@router.post("/applications/{app_id}/decision", name="api.lfr.application.decide")
def decide(
    app_id: str,
    body: DecisionIn,
    request: Request,
    who: Principal = Depends(require_role(Role.AUTHORISING_OFFICER)),
) -> Ref:
    with unit(request, who) as ctx:
        app = ctx.get(Application, app_id)
        terms = domain_terms(app, body.terms, request.app.state.policy) if body.terms else None
        result = decisions.decide(
            ctx,
            app_id,
            body.outcome,
            body.reasons,
            terms=terms,
            urgent=body.urgent,
            verbal=body.verbal,
        )
        if isinstance(result, Authority):
            return Ref(id=result.id, state="authorised")
        return Ref(id=result.id, state=result.outcome)
