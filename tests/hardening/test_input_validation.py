"""Bad input is a clear 4xx naming its rule, never a server error, and changes nothing (hardening
items 7 and 10).

The attacks first, as an outsider sent them: a `camera_count` of 10^30 (OverflowError in the
database driver), a lone surrogate or a NUL in a title (UnicodeEncodeError; PostgreSQL refuses
NUL), an Application that ends before it starts, year 9999, ECHR article 99999999999999999999.
Then the same bounds at the domain, where every adapter (page, API, CLI) meets them.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import func, select

from frt.audit import Actor
from frt.core.actions import acting
from frt.core.errors import InputRefused
from frt.core.text import check_arguments
from frt.governance import applications
from frt.governance.models import Application
from frt.people.roles import Role
from frt.people.service import create_user
from frt.policy import input_rules
from frt.policy.ranks import Rank
from frt.web.limits import MAX_TEXT_CHARS as WEB_MAX_TEXT_CHARS
from tests.web.conftest import PASSWORD, sign_in

pytestmark = pytest.mark.req("DATA-05")

SOON = datetime.now(UTC).replace(microsecond=0) + timedelta(days=3)


@pytest.fixture
def applicant(store):
    with store.session() as db:
        user = create_user(
            db,
            Actor.system("test"),
            username="applicant",
            display_name="Applicant",
            rank=Rank.INSPECTOR,
            roles={Role.APPLICANT},
            password=PASSWORD,
        )
        return user.id


@pytest.fixture
def api(client, applicant):
    response = sign_in(client, "applicant")
    assert response.status_code == 200, response.text
    client.headers["X-CSRF-Token"] = response.json()["csrf_token"]
    return client


def send(client, method: str, url: str, body: dict):
    """JSON as an attacker sends it: `\\ud800` escapes decode to lone surrogates on the server."""
    return client.request(
        method, url, content=json.dumps(body), headers={"Content-Type": "application/json"}
    )


def count_applications(store) -> int:
    with store.session() as db:
        return db.scalar(select(func.count()).select_from(Application))


def _refused(response, rule: str | None = None) -> dict:
    assert 400 <= response.status_code < 500, (response.status_code, response.text[:300])
    body = response.json()
    if rule is not None and response.status_code == 400:
        assert body.get("rule") == rule or f"rule {rule}" in body.get("detail", ""), body
    return body


# ------------------------------------------------------------------ the attacks, through the API
@pytest.mark.parametrize(
    "fields, rule",
    [
        ({"camera_count": 10**30}, "INPUT-NUMBER"),  # more than any column holds
        ({"camera_count": 10**6}, "GOV-APP-CAMERAS"),
        ({"camera_count": 0}, "GOV-APP-CAMERAS"),
        ({"title": "Operation \ud800"}, "INPUT-TEXT"),
        ({"title": "Operation\x00Nul"}, "INPUT-TEXT"),
        ({"necessity": "a\x1b[31m red"}, "INPUT-TEXT"),
        ({"echr_articles": [8, 99999999999999999999]}, "INPUT-NUMBER"),
        ({"echr_articles": [8, 99]}, "GOV-APP-ECHR"),
        ({"echr_articles": [11]}, "GOV-APP-ECHR"),
        ({"starts_at": "9999-12-31T10:00:00Z"}, "INPUT-DATE"),
        (
            {"starts_at": SOON.isoformat(), "ends_at": (SOON - timedelta(hours=4)).isoformat()},
            "GOV-APP-TIMES",
        ),
        ({"proposed_threshold": 7}, "GOV-APP-THRESHOLD"),
    ],
)
def test_an_application_with_input_past_its_bounds_is_refused_naming_the_rule(
    api, store, fields, rule
):
    body = {"title": "Operation Bounds", **fields}
    _refused(send(api, "POST", "/api/lfr/applications", body), rule)
    assert count_applications(store) == 0


def test_a_change_past_its_bounds_is_refused_and_the_draft_keeps_what_it_had(api, store):
    created = api.post(
        "/api/lfr/applications",
        json={
            "title": "Operation Kept",
            "camera_count": 2,
            "starts_at": SOON.isoformat(),
            "ends_at": (SOON + timedelta(hours=6)).isoformat(),
        },
    )
    assert created.status_code == 200, created.text
    app_id = created.json()["id"]
    for change, rule in (
        ({"camera_count": 10**30}, "INPUT-NUMBER"),
        ({"ends_at": (SOON - timedelta(days=1)).isoformat()}, "GOV-APP-TIMES"),
        ({"title": "\udfff"}, "INPUT-TEXT"),
    ):
        _refused(send(api, "PATCH", f"/api/lfr/applications/{app_id}", change), rule)
    with store.session() as db:
        app = db.get(Application, app_id)
        assert (app.title, app.camera_count) == ("Operation Kept", 2)
        assert app.ends_at.replace(tzinfo=UTC) == SOON + timedelta(hours=6)


def test_a_location_or_document_with_a_lone_surrogate_is_refused(api):
    app_id = api.post("/api/lfr/applications", json={"title": "Operation Text"}).json()["id"]
    _refused(
        send(
            api,
            "POST",
            f"/api/lfr/applications/{app_id}/locations",
            {"name": "High St \ud83d", "locality": "High St", "reason": "footfall"},
        ),
        "INPUT-TEXT",
    )
    _refused(
        send(
            api,
            "POST",
            f"/api/lfr/applications/{app_id}/documents",
            {"kind": "dpia", "title": "DPIA", "text": "text\x07bell"},
        ),
        "INPUT-TEXT",
    )


def test_a_refusal_of_bad_input_is_recorded_with_its_rule(api, store):
    from frt.audit.models import AuditRecord

    _refused(api.post("/api/lfr/applications", json={"title": "x", "camera_count": 500}))
    with store.session() as db:
        refused = db.scalars(
            select(AuditRecord).where(
                AuditRecord.action == "lfr.application.create", AuditRecord.outcome == "refused"
            )
        ).all()
    assert refused and refused[-1].detail["rule"] == "GOV-APP-CAMERAS"


# ------------------------------------------------------------------ the same bounds at the domain
def test_every_action_refuses_text_that_is_not_text_whatever_adapter_calls_it(store, applicant):
    with pytest.raises(InputRefused) as refused, acting(store, applicant) as ctx:
        applications.create(ctx, "fine", legal_basis="broken \ud800 text")
    assert refused.value.decision.rule == "INPUT-TEXT"
    assert count_applications(store) == 0


def test_long_text_is_refused_unless_the_action_declares_a_longer_bound(store, applicant):
    assert input_rules.MAX_TEXT_CHARS == WEB_MAX_TEXT_CHARS  # one bound, page and API alike
    with pytest.raises(InputRefused, match="20,000"), acting(store, applicant) as ctx:
        applications.create(ctx, "fine", necessity="x" * (input_rules.MAX_TEXT_CHARS + 1))
    with acting(store, applicant) as ctx:  # a document's text is longer than a field's
        app = applications.create(ctx, "fine")
        doc = applications.attach_document(
            ctx, app.id, "dpia", title="DPIA", text="y" * (input_rules.MAX_TEXT_CHARS * 3)
        )
        assert doc.size == input_rules.MAX_TEXT_CHARS * 3


@pytest.mark.parametrize(
    "value, rule",
    [
        ({"k": "\ud800"}, "INPUT-TEXT"),  # dict values
        ({"\x00": "v"}, "INPUT-TEXT"),  # dict keys
        ([["deep", "\x7f"]], "INPUT-TEXT"),
        (2**70, "INPUT-NUMBER"),
        (float("nan"), "INPUT-NUMBER"),
        (float("inf"), "INPUT-NUMBER"),
    ],
)
def test_the_argument_check_walks_lists_dicts_and_numbers(value, rule):
    with pytest.raises(InputRefused) as refused:
        check_arguments({"field": value})
    assert refused.value.decision.rule == rule


def test_typed_text_keeps_tabs_and_line_breaks_and_any_script():
    check_arguments({"text": "Line one\r\nLine two\ttabbed — café, 北京, emoji 🙂, עברית"})


def test_dates_and_times_are_checked_where_the_ao_and_reporters_enter_them():
    now = datetime(2026, 12, 1, 9, tzinfo=UTC)
    assert not input_rules.within_horizon("start", datetime(9999, 1, 1, tzinfo=UTC), now)
    assert not input_rules.within_horizon("start", datetime(1970, 1, 1, tzinfo=UTC), now)
    assert input_rules.within_horizon("start", now + timedelta(days=30), now)
    assert not input_rules.application_times(now, now)
    assert input_rules.application_times(now, now + timedelta(hours=1))
    assert not input_rules.photo_date("captured", datetime(1850, 1, 1).date(), now.date())
    assert not input_rules.photo_date("captured", (now + timedelta(days=2)).date(), now.date())


def test_the_echr_articles_are_the_conventions_rights():
    assert input_rules.echr_articles([8, 9, 10, 11, 14])
    for bad in ([8, 1], [8, 15], [8, 0], [8, -8], [8, True], [8, "11"], [8, 10**20]):
        decision = input_rules.echr_articles(bad)
        assert not decision and decision.rule == "GOV-APP-ECHR", bad
