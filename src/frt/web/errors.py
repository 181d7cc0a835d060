"""How errors and refusals reach the user: each names its rule and paragraph, none leaks internals.

A refusal (a `PolicyRefusal`, a role check, a CSRF failure, `AuditAccessDenied`, any other
`PermissionError`) answers 403 with the reason and the citation, and is recorded in the audit log
in a transaction of its own: the request's own unit of work has already rolled back.
"""

from __future__ import annotations

import logging
import uuid
from urllib.parse import quote

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.responses import JSONResponse, RedirectResponse, Response

from frt.audit.log import AuditAccessDenied, record_refusal
from frt.core.errors import InputError, NotFound
from frt.policy import PolicyRefusal
from frt.web.auth import NotAuthenticated, PasswordChangeRequired, session_actor, store_of
from frt.web.templating import is_htmx, render, wants_json

logger = logging.getLogger(__name__)

AUDIT_READ_CITATION = "000 §12.1(d), §12.1(h)"
DEFAULT_CITATION = "000 §12.1(d)"


def install(app: FastAPI) -> None:
    app.add_exception_handler(NotAuthenticated, _not_authenticated)
    app.add_exception_handler(PasswordChangeRequired, _password_change_required)
    app.add_exception_handler(PolicyRefusal, _policy_refusal)
    app.add_exception_handler(PermissionError, _permission_error)  # incl. AuditAccessDenied
    app.add_exception_handler(RequestValidationError, _invalid_request)
    app.add_exception_handler(InputError, _input_error)  # frt.core actions: 400, or 404
    app.add_exception_handler(StarletteHTTPException, _http_error)
    app.add_exception_handler(Exception, _unexpected)


def _not_authenticated(request: Request, _exc: Exception) -> Response:
    if wants_json(request):
        return _json(401, "not signed in", "sign in first: POST /api/session")
    if is_htmx(request):
        return Response(status_code=401, headers={"HX-Redirect": "/login"})
    target = request.url.path
    query = f"?next={quote(target)}" if target not in ("/", "/login") else ""
    return RedirectResponse(f"/login{query}", status_code=303)


def _password_change_required(request: Request, _exc: Exception) -> Response:
    if wants_json(request):
        return _json(403, "password change required", "choose a new password at /account/password")
    return RedirectResponse("/account/password", status_code=303)


def _policy_refusal(request: Request, exc: PolicyRefusal) -> Response:
    # An action run by frt.core.actions.acting has recorded its refusal already (rule and all).
    return refuse(request, exc.decision.reason, exc.decision.citation,
                  recorded=getattr(exc, "recorded", False), rule=exc.decision.rule)


def _input_error(request: Request, exc: InputError) -> Response:
    status = 404 if isinstance(exc, NotFound) else 400
    if wants_json(request):
        return _json(status, "not found" if status == 404 else "invalid input", str(exc))
    return render(request, "error.html", status, title="Not found" if status == 404 else
                  "Cannot do that", detail=str(exc))


def _permission_error(request: Request, exc: PermissionError) -> Response:
    reason = getattr(exc, "reason", None) or str(exc) or "not permitted"
    default = AUDIT_READ_CITATION if isinstance(exc, AuditAccessDenied) else DEFAULT_CITATION
    return refuse(request, reason, getattr(exc, "citation", None) or default)


def refuse(request: Request, reason: str, citation: str, *, recorded: bool = False,
           rule: str = "") -> Response:
    """Record the refusal (its own transaction) and tell the user which rule refused."""
    action = _action(request)
    try:
        if not recorded:
            record_refusal(store_of(request), session_actor(request), action, reason, citation)
    except Exception:  # the refusal still stands if the audit write fails; say so in the log
        logger.exception("could not record refusal of %s", action)
    if wants_json(request):
        body = {"error": "refused", "detail": reason, "rule": citation}
        if rule:
            body["rule_id"] = rule
        return JSONResponse(body, status_code=403)
    template = "partials/refusal.html" if is_htmx(request) else "refusal.html"
    return render(request, template, 403, reason=reason, citation=citation)


def _action(request: Request) -> str:
    route = request.scope.get("route")
    name = getattr(route, "name", None) or f"{request.method} {request.url.path}"
    return f"web.{name}"[:80]


def _invalid_request(request: Request, exc: RequestValidationError) -> Response:
    problems = [
        {"field": ".".join(str(p) for p in err.get("loc", ())), "problem": err.get("msg", "")}
        for err in exc.errors()
    ]
    return JSONResponse(
        {"error": "invalid request", "detail": problems}, status_code=422
    )


def _http_error(request: Request, exc: StarletteHTTPException) -> Response:
    message = "not found" if exc.status_code == 404 else str(exc.detail)
    if wants_json(request) or exc.status_code == 405:
        return _json(exc.status_code, message, str(exc.detail), headers=exc.headers)
    return render(request, "error.html", exc.status_code, title=message, detail=str(exc.detail))


def _unexpected(request: Request, exc: Exception) -> Response:
    reference = uuid.uuid4().hex[:12]
    # The traceback stays in the server log for engineers; the user gets only the reference.
    logger.error("unexpected %s (ref %s) on %s", type(exc).__name__, reference, _action(request),
                 exc_info=exc)
    detail = f"something went wrong; nothing more was changed. Reference {reference}"
    if wants_json(request):
        return _json(500, "internal error", detail)
    return render(request, "error.html", 500, title="Internal error", detail=detail)


def _json(status: int, error: str, detail: str, headers=None) -> JSONResponse:
    return JSONResponse({"error": error, "detail": detail}, status_code=status, headers=headers)
