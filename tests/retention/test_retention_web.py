"""The DPO's retention page, panel and API (DATA-01, DATA-03, DATA-05)."""

from datetime import timedelta

import pytest
from fastapi.testclient import TestClient

from frt.core import actions as context
from frt.retention import alerts
from tests.governance.conftest import (  # noqa: F401 (fixtures)
    act,
    authority,
    password_hash,
    people,
    submitted,
)
from tests.lfr.test_live_web import client_for
from tests.retention.test_alert_retention import RAISED, _face_kept, _raise
from tests.web.conftest import form_token


@pytest.fixture
def web(store, people, monkeypatch):  # noqa: F811
    """Sign in as someone at a given time: returns a client."""
    clients = []

    def _as(username: str, now=RAISED) -> TestClient:
        monkeypatch.setattr(context, "utcnow", lambda: now)
        monkeypatch.setattr(alerts, "utcnow", lambda: now)
        clients.append(client_for(store, username))
        return clients[-1]

    yield _as
    for client in clients:
        client.close()


@pytest.mark.req("DATA-01")
def test_the_dpo_holds_a_face_from_the_page_and_releases_it_through_the_api(web, store, authority):  # noqa: F811
    _, dep_id = authority()
    alert_id = _raise(store, dep_id)
    dpo = web("dpo")
    page = dpo.get("/retention")
    assert page.status_code == 200 and alert_id[:8] in page.text and "000 §13.2" in page.text
    held = dpo.post(
        f"/retention/alerts/{alert_id}/hold",
        data={
            "ground": "dpa_mopi_cpia",
            "reason": "evidence in a prosecution (CPIA)",
            "csrf_token": form_token(page.text),
        },
        follow_redirects=False,
    )
    assert held.status_code == 303
    listed = dpo.get("/api/retention/alerts").json()
    assert [(f["alert_id"], f["held"]) for f in listed] == [(alert_id, True)]
    alerts.purge(store, now=RAISED + timedelta(days=40))
    assert _face_kept(store, alert_id)  # the hold keeps it past 31 days
    hold_id = listed[0]["holds"][0]["id"]
    assert dpo.post(f"/api/retention/holds/{hold_id}/release").status_code == 200
    assert dpo.get("/api/retention/alerts").json()[0]["held"] is False


@pytest.mark.req("DATA-05")
def test_only_the_dpo_and_gold_see_or_hold_alert_data(web, store, authority):  # noqa: F811
    _, dep_id = authority()
    alert_id = _raise(store, dep_id)
    operator = web("operator")
    assert operator.get("/api/retention/alerts").status_code == 403
    assert (
        operator.post(
            f"/api/retention/alerts/{alert_id}/holds",
            json={"ground": "dpa_mopi_cpia", "reason": "x"},
        ).status_code
        == 403
    )
    gold = web("gold")
    assert (
        gold.post(
            f"/api/retention/alerts/{alert_id}/holds", json={"ground": "whim", "reason": "x"}
        ).status_code
        == 422
    )  # not a ground of 000 §13.2


@pytest.mark.req("DATA-03")
def test_the_dpo_home_panel_names_a_face_kept_past_its_deadline(web, store, authority):  # noqa: F811
    _, dep_id = authority()
    alert_id = _raise(store, dep_id)
    assert "without a hold" in web("dpo").get("/").text  # nothing overdue yet
    late = web("dpo", now=RAISED + timedelta(days=32)).get("/").text
    assert f"Alert {alert_id[:8]}: camera face kept past its deadline" in late
