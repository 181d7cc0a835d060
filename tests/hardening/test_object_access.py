"""Every route that names an object refuses a user who holds the route's role but not the object
(hardening item 2; DATA-05; 000 §12.1(d)).

Two worlds: world A (an authorised, active Deployment with its Application, documents, command
team, roster, Watchlist, an Alert, a retention hold, a device, a notification, a report and a
decision outside policy) and world B (another applicant's Application, authorised with another
Gold, Silver and Bronzes, and its own Operator, Engagement Officer, System Engineer and device).
For every route of the app with a path parameter (from `app.routes`) and every role the route
admits, a person of world B holding that role — or, for roles no Deployment owns, a person who
holds only that role — calls the route on world A's object with a body that validates. The
answer must be 403 or 404 (and a refusal must not be for the role or training, which the walk
gives): never 2xx.

Not walked, each with its reason: `ROLE_WIDE` (a role that acts on every object of its kind by
the documents), `NOT_WALKED` (the RFR routes: their objects and rules are the RFR area's own) and
`PENDING_WEB` (routes whose page or API reads the object without the read action the domain now
offers; they are expected to fail until the web layer calls it, and fail loudly once it does).
"""

from __future__ import annotations

from datetime import timedelta

import numpy as np
import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from frt.audit import Actor
from frt.governance import applications, command, decisions, notices
from frt.governance.models import Application, Authority
from frt.governance.oversight_models import Notification, PolicyException, RosterEntry
from frt.governance.watchlist_models import CancellationReport, WatchlistImage
from frt.lfr import devices, records
from frt.lfr.enums import Assessment, Decision, Outcome
from frt.lfr.pipeline import Alert
from frt.lfr.watchlist import Match
from frt.people.models import User
from frt.people.roles import Role, TrainingKind
from frt.people.service import add_training
from frt.policy.decision_rules import REASON_HEADINGS
from frt.policy.ranks import Rank
from frt.retention.alerts import place_hold
from frt.store.base import utcnow
from frt.web.app import create_app
from frt.web.auth import endpoints
from tests.conftest import setup_session
from tests.governance.conftest import PASSWORD, all_reasons, draft, terms
from tests.lfr.live_fixtures import *  # noqa: F401,F403 (fixtures)
from tests.lfr.live_fixtures import RUN_AT

pytestmark = pytest.mark.req("DATA-05")

# (route name, role) -> why a holder of that role acts on every object of the route's kind.
ROLE_WIDE = {
    **{
        (name, role): "decides on or oversees every Application, Authority and Deployment of the "
        "force (000 §4.5–4.6, §12.1(d); 003 §12.3)"
        for name in (
            "lfr.application",
            "api.lfr.application",
            "lfr.authority",
            "lfr.authority.document",
            "api.lfr.authority",
            "lfr.deployment",
            "api.lfr.deployment.watchlist.read",
            "lfr.report",
        )
        for role in (
            "authorising_officer",
            "npcc_officer",
            "data_protection_officer",
            "senior_responsible_owner",
            "auditor",
        )
    },
    **{
        (name, role): "reads the documents of every Application it decides on (001 stage 3)"
        for name in ("lfr.document",)
        for role in ("authorising_officer", "npcc_officer", "data_protection_officer")
    },
    **{
        (name, role): "reviews every Application's documents (000 §7.1; 001 stage 3)"
        for name in ("lfr.document.review", "api.lfr.document.review")
        for role in ("authorising_officer", "data_protection_officer")
    },
    **{
        (name, "npcc_officer"): "the NPCC officer is consulted on every Application (000 §4.6)"
        for name in ("lfr.application.consult", "api.lfr.application.consult")
    },
    **{
        (name, "authorising_officer"): "any independent AO of the rank decides (000 §4.5, §4.11; "
        "004 §4.1 refuses only the applicant and the command team)"
        for name in (
            "lfr.application.decide",
            "api.lfr.application.decide",
            "lfr.authority.urgent_review",
            "api.lfr.authority.urgent_review",
            "lfr.authority.further",
        )
    },
    **{
        (name, role): "oversight reads every decision outside policy (003 §12.3)"
        for name in ("lfr.exception",)
        for role in ("senior_responsible_owner", "data_protection_officer", "auditor")
    },
    **{
        (name, "senior_responsible_owner"): "the SRO reviews every decision outside policy "
        "(003 §12.3)"
        for name in ("lfr.exception.review", "api.lfr.exception.review")
    },
    **{
        (name, "data_protection_officer"): "the DPO holds any Alert's data for DPA/MOPI/CPIA or a "
        "complaint (000 §13.2)"
        for name in (
            "retention.hold",
            "retention.release",
            "retention.page.hold",
            "retention.page.release",
        )
    },
}
NOT_WALKED = {
    "/rfr/": "RFR's libraries, searches and reports are the RFR area's (their own "
    "object rules and tests: tests/rfr)",
    "/api/rfr/": "as /rfr/",
}
# Routes whose handler reads the object itself, without the domain's read action; the actions
# exist (and are tested below): the web layer is to call them.
PENDING_WEB: dict[str, str] = {}  # none left: every page and API route calls its read action
# Routes whose require_role admits a role their action does not: the action refuses by role
# (ACCESS-ROLE). The route's roles should be the action's (for the web layer to align).
ROUTE_WIDER_THAN_ACTION: dict[
    tuple[str, str], str
] = {}  # none left: routes admit their action's roles

