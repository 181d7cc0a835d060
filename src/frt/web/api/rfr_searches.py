"""`/api/rfr/searches/…`, `/api/rfr/candidates/…`, `/api/rfr/reports/…`: the search request
(Form 3), its probe and faces, approvals, the progressive search, candidates, Adjudication,
Match Reports and dissemination (RFR-04..09).

A search and its results are shown only to its searcher and approver (the actions' guards); every
view of a probe, a candidate list or a candidate image is an audited action. The probe upload is
bounded by its own `max_body_size` (a clip's size; stills and clips have their own bounds after).
"""

from __future__ import annotations

from datetime import datetime

from fastapi import APIRouter, Depends, File, Request, UploadFile
from pydantic import BaseModel, Field
from starlette.concurrency import run_in_threadpool
from starlette.responses import Response

from frt.core.actions import perform
from frt.people.roles import Role
from frt.rfr import faces as probe_faces
from frt.rfr import report as match_report
from frt.rfr import results, searches
from frt.rfr.models import RfrMatchReport
from frt.web.auth import Principal, require_role, store_of
from frt.web.limits import MULTIPART_MARGIN, Input

router = APIRouter(prefix="/api/rfr", tags=["rfr searches"])
USER = require_role(Role.RFR_USER)
SEERS = (Role.RFR_USER, Role.RFR_APPROVING_OFFICER)
VIEWERS = (Role.RFR_USER, Role.RFR_APPROVING_OFFICER, Role.FR_TEAM, Role.FR_OPERATIONAL_LEAD)
UPLOAD_BYTES = max(probe_faces.MAX_CLIP_BYTES, probe_faces.MAX_STILL_BYTES) + MULTIPART_MARGIN


class SearchIn(Input):
    case_reference: str = Field(max_length=100)


class FacesIn(Input):
    face_ids: list[str] = Field(max_length=100)


class Form3In(Input):
    """Any subset of the Form 3 (003 §8.2–8.19); see the page for each field's meaning."""

    case_reference: str | None = Field(None, max_length=100)
    purposes: list[str] | None = Field(None, max_length=4)
    grounds: list[str] | None = Field(None, max_length=7)
    subject_status: str | None = None
    status_rationale: str | None = None
    probe_level: int | None = Field(None, ge=1, le=5)  # the image levels 1-5, as a library's
    probe_level_doubt: list[int] | None = Field(None, max_length=5)
    source: str | None = None
    legal_basis: str | None = None
    pre_checks: list[str] | None = Field(None, max_length=3)
    pre_checks_note: str | None = None
    urgent: bool | None = None
    urgency_rationale: str | None = None
    necessity: str | None = None
    proportionality: str | None = None
    age_band: str | None = None
    disability: bool | None = None
    gender_reassignment: bool | None = None
    collection: bool | None = None
    offence: str | None = Field(None, max_length=120)
    library_ids: list[str] | None = Field(None, max_length=100)
    search_all: bool | None = None
    search_all_rationale: str | None = None


class DecisionIn(Input):
    approve: bool
    note: str


class AdviceIn(Input):
    advice: str


class StepIn(Input):
    search_all: bool = False


class NoMatchIn(Input):
    note: str = ""


class AdjudicationIn(Input):
    viable: bool
    note: str


class DisseminationIn(Input):
    recipient: str = Field(max_length=300)
    legal_basis: str
    shared: list[str] = Field(max_length=4)
    caveat_attached: bool
    outside_force: bool = False
    safeguards_obliged: bool = False


class FaceOut(BaseModel):
    id: str
    number: int
    box: tuple[int, int, int, int]
    quality: float
    quality_reasons: list[str]
    track: int | None
    selected: bool
    templated: bool


class SearchOut(BaseModel):
    id: str
    reference: str
    case_reference: str
    status: str
    needs: list[dict]
    approved_keys: list[str]
    faces: list[FaceOut]
    probe_image_ids: list[str]
    steps: list[dict]


class CandidateOut(BaseModel):
    id: str
    step: int
    face_number: int
    rank: int
    score: float
    library_reference: str
    library_level: int | None
    adjudication: str | None


class Recorded(BaseModel):
    id: str
    status: str | None = None


