"""`/api/rfr/searches/{id}/cache`, `/api/rfr/cache/…`: the Unresolved Crime Cache (RFR-10;
003 §6) — offer a completed search's probe, decide it, review it, remove it. The actions' guards
decide who may: the probe's owner, an approving officer of the profile's rank."""

from __future__ import annotations

from datetime import datetime

from fastapi import APIRouter, Depends, Request
from pydantic import BaseModel, Field

from frt.core.actions import perform
from frt.people.roles import Role
from frt.rfr import cache
from frt.rfr.models import RfrCacheEntry
from frt.web.auth import Principal, require_role, store_of
from frt.web.limits import Input

router = APIRouter(prefix="/api/rfr", tags=["rfr cache"])


class OfferIn(Input):
    grounds: list[str] = Field(max_length=7)
    rationale: str
    unknown_person: bool = False


class CacheDecisionIn(Input):
    approve: bool
    note: str


class ReviewIn(Input):
    keep: bool
    note: str
    grounds: list[str] | None = Field(None, max_length=7)


class RemovalIn(Input):
    reason: str


class EntryOut(BaseModel):
    id: str
    search_id: str
    status: str
    tier: int
    grounds: list[str]
    review_due: datetime | None
    research_runs: int
    research_hits: int


def _out(row: RfrCacheEntry) -> EntryOut:
    return EntryOut(
        id=row.id,
        search_id=row.search_id,
        status=row.status,
        tier=row.tier,
        grounds=list(row.grounds or []),
        review_due=row.review_due,
        research_runs=row.research_runs,
        research_hits=row.research_hits,
    )


def _act(request: Request, who: Principal, fn, *args) -> EntryOut:
    row = perform(store_of(request), who.user.id, fn, *args, profile=request.app.state.policy)
    return _out(row)


@router.post("/searches/{search_id}/cache", name="api.rfr.cache.request")
def offer(
    request: Request,
    search_id: str,
    body: OfferIn,
    who: Principal = Depends(require_role(Role.RFR_USER)),
) -> EntryOut:
    return _act(
        request, who, cache.request, search_id, body.grounds, body.rationale, body.unknown_person
    )


@router.post("/cache/{entry_id}/decision", name="api.rfr.cache.decide")
def decide(
    request: Request,
    entry_id: str,
    body: CacheDecisionIn,
    who: Principal = Depends(require_role(Role.RFR_APPROVING_OFFICER)),
) -> EntryOut:
    return _act(request, who, cache.decide, entry_id, body.approve, body.note)


@router.post("/cache/{entry_id}/review", name="api.rfr.cache.review")
def review(
    request: Request,
    entry_id: str,
    body: ReviewIn,
    who: Principal = Depends(require_role(Role.RFR_USER)),
) -> EntryOut:
    return _act(request, who, cache.review, entry_id, body.keep, body.note, body.grounds)


@router.post("/cache/{entry_id}/removal", name="api.rfr.cache.remove")
def remove(
    request: Request,
    entry_id: str,
    body: RemovalIn,
    who: Principal = Depends(require_role(Role.RFR_USER, Role.RFR_APPROVING_OFFICER)),
) -> EntryOut:
    return _act(request, who, cache.remove, entry_id, body.reason)
