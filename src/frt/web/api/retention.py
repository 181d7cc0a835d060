"""`/api/retention/…`: Alerts whose camera face is still stored, and the holds that keep one past
its period (DATA-01; 000 §13.2). For the DPO and Gold; ids, dates and grounds only."""

from __future__ import annotations

from datetime import datetime

from fastapi import APIRouter, Depends, Request
from pydantic import BaseModel, Field

from frt.people.roles import Role
from frt.retention import alerts
from frt.retention.alerts import HoldGround
from frt.web.auth import Principal, require_role, store_of
from frt.web.limits import Input
from frt.web.units import run

router = APIRouter(prefix="/api/retention", tags=["retention"])

HOLDERS = (Role.DPO, Role.GOLD)


class HoldIn(Input):
    ground: HoldGround
    reason: str = Field(min_length=1, max_length=2000)


class HoldOut(BaseModel):
    id: str
    ground: str
    placed_at: datetime
    released_at: datetime | None


class KeptFaceOut(BaseModel):
    alert_id: str
    deployment_id: str
    raised_at: datetime
    deadline: datetime
    held: bool
    holds: list[HoldOut]


class Recorded(BaseModel):
    id: str


@router.get("/alerts", name="retention.alerts")
def kept(request: Request, who: Principal = Depends(require_role(*HOLDERS))) -> list[KeptFaceOut]:
    with store_of(request).session() as db:
        return [
            KeptFaceOut(
                alert_id=k.alert_id,
                deployment_id=k.deployment_id,
                raised_at=k.raised_at,
                deadline=k.deadline,
                held=k.held,
                holds=[
                    HoldOut(
                        id=h.id, ground=h.ground, placed_at=h.placed_at, released_at=h.released_at
                    )
                    for h in k.holds
                ],
            )
            for k in alerts.kept_faces(db, request.app.state.policy)
        ]


@router.post("/alerts/{alert_id}/holds", name="retention.hold")
def hold(
    request: Request, alert_id: str, body: HoldIn, who: Principal = Depends(require_role(*HOLDERS))
) -> Recorded:
    return Recorded(
        id=run(
            request,
            who,
            lambda ctx: alerts.place_hold(ctx, alert_id, body.ground.value, body.reason).id,
        )
    )


@router.post("/holds/{hold_id}/release", name="retention.release")
def release(
    request: Request, hold_id: str, who: Principal = Depends(require_role(*HOLDERS))
) -> Recorded:
    return Recorded(id=run(request, who, lambda ctx: alerts.release_hold(ctx, hold_id).id))
