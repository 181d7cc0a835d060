"""Signing in and out: one answer for every failure, lock-out, disabled accounts (DATA-05)."""

from __future__ import annotations

import pytest

from frt.audit import Actor
from frt.people.models import User
from frt.people.roles import Role
from frt.people.service import MAX_FAILED_LOGINS, create_user, set_disabled
from frt.policy.ranks import Rank
from tests.web.conftest import PASSWORD, csrf_of, form_token, sign_in, signed_in

pytestmark = pytest.mark.req("DATA-05")


def test_login_page_then_home_shows_name_rank_and_role_panels(client, people):
    page = client.get("/login")
    assert page.status_code == 200
    response = client.post(
        "/login",
        data={"username": "inspector", "password": PASSWORD, "csrf_token": form_token(page.text)},
    )
    assert response.status_code == 200 and str(response.url).endswith("/")
    assert "Test Inspector" in response.text and "Inspector" in response.text
    assert "Authorising Officer (AO)" in response.text
    assert "LFR applications to decide" in response.text
    assert "No applications are waiting for your decision" in response.text


def test_json_login_returns_user_and_fresh_csrf_token(client, people):
    before = csrf_of(client)
    response = sign_in(client, "operator")
    body = response.json()
    assert response.status_code == 200
    assert body["user"]["roles"] == ["lfr_operator"] and body["authenticated"]
    assert body["csrf_token"] != before  # a new session: no fixation


def test_wrong_password_and_unknown_user_get_identical_answers(client, people):
    wrong = sign_in(client, "operator", "not-the-password")
    unknown = sign_in(client, "nobody-at-all", "not-the-password")
    assert wrong.status_code == unknown.status_code == 401
    assert wrong.json() == unknown.json()
    token = form_token(client.get("/login").text)
    pages = [
        client.post(
            "/login", data={"username": u, "password": "nope-nope-nope", "csrf_token": token}
        )
        for u in ("operator", "nobody-at-all")
    ]
    assert pages[0].status_code == pages[1].status_code == 401
    assert pages[0].text == pages[1].text
    assert "operator" not in pages[0].text  # the username is not echoed back


def test_disabled_user_cannot_log_in_and_gets_the_same_answer(client, people, store):
    with store.session() as db:
        set_disabled(db, Actor.system("test"), "operator", True)
    disabled = sign_in(client, "operator")
    unknown = sign_in(client, "nobody-at-all")
    assert disabled.status_code == 401 and disabled.json() == unknown.json()


def test_disabling_a_signed_in_user_ends_their_session(client, people, store):
    signed_in(client, "operator")
    assert client.get("/api/session").json()["authenticated"]
    with store.session() as db:
        set_disabled(db, Actor.system("test"), "operator", True)
    assert client.get("/", follow_redirects=False).status_code == 303


def test_account_locks_after_repeated_failures_even_for_the_right_password(client, people):
    for _ in range(MAX_FAILED_LOGINS):
        assert sign_in(client, "operator", "wrong-password!").status_code == 401
    locked = sign_in(client, "operator")  # the right password now
    assert locked.status_code == 401
    assert locked.json() == sign_in(client, "nobody-at-all").json()


def test_logout_ends_the_session(client, people):
    token = signed_in(client, "operator")
    assert client.delete("/api/session", headers={"X-CSRF-Token": token}).status_code == 204
    assert client.get("/api/session").json()["authenticated"] is False
    assert client.get("/api/users").status_code == 401


def test_logout_form_redirects_to_login(client, people):
    signed_in(client, "operator")
    token = form_token(client.get("/").text)
    response = client.post("/logout", data={"csrf_token": token}, follow_redirects=False)
    assert response.status_code == 303 and response.headers["location"].startswith("/login")
    assert client.get("/", follow_redirects=False).headers["location"] == "/login"


def test_user_who_must_change_password_is_sent_to_change_it_first(client, store):
    with store.session() as db:
        create_user(
            db,
            Actor.system("test"),
            username="newbie",
            display_name="New",
            rank=Rank.SERGEANT,
            roles={Role.APPLICANT},
            password=PASSWORD,
            must_change_password=True,
        )
    token = form_token(client.get("/login").text)
    response = client.post(
        "/login",
        data={"username": "newbie", "password": PASSWORD, "csrf_token": token},
        follow_redirects=False,
    )
    assert response.headers["location"] == "/account/password"
    assert client.get("/", follow_redirects=False).headers["location"] == "/account/password"
    assert client.get("/api/session").status_code == 200
    page = client.get("/account/password")
    changed = client.post(
        "/account/password",
        data={
            "csrf_token": form_token(page.text),
            "current_password": PASSWORD,
            "new_password": "a-brand-new-passphrase",
            "confirm_password": "a-brand-new-passphrase",
        },
        follow_redirects=False,
    )
    assert changed.status_code == 303 and changed.headers["location"] == "/"
    assert client.get("/").status_code == 200
    with store.session() as db:
        assert db.query(User).filter_by(username="newbie").one().must_change_password is False


def test_short_new_password_is_refused_with_reason(client, people):
    signed_in(client, "operator")
    token = form_token(client.get("/account/password").text)
    response = client.post(
        "/account/password",
        data={
            "csrf_token": token,
            "current_password": PASSWORD,
            "new_password": "short",
            "confirm_password": "short",
        },
    )
    assert response.status_code == 400 and "at least 15 characters" in response.text


def test_unauthenticated_page_redirects_to_login_and_api_answers_401(client):
    page = client.get("/audit", follow_redirects=False)
    assert page.status_code == 303 and page.headers["location"] == "/login?next=/audit"
    api = client.get("/api/audit")
    assert api.status_code == 401 and api.json()["error"] == "not signed in"


def test_next_parameter_cannot_redirect_off_site(client, people):
    token = form_token(client.get("/login").text)
    response = client.post(
        "/login",
        data={
            "username": "operator",
            "password": PASSWORD,
            "csrf_token": token,
            "next": "//evil.example/x",
        },
        follow_redirects=False,
    )
    assert response.headers["location"] == "/"
