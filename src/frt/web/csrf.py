"""Cross-site request forgery protection for every form and state-changing API call.

Each session (a signed-out one too, so the login form is covered) holds a random token. Every
POST, PUT, PATCH and DELETE must echo it, in the `X-CSRF-Token` header (HTMX sends it from
`hx-headers` on <body>; API clients read it from `GET /api/session`) or in the `csrf_token`
field of a form. A missing or wrong token is refused with 403 and the refusal is audited.

Calls that authenticate with a bearer credential (enrolled handheld devices, 000 §12.1(e)) carry
no cookie authority: a browser never attaches an `Authorization` header to a cross-site request,
so CSRF cannot ride on them and they need no token. Their routes accept only the bearer.
"""

from __future__ import annotations

import hmac
import secrets

from fastapi import Request

from frt.web import sessions

HEADER = "X-CSRF-Token"
FIELD = "csrf_token"
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
CITATION = "000 §12.1(b)"  # defence in depth for the application and its data


class CsrfRefused(PermissionError):
    """The request did not carry this session's CSRF token."""

    citation = CITATION
    rule = "WEB-CSRF"

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


def token(request: Request) -> str:
    """This session's token, created on first use (so a signed-out session has one too)."""
    value = request.session.get(sessions.CSRF)
    if not value:
        value = secrets.token_urlsafe(32)
        request.session[sessions.CSRF] = value
    return value


async def protect(request: Request) -> None:
    """App-wide dependency: state-changing requests must carry the session's token."""
    if request.method in SAFE_METHODS or _bearer(request):
        return
    expected = request.session.get(sessions.CSRF)
    sent = request.headers.get(HEADER) or await _form_token(request)
    if not sent:
        raise CsrfRefused("the request carries no CSRF token; reload the page and try again")
    if not expected or not hmac.compare_digest(sent.encode(), str(expected).encode()):
        raise CsrfRefused(
            "the request's CSRF token does not match this session; reload the page and try again"
        )


def _bearer(request: Request) -> bool:
    """A bearer call with no signed-in session behind it (a session's calls still need the token)."""
    has_bearer = request.headers.get("authorization", "").lower().startswith("bearer ")
    return has_bearer and not request.session.get(sessions.USER_ID)


async def _form_token(request: Request) -> str | None:
    content_type = request.headers.get("content-type", "")
    if not content_type.startswith(("application/x-www-form-urlencoded", "multipart/form-data")):
        return None
    form = await request.form()  # cached on the request: the route reads the same form
    value = form.get(FIELD)
    return value if isinstance(value, str) else None
