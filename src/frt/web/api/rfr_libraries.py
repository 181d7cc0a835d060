"""`/api/rfr/libraries/…`: Image Reference Libraries and their decisions (RFR-01, RFR-02).

Each route declares its roles, runs one `frt.rfr.libraries` action as the signed-in user, and
answers with ids and states. Refusals answer 403 with the reason, rule and paragraph; wrong input
400; an unknown id 404. A library image is personal data: its view is an audited action.
"""

from __future__ import annotations

from datetime import datetime

from fastapi import APIRouter, Depends, Request
from pydantic import BaseModel, Field
from starlette.responses import Response

from frt.core.actions import perform
from frt.people.roles import Role
from frt.rfr import libraries
from frt.web.auth import Principal, require_role, store_of
from frt.web.limits import Input

router = APIRouter(prefix="/api/rfr", tags=["rfr libraries"])
READERS = (
    Role.RFR_USER,
    Role.RFR_APPROVING_OFFICER,
    Role.SRO,
    Role.FR_OPERATIONAL_LEAD,
    Role.FR_TEAM,
)


class LibraryIn(Input):
    kind: str = Field(description="substantive (Form 1) or temporary (Form 2)")
    name: str = Field(max_length=200)
    legal_basis: str = ""
    provenance: str = ""
    composition: str = ""
    elevated_considerations: str = ""
    necessity: str = ""
    monitoring: str = ""
    investigation: str = Field("", max_length=200)


class TermsIn(Input):
    image_level: int | None = Field(None, ge=1, le=5)
    access_all: bool = False
    access_user_ids: list[str] = Field(default_factory=list, max_length=500)
    conditions: str = ""
    review_due: datetime | None = None


class DecisionIn(TermsIn):
    approve: bool
    rationale: str
    urgent: bool = False
    verbal: bool = False


class FollowUpIn(TermsIn):
    outcome: str = Field(description="continue, vary or stop (003 §5.10)")
    rationale: str
    access_all: bool | None = None  # type: ignore[assignment]
    access_user_ids: list[str] | None = Field(None, max_length=500)  # type: ignore[assignment]
    conditions: str | None = None  # type: ignore[assignment]


class ReviewIn(Input):
    continue_use: bool
    rationale: str
    review_due: datetime | None = None


class RationaleIn(Input):
    rationale: str


class LibraryOut(BaseModel):
    id: str
    reference: str
    name: str
    kind: str
    status: str
    image_level: int | None
    review_due: datetime | None
    searchable: bool
    images: int


class Recorded(BaseModel):
    id: str


def _act(request: Request, who: Principal, fn, *args, **kwargs):
    return perform(
        store_of(request), who.user.id, fn, *args, profile=request.app.state.policy, **kwargs
    )


def _out(session, lib) -> LibraryOut:
    from frt.store.base import utcnow

    return LibraryOut(
        id=lib.id,
        reference=lib.reference,
        name=lib.name,
        kind=lib.kind,
        status=lib.status,
        image_level=lib.image_level,
        review_due=lib.review_due,
        searchable=bool(libraries.searchable(lib, utcnow())),
        images=libraries.image_count(session, lib.id),
    )


@router.get("/libraries", response_model=list[LibraryOut])
def list_libraries(request: Request, who: Principal = Depends(require_role(*READERS))):
    with store_of(request).session() as s:
        return [_out(s, lib) for lib in libraries.all_libraries(s)]


@router.get("/libraries/{library_id}", response_model=LibraryOut)
def get_library(
    request: Request, library_id: str, who: Principal = Depends(require_role(*READERS))
):
    with store_of(request).session() as s:
        return _out(s, libraries.find(s, library_id))


@router.post("/libraries", response_model=Recorded, status_code=201)
def apply(
    request: Request, body: LibraryIn, who: Principal = Depends(require_role(*libraries.APPLICANTS))
):
    fields = body.model_dump()
    lib = _act(request, who, libraries.apply, fields.pop("kind"), fields.pop("name"), **fields)
    return Recorded(id=lib.id)


@router.post("/libraries/{library_id}/decision", response_model=Recorded)
def decide(
    request: Request,
    library_id: str,
    body: DecisionIn,
    who: Principal = Depends(require_role(*libraries.DECIDERS)),
):
    d = body.model_dump()
    row = _act(
        request, who, libraries.decide, library_id, d.pop("approve"), d.pop("rationale"), **d
    )
    return Recorded(id=row.id)


@router.post("/libraries/{library_id}/follow-up", response_model=Recorded)
def follow_up(
    request: Request,
    library_id: str,
    body: FollowUpIn,
    who: Principal = Depends(require_role(Role.RFR_APPROVING_OFFICER, Role.SRO)),
):
    d = body.model_dump()
    row = _act(
        request, who, libraries.follow_up, library_id, d.pop("outcome"), d.pop("rationale"), **d
    )
    return Recorded(id=row.id)


@router.post("/libraries/{library_id}/written-rationale", response_model=Recorded)
def written_rationale(
    request: Request,
    library_id: str,
    body: RationaleIn,
    who: Principal = Depends(require_role(*libraries.DECIDERS)),
):
    return Recorded(
        id=_act(request, who, libraries.written_rationale, library_id, body.rationale).id
    )


@router.post("/libraries/{library_id}/review", response_model=Recorded)
def review(
    request: Request,
    library_id: str,
    body: ReviewIn,
    who: Principal = Depends(require_role(*libraries.DECIDERS)),
):
    return Recorded(
        id=_act(
            request,
            who,
            libraries.review,
            library_id,
            body.continue_use,
            body.rationale,
            body.review_due,
        ).id
    )


@router.post("/library-decisions/{decision_id}/noted", response_model=Recorded)
def noted(
    request: Request,
    decision_id: str,
    who: Principal = Depends(require_role(Role.FR_OPERATIONAL_LEAD)),
):
    return Recorded(id=_act(request, who, libraries.note_review, decision_id).id)


@router.get(
    "/library-images/{image_id}",
    response_class=Response,
    responses={200: {"content": {"image/*": {}}}},
)
def library_image(
    request: Request, image_id: str, who: Principal = Depends(require_role(Role.RFR_USER))
):
    data = _act(request, who, libraries.image_bytes, image_id)
    return Response(data, media_type=_media_type(data))


def _media_type(data: bytes) -> str:
    return (
        "image/png"
        if data.startswith(b"\x89PNG")
        else ("image/jpeg" if data.startswith(b"\xff\xd8") else "application/octet-stream")
    )
