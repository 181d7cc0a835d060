"""The role check, refusals that name their rule, and the audit log pages (DATA-04, DATA-05)."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from frt.audit.models import AuditRecord
from frt.web.auth import endpoints, has_role_check, is_public, unguarded_routes
from tests.web.conftest import signed_in


def _records(store, **where) -> list[AuditRecord]:
    with store.session() as db:
        return list(db.scalars(select(AuditRecord).filter_by(**where).order_by(AuditRecord.seq)))


@pytest.mark.req("DATA-05")
def test_every_route_but_the_public_ones_declares_require_role(app):
    routes = list(endpoints(app))
    assert len(routes) > 10
    assert unguarded_routes(app) == []
    assert all(has_role_check(r) for p, r in routes if p in ("/", "/audit", "/api/users"))
    public = {p for p, _ in routes if is_public(p)}
    assert public <= {
        "/api/docs",
        "/api/health",
        "/api/openapi.json",
        "/api/session",
        "/login",
        "/logout",
        "/public/",
    }


@pytest.mark.req("DATA-05")
def test_an_app_with_an_unguarded_route_refuses_to_start(store, monkeypatch):
    from fastapi import APIRouter

    from frt.web import app as web_app

    careless = APIRouter()

    @careless.get("/applications")
    def applications():
        return []

    monkeypatch.setattr(web_app, "ROUTERS", [*web_app.ROUTERS, careless])
    with pytest.raises(RuntimeError, match="GET /applications"):
        web_app.create_app(store)


@pytest.mark.req("DATA-05")
def test_wrong_role_is_refused_naming_the_rule_and_the_refusal_is_audited(client, people, store):
    signed_in(client, "operator")
    api = client.get("/api/users")
    assert api.status_code == 403
    assert api.json()["citation"] == "000 §12.1(d)" and "Administrator" in api.json()["detail"]
    page = client.get("/admin/users")
    assert page.status_code == 403 and "000 §12.1(d)" in page.text
    refused = _records(store, action="web.users.list", outcome="refused")
    assert refused and refused[-1].user_id == people["operator"]
    assert refused[-1].detail["citation"] == "000 §12.1(d)"


@pytest.mark.req("DATA-05")
def test_administrator_lists_users_and_the_listing_is_audited(client, people, store):
    signed_in(client, "admin")
    users = client.get("/api/users").json()
    assert {u["username"] for u in users} == set(people)
    assert "password_hash" not in users[0]
    assert "Test Inspector" in client.get("/admin/users").text
    assert _records(store, action="user.list")[-1].role == "administrator"


@pytest.mark.req("DATA-04")
def test_auditor_reads_the_audit_log_and_the_read_is_audited(client, people, store):
    signed_in(client, "auditor")
    before = len(_records(store, action="audit.read"))
    page = client.get("/audit?action=login")
    assert page.status_code == 200 and "user.create" not in page.text and "login" in page.text
    records = client.get("/api/audit", params={"limit": 5}).json()
    assert len(records) == 5 and records[0]["action"] == "audit.read"
    reads = _records(store, action="audit.read")
    assert len(reads) == before + 2
    assert reads[-1].user_id == people["auditor"] and reads[-1].role == "auditor"


@pytest.mark.req("DATA-04")
def test_operator_is_refused_the_audit_log_and_the_refusal_is_recorded(client, people, store):
    signed_in(client, "operator")
    assert client.get("/audit").status_code == 403
    response = client.get("/api/audit")
    assert response.status_code == 403 and response.json()["citation"] == "000 §12.1(d)"
    assert not _records(store, action="audit.read")
    refused = _records(store, outcome="refused", user_id=people["operator"])
    assert [r.action for r in refused] == ["web.audit.page", "web.audit.read"]


@pytest.mark.req("DATA-04")
def test_verify_chain_button_reports_intact_chain(client, people, store):
    token = signed_in(client, "auditor")
    fragment = client.post("/audit/verify", headers={"X-CSRF-Token": token, "HX-Request": "true"})
    assert fragment.status_code == 200 and "audit chain intact" in fragment.text
    assert "<html" not in fragment.text
    result = client.post("/api/audit/verify", headers={"X-CSRF-Token": token}).json()
    assert result["ok"] is True and result["records"] > 5
    assert _records(store, action="audit.verify")[-1].user_id == people["auditor"]


@pytest.mark.req("DATA-04")
def test_policy_refusal_and_audit_access_denied_render_rule_and_are_recorded(
    app, client, people, store
):
    from fastapi import APIRouter, Depends

    from frt.audit import Actor
    from frt.audit.log import read
    from frt.people.roles import Role
    from frt.policy import Decision, PolicyRefusal
    from frt.web.auth import Principal, require_role

    router = APIRouter()

    @router.get("/api/test/policy", name="test.policy")
    def policy(who: Principal = Depends(require_role(Role.LFR_OPERATOR))):
        raise PolicyRefusal(
            Decision.refuse("no authority covers this camera", "000 §4.5", "LIVE-AUTHORITY")
        )

    @router.get("/api/test/audit", name="test.audit")
    def audit(who: Principal = Depends(require_role(Role.LFR_OPERATOR))):
        with store.session() as db:
            read(db, Actor(who.user.id, "lfr_operator"))

    app.include_router(router)
    signed_in(client, "operator")
    refused = client.get("/api/test/policy")
    assert refused.status_code == 403
    assert refused.json() == {
        "error": "refused",
        "detail": "no authority covers this camera",
        "rule": "LIVE-AUTHORITY",
        "citation": "000 §4.5",
    }
    denied = client.get("/api/test/audit")
    assert denied.status_code == 403 and "may not read the audit log" in denied.json()["detail"]
    actions = [r.action for r in _records(store, outcome="refused", user_id=people["operator"])]
    assert actions == ["web.test.policy", "web.test.audit"]


def test_home_page_shows_a_panel_per_role(client, people):
    signed_in(client, "inspector")
    page = client.get("/").text
    assert "LFR applications to decide" in page and "Deployments you command (Silver)" in page
    assert "Alerts to adjudicate" not in page
    assert 'href="/audit"' not in page  # no link to what the role may not open


def test_registered_panel_replaces_the_placeholder(app, client, people):
    from frt.people.roles import Role
    from frt.web import panels

    app.state.site.add_panel(
        panels.HomePanel(
            key="operator.alerts",
            role=Role.LFR_OPERATOR,
            title="Alerts to adjudicate",
            empty="none",
            items=lambda ctx, who: [panels.PanelItem("Alert 7", "/alerts/7", "Zone A")],
        )
    )
    signed_in(client, "operator")
    page = client.get("/").text
    assert 'href="/alerts/7"' in page and "Zone A" in page
