"""The one role check (DATA-05; 000 §12.1(d)): `require_role(*roles)`, a FastAPI dependency.

Every route uses it except those in `PUBLIC_PATHS` and under `PUBLIC_PREFIXES` (login, logout,
health, the API schema, static files and the public transparency pages). A test walks the app's
routes to keep it so. Never check a role by hand inside a handler: declare it on the route.

    @router.get("/applications", name="applications.list")
    def applications(who: Principal = Depends(require_role(Role.AUTHORISING_OFFICER))): ...

`who.actor` is the `Actor` to pass to `frt.audit.record`: the user and the role they act in.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass

from fastapi import FastAPI, Request
from fastapi.routing import APIRoute

from frt.audit import Actor
from frt.people.models import User
from frt.people.roles import Role
from frt.store.db import Store
from frt.web import sessions

ROLE_CITATION = "000 §12.1(d)"  # role based access controls with limited user permissions
SIGNED_IN = "user"  # the role an action is recorded under when the route accepts any user

PUBLIC_PREFIXES = ("/public", "/static")
PUBLIC_PATHS = frozenset(
    {"/login", "/logout", "/api/session", "/api/health", "/api/openapi.json", "/api/docs"}
)


class NotAuthenticated(Exception):
    """No valid signed-in session: pages redirect to the login page, the API answers 401."""


class PasswordChangeRequired(Exception):
    """The user must choose a new password before doing anything else."""


class RoleRefused(PermissionError):
    """The user holds none of the roles the route requires."""

    citation = ROLE_CITATION
    rule = "ACCESS-ROLE"

    def __init__(self, required: tuple[Role, ...]) -> None:
        names = ", ".join(r.label for r in required)
        self.reason = f"this needs one of the roles: {names} (least privilege, DATA-05)"
        super().__init__(self.reason)


@dataclass(frozen=True)
class Principal:
    """The signed-in user (detached from any database session) and the role they act in."""

    user: User
    actor: Actor

    @property
    def roles(self) -> set[Role]:
        return self.user.roles


def is_public(path: str) -> bool:
    return path in PUBLIC_PATHS or path.startswith(PUBLIC_PREFIXES)


def store_of(request: Request) -> Store:
    return request.app.state.store


def require_role(*roles: Role, password_change: bool = False) -> Callable[[Request], Principal]:
    """A dependency admitting a signed-in user holding any of `roles` (any user if none given).

    The actor's role is the first of `roles` the user holds, so the audit log says in which
    capacity they acted. `password_change=True` is only for the change-password page itself.
    """
    wanted = tuple(Role(r) for r in roles)

    def check(request: Request) -> Principal:
        user = current_user(request)
        if user.must_change_password and not password_change:
            raise PasswordChangeRequired()
        acting = _acting_role(user, wanted)
        request.state.actor = Actor(user.id, acting or SIGNED_IN)
        if wanted and acting is None:
            raise RoleRefused(wanted)
        request.state.principal = Principal(user, request.state.actor)
        return request.state.principal

    check.frt_required_roles = wanted  # type: ignore[attr-defined]  # read by the route walk
    return check


def _acting_role(user: User, wanted: tuple[Role, ...]) -> str | None:
    if not wanted:
        return SIGNED_IN
    held = user.roles
    return next((r.value for r in wanted if r in held), None)


def current_user(request: Request) -> User:
    """The user of a valid session, re-read each request so a disabled account stops at once."""
    session = request.session
    user_id = session.get(sessions.USER_ID)
    if not user_id:
        raise NotAuthenticated()
    if sessions.expired(session):
        sessions.end(session)
        raise NotAuthenticated()
    with store_of(request).session() as db:
        user = db.get(User, user_id)
    if (
        user is None
        or user.disabled
        or session.get(sessions.PASSWORD_MARK) != sessions.account_mark(user)
    ):
        sessions.end(session)
        raise NotAuthenticated()
    return user


def session_actor(request: Request) -> Actor:
    """Who to name in a refusal: the actor a route's role check set, else the session's user."""
    actor = getattr(request.state, "actor", None)
    if actor is not None:
        return actor
    user_id = request.session.get(sessions.USER_ID) if "session" in request.scope else None
    return Actor(user_id, SIGNED_IN) if user_id else Actor.system("web")


def endpoints(app: FastAPI) -> Iterator[tuple[str, APIRoute]]:
    """Every API route of the app with its full path (included routers flattened)."""
    from fastapi.routing import iter_route_contexts  # included routers are nodes: walk them

    contexts = [(c.path, c.original_route) for c in iter_route_contexts(app.routes)]
    for path, route in contexts:
        if isinstance(route, APIRoute) and path is not None:
            yield path, route


def has_role_check(route: APIRoute) -> bool:
    return _declares_role(route.dependant)


def _declares_role(dependant) -> bool:
    return any(
        hasattr(dep.call, "frt_required_roles") or _declares_role(dep)
        for dep in dependant.dependencies
    )


def unguarded_routes(app: FastAPI) -> list[str]:
    """Routes that are neither public nor behind `require_role`: must be none."""
    return [
        f"{','.join(sorted(route.methods or ()))} {path}"
        for path, route in endpoints(app)
        if not is_public(path) and not has_role_check(route)
    ]