OUTSIDERS = {  # username -> (rank, role); the command and roster roles are world B's
    "x_applicant": (Rank.INSPECTOR, Role.APPLICANT),
    "x_ao": (Rank.CHIEF_SUPERINTENDENT, Role.AUTHORISING_OFFICER),
    "x_npcc": (Rank.COMMANDER, Role.NPCC_OFFICER),
    "x_gold": (Rank.CHIEF_SUPERINTENDENT, Role.GOLD),
    "x_silver": (Rank.INSPECTOR, Role.SILVER),
    "x_bronze": (Rank.SERGEANT, Role.BRONZE),
    "x_bcomm": (Rank.SERGEANT, Role.BRONZE_COMMUNITY),
    "x_operator": (Rank.POLICE_CONSTABLE, Role.LFR_OPERATOR),
    "x_eo": (Rank.POLICE_CONSTABLE, Role.ENGAGEMENT_OFFICER),
    "x_engineer": (Rank.STAFF_BAND_D, Role.SYSTEM_ENGINEER),
    "x_sro": (Rank.COMMANDER, Role.SRO),
    "x_dpo": (Rank.STAFF_BAND_C, Role.DPO),
    "x_auditor": (Rank.STAFF_BAND_C, Role.AUDITOR),
}
BY_ROLE = {role.value: name for name, (_, role) in OUTSIDERS.items()}


# ------------------------------------------------------------------ the two worlds
def _outsiders(store, password_hash) -> dict[str, str]:
    ids = {}
    with setup_session(store) as session:
        for name, (rank, role) in OUTSIDERS.items():
            user = User(
                username=name,
                display_name=name,
                rank=rank.value,
                roles_json=[role.value],
                password_hash=password_hash,
            )
            session.add(user)
            session.flush()
            ids[name] = user.id
    with setup_session(store) as session:
        for name in OUTSIDERS:
            for kind in TrainingKind:  # the walk is about objects: training is never missing
                add_training(
                    session,
                    Actor.system("test"),
                    name,
                    kind,
                    RUN_AT.date() - timedelta(days=30),
                    RUN_AT.date() + timedelta(days=365),
                )
    return ids


def _alert(store, dep_id: str) -> str:
    with store.session() as s:
        image = s.scalars(select(WatchlistImage)).first()
        ids = image.id, image.entry_id
    probe = np.full((150, 150, 3), 120, np.uint8)
    alert = Alert(
        "cam-1",
        1,
        Match(ids[0], ids[1], 0.99, 0.97, "wanted_by_courts", ()),
        False,
        5,
        0.2,
        0.6,
        420.0,
        utcnow(),
        probe,
    )
    return records.persist_alert(store, dep_id, alert, image_id=ids[0], entry_id=ids[1])


