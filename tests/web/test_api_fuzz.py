"""Schemathesis against FRT's own OpenAPI schema: whatever a signed-in client sends, within the
schema or not, the API answers with a defined status — never a server error (invariant 6)."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

import pytest
import schemathesis
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, settings

from frt.app import open_store
from frt.audit import Actor
from frt.people.roles import Role
from frt.people.service import create_user
from frt.policy.ranks import Rank
from frt.settings import Settings
from frt.web.app import create_app

PASSWORD = "fuzzing password 1"


def _app():
    """One app over a throwaway embedded store (the fuzz exercises the web layer)."""
    folder = Path(tempfile.mkdtemp(prefix="frt-fuzz-"))
    store = open_store(Settings(folder, f"sqlite:///{folder / 'frt.sqlite3'}", "mps", None),
                       migrate=True)
    with store.session() as db:
        create_user(db, Actor.system("test"), username="everyone", display_name="Fuzz",
                    rank=Rank.SUPERINTENDENT, roles=set(Role), password=PASSWORD)
    return create_app(store)


APP = _app()
schema = schemathesis.openapi.from_asgi("/api/openapi.json", APP)


@pytest.fixture(scope="module")
def client():
    client = TestClient(APP, base_url="https://testserver")
    token = client.get("/api/session").json()["csrf_token"]
    signed = client.post("/api/session", json={"username": "everyone", "password": PASSWORD},
                         headers={"X-CSRF-Token": token})
    assert signed.status_code == 200, signed.text
    client.headers["X-CSRF-Token"] = signed.json()["csrf_token"]
    return client


@pytest.mark.req("DATA-06")
@schema.exclude(path="/api/session").parametrize()  # signing out would end the fuzzing session
@settings(max_examples=int(os.environ.get("FRT_FUZZ_EXAMPLES", "12")), deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
def test_the_api_never_answers_with_a_server_error(case, client):
    kwargs = case.as_transport_kwargs(base_url="https://testserver")
    kwargs.pop("cookies", None)
    response = client.request(**kwargs)
    assert response.status_code < 500, f"{case.method} {case.path}: {response.text[:300]}"
