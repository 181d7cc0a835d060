"""The System Engineer's page of camera workers (issue 14): each `frt worker`, the cameras it
holds and how long since its last heartbeat; every Deployment camera and its lease."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Request

from frt.lfr import leases
from frt.people.roles import Role
from frt.store.base import utcnow
from frt.web.auth import Principal, require_role, store_of
from frt.web.panels import Site
from frt.web.templating import render

router = APIRouter()
ENGINEERS = (Role.SYSTEM_ENGINEER, Role.SILVER, Role.GOLD)


@router.get("/live/workers", name="live.workers")
def workers_page(request: Request, who: Principal = Depends(require_role(*ENGINEERS))):
    now = utcnow()
    with store_of(request).read() as db:
        workers = leases.workers_view(db)
        cameras = leases.cameras_of(db)
        return render(
            request,
            "lfr/workers.html",
            workers=workers,
            cameras=cameras,
            ago=lambda t: f"{max(0, int((now - t).total_seconds()))} s ago" if t else "—",
            timeout_s=int(leases.HEARTBEAT_TIMEOUT.total_seconds()),
        )


def install(site: Site, _profile) -> None:
    site.add_nav("Camera workers", "/live/workers", ENGINEERS)