def _world_b(act, store, people, outsiders) -> dict:
    """Another applicant's Application, authorised for another command team and roster."""
    from frt.core.actions import acting
    from tests.governance.conftest import MPS, NOW

    with acting(store, outsiders["x_applicant"], profile=MPS, now=NOW) as ctx:
        app = draft(ctx)
        applications.submit(ctx, app.id)
        app_id = app.id
    with act("ao") as ctx:
        for doc in ctx.get(Application, app_id).documents:
            applications.review_document(ctx, doc.id, "reviewed")
    with act("npcc") as ctx:
        decisions.consult(ctx, app_id, "supported")
    with act("ao") as ctx:
        auth = decisions.decide(
            ctx,
            app_id,
            "authorise",
            all_reasons(),
            terms=terms(ctx, app_id, {"gold": outsiders["x_gold"]}),
        )
        auth_id, dep_id = auth.id, auth.deployments[0].id
    with acting(store, outsiders["x_gold"], profile=MPS, now=NOW) as ctx:
        command.appoint(ctx, auth_id, "silver", outsiders["x_silver"])
        command.appoint(ctx, auth_id, "bronze", outsiders["x_bronze"])
        command.appoint(ctx, auth_id, "bronze_community", outsiders["x_bcomm"])
    with setup_session(store) as session:
        for name, duty in (
            ("x_operator", "lfr_operator"),
            ("x_eo", "engagement_officer"),
            ("x_engineer", "system_engineer"),
        ):
            session.add(
                RosterEntry(
                    deployment_id=dep_id,
                    user_id=outsiders[name],
                    duty=duty,
                    rostered_by=outsiders["x_silver"],
                    rostered_at=NOW,
                )
            )
    with acting(store, outsiders["x_silver"], profile=MPS, now=NOW) as ctx:
        token = devices.enrol(ctx, dep_id, outsiders["x_eo"], "HH-B").token
    return {"app_id": app_id, "auth_id": auth_id, "dep_id": dep_id, "device_token": token}


@pytest.fixture
def worlds(store, live, people, officer, password_hash, act, web_clock):  # noqa: F811
    auth_id, dep_id = live()
    outsiders = _outsiders(store, password_hash)
    b = _world_b(act, store, people, outsiders)
    alert_id = _alert(store, dep_id)
    from frt.core.actions import acting

    with acting(store, people["dpo"], now=RUN_AT) as ctx:
        hold_id = place_hold(ctx, alert_id, "complaint_conduct", "a complaint was made").id
    with acting(store, people["silver"], now=RUN_AT) as ctx:
        device_id = devices.enrol(ctx, dep_id, officer, "HH-A").device_id
        notices.report_loss(ctx, auth_id, "mobile_device", "left on a bus", RUN_AT, True)
    with setup_session(store) as session:
        note_id = session.scalar(
            select(Notification.id).where(Notification.recipient_id == people["gold"])
        )
        report = CancellationReport(
            authority_id=auth_id, prepared_by=people["gold"], due_at=RUN_AT + timedelta(days=7)
        )
        exception = PolicyException(
            object_type="lfr_deployment",
            object_id=dep_id,
            rule="WL-IMPORT-WINDOW",
            refused_reason="before the window",
            rationale="x" * 60,
            decided_by=people["silver"],
            extra={"action": "watchlist_import"},
        )
        session.add_all([report, exception])
        session.flush()
        app_id = session.get(Authority, auth_id).application_id
        doc_id = session.get(Application, app_id).documents[0].id
        image_id = session.scalars(select(WatchlistImage.id)).first()
        ids = {
            "app_id": app_id,
            "doc_id": doc_id,
            "auth_id": auth_id,
            "dep_id": dep_id,
            "note_id": note_id,
            "report_id": report.id,
            "exc_id": exception.id,
            "image_id": image_id,
            "alert_id": alert_id,
            "device_id": device_id,
            "hold_id": hold_id,
        }
    return {"a": ids, "b": b, "outsiders": outsiders, "people": people}


