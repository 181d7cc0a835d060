"""Alert delivery and people's decisions through the web app (LIVE-04..08, WL-06, WL-08; DATA-06):
the Operator console's SSE stream picks up an Alert committed by another process; the operator
and the Engagement Officer record their decisions; devices enrolled with their own credential;
Silver's controls and home panel; the metrics page; the report provider registered."""

from __future__ import annotations

import re
import time

import numpy as np
import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from frt.lfr import records
from frt.lfr.models import Engagement, OperatorLog
from frt.lfr.pipeline import Alert
from frt.lfr.watchlist import Match
from frt.store.base import utcnow
from frt.web.app import create_app
from tests.governance.conftest import PASSWORD
from tests.lfr.live_fixtures import *  # noqa: F401,F403 (fixtures)
from tests.lfr.live_fixtures import MARKERS


def raise_alert(store, dep_id, blue=False) -> str:
    """What the recognition worker does: commit the Alert (here from the test's thread)."""
    from frt.governance.watchlist_models import WatchlistEntry, WatchlistImage

    with store.session() as s:
        image = s.scalars(select(WatchlistImage)).first()
        entry = s.get(WatchlistEntry, image.entry_id)
        ids = ("blue-1", "blue-1") if blue else (image.id, entry.id)
    probe = np.full((150, 150, 3), 120, np.uint8)
    alert = Alert(
        "cam-1",
        1,
        Match(ids[0], ids[1], 0.99, 0.97, "blue_watchlist" if blue else "wanted_by_courts", ()),
        blue,
        5,
        0.2,
        0.6,
        420.0,
        utcnow(),
        probe,
    )
    return records.persist_alert(store, dep_id, alert, image_id=ids[0], entry_id=ids[1])


@pytest.fixture
def web(store):
    with TestClient(create_app(store), base_url="http://testserver") as client:
        yield client


def client_for(store, username: str) -> TestClient:
    client = TestClient(create_app(store), base_url="http://testserver")
    token = client.get("/api/session").json()["csrf_token"]
    r = client.post(
        "/api/session",
        json={"username": username, "password": PASSWORD},
        headers={"X-CSRF-Token": token},
    )
    assert r.status_code == 200, r.text
    client.headers["X-CSRF-Token"] = r.json()["csrf_token"]
    return client


def first_sse_alert(client: TestClient, url: str, timeout: float = 5.0) -> str:
    with client.stream("GET", url) as response:
        assert response.status_code == 200
        event = None
        start = time.monotonic()
        for line in response.iter_lines():
            if line.startswith("event:"):
                event = line.split(":", 1)[1].strip()
            elif line.startswith("data:") and event == "alert":
                return line
            assert time.monotonic() - start < timeout, "no alert event"
    raise AssertionError("stream ended")


@pytest.mark.req("LIVE-04", "WL-06")
def test_an_alert_committed_by_the_worker_reaches_the_console_stream_within_a_second(
    store, live, people
):
    _, dep_id = live()
    operator = client_for(store, "operator")
    alert_id = raise_alert(store, dep_id)
    t0 = time.monotonic()
    line = first_sse_alert(operator, f"/live/deployments/{dep_id}/stream")
    assert time.monotonic() - t0 < 1.0
    assert alert_id in line
    page = operator.get(f"/live/deployments/{dep_id}").text
    assert f'id="alert-{alert_id}"' in page
    assert MARKERS[0] in page and "Wanted by courts" in page and "0.990" in page  # WL-06
    assert operator.get(f"/live/alerts/{alert_id}/probe.png").content.startswith(b"\x89PNG")
    assert operator.get(f"/live/alerts/{alert_id}/candidate").content[:2] == b"\xff\xd8"


@pytest.mark.req("WL-08")
def test_blue_watchlist_alerts_are_shown_apart(store, live, people):
    _, dep_id = live()
    operational, blue = raise_alert(store, dep_id), raise_alert(store, dep_id, blue=True)
    operator = client_for(store, "operator")
    console = operator.get(f"/live/deployments/{dep_id}").text
    blue_page = operator.get(f"/live/deployments/{dep_id}/blue").text
    assert operational in console and blue not in console
    assert blue in blue_page and operational not in blue_page
    assert blue in first_sse_alert(operator, f"/live/deployments/{dep_id}/stream?blue=1")


