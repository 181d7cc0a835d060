"""CSRF tokens on every form and state-changing call; forged session cookies (DATA-05, DATA-06)."""

from __future__ import annotations

import pytest
from itsdangerous import TimestampSigner
from sqlalchemy import select

from frt.audit.models import AuditRecord
from frt.web.sessions import COOKIE
from tests.web.conftest import PASSWORD, csrf_of, form_token, sign_in, signed_in

pytestmark = pytest.mark.req("DATA-05")


def _refusals(store, action_prefix: str = "web.") -> list[AuditRecord]:
    with store.session() as db:
        rows = db.scalars(select(AuditRecord).where(AuditRecord.outcome == "refused"))
        return [r for r in rows if r.action.startswith(action_prefix)]


def test_login_form_without_csrf_token_is_refused_and_audited(client, people, store):
    client.get("/login")
    response = client.post("/login", data={"username": "operator", "password": PASSWORD})
    assert response.status_code == 403
    assert "no CSRF token" in response.text and "000 §12.1(b)" in response.text
    assert client.get("/api/session").json()["authenticated"] is False
    refused = _refusals(store)
    assert refused and refused[-1].action == "web.login"
    assert refused[-1].detail["citation"] == "000 §12.1(b)"


def test_login_form_with_a_wrong_csrf_token_is_refused(client, people):
    client.get("/login")
    response = client.post(
        "/login", data={"username": "operator", "password": PASSWORD, "csrf_token": "forged"}
    )
    assert response.status_code == 403 and "does not match" in response.text


def test_api_call_without_or_with_wrong_csrf_header_is_refused(client, people, store):
    csrf_of(client)
    missing = client.post("/api/session", json={"username": "operator", "password": PASSWORD})
    assert missing.status_code == 403
    assert missing.json() == {
        "error": "refused",
        "rule": "WEB-CSRF",
        "citation": "000 §12.1(b)",
        "detail": missing.json()["detail"],
    }
    token = signed_in(client, "auditor")
    wrong = client.post("/api/audit/verify", headers={"X-CSRF-Token": token + "x"})
    assert wrong.status_code == 403 and "does not match" in wrong.json()["detail"]
    assert client.delete("/api/session").status_code == 403  # logout needs the token too
    assert client.post("/api/audit/verify", headers={"X-CSRF-Token": token}).status_code == 200
    assert {r.action for r in _refusals(store)} >= {
        "web.session.create",
        "web.audit.verify",
        "web.session.delete",
    }


@pytest.mark.req("DATA-06")
def test_a_bearer_header_does_not_excuse_a_signed_in_session_from_the_token(client, people):
    signed_in(client, "auditor")
    forged = client.post("/api/audit/verify", headers={"Authorization": "Bearer frtd_x"})
    assert forged.status_code == 403 and forged.json()["citation"] == "000 §12.1(b)"


def test_token_from_before_login_does_not_work_after_it(client, people):
    old = csrf_of(client)
    new = signed_in(client, "auditor")
    assert old != new
    response = client.post("/api/audit/verify", headers={"X-CSRF-Token": old})
    assert response.status_code == 403


def test_page_forms_carry_the_session_token(client, people):
    token = signed_in(client, "auditor")
    assert form_token(client.get("/audit").text) == token
    assert f'"X-CSRF-Token": "{token}"' in client.get("/").text  # hx-headers on <body>


@pytest.mark.req("DATA-06")
def test_session_cookie_is_httponly_samesite_strict_and_secure_over_https(app, people):
    from fastapi.testclient import TestClient

    with TestClient(app, base_url="https://testserver") as secure:
        cookie = secure.get("/api/session").headers["set-cookie"].lower()
        assert "httponly" in cookie and "samesite=strict" in cookie and "secure" in cookie
        assert "max-age=1800" in cookie  # the idle timeout
        assert secure.get("/login").headers["strict-transport-security"]
    with TestClient(app, base_url="http://testserver") as plain:
        cookie = plain.get("/api/session").headers["set-cookie"].lower()
        assert "httponly" in cookie and "samesite=strict" in cookie and "secure" not in cookie


def test_tampered_session_cookie_is_ignored(client, people):
    signed_in(client, "admin")
    value = client.cookies[COOKIE]
    payload, rest = value.split(".", 1)
    client.cookies.set(COOKIE, payload[:-2] + "AA." + rest)
    assert client.get("/api/users").status_code == 401


@pytest.mark.req("DATA-05")
def test_a_copied_cookie_stops_working_when_its_user_signs_out(client, people):
    token = signed_in(client, "admin")
    copied = client.cookies[COOKIE]
    assert client.delete("/api/session", headers={"X-CSRF-Token": token}).status_code in (200, 204)
    client.cookies.set(COOKIE, copied)  # e.g. lifted from a shared machine before sign-out
    assert client.get("/api/users").status_code == 401


def test_cookie_signed_with_another_key_is_rejected(client, people):
    """A forged cookie naming the admin, signed with a guessed secret, gets nowhere."""
    import base64
    import json

    signed_in(client, "operator")
    real = json.loads(base64.b64decode(client.cookies[COOKIE].split(".")[0] + "=="))
    forged_body = base64.b64encode(json.dumps({**real, "uid": people["admin"]}).encode())
    forged = TimestampSigner("not-the-installation-secret").sign(forged_body).decode()
    client.cookies.set(COOKIE, forged)
    assert client.get("/api/users").status_code == 401


def test_session_past_its_lifetime_is_ended(client, people, monkeypatch):
    import frt.web.sessions as sessions

    signed_in(client, "admin")
    assert client.get("/api/users").status_code == 200
    monkeypatch.setattr(sessions, "MAX_AGE", sessions.timedelta(seconds=-1))
    assert client.get("/api/users").status_code == 401


def test_session_from_before_a_password_change_is_ended(client, people, store):
    from frt.audit import Actor
    from frt.people.models import User
    from frt.people.service import set_password

    signed_in(client, "admin")
    with store.session() as db:
        set_password(db, Actor.system("test"), db.get(User, people["admin"]), "another-passphrase")
    assert client.get("/api/users").status_code == 401
    assert sign_in(client, "admin", "another-passphrase").status_code == 200


def test_idle_session_expires_after_the_idle_timeout(client, people, monkeypatch):
    import itsdangerous.timed as timed

    from frt.web.sessions import IDLE_TIMEOUT

    signed_in(client, "admin")
    assert client.get("/api/users").status_code == 200
    later = timed.time.time() + IDLE_TIMEOUT.total_seconds() + 5

    class _Clock:
        @staticmethod
        def time():
            return later

    monkeypatch.setattr(timed, "time", _Clock)  # itsdangerous reads the clock through this
    assert client.get("/api/users").status_code == 401
