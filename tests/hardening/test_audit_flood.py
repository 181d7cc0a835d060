"""Anonymous requests cannot fill the audit log (DATA-04; hardening issue, item 4): the first
refusal from a client in a minute is recorded, the repeats are counted into one record, and a
client that keeps on is answered 429 before any audit write."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select

from frt.audit.models import AuditRecord
from frt.web.throttle import REFUSAL_WINDOW, REFUSALS_PER_WINDOW, Throttle
from tests.web.conftest import PASSWORD, signed_in

pytestmark = pytest.mark.req("DATA-04")


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def _count(store, **where) -> int:
    with store.session() as db:
        return db.scalar(select(func.count()).select_from(AuditRecord).filter_by(**where))


def test_three_hundred_anonymous_refusals_leave_two_records_not_three_hundred(app, store, people):
    clock = Clock()
    app.state.throttle = Throttle(clock)
    before = _count(store)
    with TestClient(app, base_url="http://testserver") as anonymous:
        codes = [
            anonymous.post("/api/session", json={"username": "admin", "password": "x"}).status_code
            for _ in range(300)
        ]
        assert codes[:REFUSALS_PER_WINDOW] == [403] * REFUSALS_PER_WINDOW
        assert set(codes[REFUSALS_PER_WINDOW + 1 :]) == {429}
        assert _count(store) - before == 1  # only the first, while the window is open
        clock.now += REFUSAL_WINDOW + 1
        anonymous.post("/api/session", json={"username": "admin", "password": "x"})
    with store.session() as db:
        counted = db.scalars(
            select(AuditRecord).where(AuditRecord.action == "web.refusals.repeated")
        ).all()
    assert [r.detail["count"] for r in counted] == [299]
    assert counted[0].detail["by_action"] == {"web.session.create": 299}
    assert "testclient" not in str(counted[0].detail)  # no client address: personal data
    # the one after the window opened a new one, recorded on its own; nothing else
    assert _count(store) - before == 3


def test_counted_refusals_are_recorded_when_the_server_stops(app, store):
    app.state.throttle = Throttle(Clock())
    with TestClient(app, base_url="http://testserver") as anonymous:
        for _ in range(5):
            anonymous.post("/api/session", json={"username": "a", "password": "b"})
    with store.session() as db:
        counted = db.scalar(
            select(AuditRecord).where(AuditRecord.action == "web.refusals.repeated")
        )
    assert counted is not None and counted.detail["count"] == 4


def test_signed_in_refusals_are_each_still_recorded(app, client, store, people):
    signed_in(client, "operator")
    before = _count(store, outcome="refused")
    for _ in range(5):
        assert client.get("/api/audit").status_code == 403
    assert _count(store, outcome="refused") - before == 5


def test_a_flood_of_failed_sign_ins_is_bounded_per_client(app, store, people):
    app.state.throttle = Throttle(Clock())
    before = _count(store)
    with TestClient(app, base_url="http://testserver") as c:
        token = c.get("/api/session").json()["csrf_token"]
        codes = [
            c.post(
                "/api/session",
                json={"username": f"user{i}", "password": "wrong!"},
                headers={"X-CSRF-Token": token},
            ).status_code
            for i in range(200)
        ]
    assert codes.count(429) >= 150
    assert _count(store) - before <= 35  # each checked attempt, then one counted record
    assert PASSWORD  # the right password was never needed to exhaust the budget