def _act(request: Request, who: Principal, fn, *args, **kwargs):
    return perform(
        store_of(request), who.user.id, fn, *args, profile=request.app.state.policy, **kwargs
    )


def _search_out(request: Request, who: Principal, search_id: str) -> SearchOut:
    search = _act(request, who, searches.view, search_id)
    with store_of(request).session() as s:
        faces = [
            FaceOut(
                id=f.id,
                number=f.number,
                box=(f.x0, f.y0, f.x1, f.y1),
                quality=f.quality,
                quality_reasons=f.quality_reasons,
                track=f.track,
                selected=f.selected,
                templated=f.template_sealed is not None,
            )
            for f in searches.all_faces(s, search_id)
        ]
        images = [i.id for i in searches.probe_images(s, search_id)]
        steps = [
            {
                "number": st.number,
                "levels": st.levels,
                "outcome": st.outcome,
                "candidates": st.candidates,
                "search_all": st.search_all,
            }
            for st in searches.steps_of(s, search_id)
        ]
    return SearchOut(
        id=search.id,
        reference=search.reference,
        case_reference=search.case_reference,
        status=search.status,
        needs=search.needs or [],
        approved_keys=search.approved_keys or [],
        faces=faces,
        probe_image_ids=images,
        steps=steps,
    )


@router.post("/searches", response_model=Recorded, status_code=201)
def create(request: Request, body: SearchIn, who: Principal = Depends(USER)):
    search = _act(request, who, searches.create, body.case_reference)
    return Recorded(id=search.id, status=search.status)


@router.get("/searches/{search_id}", response_model=SearchOut)
def get_search(request: Request, search_id: str, who: Principal = Depends(require_role(*VIEWERS))):
    return _search_out(request, who, search_id)


@router.post("/searches/{search_id}/probe", response_model=SearchOut, max_body_size=UPLOAD_BYTES)
async def upload(
    request: Request, search_id: str, file: UploadFile = File(...), who: Principal = Depends(USER)
):
    data = await file.read()
    await run_in_threadpool(_act, request, who, searches.upload, search_id, data)
    return await run_in_threadpool(_search_out, request, who, search_id)


@router.post("/searches/{search_id}/faces", response_model=SearchOut)
def select(request: Request, search_id: str, body: FacesIn, who: Principal = Depends(USER)):
    _act(request, who, searches.select_faces, search_id, body.face_ids)
    return _search_out(request, who, search_id)


@router.post("/searches/{search_id}/form", response_model=Recorded)
def form(request: Request, search_id: str, body: Form3In, who: Principal = Depends(USER)):
    search = _act(request, who, searches.fill, search_id, **body.model_dump(exclude_unset=True))
    return Recorded(id=search.id, status=search.status)


@router.post("/searches/{search_id}/submit", response_model=Recorded)
def submit(request: Request, search_id: str, who: Principal = Depends(USER)):
    search = _act(request, who, searches.submit, search_id)
    return Recorded(id=search.id, status=search.status)


@router.post("/searches/{search_id}/advice", response_model=Recorded)
def advise(
    request: Request,
    search_id: str,
    body: AdviceIn,
    who: Principal = Depends(require_role(Role.FR_TEAM, Role.FR_OPERATIONAL_LEAD)),
):
    return Recorded(id=_act(request, who, searches.advise, search_id, body.advice).id)


@router.post("/searches/{search_id}/decision", response_model=Recorded)
def decide(
    request: Request,
    search_id: str,
    body: DecisionIn,
    who: Principal = Depends(require_role(Role.RFR_APPROVING_OFFICER)),
):
    row = _act(request, who, searches.decide, search_id, body.approve, body.note)
    return Recorded(id=row.id, status="approved" if row.approved else "refused")


@router.post("/searches/{search_id}/steps", response_model=Recorded)
def run_step(request: Request, search_id: str, body: StepIn, who: Principal = Depends(USER)):
    step = _act(request, who, searches.run_step, search_id, search_all=body.search_all)
    return Recorded(id=step.id, status=step.outcome)


