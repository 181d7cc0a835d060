"""`/api/lfr/deployments/…`: a Deployment's state, roster and Silver's reviews.
Models: `frt.web.schemas.lfr_deployments`. A refused roster says whether a decision outside
policy may set the rule aside (GOV-16)."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends, Request

from frt.governance import command, deployments, outside_policy
from frt.governance.outside_policy import Scope
from frt.people.roles import Role
from frt.policy import PolicyRefusal
from frt.web.auth import Principal, require_role
from frt.web.lfr_shared import ROSTERERS, refused
from frt.web.schemas.base import Ref
from frt.web.schemas.lfr_deployments import RosterIn, SilverReviewIn, StateIn
from frt.web.units import unit

router = APIRouter(prefix="/api/lfr", tags=["lfr deployments"])
REFUSED_ROSTER: dict[int | str, dict[str, Any]] = {
    403: {
        "description": "refused; says whether a decision outside policy may set "
        "the rule aside (GOV-16)"
    }
}


@router.post("/deployments/{dep_id}/state", name="api.lfr.deployment.state")
def state(
    dep_id: str,
    body: StateIn,
    request: Request,
    who: Principal = Depends(require_role(Role.GOLD, Role.SILVER)),
) -> Ref:
    with unit(request, who) as ctx:
        dep = deployments.set_state(ctx, dep_id, body.state, body.reason)
        return Ref(id=dep.id, state=dep.state)


@router.post(
    "/deployments/{dep_id}/roster",
    name="api.lfr.deployment.roster",
    responses=REFUSED_ROSTER,
    response_model=Ref,
)
def roster(dep_id: str, body: RosterIn, request: Request, who: Principal = Depends(ROSTERERS)):
    try:
        with unit(request, who) as ctx:
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
    with unit(request, who) as ctx:
        row = command.record_review(ctx, dep_id, **body.model_dump())
        return Ref(id=row.id, state=row.outcome)