# ------------------------------------------------------------------ bodies that validate
def bodies(worlds) -> dict[str, dict]:
    """Per route name: json=, data= or files= a request needs to reach its action."""
    now = RUN_AT.isoformat()
    someone = worlds["outsiders"]["x_operator"]
    reason = {REASON_HEADINGS[0]: "considered"}
    review = {
        k: "fine"
        for k in ("lawfulness", "necessity", "proportionality", "system_performance", "engagements")
    }
    upload = {"files": {"file": ("a.txt", b"text")}, "data": {"kind": "dpia", "title": "t"}}
    bundle = {
        "files": {"bundle": ("w.frtwl", b"FRTWLB01" + b"\0" * 64)},
        "data": {"intelligence_reconfirmed": "true"},
    }
    return {
        "api.lfr.application.update": {"json": {"title": "x"}},
        "api.lfr.application.location": {"json": {"name": "n", "locality": "l", "reason": "r"}},
        "api.lfr.application.document": {"json": {"kind": "dpia", "title": "t", "text": "x"}},
        "api.lfr.application.upload": upload,
        "api.lfr.document.review": {"json": {"status": "reviewed"}},
        "api.lfr.application.consult": {"json": {"outcome": "supported"}},
        "api.lfr.application.decide": {"json": {"outcome": "reject", "reasons": reason}},
        "api.lfr.authority.urgent_review": {"json": {"outcome": "continue", "note": "x"}},
        "api.lfr.authority.appoint": {"json": {"role": "bronze", "user_id": someone}},
        "api.lfr.authority.overt": {"json": {"notice_published": True, "notice_channels": "web"}},
        "api.lfr.authority.loss": {
            "json": {"item": "mobile_device", "circumstances": "x", "occurred_at": now}
        },
        "api.lfr.deployment.state": {"json": {"state": "suspended"}},
        "api.lfr.deployment.roster": {"json": {"user_id": someone, "duty": "lfr_operator"}},
        "api.lfr.deployment.review": {"json": review},
        "api.lfr.deployment.watchlist": bundle,
        "api.lfr.watchlist.threshold": {"json": {"threshold": 0.99, "reason": "x"}},
        "api.lfr.exception.review": {"json": {"outcome": "endorsed", "reasons": "x"}},
        "api.lfr.report.evaluate": {"json": {"evaluation": "x"}},
        "live.device.decision": {
            "json": {"decision": Decision.NO_ENGAGEMENT.value, "outcome": Outcome.NOT_ENGAGED.value}
        },
        "live.assessment": {
            "json": {"assessment": Assessment.NOT_A_MATCH.value, "recommend_engage": False}
        },
        "live.decision": {
            "json": {"decision": Decision.NO_ENGAGEMENT.value, "outcome": Outcome.NOT_ENGAGED.value}
        },
        "live.concerns": {"json": {"note": "x"}},
        "live.devices.enrol.json": {"json": {"officer_id": someone, "label": "x"}},
        "retention.hold": {"json": {"ground": "complaint_conduct", "reason": "x"}},
        # pages: forms
        "lfr.application.fields": {"data": {"title": "x"}},
        "lfr.application.location": {"data": {"name": "n", "locality": "l", "reason": "r"}},
        "lfr.application.document": {"data": {"kind": "dpia", "title": "t", "text": "x"}},
        "lfr.document.review": {"data": {"status": "reviewed"}},
        "lfr.application.consult": {"data": {"outcome": "supported"}},
        "lfr.application.decide": {
            "data": {
                "outcome": "reject",
                f"reason_{REASON_HEADINGS[0]}": "x",
                REASON_HEADINGS[0]: "x",
            }
        },
        "lfr.authority.urgent_review": {"data": {"outcome": "continue", "note": "x"}},
        "lfr.authority.further": {"data": {"purpose": "x", **reason}},
        "lfr.authority.appoint": {"data": {"role": "bronze", "user_id": someone}},
        "lfr.authority.overt": {"data": {"notice_published": "on", "notice_channels": "web"}},
        "lfr.authority.loss": {
            "data": {
                "item": "mobile_device",
                "circumstances": "x",
                "occurred_at": RUN_AT.strftime("%Y-%m-%dT%H:%M"),
            }
        },
        "lfr.report.evaluate": {"data": {"evaluation": "x"}},
        "lfr.deployment.state": {"data": {"state": "suspended"}},
        "lfr.deployment.roster": {"data": {"user_id": someone, "duty": "lfr_operator"}},
        "lfr.deployment.interval": {"data": {"hours": "2"}},
        "lfr.deployment.review": {"data": review},
        "lfr.deployment.watchlist": bundle,
        "lfr.exception.review": {"data": {"outcome": "endorsed", "reasons": "x"}},
        "lfr.watchlist.threshold": {"data": {"threshold": "0.99", "reason": "x"}},
        "live.assess": {"data": {"assessment": Assessment.NOT_A_MATCH.value}},
        "live.decide": {
            "data": {"decision": Decision.NO_ENGAGEMENT.value, "outcome": Outcome.NOT_ENGAGED.value}
        },
        "live.engagement": {"data": {"reason": "x", "outcome": Outcome.NOT_ENGAGED.value}},
        "live.concern": {"data": {"note": "x"}},
        "live.state": {"data": {"change": "suspend"}},
        "live.devices.enrol": {"data": {"officer_id": someone, "label": "x"}},
        "live.devices.revoke": {"data": {}},
        "lfr.notification.ack": {"data": {"next": "/"}},
        "retention.page.hold": {"data": {"ground": "complaint_conduct", "reason": "x"}},
    }


