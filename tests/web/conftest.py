"""Web fixtures: the app over a fresh store, a client, and people to sign in as."""

from __future__ import annotations

import re

import pytest
from fastapi.testclient import TestClient

from frt.audit import Actor
from frt.people.roles import Role
from frt.people.service import create_user
from frt.policy.ranks import Rank
from frt.web.app import create_app

PASSWORD = "correct-horse-battery"

PEOPLE = {
    "auditor": (Rank.STAFF_BAND_C, {Role.AUDITOR}),
    "operator": (Rank.POLICE_CONSTABLE, {Role.LFR_OPERATOR}),
    "admin": (Rank.STAFF_BAND_C, {Role.ADMINISTRATOR}),
    "inspector": (Rank.INSPECTOR, {Role.AUTHORISING_OFFICER, Role.SILVER}),
}


@pytest.fixture(autouse=True)
def quick_password_hashing(monkeypatch):
    """Cheap argon2 parameters for these tests only: they hash and verify many passwords.

    Verification reads the parameters from each hash, so the code under test is unchanged.
    """
    from pwdlib import PasswordHash
    from pwdlib.hashers.argon2 import Argon2Hasher

    from frt.people import service

    monkeypatch.setattr(
        service,
        "_hasher",
        PasswordHash((Argon2Hasher(time_cost=1, memory_cost=1024, parallelism=1),)),
    )


@pytest.fixture
def people(store):
    """Seed one user per entry of PEOPLE; returns their ids by username."""
    ids = {}
    with store.session() as db:
        for username, (rank, roles) in PEOPLE.items():
            user = create_user(
                db,
                Actor.system("test"),
                username=username,
                display_name=f"Test {username.title()}",
                rank=rank,
                roles=roles,
                password=PASSWORD,
            )
            ids[username] = user.id
    return ids


@pytest.fixture
def app(store):
    return create_app(store)


@pytest.fixture
def client(app):
    with TestClient(app, base_url="http://testserver") as c:
        yield c


def csrf_of(client: TestClient) -> str:
    return client.get("/api/session").json()["csrf_token"]


def form_token(html: str) -> str:
    match = re.search(r'name="csrf_token" value="([^"]+)"', html)
    assert match, "page has no CSRF field"
    return match.group(1)


def sign_in(client: TestClient, username: str, password: str = PASSWORD):
    """Sign in through the JSON API; returns the response (its csrf_token is the new one)."""
    token = csrf_of(client)
    return client.post(
        "/api/session",
        json={"username": username, "password": password},
        headers={"X-CSRF-Token": token},
    )


def signed_in(client: TestClient, username: str) -> str:
    response = sign_in(client, username)
    assert response.status_code == 200, response.text
    return response.json()["csrf_token"]
