"""Jinja2 templates and the context every page shares (the user, their roles, the CSRF token)."""

from __future__ import annotations

from pathlib import Path

from fastapi import Request
from fastapi.templating import Jinja2Templates
from starlette.responses import HTMLResponse

from frt.web import csrf

TEMPLATES = Path(__file__).with_name("templates")
STATIC = Path(__file__).with_name("static")

templates = Jinja2Templates(directory=str(TEMPLATES))




def render(request: Request, name: str, status_code: int = 200, **context) -> HTMLResponse:
    principal = getattr(request.state, "principal", None)
    context.setdefault("principal", principal)
    context.setdefault("user", principal.user if principal else None)
    context["nav"] = request.app.state.site.nav_for(principal)
    context["csrf_token"] = csrf.token(request) if "session" in request.scope else ""
    return templates.TemplateResponse(request, name, context, status_code=status_code)


def wants_json(request: Request) -> bool:
    """API paths answer in JSON; everything else is a page (or an HTMX fragment)."""
    return request.url.path.startswith("/api/")


def is_htmx(request: Request) -> bool:
    return request.headers.get("HX-Request") == "true"
