"""`/api/lfr/…/report`, `/api/lfr/register`, `/api/lfr/worklist` and notifications: the
cancellation report (Form 1 Part 3, GOV-12), the register of Deployments (GOV-13), and what waits
for the caller. Models: `frt.web.schemas.lfr_authorities` and `frt.web.schemas.lfr_register`."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Request

from frt.governance import notices, reports, transparency, worklists
from frt.people.roles import Role
from frt.web.auth import Principal, require_role
from frt.web.lfr_shared import ANY
from frt.web.schemas.base import Ref
from frt.web.schemas.lfr_authorities import ReportIn, ReportOut
from frt.web.schemas.lfr_register import RegisterRow, WorkItemOut
from frt.web.units import unit

router = APIRouter(prefix="/api/lfr", tags=["lfr reports and register"])
GOLD = require_role(Role.GOLD)


@router.post("/authorities/{auth_id}/report", name="api.lfr.report.prepare")
def prepare(auth_id: str, request: Request, who: Principal = Depends(GOLD)) -> ReportOut:
    with unit(request, who) as ctx:
        report = reports.prepare(ctx, auth_id)
        return ReportOut(
            id=report.id, status=report.status, due_at=report.due_at, metrics=report.metrics
        )


@router.post("/reports/{report_id}/evaluation", name="api.lfr.report.evaluate")
def evaluate(
    report_id: str, body: ReportIn, request: Request, who: Principal = Depends(GOLD)
) -> Ref:
    with unit(request, who) as ctx:
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
    request: Request, who: Principal = Depends(require_role(*transparency.REGISTER_READERS))
) -> list[RegisterRow]:
    with unit(request, who) as ctx:
        return [RegisterRow.model_validate(r) for r in transparency.read_register(ctx)]


@router.post("/notifications/{note_id}/ack", name="api.lfr.notification.ack")
def acknowledge(note_id: str, request: Request, who: Principal = Depends(ANY)) -> Ref:
    with unit(request, who) as ctx:
        return Ref(id=notices.acknowledge(ctx, note_id).id, state="acknowledged")


@router.get("/worklist", name="api.lfr.worklist")
def worklist(request: Request, who: Principal = Depends(ANY)) -> list[WorkItemOut]:
    with unit(request, who) as ctx:
        return [WorkItemOut(**item.__dict__) for item in worklists.for_user(ctx)]
