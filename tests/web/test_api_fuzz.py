"""Schemathesis against FRT's own OpenAPI schema: whatever a signed-in client sends, within the
schema or not, the API answers with a defined status — never a server error (invariant 6).

The store is seeded with real records — a draft Application with a location and a document, and
an authorised Application with its Authority, Deployment and notification — and every path
parameter the schema names is fed the id of a real record of its kind, so the fuzzer's bodies
reach the actions and the database (random ids stop at 404; that is how a `camera_count` of
10^30 and a lone surrogate in a title went unfound: hardening item 7)."""

from __future__ import annotations

import os
import tempfile
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest
import schemathesis
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, settings
from sqlalchemy import select

from frt.app import open_store
from frt.audit import Actor
from frt.people.roles import Role
from frt.people.service import create_user
from frt.policy.ranks import Rank
from frt.settings import Settings
from frt.web.app import create_app

PASSWORD = "fuzzing password 1"


def _seed(store, everyone: str, applicant: str) -> dict[str, str]:
    """Real records for the fuzzer's path parameters, made through the actions."""
    from frt.core.actions import acting
    from frt.governance import applications, decisions
    from frt.governance.decisions import Terms
    from frt.policy import load_profile
    from frt.policy.decision_rules import REASON_HEADINGS

    profile, now = load_profile("mps"), datetime.now(UTC)
    starts = now + timedelta(hours=6)
    form = dict(
        use_case="intelligence",
        deployment_styles=["marked_vans"],
        camera_count=2,
        starts_at=starts,
        ends_at=starts + timedelta(hours=8),
        legal_basis="Common law",
        legitimate_aim="Locate wanted people",
        echr_articles=[8, 11],
        dpa_schedule8_grounds="Sch 8 para 1",
        necessity="n",
        alternatives_considered="a",
        awareness_measures="signs",
        watchlist_criteria="wanted",
        proposed_categories=["wanted_by_courts"],
        proposed_composition="about 50",
        proposed_threshold=0.64,
        resources="two vans",
    )
    ids = {}
    with acting(store, applicant) as ctx:
        for n in (1, 2):
            app = applications.create(ctx, f"Fuzz {n}", **form)
            loc = applications.add_location(
                ctx, app.id, name="High St", locality="High St", reason="footfall"
            )
            for kind in profile.governance.required_documents.value:
                doc = applications.attach_document(ctx, app.id, kind, title=kind, text="text")
            ids[n] = (app.id, loc.id, doc.id)
        applications.submit(ctx, ids[2][0])
    with acting(store, everyone) as ctx:
        for doc in ctx.get(applications.Application, ids[2][0]).documents:
            applications.review_document(ctx, doc.id, "reviewed")
        decisions.consult(ctx, ids[2][0], "supported")
        auth = decisions.decide(
            ctx,
            ids[2][0],
            "authorise",
            {h: "considered" for h in REASON_HEADINGS},
            terms=Terms(
                starts,
                starts + timedelta(hours=8),
                [ids[2][1]],
                ["wanted_by_courts"],
                0.64,
                everyone,
            ),
        )
        auth_id, dep_id = auth.id, auth.deployments[0].id
    from frt.governance.oversight_models import Notification

    with store.session() as db:
        note_id = db.scalar(select(Notification.id).limit(1))
    return {
        "app_id": ids[1][0],
        "doc_id": ids[1][2],
        "auth_id": auth_id,
        "dep_id": dep_id,
        **({"note_id": note_id} if note_id else {}),
    }


def _app():
    """One app over a throwaway embedded store, seeded with real records."""
    folder = Path(tempfile.mkdtemp(prefix="frt-fuzz-"))
    store = open_store(
        Settings(folder, f"sqlite:///{folder / 'frt.sqlite3'}", "mps", None), migrate=True
    )
    with store.session() as db:
        everyone = create_user(
            db,
            Actor.system("test"),
            username="everyone",
            display_name="Fuzz",
            rank=Rank.COMMANDER,
            roles=set(Role),
            password=PASSWORD,
        ).id
        applicant = create_user(
            db,
            Actor.system("test"),
            username="fuzz-applicant",
            display_name="Fuzz Applicant",
            rank=Rank.INSPECTOR,
            roles={Role.APPLICANT},
            password=PASSWORD,
        ).id
    from frt.people.roles import TrainingKind
    from frt.people.service import add_training

    with store.session() as db:
        for kind in TrainingKind:
            add_training(
                db, Actor.system("test"), "everyone", kind, date(2020, 1, 1), date(2099, 12, 31)
            )
    return create_app(store), _seed(store, everyone, applicant)


APP, SEEDED = _app()
schema = schemathesis.openapi.from_asgi("/api/openapi.json", APP)


@pytest.fixture(scope="module")
def client():
    client = TestClient(APP, base_url="https://testserver")
    token = client.get("/api/session").json()["csrf_token"]
    signed = client.post(
        "/api/session",
        json={"username": "everyone", "password": PASSWORD},
        headers={"X-CSRF-Token": token},
    )
    assert signed.status_code == 200, signed.text
    client.headers["X-CSRF-Token"] = signed.json()["csrf_token"]
    return client


@pytest.mark.req("DATA-06")
@schema.exclude(path="/api/session").parametrize()  # signing out would end the fuzzing session
@settings(
    max_examples=int(os.environ.get("FRT_FUZZ_EXAMPLES", "12")),
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
def test_the_api_never_answers_with_a_server_error(case, client):
    for name in list(case.path_parameters or {}):
        if name in SEEDED:  # a real record of its kind, so the body reaches the action
            case.path_parameters[name] = SEEDED[name]
    kwargs = case.as_transport_kwargs(base_url="https://testserver")
    kwargs.pop("cookies", None)
    response = client.request(**kwargs)
    assert response.status_code < 500, f"{case.method} {case.path}: {response.text[:300]}"
