"""Signing in and out, shared by the login page and `POST /api/session` (DATA-05).

Every failure — unknown user, wrong password, locked or disabled account — gives the one message
of `LoginFailed`, so a caller cannot learn which usernames exist. `frt.people.service.login`
counts failures, locks the account after five, and audits each attempt.
"""

from __future__ import annotations

from fastapi import Request

from frt.audit import Actor, record
from frt.people.models import User
from frt.people.service import login
from frt.web import sessions
from frt.web.auth import SIGNED_IN, store_of


def sign_in(request: Request, username: str, password: str) -> User:
    """Check the credentials and start a fresh session; raises `LoginFailed`."""
    user = login(store_of(request), username, password)
    sessions.start(request.session, user)
    return user


def sign_out(request: Request) -> None:
    user_id = request.session.get(sessions.USER_ID)
    if user_id:
        with store_of(request).session() as db:
            user = db.get(User, user_id)
            if user is not None:
                user.session_epoch = (user.session_epoch or 0) + 1  # copies of the cookie die too
            record(db, Actor(user_id, SIGNED_IN), "logout", object_type="user", object_id=user_id)
    sessions.end(request.session)