def roles_of(route) -> tuple[str, ...]:
    found: list[str] = []

    def walk(dependant):
        for dep in dependant.dependencies:
            found.extend(r.value for r in getattr(dep.call, "frt_required_roles", ()))
            walk(dep)

    walk(route.dependant)
    return tuple(dict.fromkeys(found))


def object_routes(app):
    for path, route in endpoints(app):
        if "{" in path and not any(path.startswith(p) for p in NOT_WALKED):
            for method in sorted(route.methods - {"HEAD"}):
                yield method, path, route


def _client(app, username: str) -> TestClient:
    client = TestClient(app, base_url="http://testserver")
    token = client.get("/api/session").json()["csrf_token"]
    signed = client.post(
        "/api/session",
        json={"username": username, "password": PASSWORD},
        headers={"X-CSRF-Token": token},
    )
    assert signed.status_code == 200, signed.text
    client.headers["X-CSRF-Token"] = signed.json()["csrf_token"]
    return client


def walk(store, worlds) -> list[tuple[str, str, str, int, str]]:
    """Call every object route as every outsider holding its role: (route, role, path, status,
    what answered)."""
    app = create_app(store)
    table, results, clients = bodies(worlds), [], {}
    for method, path, route in object_routes(app):
        url = path
        for param in route.dependant.path_params:
            value = worlds["a"].get(param.name)
            assert value, f"the walk has no world-A object for {{{param.name}}} ({path})"
            url = url.replace("{" + param.name + "}", value)
        kwargs = table.get(route.name, {})
        if route.body_field is not None and not kwargs:
            pytest.fail(f"{route.name} takes a body: add a minimal one to bodies()")
        if path.startswith("/api/live/device/"):
            device = TestClient(app, base_url="http://testserver")
            device.headers["Authorization"] = f"Bearer {worlds['b']['device_token']}"
            response = device.request(method, url, **kwargs)
            results.append((route.name, "device", url, response.status_code, response.text))
            continue
        for role in roles_of(route):
            if role not in BY_ROLE:
                continue
            name = BY_ROLE[role]
            if name not in clients:
                clients[name] = _client(app, name)
            response = clients[name].request(method, url, **kwargs)
            results.append((route.name, role, url, response.status_code, response.text))
    return results


def _refused_for_the_object(status: int, text: str) -> bool:
    if status == 404:
        return True
    return status == 403 and "ACCESS-ROLE" not in text and "ACCESS-TRAINING" not in text


@pytest.mark.req("DATA-05")
def test_every_route_with_an_object_refuses_a_role_holder_who_is_not_part_of_it(store, worlds):
    results = walk(store, worlds)
    print(f"walked {len(results)} calls on {len({r[0] for r in results})} routes")
    assert len({r[0] for r in results}) >= 60, "the walk reached too few routes"
    wrong, pending_ok = [], set()
    for name, role, url, status, text in results:
        if (name, role) in ROLE_WIDE:
            continue
        if _refused_for_the_object(status, text):
            continue
        if (name, role) in ROUTE_WIDER_THAN_ACTION and status == 403:
            continue
        if name in PENDING_WEB:
            pending_ok.add(name)
            continue
        wrong.append(f"{name} as {role}: {status} {url} {text[:160]!r}")
    assert not wrong, "\n".join(wrong)
    still_open = sorted(pending_ok)
    assert still_open == sorted(PENDING_WEB), (
        "the web layer now refuses these: remove them from PENDING_WEB: "
        + ", ".join(sorted(set(PENDING_WEB) - set(still_open)))
    )


