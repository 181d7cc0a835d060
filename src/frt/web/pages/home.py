"""The home page: who is signed in, and each of their roles' work lists (`frt.web.panels`)."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Request

from frt.web.auth import Principal, require_role, store_of
from frt.web.panels import panels_for
from frt.web.templating import render

router = APIRouter(include_in_schema=False)


@router.get("/", name="home")
def home(request: Request, who: Principal = Depends(require_role())):
    with store_of(request).session() as db:
        panels = [(panel, panel.items(db, who)) for panel in panels_for(who.roles)]
    roles = sorted(who.roles, key=lambda r: r.label)
    return render(request, "home.html", panels=panels, roles=roles)
