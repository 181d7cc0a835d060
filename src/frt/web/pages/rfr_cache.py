"""The Unresolved Crime Cache and decisions outside policy on the search page (`/rfr/searches/{id}#cache`; 003 §6): the
searcher offers a completed search's probe, an approving officer decides, the owner reviews or
removes it. Each form posts to one of these routes and returns to the search page."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Request

from frt.people.roles import Role
from frt.rfr import cache, outside_policy
from frt.rfr.models import RfrCacheEntry
from frt.web.auth import Principal, require_role, store_of
from frt.web.pages.rfr import act_async, back

router = APIRouter(include_in_schema=False)


def _search_of(request: Request, entry_id: str) -> str:
    with store_of(request).session() as s:
        entry = s.get(RfrCacheEntry, entry_id)
        return entry.search_id if entry else ""


@router.post("/rfr/searches/{search_id}/cache", name="rfr.cache.request")
async def offer(
    request: Request, search_id: str, who: Principal = Depends(require_role(Role.RFR_USER))
):
    form = await request.form()
    await act_async(
        request,
        who,
        cache.request,
        search_id,
        [str(g) for g in form.getlist("grounds")],
        str(form.get("rationale", "")),
        form.get("unknown_person") == "on",
    )
    return back(f"/rfr/searches/{search_id}#cache")


@router.post("/rfr/cache/{entry_id}/decision", name="rfr.cache.decide")
async def decide(
    request: Request,
    entry_id: str,
    who: Principal = Depends(require_role(Role.RFR_APPROVING_OFFICER)),
):
    form = await request.form()
    await act_async(
        request,
        who,
        cache.decide,
        entry_id,
        form.get("outcome") == "approve",
        str(form.get("note", "")),
    )
    return back(f"/rfr/searches/{_search_of(request, entry_id)}#cache")


@router.post("/rfr/cache/{entry_id}/review", name="rfr.cache.review")
async def review(
    request: Request, entry_id: str, who: Principal = Depends(require_role(Role.RFR_USER))
):
    form = await request.form()
    await act_async(
        request,
        who,
        cache.review,
        entry_id,
        form.get("outcome") != "remove",
        str(form.get("note", "")),
        [str(g) for g in form.getlist("grounds")] or None,
    )
    return back(f"/rfr/searches/{_search_of(request, entry_id)}#cache")


@router.post("/rfr/cache/{entry_id}/removal", name="rfr.cache.remove")
async def remove(
    request: Request,
    entry_id: str,
    who: Principal = Depends(require_role(Role.RFR_USER, Role.RFR_APPROVING_OFFICER)),
):
    form = await request.form()
    await act_async(request, who, cache.remove, entry_id, str(form.get("reason", "")))
    return back(f"/rfr/searches/{_search_of(request, entry_id)}#cache")


@router.post("/rfr/searches/{search_id}/outside-policy", name="rfr.outside_policy.record")
async def outside(
    request: Request,
    search_id: str,
    who: Principal = Depends(require_role(Role.RFR_APPROVING_OFFICER)),
):
    """A decision outside policy (003 §12.3): search all remaining levels without urgency."""
    form = await request.form()
    await act_async(
        request,
        who,
        outside_policy.record,
        search_id,
        str(form.get("rationale", "")),
        str(form.get("legal_advice", "")),
    )
    return back(f"/rfr/searches/{search_id}#search")
