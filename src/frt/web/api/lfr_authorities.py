"""`/api/lfr/authorities/…`: an Authority after the decision — the Superintendent's review of an
urgent one, the written record of a verbal one, the command team, overt use and loss reports.
Models: `frt.web.schemas.lfr_authorities`."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Request

from frt.governance import command, decisions, notices
from frt.people.roles import Role
from frt.web.auth import Principal, require_role
from frt.web.lfr_shared import ANY, OVERT_RECORDERS
from frt.web.schemas.base import Ref
from frt.web.schemas.lfr_authorities import (
    AppointIn,
    Appointment,
    AuthorityOut,
    DeploymentSummary,
    LossIn,
    OvertIn,
    UrgentReviewIn,
)
from frt.web.units import unit

router = APIRouter(prefix="/api/lfr", tags=["lfr authorities"])
AO = require_role(Role.AUTHORISING_OFFICER)


@router.get("/authorities/{auth_id}", name="api.lfr.authority")
def authority(auth_id: str, request: Request, who: Principal = Depends(ANY)) -> AuthorityOut:
    with unit(request, who) as ctx:
        auth = decisions.read_authority(ctx, auth_id)
        return AuthorityOut(
            id=auth.id,
            reference=auth.reference,
            status=auth.status,
            starts_at=auth.starts_at,
            ends_at=auth.ends_at,
            categories=auth.categories,
            min_threshold=auth.min_threshold,
            gold_id=auth.gold_id,
            awaiting_urgent_review=auth.awaiting_urgent_review,
            awaiting_written_record=auth.awaiting_written_record,
            deployments=[
                DeploymentSummary(id=d.id, state=d.state, starts_at=d.starts_at, ends_at=d.ends_at)
                for d in auth.deployments
            ],
            command_team=[
                Appointment(role=a.role, user_id=a.user_id) for a in command.team(ctx, auth.id)
            ],
        )


@router.post("/authorities/{auth_id}/urgent-review", name="api.lfr.authority.urgent_review")
def urgent_review(
    auth_id: str, body: UrgentReviewIn, request: Request, who: Principal = Depends(AO)
) -> Ref:
    with unit(request, who) as ctx:
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
def written(auth_id: str, request: Request, who: Principal = Depends(AO)) -> Ref:
    with unit(request, who) as ctx:
        return Ref(id=decisions.record_written(ctx, auth_id).id, state="written")


@router.post("/authorities/{auth_id}/command", name="api.lfr.authority.appoint")
def appoint(
    auth_id: str,
    body: AppointIn,
    request: Request,
    who: Principal = Depends(require_role(Role.GOLD)),
) -> Ref:
    with unit(request, who) as ctx:
        appt = command.appoint(ctx, auth_id, body.role, body.user_id)
        return Ref(id=appt.id, state=appt.role)


@router.post("/authorities/{auth_id}/overt-use", name="api.lfr.authority.overt")
def overt(
    auth_id: str, body: OvertIn, request: Request, who: Principal = Depends(OVERT_RECORDERS)
) -> Ref:
    with unit(request, who) as ctx:
        row = command.record_overt_use(ctx, auth_id, **body.model_dump())
        return Ref(id=row.id, state="recorded")


@router.post("/authorities/{auth_id}/loss", name="api.lfr.authority.loss")
def loss(
    auth_id: str,
    body: LossIn,
    request: Request,
    who: Principal = Depends(require_role(*notices.LOSS_REPORTERS)),
) -> Ref:
    with unit(request, who) as ctx:
        row = notices.report_loss(
            ctx, auth_id, body.item, body.circumstances, body.occurred_at or ctx.now, body.encrypted
        )
        return Ref(id=row.id, state="notified")
