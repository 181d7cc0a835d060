"""Signed session cookies (DATA-05, DATA-06; 000 §12.1(d), (f)–(g)).

The cookie is signed (itsdangerous, via Starlette's SessionMiddleware) with a secret derived from
the installation's key, so only this installation can mint one and a tampered cookie is ignored.
It is HttpOnly and SameSite=Strict always, and Secure whenever the request came over HTTPS.
Its signature carries a timestamp that is renewed on every response, so an idle session expires
after `IDLE_TIMEOUT`; a session also ends `MAX_AGE` after login, however active.
"""

from __future__ import annotations

import hashlib
import secrets
import time
from datetime import timedelta

from starlette.middleware.sessions import SessionMiddleware
from starlette.types import ASGIApp, Receive, Scope, Send

from frt.store.crypto import BlobCipher

COOKIE = "frt_session"
IDLE_TIMEOUT = timedelta(minutes=30)
MAX_AGE = timedelta(hours=12)  # a control-room shift; then log in again

# Keys held in the session (all small, none personal data).
USER_ID = "uid"
PASSWORD_MARK = "pwm"  # changes with the password or at sign-out, ending every other session
ISSUED_AT = "iat"
CSRF = "csrf"


def session_secret(cipher: BlobCipher) -> str:
    return cipher.derive_secret(b"web-session-cookie").hex()


class SchemeAwareSessions:
    """SessionMiddleware whose cookie is Secure exactly when the request arrived over HTTPS."""

    def __init__(self, app: ASGIApp, secret: str) -> None:
        self._https, self._http = (
            SessionMiddleware(
                app,
                secret_key=secret,
                session_cookie=COOKIE,
                max_age=int(IDLE_TIMEOUT.total_seconds()),
                same_site="strict",
                https_only=https,
            )
            for https in (True, False)
        )

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        secure = scope.get("scheme") in ("https", "wss")
        await (self._https if secure else self._http)(scope, receive, send)


def account_mark(user) -> str:
    """A short fingerprint of the password hash and the session epoch: a password change or a
    sign-out invalidates every cookie issued before it, copies included."""
    material = f"{user.password_hash}:{user.session_epoch or 0}"
    return hashlib.sha256(material.encode("utf-8")).hexdigest()[:16]


def start(session: dict, user) -> None:
    """Begin a signed-in session. The old contents (and CSRF token) are discarded (no fixation)."""
    session.clear()
    session[USER_ID] = user.id
    session[PASSWORD_MARK] = account_mark(user)
    session[ISSUED_AT] = int(time.time())
    session[CSRF] = secrets.token_urlsafe(32)


def end(session: dict) -> None:
    session.clear()


def expired(session: dict) -> bool:
    issued = session.get(ISSUED_AT)
    return not isinstance(issued, int) or time.time() - issued > MAX_AGE.total_seconds()
