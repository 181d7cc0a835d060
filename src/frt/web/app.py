"""The FastAPI application: JSON API under /api, server-rendered pages, static files.

    app = create_app(store)

A later package adds its routers to `ROUTERS` below (an API router in `web/api/<resource>.py`,
a page router in `web/pages/<area>.py`); every route declares `require_role(...)`, and
`tests/web/test_routes.py` fails if one doesn't. Home-page work lists: `frt.web.panels`.
"""

from __future__ import annotations

from fastapi import Depends, FastAPI
from fastapi.staticfiles import StaticFiles
from starlette.types import ASGIApp, Message, Receive, Scope, Send

import frt
from frt.core.invariant import guard_store
from frt.policy import Profile, load_profile
from frt.store.db import Store
from frt.web import csrf, errors
from frt.web.api import audit as audit_api
from frt.web.api import (
    health,
    lfr_applications,
    lfr_authorities,
    lfr_deployments,
    lfr_exceptions,
    lfr_reports,
    lfr_watchlists,
    session,
)
from frt.web.api import lfr_live as lfr_live_api
from frt.web.api import retention as retention_api
from frt.web.api import rfr_cache as rfr_cache_api
from frt.web.api import rfr_libraries as rfr_libraries_api
from frt.web.api import rfr_searches as rfr_searches_api
from frt.web.api import users as users_api
from frt.web.auth import unguarded_routes
from frt.web.limits import DEFAULT_BODY_BYTES
from frt.web.pages import (
    admin,
    audit,
    auth,
    evaluations,
    governance_authority,
    governance_exceptions,
    governance_panels,
    home,
    lfr_live,
    lfr_workers,
    public,
    retention,
    rfr,
    rfr_cache,
    rfr_libraries,
    rfr_searches,
    rfr_usage,
)
from frt.web.pages import governance as governance_pages
from frt.web.panels import Site
from frt.web.sessions import SchemeAwareSessions, session_secret
from frt.web.templating import STATIC

ROUTERS = [
    health.router,
    session.router,
    users_api.router,
    audit_api.router,
    auth.router,
    home.router,
    admin.router,
    audit.router,
    evaluations.router,
    public.router,
    governance_pages.router,
    governance_authority.router,
    governance_exceptions.router,
    lfr_applications.router,
    lfr_authorities.router,
    lfr_deployments.router,
    lfr_watchlists.router,
    lfr_exceptions.router,
    lfr_reports.router,
    lfr_live_api.router,
    lfr_live.router,
    lfr_workers.router,
    retention_api.router,
    retention.router,
    rfr.router,
    rfr_libraries.router,
    rfr_searches.router,
    rfr_cache.router,
    rfr_usage.router,
    rfr_libraries_api.router,
    rfr_searches_api.router,
    rfr_cache_api.router,
]


def create_app(store: Store, profile: Profile | None = None) -> FastAPI:
    """The web app over `store` (wired by `frt.app`; guarded here too), its site assembled."""
    app = FastAPI(
        title="FRT",
        summary="Live and Retrospective Facial Recognition inside their governance.",
        version=getattr(frt, "__version__", "0.1.0"),
        openapi_url="/api/openapi.json",
        docs_url=None,  # Swagger UI loads from a CDN; /api/docs is a local page instead
        redoc_url=None,
        dependencies=[Depends(csrf.protect)],
        max_body_size=DEFAULT_BODY_BYTES,  # routes that take uploads declare their own
    )
    guard_store(store)  # nothing a request changes is committed without its audit record
    app.state.store = store
    app.state.policy = profile or load_profile(store.settings.policy_profile)
    app.state.site = Site.foundation()
    for area in (
        governance_panels,
        governance_exceptions,
        lfr_live,
        lfr_workers,
        retention,
        rfr,
        rfr_usage,
        evaluations,
    ):
        area.install(app.state.site, app.state.policy)
    for router in ROUTERS:
        app.include_router(router)
    app.mount("/static", StaticFiles(directory=STATIC), name="static")
    _refuse_unguarded(app)
    errors.install(app)
    app.add_middleware(SchemeAwareSessions, secret=session_secret(store.cipher))
    app.add_middleware(SecurityHeaders)
    return app


def _refuse_unguarded(app: FastAPI) -> None:
    """Fail at start-up, not in production, if a route forgot its role check (DATA-05)."""
    unguarded = unguarded_routes(app)
    if unguarded:
        raise RuntimeError(f"routes without require_role (000 §12.1(d)): {unguarded}")


class SecurityHeaders:
    """Headers that keep pages out of frames, caches and other origins' scripts."""

    CSP = (
        "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
        "connect-src 'self'; frame-ancestors 'none'; form-action 'self'; base-uri 'none'"
    )

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        https = scope.get("scheme") == "https"
        static = scope["path"].startswith("/static/")

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = message.setdefault("headers", [])
                headers.extend(self._headers(https, static))
            await send(message)

        await self.app(scope, receive, send_with_headers)

    def _headers(self, https: bool, static: bool) -> list[tuple[bytes, bytes]]:
        values = {
            b"content-security-policy": self.CSP.encode(),
            b"x-content-type-options": b"nosniff",
            b"x-frame-options": b"DENY",
            b"referrer-policy": b"no-referrer",
            # Pages show personal data: never keep them in a shared device's cache.
            b"cache-control": b"max-age=3600" if static else b"no-store",
        }
        if https:
            values[b"strict-transport-security"] = b"max-age=31536000"
        return list(values.items())
