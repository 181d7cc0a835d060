"""`/api/lfr/…`: the LFR governance path as a JSON API (issue 4), one call per step.

Each route declares its roles with `require_role`, calls one `frt.governance` function in a unit
of work, and answers with ids and states (no personal data beyond what the caller may see).
Refusals answer 403 with the reason and rule (the app's error handler); wrong input 400.
"""

from __future__ import annotations

from datetime import datetime

from fastapi import APIRouter, Depends, File, Form, Request, UploadFile
from pydantic import BaseModel, Field

from frt.core.errors import InputError
from frt.governance import (
    applications,
    command,
    decisions,
    deployments,
    notices,
    outside_policy,
    reports,
    transparency,
    watchlists,
    worklists,
)
from frt.governance.applications import MAX_DOCUMENT_BYTES
from frt.governance.bundle import MAX_BUNDLE_BYTES, BundleError, parse_key
from frt.governance.models import Application, Authority, Deployment
from frt.governance.outside_policy import DECIDERS, Scope
from frt.people.roles import Role
from frt.policy import PolicyRefusal
from frt.web.auth import Principal, require_role
from frt.web.limits import MULTIPART_MARGIN, Input
from frt.web.pages.governance import ANY, gov_unit
from frt.web.pages.governance_exceptions import READER_ROLES as EXCEPTION_READERS
from frt.web.pages.governance_exceptions import refused

router = APIRouter(prefix="/api/lfr", tags=["lfr governance"])
COMMAND = require_role(Role.GOLD, Role.SILVER, Role.BRONZE, Role.BRONZE_COMMUNITY)


class Ref(BaseModel):
    id: str
    state: str


class ApplicationIn(Input):
    title: str | None = None
    use_case: str | None = None
    deployment_styles: list[str] | None = None
    camera_count: int | None = None
    starts_at: datetime | None = None
    ends_at: datetime | None = None
    legal_basis: str | None = None
    legitimate_aim: str | None = None
    echr_articles: list[int] | None = None
    dpa_schedule8_grounds: str | None = None
    necessity: str | None = None
    alternatives_considered: str | None = None
    awareness_measures: str | None = None
    watchlist_criteria: str | None = None
    proposed_categories: list[str] | None = None
    proposed_composition: str | None = None
    proposed_flags: list[str] | None = None
    non_police_images_proposed: bool | None = None
    proposed_threshold: float | None = None
    resources: str | None = None
    urgent: bool | None = None
    urgency_grounds: str | None = None

    def fields(self) -> dict:
        return {k: v for k, v in self.model_dump(exclude_unset=True).items() if k != "title"}


class ApplicationOut(BaseModel):
    id: str
    reference: str
    status: str
    missing: list[str]
    locations: list[str]
    documents: dict[str, dict]


class LocationIn(Input):
    name: str
    locality: str
    reason: str
    sensitivities: list[str] = []
    mitigations: str = ""