# ------------------------------------------------------------------ the read actions and rules
def _as(store, user_id):
    from frt.core.actions import acting

    return acting(store, user_id, now=RUN_AT)


def test_the_read_actions_for_the_web_refuse_outsiders_and_serve_those_part_of_it(store, worlds):
    from frt.governance import deployments, watchlists
    from frt.lfr import report
    from frt.policy import PolicyRefusal

    a, x, people = worlds["a"], worlds["outsiders"], worlds["people"]
    reads = [
        (applications.read, a["app_id"], "x_applicant", "applicant"),
        (decisions.read_authority, a["auth_id"], "x_gold", "gold"),
        (decisions.read_authority, a["auth_id"], "x_operator", "operator"),  # rostered under it
        (deployments.read, a["dep_id"], "x_silver", "silver"),
        (watchlists.read_summary, a["dep_id"], "x_engineer", "silver"),
        (devices.read_devices, a["dep_id"], "x_silver", "silver"),
        (report.read_live_metrics, a["dep_id"], "x_operator", "operator"),
    ]
    for fn, object_id, outsider, insider in reads:
        with pytest.raises(PolicyRefusal) as refused, _as(store, x[outsider]) as ctx:
            fn(ctx, object_id)
        assert refused.value.decision.rule == "ACCESS-OBJECT", fn.__name__
        with _as(store, people[insider]) as ctx:
            assert fn(ctx, object_id) is not None, fn.__name__


def test_an_ao_never_decides_their_own_application_nor_one_they_command(store, worlds):
    from frt.policy import PolicyRefusal

    a, people = worlds["a"], worlds["people"]
    with setup_session(store) as session:  # the applicant also holds the AO role
        user = session.get(User, people["applicant"])
        user.roles_json = sorted({*user.roles_json, Role.AUTHORISING_OFFICER.value})
        gold = session.get(User, people["gold"])
        gold.roles_json = sorted({*gold.roles_json, Role.AUTHORISING_OFFICER.value})
    for who in ("applicant", "gold"):
        with pytest.raises(PolicyRefusal) as refused, _as(store, people[who]) as ctx:
            decisions.grant_further_purpose(ctx, a["auth_id"], "another purpose", all_reasons())
        assert refused.value.decision.rule == "GOV-AO-INDEPENDENT"
        assert refused.value.decision.citation == "004 §4.1"


def test_a_gold_reads_the_register_rows_of_their_own_authorities_only(store, worlds):
    from frt.governance import transparency

    a, b, x, people = worlds["a"], worlds["b"], worlds["outsiders"], worlds["people"]
    with _as(store, x["x_gold"]) as ctx:
        assert {r["authority_id"] for r in transparency.read_register(ctx)} == {b["auth_id"]}
    with _as(store, people["ao"]) as ctx:
        assert {r["authority_id"] for r in transparency.read_register(ctx)} >= {
            a["auth_id"],
            b["auth_id"],
        }


def test_a_loss_is_reported_only_by_those_deployed_under_the_authority(store, worlds):
    from frt.policy import PolicyRefusal

    with (
        pytest.raises(PolicyRefusal) as refused,
        _as(store, worlds["outsiders"]["x_operator"]) as ctx,
    ):
        notices.report_loss(ctx, worlds["a"]["auth_id"], "mobile_device", "lost", RUN_AT, True)
    assert refused.value.decision.rule == "ACCESS-OBJECT"
    with _as(store, worlds["people"]["operator"]) as ctx:  # rostered on world A's Deployment
        notices.report_loss(ctx, worlds["a"]["auth_id"], "mobile_device", "lost", RUN_AT, True)


def test_the_lfr_index_lists_only_what_the_person_may_open(store, worlds):
    """The index's rows link to pages that now refuse outsiders: it lists only what they may
    open (the same rules), so it names no other operation and offers no dead link."""
    client = _client(create_app(store), "x_operator")
    page = client.get("/lfr").text
    assert worlds["a"]["app_id"] not in page and worlds["a"]["auth_id"] not in page
    assert worlds["b"]["auth_id"] in page  # rostered under world B's Authority
