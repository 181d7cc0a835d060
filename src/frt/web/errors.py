"""How errors and refusals reach the user: each names its rule and paragraph, none leaks internals.

A refusal (a `PolicyRefusal`, a role check, a CSRF failure, `AuditAccessDenied`, any other
`PermissionError`) answers 403 with the reason and the citation, and is recorded in the audit log
in a transaction of its own: the request's own unit of work has already rolled back. Refusals of
anonymous requests pass `frt.web.throttle` first: repeats are counted into one record, and a
client that keeps on is answered 429 (DATA-04; hardening issue, item 4).
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Callable
from urllib.parse import quote

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.responses import JSONResponse, RedirectResponse, Response

from frt.audit.log import AuditAccessDenied, Outcome, record
from frt.core.errors import InputError, NotFound
from frt.policy import Decision, PolicyRefusal
from frt.web.auth import NotAuthenticated, PasswordChangeRequired, session_actor, store_of
from frt.web.templating import is_htmx, render, wants_json
from frt.web.throttle import (
    TooManyAttempts,
    Verdict,
    client_of,
    record_counted,
    throttle_for,
    throttle_of,
)

logger = logging.getLogger(__name__)

AUDIT_READ_CITATION = "000 §12.1(d), §12.1(h)"
DEFAULT_CITATION = "000 §12.1(d)"


def install(app: FastAPI) -> None:
    handlers: list[tuple[type[Exception], Callable[..., Response]]] = [
        (TooManyAttempts, _too_many),
        (NotAuthenticated, _not_authenticated),
        (PasswordChangeRequired, _password_change_required),
        (PolicyRefusal, _policy_refusal),
        (PermissionError, _permission_error),  # incl. AuditAccessDenied
        (RequestValidationError, _invalid_request),
        (InputError, _input_error),  # frt.core actions: 400, or 404
        (StarletteHTTPException, _http_error),
        (Exception, _unexpected),
    ]
    for kind, handler in handlers:
        app.add_exception_handler(kind, handler)
    throttle_for(app)  # made now, not by two first requests at once
    # Counted refusals of a window not yet ended are recorded when the server stops.
    app.router.on_shutdown.append(
        lambda: record_counted(app.state.store, throttle_for(app), everything=True)
    )


def _too_many(request: Request, exc: TooManyAttempts) -> Response:
    """429: this client must wait. Anonymous attempts were counted (frt.web.throttle)."""
    actor = session_actor(request)
    if actor.user_id is not None:
        _write(request, actor, Decision.refuse(exc.reason, exc.citation, "WEB-THROTTLE"))
    headers = {"Retry-After": str(exc.retry_after)}
    if wants_json(request):
        return JSONResponse(
            {"error": "too many requests", "detail": exc.reason, "rule": exc.citation},
            status_code=429,
            headers=headers,
        )
    response = render(
        request,
        "error.html",
        429,
        title="Too many attempts",
        detail=f"{exc.reason} ({exc.citation})",
    )
    response.headers.update(headers)
    return response


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
    limited = None if exc.recorded else _record(request, exc.decision)  # outside any action
    return limited or refusal_response(request, exc.decision)


def _input_error(request: Request, exc: InputError) -> Response:
    """A wrong input from a person, raised by an action: 400, or 404 for a missing object."""
    status = 404 if isinstance(exc, NotFound) else 400
    decision = getattr(exc, "decision", None)  # an InputRefused names its rule (input_rules)
    if wants_json(request) and decision is not None:
        return JSONResponse(
            {
                "error": "invalid input",
                "detail": decision.reason,
                "rule": decision.rule,
                "citation": decision.citation,
            },
            status_code=400,
        )
    if wants_json(request):
        return _json(status, "not found" if status == 404 else "invalid input", str(exc))
    return render(
        request,
        "error.html",
        status,
        title="Not found" if status == 404 else "Cannot do that",
        detail=str(exc),
    )


def _permission_error(request: Request, exc: PermissionError) -> Response:
    reason = getattr(exc, "reason", None) or str(exc) or "not permitted"
    default = AUDIT_READ_CITATION if isinstance(exc, AuditAccessDenied) else DEFAULT_CITATION
    decision = Decision.refuse(
        reason,
        getattr(exc, "citation", None) or default,
        getattr(exc, "rule", None) or "ACCESS-ROLE",
    )
    return _record(request, decision) or refusal_response(request, decision)


def _record(request: Request, decision: Decision) -> Response | None:
    """Record a refusal no action recorded, in its own transaction (it outlives the rollback).

    Anonymous refusals are throttled per client before any audit write: repeats are counted into
    one record, and past the limit the answer is 429 (hardening item 4)."""
    actor = session_actor(request)
    if actor.user_id is None:
        throttle = throttle_of(request)
        verdict = throttle.anonymous_refusal(client_of(request), _action(request))
        record_counted(store_of(request), throttle)
        if verdict is Verdict.LIMIT:
            return _too_many(request, TooManyAttempts(60, "refused requests"))
        if verdict is not Verdict.RECORD:
            return None
    _write(request, actor, decision)
    return None


def _write(request: Request, actor, decision: Decision) -> None:
    action = _action(request)
    try:
        with store_of(request).session() as session:
            record(
                session,
                actor,
                action,
                outcome=Outcome.REFUSED,
                detail={
                    "reason": decision.reason,
                    "rule": decision.rule or None,
                    "citation": decision.citation,
                },
            )
    except Exception:  # the refusal still stands if the audit write fails; say so in the log
        logger.exception("could not record refusal of %s", action)


def refusal_json(decision: Decision) -> dict:
    return {
        "error": "refused",
        "detail": decision.reason,
        "rule": decision.rule or None,
        "citation": decision.citation,
    }


def refusal_response(request: Request, decision: Decision) -> Response:
    """Tell the user what refused: the reason, the rule's id and its paragraph."""
    if wants_json(request):
        return JSONResponse(refusal_json(decision), status_code=403)
    template = "partials/refusal.html" if is_htmx(request) else "refusal.html"
    return render(request, template, 403, decision=decision)


