"""Login, logout and the change-password page (DATA-05).

The login form carries a CSRF token from a signed-out session. A user whose password was set by
someone else (`must_change_password`) is sent to choose their own before anything else.
"""

from __future__ import annotations

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import RedirectResponse

from frt.people.models import User
from frt.people.service import MIN_PASSWORD_LENGTH, LoginFailed, PeopleError, set_password
from frt.web import sessions
from frt.web.account import current_password_ok, sign_in, sign_out
from frt.web.auth import Principal, require_role, store_of
from frt.web.templating import render

router = APIRouter(include_in_schema=False)


def _safe_next(target: str | None) -> str:
    """Only a path on this site: never an open redirect to another host."""
    if target and target.startswith("/") and not target.startswith(("//", "/\\")):
        return target
    return "/"


@router.get("/login", name="login.form")
def login_form(request: Request, next: str | None = None):
    return render(request, "login.html", next=_safe_next(next))


@router.post("/login", name="login")
def login(
    request: Request,
    username: str = Form("", max_length=64),
    password: str = Form("", max_length=1024),
    next: str | None = Form(None, max_length=500),
):
    try:
        user = sign_in(request, username, password)
    except LoginFailed as exc:
        # The same page and message for every cause; the username is not echoed back.
        return render(request, "login.html", 401, error=str(exc), next=_safe_next(next))
    if user.must_change_password:
        return RedirectResponse("/account/password", status_code=303)
    return RedirectResponse(_safe_next(next), status_code=303)


@router.post("/logout", name="logout")
def logout(request: Request):
    sign_out(request)
    return RedirectResponse("/login?signed_out=1", status_code=303)


@router.get("/account/password", name="account.password.form")
def password_form(request: Request, who: Principal = Depends(require_role(password_change=True))):
    return render(request, "change_password.html", min_length=MIN_PASSWORD_LENGTH)


@router.post("/account/password", name="account.password")
def change_password(
    request: Request,
    current_password: str = Form(..., max_length=1024),
    new_password: str = Form(..., max_length=1024),
    confirm_password: str = Form(..., max_length=1024),
    who: Principal = Depends(require_role(password_change=True)),
):
    problem = _password_problem(request, who.user, current_password, new_password, confirm_password)
    if not request.session.get(sessions.USER_ID):  # too many wrong current passwords: signed out
        return RedirectResponse("/login", status_code=303)
    if problem is None:
        try:
            with store_of(request).session() as db:
                user = db.get_one(User, who.user.id)
                set_password(db, who.actor, user, new_password)
        except PeopleError as exc:
            problem = str(exc)
    if problem:
        return render(
            request, "change_password.html", 400, error=problem, min_length=MIN_PASSWORD_LENGTH
        )
    sessions.start(request.session, user)  # other sessions end with the old hash
    return RedirectResponse("/", status_code=303)


def _password_problem(
    request: Request, user: User, current: str, new: str, confirm: str
) -> str | None:
    if not current_password_ok(request, user, current):  # counted like a failed sign-in
        return "the current password is wrong"
    if new != confirm:
        return "the new passwords do not match"
    if new == current:
        return "choose a password different from the current one"
    return None
