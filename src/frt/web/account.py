"""Signing in and out, shared by the login page and `POST /api/session` (DATA-05).

Every failure — unknown user, wrong password, locked or disabled account — gives the one message
of `LoginFailed`, so a caller cannot learn which usernames exist. `frt.people.service.login`
counts failures per account (locking it after `MAX_FAILED_LOGINS`) and audits each attempt;
`frt.web.throttle` first limits what one client may try (DATA-05; 000 §12.1(d)). The
change-password form's check of the current password counts the same way.
"""

from __future__ import annotations

from fastapi import Request

from frt.audit import Actor, record
from frt.people.models import User
from frt.people.service import LoginFailed, check_current_password, login
from frt.web import sessions
from frt.web.auth import SIGNED_IN, store_of
from frt.web.throttle import AccountThrottled, TooManyAttempts, client_of, throttle_of


def sign_in(request: Request, username: str, password: str) -> User:
    """Check the credentials and start a fresh session; raises `LoginFailed`, or
    `TooManyAttempts` (answered 429) when this client must wait."""
    throttle, client = throttle_of(request), client_of(request)
    try:
        throttle.before_password(client, username)
    except (TooManyAttempts, AccountThrottled) as exc:
        _count_refusal(request, client)
        if isinstance(exc, TooManyAttempts):
            raise
        raise LoginFailed() from None
    try:
        user = login(store_of(request), username, password)
    except LoginFailed:
        throttle.password_failed(client, username)
        raise
    throttle.password_ok(client, username)
    sessions.start(request.session, user)
    return user


def current_password_ok(request: Request, user: User, password: str) -> bool:
    """The change-password form's check. A wrong password counts as a failed sign-in; when this
    client has used up its tries for the account, every session of the account ends."""
    throttle, client = throttle_of(request), client_of(request)
    try:
        throttle.before_password(client, user.username)  # TooManyAttempts: answered 429
    except AccountThrottled:
        sessions.end(request.session)
        return False
    with store_of(request).session() as db:
        fresh = db.get_one(User, user.id)
        if check_current_password(db, fresh, password):
            throttle.password_ok(client, user.username)
            return True
        if throttle.password_failed(client, user.username):
            fresh.session_epoch = (fresh.session_epoch or 0) + 1
            sessions.end(request.session)
    return False


def _count_refusal(request: Request, client: str) -> None:
    from frt.web.throttle import record_counted

    throttle = throttle_of(request)
    throttle.anonymous_refusal(client, "web.login.throttled")
    record_counted(store_of(request), throttle)


def sign_out(request: Request) -> None:
    user_id = request.session.get(sessions.USER_ID)
    if user_id:
        with store_of(request).session() as db:
            user = db.get(User, user_id)
            if user is not None:
                user.session_epoch = (user.session_epoch or 0) + 1  # copies of the cookie die too
            record(db, Actor(user_id, SIGNED_IN), "logout", object_type="user", object_id=user_id)
    sessions.end(request.session)