def _action(request: Request) -> str:
    route = request.scope.get("route")
    name = getattr(route, "name", None) or f"{request.method} {request.url.path}"
    return f"web.{name}"[:80]


def _invalid_request(request: Request, exc: RequestValidationError) -> Response:
    problems = [
        {"field": ".".join(str(p) for p in err.get("loc", ())), "problem": err.get("msg", "")}
        for err in exc.errors()
    ]
    if wants_json(request):
        return JSONResponse({"error": "invalid request", "detail": problems}, status_code=422)
    # A page's form: every problem at once, in words, and the way back to the form.
    lines = [f"{_field_label(p['field'])}: {_plain(p['problem'])}" for p in problems]
    return render(
        request,
        "error.html",
        422,
        title="Please check the form",
        detail="Nothing was saved.",
        problems=lines,
        back=_back_to(request),
    )


def _field_label(loc: str) -> str:
    name = loc.split(".")[-1] if loc else "form"
    return name.replace("_", " ").capitalize()


def _plain(message: str) -> str:
    return message.removeprefix("Value error, ")


def _back_to(request: Request) -> str:
    """The page the form was on (same site only), else the path the form was posted to less
    its last part, which is the page for every form of this app."""
    referer = request.headers.get("referer", "")
    base = str(request.base_url)
    if referer.startswith(base):
        return "/" + referer[len(base) :].lstrip("/")
    return request.url.path.rsplit("/", 1)[0] or "/"


def _http_error(request: Request, exc: StarletteHTTPException) -> Response:
    message = "not found" if exc.status_code == 404 else str(exc.detail)
    if exc.status_code == 405 and request.method == "GET" and not wants_json(request):
        # A form's address reloaded or bookmarked: go to the page the form belongs to.
        return RedirectResponse(request.url.path.rsplit("/", 1)[0] or "/", status_code=303)
    if wants_json(request) or exc.status_code == 405:
        return _json(exc.status_code, message, str(exc.detail), headers=exc.headers)
    return render(request, "error.html", exc.status_code, title=message, detail=str(exc.detail))


def _unexpected(request: Request, exc: Exception) -> Response:
    reference = uuid.uuid4().hex[:12]
    # The traceback stays in the server log for engineers; the user gets only the reference.
    logger.error(
        "unexpected %s (ref %s) on %s",
        type(exc).__name__,
        reference,
        _action(request),
        exc_info=exc,
    )
    detail = f"something went wrong; nothing more was changed. Reference {reference}"
    if wants_json(request):
        return _json(500, "internal error", detail)
    return render(request, "error.html", 500, title="Internal error", detail=detail)


def _json(status: int, error: str, detail: str, headers=None) -> JSONResponse:
    return JSONResponse({"error": error, "detail": detail}, status_code=status, headers=headers)