@pytest.mark.req("LIVE-05", "LIVE-06", "LIVE-08")
def test_operator_and_engagement_officer_decide_from_their_pages(store, live, people, officer):
    _, dep_id = live()
    alert_id = raise_alert(store, dep_id)
    with store.session() as s:  # nothing acted on the Alert by itself
        assert s.scalars(select(Engagement)).all() == []
    operator = client_for(store, "operator")
    card = operator.post(
        f"/live/alerts/{alert_id}/assess",
        data={"assessment": "possible_match", "engage": "yes"},
        headers={"HX-Request": "true"},
    )
    assert card.status_code == 200 and "supports an Engagement" in card.text
    eo = client_for(store, "eo")
    assert alert_id in eo.get(f"/live/handheld/{dep_id}").text
    card = eo.post(
        f"/live/alerts/{alert_id}/decide",
        data={"decision": "engage", "outcome": "confirmed_true", "police_action": "arrest"},
    )
    assert "Confirmed true" in card.text  # a label (issue 12, item 8)
    # the operator may not record the Engagement Officer's decision (000 §10.8)
    refused = operator.post(
        f"/live/alerts/{alert_id}/decide", data={"decision": "engage", "outcome": "confirmed_true"}
    )
    assert refused.status_code == 403
    r = eo.post(
        f"/live/deployments/{dep_id}/engagements",
        data={
            "reason": "behaviour gave concern",
            "outcome": "not_confirmed",
            "police_action": "none",
        },
        follow_redirects=False,
    )
    assert r.status_code == 303
    metrics = eo.get(f"/live/deployments/{dep_id}/metrics").text
    assert re.search(r'data-metric="alerts">1<', metrics)
    assert re.search(r'data-metric="true_confirmed">1<', metrics)
    assert re.search(r'data-metric="non_alert_engagements">1<', metrics)
    assert "Arrest: 1" in metrics  # a label people use (issue 12, item 8)
    with store.session() as s:
        assert len(s.scalars(select(OperatorLog)).all()) == 1


@pytest.mark.req("LIVE-07")
def test_a_concern_reaches_silver_who_suspends_and_resumes_from_the_console(
    store, live, people, web_clock
):
    _, dep_id = live()
    operator = client_for(store, "operator")
    r = operator.post(
        f"/live/deployments/{dep_id}/concerns",
        data={"note": "false alerts on camera 2"},
        follow_redirects=False,
    )
    assert r.status_code == 303
    silver = client_for(store, "silver")
    assert "false alerts on camera 2" in silver.get("/").text
    r = silver.post(
        f"/live/deployments/{dep_id}/state", data={"change": "suspend"}, follow_redirects=False
    )
    assert r.status_code == 303
    assert "data-state>suspended<" in silver.get(f"/live/deployments/{dep_id}").text
    silver.post(f"/live/deployments/{dep_id}/state", data={"change": "resume"})
    assert "data-state>active<" in silver.get(f"/live/deployments/{dep_id}").text
    # an operator cannot stop a Deployment; the refusal names its rule
    refused = operator.post(f"/live/deployments/{dep_id}/state", data={"change": "terminate"})
    assert refused.status_code == 403 and "000 §12.1(d)" in refused.text


@pytest.mark.req("LIVE-04", "LIVE-06", "DATA-06")
def test_a_device_enrolled_with_its_own_credential_receives_alerts_and_records_decisions(
    store, live, people, officer
):
    _, dep_id = live()
    silver = client_for(store, "silver")
    enrolled = silver.post(
        f"/api/live/deployments/{dep_id}/devices", json={"officer_id": officer, "label": "HH-07"}
    ).json()
    token = enrolled["token"]
    page = silver.get(f"/live/deployments/{dep_id}/devices").text
    assert "HH-07" in page and token not in page  # shown once, stored hashed
    alert_id = raise_alert(store, dep_id)
    device = TestClient(create_app(store), base_url="http://testserver")
    device.headers["Authorization"] = f"Bearer {token}"  # no session, no CSRF token needed
    listed = device.get("/api/live/device/alerts").json()
    assert [a["id"] for a in listed] == [alert_id] and listed[0]["markers"] == MARKERS
    assert device.get(listed[0]["probe_url"]).content.startswith(b"\x89PNG")
    assert alert_id in first_sse_alert(device, "/api/live/device/stream")
    r = device.post(
        f"/api/live/device/alerts/{alert_id}/decision",
        json={"decision": "no_engagement", "outcome": "not_engaged"},
    )
    assert r.status_code == 200, r.text
    with store.session() as s:
        assert s.scalars(select(Engagement)).one().officer_id == officer
    silver.post(f"/api/live/devices/{enrolled['device_id']}/revoke")
    refused = device.get("/api/live/device/alerts")
    assert refused.status_code == 403 and refused.json()["citation"] == "000 §12.1(e)"
    forged = TestClient(create_app(store), base_url="http://testserver")
    forged.headers["Authorization"] = "Bearer frtd_forged"
    assert forged.get("/api/live/device/alerts").status_code == 403
