"""GOV-16 and WL-09 through the web app: the refusal page's offer, the decision form, the SRO's
work list and review form, the JSON API, and raising one image's Threshold."""

from datetime import timedelta

import pytest
from fastapi.testclient import TestClient

from frt.core import actions as context
from frt.governance import command, watchlists
from frt.governance.bundle import installation_key
from frt.web.app import create_app
from tests.governance.conftest import NOW, PASSWORD, START, entry, make_bundle
from tests.web.conftest import form_token

RATIONALE = "OST course cancelled by the provider; addressed in the ORA section 4; van duty only"


@pytest.fixture
def web(store, people, monkeypatch, engine):
    """Sign in as someone: returns (client, csrf token). The app's clock reads NOW."""
    monkeypatch.setattr(context, "utcnow", lambda: NOW)
    monkeypatch.setattr(watchlists, "default_engine", lambda: engine)
    app = create_app(store)
    clients = []

    def _as(username: str) -> tuple[TestClient, str]:
        client = TestClient(app, base_url="http://testserver")
        clients.append(client)
        token = client.get("/api/session").json()["csrf_token"]
        response = client.post(
            "/api/session",
            json={"username": username, "password": PASSWORD},
            headers={"X-CSRF-Token": token},
        )
        assert response.status_code == 200, response.text
        return client, response.json()["csrf_token"]

    yield _as
    for client in clients:
        client.close()


@pytest.mark.req("GOV-16", "GOV-10")
def test_refusal_page_offers_a_decision_outside_policy_which_rosters_and_reaches_the_sro(
    web, people, authority
):
    _auth_id, dep_id = authority()
    silver, token = web("silver")
    roster = {"user_id": people["unsafe"], "duty": "lfr_operator", "csrf_token": token}
    page = silver.post(f"/lfr/deployments/{dep_id}/roster", data=roster)
    assert page.status_code == 403 and "000 §10.3" in page.text
    assert "Record a decision outside policy" in page.text and "003 §12.3" in page.text
    form = silver.get(
        f"/lfr/exceptions/new?action=roster&deployment_id={dep_id}"
        f"&user_id={people['unsafe']}&duty=lfr_operator"
    )
    assert form.status_code == 200 and 'id="x-rule">GOV-ROSTER-TRAINING<' in form.text
    fields = {
        "action": "roster",
        "deployment_id": dep_id,
        "user_id": people["unsafe"],
        "duty": "lfr_operator",
        "rationale": RATIONALE,
        "csrf_token": form_token(form.text),
    }
    refused = silver.post("/lfr/exceptions", data=fields)  # MPS: legal advice required
    assert refused.status_code == 403 and "legal advice" in refused.text
    done = silver.post("/lfr/exceptions", data={**fields, "legal_advice": "DLS ref 123"})
    assert done.status_code == 200 and "outside policy: decision recorded" in done.text

    sro, sro_token = web("sro")
    home = sro.get("/")
    assert "Decision outside policy (GOV-ROSTER-TRAINING) to review" in home.text
    exc_id = home.text.split("/lfr/exceptions/")[1][:32]
    detail = sro.get(f"/lfr/exceptions/{exc_id}")
    assert RATIONALE in detail.text and 'name="outcome" value="disagreed"' in detail.text
    review = {"outcome": "disagreed", "reasons": "", "csrf_token": form_token(detail.text)}
    assert sro.post(f"/lfr/exceptions/{exc_id}/review", data=review).status_code == 400
    review["reasons"] = "An OST refresher was available the day before"
    reviewed = sro.post(f"/lfr/exceptions/{exc_id}/review", data=review)
    assert reviewed.status_code == 200 and "Disagreed" in reviewed.text
    assert "to review" not in sro.get("/").text


@pytest.mark.req("GOV-16", "GOV-10")
def test_a_rule_never_set_aside_says_so_and_offers_nothing(web, people, authority):
    _auth_id, dep_id = authority()
    silver, token = web("silver")
    data = {"user_id": people["untrained"], "duty": "lfr_operator", "csrf_token": token}
    page = silver.post(f"/lfr/deployments/{dep_id}/roster", data=data)
    assert page.status_code == 403 and "000 §8.5" in page.text
    assert "Not a matter for a decision outside policy" in page.text
    assert "Record a decision outside policy" not in page.text
    form = silver.get(
        f"/lfr/exceptions/new?action=roster&deployment_id={dep_id}"
        f"&user_id={people['untrained']}&duty=lfr_operator"
    )
    assert "no decision outside policy sets this rule aside" in form.text
    assert 'name="rationale"' not in form.text


@pytest.mark.req("GOV-16")
def test_a_bronze_is_told_who_may_decide(web, people, authority):
    _auth_id, dep_id = authority()
    bronze, token = web("bronze")
    data = {"user_id": people["unsafe"], "duty": "lfr_operator", "csrf_token": token}
    page = bronze.post(f"/lfr/deployments/{dep_id}/roster", data=data)
    assert page.status_code == 403 and "Record a decision outside policy" not in page.text
    assert "may record it: ask them" in page.text
    inspector, _token = web("inspector")  # an AO and Gold, but not of this Authority
    form = inspector.get(
        f"/lfr/exceptions/new?action=roster&deployment_id={dep_id}"
        f"&user_id={people['unsafe']}&duty=lfr_operator"
    )
    assert "in post may record" in form.text and 'name="rationale"' not in form.text


