"""The home page: who is signed in, and each of their roles' work lists (`frt.web.panels`)."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Request

from frt.web.auth import Principal, require_role
from frt.web.templating import render
from frt.web.units import unit

router = APIRouter(include_in_schema=False)


@router.get("/", name="home")
def home(request: Request, who: Principal = Depends(require_role())):
    with unit(request, who) as ctx:  # panels only read; nothing here is committed
        site = request.app.state.site
        panels = [(panel, panel.items(ctx, who)) for panel in site.panels_for(who.roles)]
    roles = sorted(who.roles, key=lambda r: r.label)
    return render(request, "home.html", panels=panels, roles=roles)
