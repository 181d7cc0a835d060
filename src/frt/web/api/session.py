"""`/api/session`: sign in and out from an API client (cookie session plus CSRF token).

A client first `GET`s the session to learn its CSRF token, then `POST`s credentials with it in
the `X-CSRF-Token` header; the answer carries the signed-in session's new token.
"""

from __future__ import annotations

from fastapi import APIRouter, Request, Response
from fastapi.responses import JSONResponse
from pydantic import BaseModel, ConfigDict, Field

from frt.people.models import User
from frt.people.service import LoginFailed
from frt.web import csrf
from frt.web.account import sign_in, sign_out
from frt.web.auth import NotAuthenticated, current_user

router = APIRouter(prefix="/api", tags=["session"])


class Credentials(BaseModel):
    model_config = ConfigDict(extra="forbid")
    username: str = Field(min_length=1, max_length=64)
    password: str = Field(min_length=1, max_length=1024)


class SessionUser(BaseModel):
    id: str
    username: str
    display_name: str
    rank: str
    roles: list[str]
    must_change_password: bool

    @classmethod
    def of(cls, user: User) -> SessionUser:
        return cls(
            id=user.id,
            username=user.username,
            display_name=user.display_name,
            rank=user.rank,
            roles=sorted(user.roles_json),
            must_change_password=user.must_change_password,
        )


class SessionState(BaseModel):
    authenticated: bool
    csrf_token: str
    user: SessionUser | None = None


class LoginRefused(BaseModel):
    error: str
    detail: str


@router.get("/session", name="session.show")
def show(request: Request) -> SessionState:
    try:
        user = current_user(request)
    except NotAuthenticated:
        return SessionState(authenticated=False, csrf_token=csrf.token(request))
    return SessionState(
        authenticated=True, csrf_token=csrf.token(request), user=SessionUser.of(user)
    )


@router.post(
    "/session",
    name="session.create",
    response_model=SessionState,
    responses={401: {"model": LoginRefused}},
)
def create(request: Request, credentials: Credentials) -> SessionState | JSONResponse:
    try:
        user = sign_in(request, credentials.username, credentials.password)
    except LoginFailed as exc:
        return JSONResponse({"error": "login failed", "detail": str(exc)}, status_code=401)
    return SessionState(
        authenticated=True, csrf_token=csrf.token(request), user=SessionUser.of(user)
    )


@router.delete("/session", name="session.delete", status_code=204)
def delete(request: Request) -> Response:
    sign_out(request)
    return Response(status_code=204)
