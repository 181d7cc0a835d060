"""`/api/lfr/exceptions`: decisions outside policy (GOV-16) — recorded by the AO, Gold or Silver
for a refused action they may excuse, then used by repeating the action; reviewed by the SRO.
Models: `frt.web.schemas.lfr_exceptions`."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Request

from frt.governance import outside_policy
from frt.people.roles import Role
from frt.web.auth import Principal, require_role
from frt.web.lfr_shared import EXCEPTION_READERS
from frt.web.schemas.lfr_exceptions import ExceptionIn, ExceptionOut, ExceptionReviewIn
from frt.web.units import unit

router = APIRouter(prefix="/api/lfr", tags=["lfr decisions outside policy"])


@router.post("/exceptions", name="api.lfr.exception.create")
def record_exception(
    body: ExceptionIn,
    request: Request,
    who: Principal = Depends(require_role(*outside_policy.DECIDERS)),
) -> ExceptionOut:
    """Record a decision outside policy for a refused action; repeat the action to use it."""
    with unit(request, who) as ctx:
        return ExceptionOut.of(
            outside_policy.record(ctx, body.scope(), body.rationale, body.legal_advice)
        )


@router.get("/exceptions", name="api.lfr.exceptions")
def exceptions(
    request: Request, who: Principal = Depends(require_role(*EXCEPTION_READERS))
) -> list[ExceptionOut]:
    with unit(request, who) as ctx:
        return [ExceptionOut.of(e) for e in outside_policy.all_decisions(ctx)]


@router.post("/exceptions/{exc_id}/review", name="api.lfr.exception.review")
def review_exception(
    exc_id: str,
    body: ExceptionReviewIn,
    request: Request,
    who: Principal = Depends(require_role(Role.SRO)),
) -> ExceptionOut:
    with unit(request, who) as ctx:
        return ExceptionOut.of(outside_policy.review(ctx, exc_id, body.outcome, body.reasons))