class DocumentIn(Input):
    kind: str
    title: str
    text: str = Field(max_length=MAX_DOCUMENT_BYTES // 4)  # an assessment's text, not a field's


class ReviewIn(Input):
    status: str = "reviewed"
    note: str = ""


class ConsultIn(Input):
    outcome: str
    notes: str = ""


class TermsIn(Input):
    starts_at: datetime
    ends_at: datetime
    place_ids: list[str]
    categories: list[str]
    min_threshold: float
    gold_id: str
    protected_inclusions: list[str] = []
    non_police_allowed: bool = False
    non_police_layers: list[str] = []
    conditions: str = ""


class DecisionIn(Input):
    outcome: str = Field(description="authorise, reject or amend")
    reasons: dict[str, str] = Field(description="text under the seven headings (001 stage 3)")
    terms: TermsIn | None = None
    urgent: bool = False
    verbal: bool = False


class UrgentReviewIn(Input):
    outcome: str
    note: str
    new_ends_at: datetime | None = None
    new_gold_id: str | None = None


class AppointIn(Input):
    role: str
    user_id: str


class OvertIn(Input):
    notice_published: bool
    notice_channels: str = ""
    exception_reasons: str = ""
    signage: bool = False
    leaflets: bool = False
    notes: str = ""
    contact_point: str = ""


class StateIn(Input):
    state: str
    reason: str = ""


class RosterIn(Input):
    user_id: str
    duty: str
    exception_id: str | None = None


class SilverReviewIn(Input):
    lawfulness: str
    necessity: str
    proportionality: str
    system_performance: str
    engagements: str
    outcome: str = "continue"


class EvaluationIn(Input):
    evaluation: str
    safeguards: str = ""
    learning: str = ""
    submit: bool = False


class LossIn(Input):
    item: str
    circumstances: str
    occurred_at: datetime
    encrypted: bool = True


class ThresholdIn(Input):
    threshold: float = Field(gt=0, le=1)
    reason: str


class ExceptionIn(Input):
    action: str = Field(description="roster or watchlist_import")
    deployment_id: str
    user_id: str | None = None
    duty: str | None = None
    rationale: str
    legal_advice: str = ""


class ExceptionReviewIn(Input):
    outcome: str = Field(description="endorsed or disagreed")
    reasons: str = ""


class ExceptionOut(BaseModel):
    id: str
    action: str
    deployment_id: str
    user_id: str | None
    duty: str | None
    rule: str
    refused_reason: str
    decided_by: str
    decided_at: datetime
    used: bool
    sro_outcome: str | None
    sro_reviewed_at: datetime | None


class WorkItemOut(BaseModel):
    kind: str
    title: str
    object_type: str
    object_id: str
    citation: str
    due_at: datetime | None
    overdue: bool
    note_id: str | None = None


def _out(ctx, app: Application) -> ApplicationOut:
    latest = applications.latest_documents(app)
    return ApplicationOut(
        id=app.id,
        reference=app.reference,
        status=app.status,
        missing=applications.missing_items(ctx, app) if app.status == "draft" else [],
        locations=[loc.id for loc in app.locations],
        documents={
            k: {"id": d.id, "version": d.version, "review_status": d.review_status}
            for k, d in latest.items()
        },
    )


@router.post("/applications", name="api.lfr.application.create")
def create(
    body: ApplicationIn, request: Request, who: Principal = Depends(require_role(Role.APPLICANT))
) -> ApplicationOut:
    with gov_unit(request, who) as ctx:
        app = applications.create(ctx, body.title or "Untitled", **body.fields())
        return _out(ctx, app)


@router.get("/applications/{app_id}", name="api.lfr.application")
def read(app_id: str, request: Request, who: Principal = Depends(ANY)) -> ApplicationOut:
    with gov_unit(request, who) as ctx:
        return _out(ctx, ctx.get(Application, app_id))


@router.patch("/applications/{app_id}", name="api.lfr.application.update")
def update(
    app_id: str,
    body: ApplicationIn,
    request: Request,
    who: Principal = Depends(require_role(Role.APPLICANT)),
) -> ApplicationOut:
    with gov_unit(request, who) as ctx:
        fields = body.fields() | ({"title": body.title} if body.title else {})
        return _out(ctx, applications.update(ctx, app_id, **fields))


@router.post("/applications/{app_id}/locations", name="api.lfr.application.location")
def location(
    app_id: str,
    body: LocationIn,
    request: Request,
    who: Principal = Depends(require_role(Role.APPLICANT)),
) -> Ref:
    with gov_unit(request, who) as ctx:
        loc = applications.add_location(ctx, app_id, **body.model_dump())
        return Ref(id=loc.id, state="added")


@router.post("/applications/{app_id}/documents", name="api.lfr.application.document",
              max_body_size=MAX_DOCUMENT_BYTES + MULTIPART_MARGIN)
def document(
    app_id: str,
    body: DocumentIn,
    request: Request,
    who: Principal = Depends(require_role(Role.APPLICANT)),
) -> Ref:
    with gov_unit(request, who) as ctx:
        doc = applications.attach_document(ctx, app_id, body.kind, title=body.title, text=body.text)
        return Ref(id=doc.id, state=f"v{doc.version}")


@router.post("/applications/{app_id}/documents/upload", name="api.lfr.application.upload",
              max_body_size=MAX_DOCUMENT_BYTES + MULTIPART_MARGIN)
async def upload(
    app_id: str,
    request: Request,
    kind: str = Form(...),
    title: str = Form(...),
    file: UploadFile = File(...),
    who: Principal = Depends(require_role(Role.APPLICANT)),
) -> Ref:
    data = await file.read()
    with gov_unit(request, who) as ctx:
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
    with gov_unit(request, who) as ctx:
        doc = applications.review_document(ctx, doc_id, body.status, body.note)
        return Ref(id=doc.id, state=doc.review_status)


@router.post("/applications/{app_id}/submit", name="api.lfr.application.submit")
def submit(
    app_id: str, request: Request, who: Principal = Depends(require_role(Role.APPLICANT))
) -> ApplicationOut:
    with gov_unit(request, who) as ctx:
        return _out(ctx, applications.submit(ctx, app_id))


@router.post("/applications/{app_id}/consultation", name="api.lfr.application.consult")
def consult(
    app_id: str,
    body: ConsultIn,
    request: Request,
    who: Principal = Depends(require_role(Role.NPCC_OFFICER)),
) -> Ref:
    with gov_unit(request, who) as ctx:
        entry = decisions.consult(ctx, app_id, body.outcome, body.notes)
        return Ref(id=entry.id, state=entry.outcome)


@router.post("/applications/{app_id}/decision", name="api.lfr.application.decide")
def decide(
    app_id: str,
    body: DecisionIn,
    request: Request,
    who: Principal = Depends(require_role(Role.AUTHORISING_OFFICER)),
) -> Ref:
    with gov_unit(request, who) as ctx:
        terms = decisions.Terms(**body.terms.model_dump()) if body.terms else None
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


@router.get("/authorities/{auth_id}", name="api.lfr.authority")
def authority(auth_id: str, request: Request, who: Principal = Depends(ANY)) -> dict:
    with gov_unit(request, who) as ctx:
        auth = ctx.get(Authority, auth_id)
        return {
            "id": auth.id,
            "reference": auth.reference,
            "status": auth.status,
            "starts_at": auth.starts_at,
            "ends_at": auth.ends_at,
            "categories": auth.categories,
            "min_threshold": auth.min_threshold,
            "gold_id": auth.gold_id,
            "awaiting_urgent_review": auth.awaiting_urgent_review,
            "awaiting_written_record": auth.awaiting_written_record,
            "deployments": [
                {"id": d.id, "state": d.state, "starts_at": d.starts_at, "ends_at": d.ends_at}
                for d in auth.deployments
            ],
            "command_team": [
                {"role": a.role, "user_id": a.user_id} for a in command.team(ctx, auth.id)
            ],
        }


@router.post("/authorities/{auth_id}/urgent-review", name="api.lfr.authority.urgent_review")
def urgent_review(
    auth_id: str,
    body: UrgentReviewIn,
    request: Request,
    who: Principal = Depends(require_role(Role.AUTHORISING_OFFICER)),
) -> Ref:
    with gov_unit(request, who) as ctx:
        auth = decisions.review_urgent(
            ctx,
            auth_id,
            body.outcome,
            body.note,
            new_ends_at=body.new_ends_at,
            new_gold_id=body.new_gold_id,
        )
        return Ref(id=auth.id, state=auth.status)


@router.post("/authorities/{auth_id}/written", name="api.lfr.authority.written")
def written(
    auth_id: str, request: Request, who: Principal = Depends(require_role(Role.AUTHORISING_OFFICER))
) -> Ref:
    with gov_unit(request, who) as ctx:
        return Ref(id=decisions.record_written(ctx, auth_id).id, state="written")


@router.post("/authorities/{auth_id}/command", name="api.lfr.authority.appoint")
def appoint(
    auth_id: str,
    body: AppointIn,
    request: Request,
    who: Principal = Depends(require_role(Role.GOLD)),
) -> Ref:
    with gov_unit(request, who) as ctx:
        appt = command.appoint(ctx, auth_id, body.role, body.user_id)
        return Ref(id=appt.id, state=appt.role)


@router.post("/authorities/{auth_id}/overt-use", name="api.lfr.authority.overt")
def overt(auth_id: str, body: OvertIn, request: Request, who: Principal = Depends(COMMAND)) -> Ref:
    with gov_unit(request, who) as ctx:
        row = command.record_overt_use(ctx, auth_id, **body.model_dump())
        return Ref(id=row.id, state="recorded")


@router.post("/authorities/{auth_id}/loss", name="api.lfr.authority.loss")
def loss(auth_id: str, body: LossIn, request: Request,
         who: Principal = Depends(require_role(*notices.LOSS_REPORTERS))) -> Ref:
    with gov_unit(request, who) as ctx:
        row = notices.report_loss(
            ctx, auth_id, body.item, body.circumstances, body.occurred_at, body.encrypted
        )
        return Ref(id=row.id, state="notified")


@router.post("/deployments/{dep_id}/state", name="api.lfr.deployment.state")
def state(
    dep_id: str,
    body: StateIn,
    request: Request,
    who: Principal = Depends(require_role(Role.GOLD, Role.SILVER)),
) -> Ref:
    with gov_unit(request, who) as ctx:
        dep = deployments.set_state(ctx, dep_id, body.state, body.reason)
        return Ref(id=dep.id, state=dep.state)


@router.post(
    "/deployments/{dep_id}/roster",
    name="api.lfr.deployment.roster",
    responses={
        403: {
            "description": "refused; says whether a decision outside policy may set "
            "the rule aside (GOV-16)"
        }
    },
)
def roster(dep_id: str, body: RosterIn, request: Request, who: Principal = Depends(COMMAND)):
    try:
        with gov_unit(request, who) as ctx:
            entry = command.roster(
                ctx, dep_id, body.user_id, body.duty, exception_id=body.exception_id
            )
            return Ref(id=entry.id, state=entry.duty)
    except PolicyRefusal as exc:
        scope = Scope(outside_policy.ROSTER, dep_id, body.user_id, body.duty)
        return refused(request, who, scope, exc.decision)


@router.post("/deployments/{dep_id}/reviews", name="api.lfr.deployment.review")
def silver_review(
    dep_id: str,
    body: SilverReviewIn,
    request: Request,
    who: Principal = Depends(require_role(Role.SILVER)),
) -> Ref:
    with gov_unit(request, who) as ctx:
        row = command.record_review(ctx, dep_id, **body.model_dump())
        return Ref(id=row.id, state=row.outcome)


@router.post("/deployments/{dep_id}/watchlist", name="api.lfr.deployment.watchlist",
              max_body_size=MAX_BUNDLE_BYTES + MULTIPART_MARGIN)
async def import_watchlist(
    dep_id: str,
    request: Request,
    bundle: UploadFile = File(...),
    key_file: UploadFile | None = File(None),
    intelligence_reconfirmed: bool = Form(False),
    replace: bool = Form(False),
    exception_id: str | None = Form(None),
    who: Principal = Depends(
        require_role(Role.GOLD, Role.SILVER, Role.BRONZE, Role.SYSTEM_ENGINEER)
    ),
) -> dict:
    from fastapi import HTTPException

    data = await bundle.read()
    key = None
    if key_file is not None and key_file.filename:
        try:
            key = parse_key(await key_file.read(), source="the uploaded key file")
        except BundleError as exc:
            raise HTTPException(400, str(exc)) from None
    try:
        with gov_unit(request, who) as ctx:
            wl = watchlists.import_bundle(
                ctx,
                dep_id,
                data,
                key=key,
                replace=replace,
                intelligence_reconfirmed=intelligence_reconfirmed,
                exception_id=exception_id or None,
            )
            return _watchlist_out(ctx, wl.id)
    except PolicyRefusal as exc:
        scope = Scope(outside_policy.WATCHLIST_IMPORT, dep_id)
        return refused(request, who, scope, exc.decision)


def _watchlist_out(ctx, watchlist_id: str) -> dict:
    """Composition and per-image quality and Threshold: no personal data (WL-04, WL-07, WL-09)."""
    return {
        "id": watchlist_id,
        "composition": watchlists.composition(ctx.session, watchlist_id),
        "images": watchlists.image_warnings(ctx.session, watchlist_id),
    }


@router.get("/deployments/{dep_id}/watchlist", name="api.lfr.deployment.watchlist.read")
def read_watchlist(dep_id: str, request: Request, who: Principal = Depends(ANY)) -> dict:
    with gov_unit(request, who) as ctx:
        wl = watchlists.watchlist_for(ctx.session, ctx.get(Deployment, dep_id).id)
        if wl is None:
            raise InputError("no Watchlist has been imported for this Deployment")
        return _watchlist_out(ctx, wl.id)


@router.post("/watchlist-images/{image_id}/threshold", name="api.lfr.watchlist.threshold")
def raise_threshold(
    image_id: str,
    body: ThresholdIn,
    request: Request,
    who: Principal = Depends(require_role(Role.LFR_OPERATOR, Role.SYSTEM_ENGINEER)),
) -> dict:
    """WL-09: raise one image's Threshold, with the reason (000 §6.2(3)); never lowered."""
    with gov_unit(request, who) as ctx:
        image = watchlists.raise_image_threshold(ctx, image_id, body.threshold, body.reason)
        return {"id": image.id, "threshold": image.threshold, "reason": image.threshold_reason}


# ------------------------------------------------------------------ GOV-16
@router.post("/exceptions", name="api.lfr.exception.create")
def record_exception(
    body: ExceptionIn, request: Request, who: Principal = Depends(require_role(*DECIDERS))
) -> ExceptionOut:
    """Record a decision outside policy for a refused action; repeat the action to use it."""
    scope = Scope(body.action, body.deployment_id, body.user_id, body.duty)
    with gov_unit(request, who) as ctx:
        return _exception_out(outside_policy.record(ctx, scope, body.rationale, body.legal_advice))


@router.get("/exceptions", name="api.lfr.exceptions")
def exceptions(
    request: Request, who: Principal = Depends(require_role(*EXCEPTION_READERS))
) -> list[ExceptionOut]:
    with gov_unit(request, who) as ctx:
        return [_exception_out(e) for e in outside_policy.all_decisions(ctx)]


@router.post("/exceptions/{exc_id}/review", name="api.lfr.exception.review")
def review_exception(
    exc_id: str,
    body: ExceptionReviewIn,
    request: Request,
    who: Principal = Depends(require_role(Role.SRO)),
) -> ExceptionOut:
    with gov_unit(request, who) as ctx:
        return _exception_out(outside_policy.review(ctx, exc_id, body.outcome, body.reasons))


def _exception_out(exc) -> ExceptionOut:
    scope = outside_policy.Scope.of(exc)
    return ExceptionOut(
        id=exc.id,
        action=scope.action,
        deployment_id=scope.deployment_id,
        user_id=scope.user_id,
        duty=scope.duty,
        rule=exc.rule,
        refused_reason=exc.refused_reason,
        decided_by=exc.decided_by,
        decided_at=exc.decided_at,
        used=exc.used,
        sro_outcome=exc.sro_outcome,
        sro_reviewed_at=exc.sro_reviewed_at,
    )


@router.post("/authorities/{auth_id}/report", name="api.lfr.report.prepare")
def prepare(
    auth_id: str, request: Request, who: Principal = Depends(require_role(Role.GOLD))
) -> dict:
    with gov_unit(request, who) as ctx:
        report = reports.prepare(ctx, auth_id)
        return {
            "id": report.id,
            "status": report.status,
            "due_at": report.due_at,
            "metrics": report.metrics,
        }


@router.post("/reports/{report_id}/evaluation", name="api.lfr.report.evaluate")
def evaluate(
    report_id: str,
    body: EvaluationIn,
    request: Request,
    who: Principal = Depends(require_role(Role.GOLD)),
) -> Ref:
    with gov_unit(request, who) as ctx:
        report = reports.evaluate(
            ctx,
            report_id,
            evaluation=body.evaluation,
            safeguards=body.safeguards,
            learning=body.learning,
        )
        if body.submit:
            report = reports.submit(ctx, report_id)
        return Ref(id=report.id, state=report.status)


@router.get("/register", name="api.lfr.register")
def register(
    request: Request,
    who: Principal = Depends(require_role(*transparency.REGISTER_READERS)),
) -> list[dict]:
    with gov_unit(request, who) as ctx:
        return transparency.read_register(ctx)


@router.post("/notifications/{note_id}/ack", name="api.lfr.notification.ack")
def acknowledge(note_id: str, request: Request, who: Principal = Depends(ANY)) -> Ref:
    with gov_unit(request, who) as ctx:
        return Ref(id=notices.acknowledge(ctx, note_id).id, state="acknowledged")


@router.get("/worklist", name="api.lfr.worklist")
def worklist(request: Request, who: Principal = Depends(ANY)) -> list[WorkItemOut]:
    with gov_unit(request, who) as ctx:
        return [WorkItemOut(**item.__dict__) for item in worklists.for_user(ctx)]