@router.post("/searches/{search_id}/no-viable-match", response_model=Recorded)
def no_viable_match(
    request: Request, search_id: str, body: NoMatchIn, who: Principal = Depends(USER)
):
    step = _act(request, who, searches.record_no_match, search_id, body.note)
    return Recorded(id=step.id, status=step.outcome)


@router.get("/searches/{search_id}/candidates", response_model=list[CandidateOut])
def candidates(request: Request, search_id: str, who: Principal = Depends(require_role(*SEERS))):
    return [
        CandidateOut(**{k: getattr(r, k) for k in CandidateOut.model_fields})
        for r in _act(request, who, results.candidate_list, search_id)
    ]


@router.get(
    "/probe-images/{probe_image_id}",
    response_class=Response,
    responses={200: {"content": {"image/*": {}}}},
)
def probe_image(
    request: Request, probe_image_id: str, who: Principal = Depends(require_role(*VIEWERS))
):
    data, media_type = _act(request, who, searches.probe_bytes, probe_image_id)
    return Response(data, media_type=media_type)


@router.get(
    "/candidates/{candidate_id}/image",
    response_class=Response,
    responses={200: {"content": {"image/*": {}}}},
)
def candidate_image(
    request: Request, candidate_id: str, who: Principal = Depends(require_role(*SEERS))
):
    data = _act(request, who, results.candidate_image, candidate_id)
    media = "image/png" if data.startswith(b"\x89PNG") else "image/jpeg"
    return Response(data, media_type=media)


@router.post("/candidates/{candidate_id}/adjudication", response_model=Recorded)
def adjudicate(
    request: Request, candidate_id: str, body: AdjudicationIn, who: Principal = Depends(USER)
):
    cand = _act(request, who, results.adjudicate, candidate_id, body.viable, body.note)
    return Recorded(id=cand.id, status=cand.adjudication)


@router.post("/candidates/{candidate_id}/report", response_model=Recorded, status_code=201)
def make_report(request: Request, candidate_id: str, who: Principal = Depends(USER)):
    report = _act(request, who, results.make_report, candidate_id)
    return Recorded(id=report.id, status=report.reference)


class ReportOut(BaseModel):
    id: str
    reference: str
    search_reference: str
    case_reference: str
    library: str
    rank: int
    score: float
    adjudicator: str
    adjudicated_at: datetime
    caveat: str
    caveat_cite: str


@router.get("/reports/{report_id}", response_model=ReportOut)
def get_report(request: Request, report_id: str, who: Principal = Depends(require_role(*SEERS))):
    row = _act(request, who, results.view_report, report_id, "json")
    with store_of(request).session() as s:
        v = match_report.view(s, s.get_one(RfrMatchReport, row.id))
    return ReportOut(
        id=row.id,
        reference=v.reference,
        search_reference=v.search_reference,
        case_reference=v.case_reference,
        library=v.library,
        rank=v.rank,
        score=v.score,
        adjudicator=v.adjudicator,
        adjudicated_at=v.adjudicated_at,
        caveat=v.caveat,
        caveat_cite=v.caveat_cite,
    )


@router.get(
    "/reports/{report_id}/pdf",
    response_class=Response,
    responses={200: {"content": {"application/pdf": {}}}},
)
def report_pdf(request: Request, report_id: str, who: Principal = Depends(require_role(*SEERS))):
    store = store_of(request)
    row = _act(request, who, results.view_report, report_id, "pdf")
    with store.session() as s:
        report = s.get_one(RfrMatchReport, row.id)
        data = match_report.pdf(
            match_report.view(s, report), *match_report.images(s, store.cipher, report)
        )
    return Response(
        data,
        media_type="application/pdf",
        headers={"Content-Disposition": f'attachment; filename="{row.reference}.pdf"'},
    )


@router.post("/reports/{report_id}/disseminations", response_model=Recorded, status_code=201)
def disseminate(
    request: Request, report_id: str, body: DisseminationIn, who: Principal = Depends(USER)
):
    row = _act(
        request,
        who,
        results.disseminate,
        report_id,
        body.recipient,
        body.legal_basis,
        body.shared,
        body.caveat_attached,
        outside_force=body.outside_force,
        safeguards_obliged=body.safeguards_obliged,
    )
    return Recorded(id=row.id)
