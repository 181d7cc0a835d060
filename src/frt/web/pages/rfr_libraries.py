"""Library pages (`/rfr/libraries…`): Form 1 / Form 2, the approving officer's decision, urgent
follow-up, verbal approval's written rationale, reviews and the Operational Lead's noting."""

from __future__ import annotations

from datetime import UTC, datetime, time

from fastapi import APIRouter, Depends, Request
from starlette.responses import Response

from frt.core.errors import InputError
from frt.people.models import User
from frt.people.roles import Role
from frt.rfr import libraries
from frt.store.base import utcnow
from frt.web.auth import Principal, require_role, store_of
from frt.web.pages.rfr import RFR_ROLES, act_async, back
from frt.web.templating import render

router = APIRouter(include_in_schema=False)
DECIDERS = require_role(*libraries.DECIDERS)


def _date(text: str | None) -> datetime | None:
    """A review date (YYYY-MM-DD) as the end of that day, UTC."""
    if not text:
        return None
    try:
        day = datetime.strptime(text.strip(), "%Y-%m-%d").date()
    except ValueError:
        raise InputError("a review date is YYYY-MM-DD") from None
    return datetime.combine(day, time(23, 59), tzinfo=UTC)


def _level(text: str | None) -> int | None:
    try:
        return int(text) if text else None
    except ValueError:
        raise InputError("an Image Level is a number from 1 to 5") from None


@router.get("/rfr/libraries", name="rfr.libraries")
def library_list(request: Request, who: Principal = Depends(require_role(*RFR_ROLES))):
    with store_of(request).session() as s:
        rows = [
            (lib, libraries.searchable(lib, utcnow()), libraries.image_count(s, lib.id))
            for lib in libraries.all_libraries(s)
        ]
    return render(
        request,
        "rfr/libraries.html",
        rows=rows,
        fields=libraries.FORM_FIELDS,
        may_apply=bool(who.roles & set(libraries.APPLICANTS)),
    )


@router.post("/rfr/libraries", name="rfr.library.apply")
async def apply(request: Request, who: Principal = Depends(require_role(*libraries.APPLICANTS))):
    form = await request.form()
    fields = {k: str(form.get(k, "")) for k in libraries.FORM_FIELDS}
    lib = await act_async(
        request,
        who,
        libraries.apply,
        str(form.get("kind", "")),
        str(form.get("name", "")),
        investigation=str(form.get("investigation", "")),
        **fields,
    )
    return back(f"/rfr/libraries/{lib.id}")


@router.get("/rfr/libraries/{library_id}", name="rfr.library")
def library_page(
    request: Request, library_id: str, who: Principal = Depends(require_role(*RFR_ROLES))
):
    with store_of(request).session() as s:
        lib = libraries.find(s, library_id)
        decisions = libraries.decisions_of(s, lib.id)
        names = {u.id: u.display_name for u in s.query(User)}
        users = [u for u in s.query(User).order_by(User.display_name) if u.has_role(Role.RFR_USER)]
        count = libraries.image_count(s, lib.id)
        searchable = libraries.searchable(lib, utcnow())
    return render(
        request,
        "rfr/library.html",
        lib=lib,
        decisions=decisions,
        names=names,
        users=users,
        count=count,
        searchable=searchable,
        Role=Role,
        fields=libraries.FORM_FIELDS,
        missing=libraries.missing_fields(lib),
    )


def _terms(form) -> dict:
    return dict(
        image_level=_level(form.get("image_level")),
        access_all=form.get("access_all") == "on",
        access_user_ids=[str(v) for v in form.getlist("access_user_ids")],
        conditions=str(form.get("conditions", "")),
        review_due=_date(str(form.get("review_due", ""))),
    )


@router.post("/rfr/libraries/{library_id}/decision", name="rfr.library.decide")
async def decide(request: Request, library_id: str, who: Principal = Depends(DECIDERS)):
    form = await request.form()
    approve = form.get("outcome") == "approve"
    await act_async(
        request,
        who,
        libraries.decide,
        library_id,
        approve,
        str(form.get("rationale", "")),
        urgent=form.get("urgent") == "on",
        verbal=form.get("verbal") == "on",
        **_terms(form),
    )
    return back(f"/rfr/libraries/{library_id}")


@router.post("/rfr/libraries/{library_id}/follow-up", name="rfr.library.follow_up")
async def follow_up(request: Request, library_id: str, who: Principal = Depends(DECIDERS)):
    form = await request.form()
    terms = _terms(form) if form.get("outcome") == "vary" else {}
    await act_async(
        request,
        who,
        libraries.follow_up,
        library_id,
        str(form.get("outcome", "")),
        str(form.get("rationale", "")),
        **terms,
    )
    return back(f"/rfr/libraries/{library_id}")


@router.post("/rfr/libraries/{library_id}/written-rationale", name="rfr.library.written")
async def written(request: Request, library_id: str, who: Principal = Depends(DECIDERS)):
    form = await request.form()
    await act_async(
        request, who, libraries.written_rationale, library_id, str(form.get("rationale", ""))
    )
    return back(f"/rfr/libraries/{library_id}")


@router.post("/rfr/libraries/{library_id}/review", name="rfr.library.review")
async def review(request: Request, library_id: str, who: Principal = Depends(DECIDERS)):
    form = await request.form()
    await act_async(
        request,
        who,
        libraries.review,
        library_id,
        form.get("continue_use") == "yes",
        str(form.get("rationale", "")),
        _date(str(form.get("review_due", ""))),
    )
    return back(f"/rfr/libraries/{library_id}")


@router.post("/rfr/library-decisions/{decision_id}/noted", name="rfr.library.noted")
async def noted(
    request: Request,
    decision_id: str,
    who: Principal = Depends(require_role(Role.FR_OPERATIONAL_LEAD)),
):
    row = await act_async(request, who, libraries.note_review, decision_id)
    return back(f"/rfr/libraries/{row.library_id}")


@router.get("/rfr/library-images/{image_id}", name="rfr.library.image")
def library_image(
    request: Request, image_id: str, who: Principal = Depends(require_role(Role.RFR_USER))
):
    from frt.web.pages.rfr import act

    data = act(request, who, libraries.image_bytes, image_id)
    return Response(data, media_type="image/png" if data.startswith(b"\x89PNG") else "image/jpeg")
