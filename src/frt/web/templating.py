"""Jinja2 templates and the context every page shares (the user, their roles, the CSRF token)."""

from __future__ import annotations

from pathlib import Path

from fastapi import Request
from fastapi.templating import Jinja2Templates
from jinja2 import pass_context
from starlette.responses import HTMLResponse

from frt.web import csrf, timefmt

TEMPLATES = Path(__file__).with_name("templates")
STATIC = Path(__file__).with_name("static")

templates = Jinja2Templates(directory=str(TEMPLATES))


def _profile(context):
    request = context.get("request")
    return getattr(getattr(getattr(request, "app", None), "state", None), "policy", None)


def _with_profile(fn):
    @pass_context
    def filter_(context, value, *args):
        return fn(value, _profile(context), *args)

    return filter_


# Times in the force's zone to the minute, durations in hours and minutes, labels people use,
# plurals that agree (issue 12, item 8): `{{ dep.starts_at | local }}`, `{{ n | count("alert") }}`.
templates.env.filters.update(
    local=_with_profile(timefmt.local),
    local_time=_with_profile(timefmt.local_time),
    local_date=_with_profile(timefmt.local_date),
    form_value=_with_profile(timefmt.form_value),
    duration=timefmt.duration,
    retention=timefmt.retention,
    label=timefmt.label,
    articles=timefmt.articles,
    count=timefmt.count,
)
templates.env.globals["span"] = pass_context(
    lambda context, start, end: timefmt.span(start, end, _profile(context))
)


def render(request: Request, name: str, status_code: int = 200, **context) -> HTMLResponse:
    principal = getattr(request.state, "principal", None)
    context.setdefault("principal", principal)
    context.setdefault("user", principal.user if principal else None)
    context["nav"] = request.app.state.site.nav_for(principal)
    context.setdefault("training", training_banner(request))
    context["csrf_token"] = csrf.token(request) if "session" in request.scope else ""
    return templates.TemplateResponse(request, name, context, status_code=status_code)


def training_banner(request: Request) -> str:
    """The banner every page of a training installation shows ('' elsewhere)."""
    from frt.installation import TRAINING_BANNER, is_training

    store = getattr(request.app.state, "store", None)
    return TRAINING_BANNER if store is not None and is_training(store.settings) else ""


def wants_json(request: Request) -> bool:
    """API paths answer in JSON; everything else is a page (or an HTMX fragment)."""
    return request.url.path.startswith("/api/")


def is_htmx(request: Request) -> bool:
    return request.headers.get("HX-Request") == "true"