@pytest.mark.req("GOV-16", "WL-05")
def test_the_api_refusal_says_whether_to_decide_outside_policy_and_the_import_then_proceeds(
    web, people, authority, photos, monkeypatch
):
    _auth_id, dep_id = authority()
    monkeypatch.setattr(context, "utcnow", lambda: START - timedelta(hours=30))
    gold, token = web("gold")
    headers = {"X-CSRF-Token": token}
    with context.acting(gold.app.state.store, people["gold"]) as ctx:
        bundle = make_bundle(installation_key(ctx.cipher), entry(photos=photos))

    def upload():
        return gold.post(
            f"/api/lfr/deployments/{dep_id}/watchlist",
            files={"bundle": ("list.frtwl", bundle)},
            data={"intelligence_reconfirmed": "true"},
            headers=headers,
        )

    first = upload()
    body = first.json()
    assert first.status_code == 403 and body["citation"] == "000 §6.2(4)"
    assert body["rule"] == "WL-IMPORT-WINDOW"
    assert body["outside_policy"]["may_be_set_aside"] and body["outside_policy"]["you_may_record"]
    decision = {"action": "watchlist_import", "deployment_id": dep_id, "rationale": RATIONALE}
    short = gold.post("/api/lfr/exceptions", json={**decision, "rationale": "x"}, headers=headers)
    assert short.status_code == 403 and short.json()["citation"] == "003 §12.3"
    made = gold.post(
        "/api/lfr/exceptions", json={**decision, "legal_advice": "DLS 4"}, headers=headers
    )
    assert made.status_code == 200 and made.json()["rule"] == "WL-IMPORT-WINDOW", made.text
    second = upload()
    assert second.status_code == 200 and second.json()["composition"]["individuals"] == 1
    sro, sro_token = web("sro")
    listed = sro.get("/api/lfr/exceptions").json()
    assert [(e["id"], e["used"], e["sro_outcome"]) for e in listed] == [
        (made.json()["id"], True, None)
    ]
    endorsed = sro.post(
        f"/api/lfr/exceptions/{made.json()['id']}/review",
        json={"outcome": "endorsed"},
        headers={"X-CSRF-Token": sro_token},
    )
    assert endorsed.json()["sro_outcome"] == "endorsed"


@pytest.mark.req("WL-09")
def test_the_rostered_operator_raises_an_image_threshold_from_the_page_and_the_api(
    web, act, people, authority, photos, engine
):
    _auth_id, dep_id = authority()
    with act("silver") as ctx:
        data = make_bundle(installation_key(ctx.cipher), entry(photos=photos))
        watchlists.import_bundle(ctx, dep_id, data, intelligence_reconfirmed=True, engine=engine)
        command.roster(ctx, dep_id, people["operator"], "lfr_operator")
    operator, token = web("operator")
    listed = operator.get(f"/api/lfr/deployments/{dep_id}/watchlist").json()
    image_id = listed["images"][0]["image_id"]
    url = f"/api/lfr/watchlist-images/{image_id}/threshold"
    headers = {"X-CSRF-Token": token}
    lower = operator.post(url, json={"threshold": 0.5, "reason": "fewer"}, headers=headers)
    assert lower.status_code == 403 and lower.json()["citation"] == "000 §6.2(3)"
    assert (
        operator.post(url, json={"threshold": 2, "reason": "x"}, headers=headers).status_code == 422
    )
    raised = operator.post(
        url, json={"threshold": 0.9, "reason": "two false alerts in an hour"}, headers=headers
    )
    assert raised.status_code == 200 and raised.json()["threshold"] == 0.9
    page = operator.get(f"/lfr/deployments/{dep_id}")
    assert "Raise Threshold" in page.text and "two false alerts in an hour" in page.text
    form = {"threshold": "abc", "reason": "x", "csrf_token": form_token(page.text)}
    bad = operator.post(f"/lfr/watchlist-images/{image_id}/threshold", data=form)
    assert bad.status_code == 422 and "number between 0 and 1" in bad.text
    form["threshold"] = "0.95"
    assert (
        operator.post(f"/lfr/watchlist-images/{image_id}/threshold", data=form).status_code == 200
    )
    with act("silver") as ctx:
        gallery = watchlists.load_for_recognition(ctx.session, ctx.cipher, dep_id)
    assert gallery.subjects[0].images[0].threshold == 0.95
    unrostered, other = web("untrained")
    refused = unrostered.post(
        url, json={"threshold": 0.99, "reason": "x"}, headers={"X-CSRF-Token": other}
    )
    assert refused.status_code == 403 and "rostered" in refused.json()["detail"]
