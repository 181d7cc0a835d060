"""RFR usage reports (RFR-12; 003 §9.1): the figures, CSV/JSON exports with formula prefixes
neutralised, the page's SVG charts, and scheduled delivery to named administrators' inboxes and
to an SMTP server (a local aiosmtpd server started here), on a clock the tests move."""

from __future__ import annotations

import csv
import io
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from frt.audit import Actor
from frt.core.actions import perform
from frt.people.inbox import InboxMessage
from frt.people.roles import Role
from frt.people.service import create_user
from frt.policy import PolicyRefusal
from frt.policy.ranks import Rank
from frt.rfr import cache, results, searches, usage
from frt.rfr.models import RfrCandidate, RfrReportSchedule
from tests.rfr.clock import Clock
from tests.rfr.conftest import PASSWORD, distractors
from tests.rfr.helpers import search_for

pytestmark = pytest.mark.req("RFR-12")


@pytest.fixture
def admin(store, people):
    with store.session() as db:
        return create_user(
            db,
            Actor.system("test"),
            username="admin2",
            display_name="Test admin",
            rank=Rank.STAFF_BAND_B,
            roles={Role.ADMINISTRATOR},
            password=PASSWORD,
        ).id


@pytest.fixture
def activity(store, people, group_photo, approved_library, add_templates, astronaut_templates):
    """Two completed searches: one Viable Match, one without (then cached)."""
    lib = approved_library("Custody images", level=1)
    add_templates(lib, [astronaut_templates[0][0]] + list(distractors(3)))
    viable = search_for(store, people["rfr"], group_photo, [lib])
    perform(store, people["rfr"], searches.run_step, viable)
    with store.session() as s:
        cand = s.scalar(
            select(RfrCandidate).where(RfrCandidate.search_id == viable, RfrCandidate.rank == 1)
        )
    perform(store, people["rfr"], results.adjudicate, cand.id, True, "same")
    other = search_for(
        store, people["rfr"], group_photo, [lib], choose=("hopper",), offence="fraud"
    )
    perform(store, people["rfr"], searches.run_step, other)
    perform(store, people["rfr"], searches.record_no_match, other, "")
    entry = perform(store, people["rfr"], cache.request, other, ["e_risk_of_harm"], "At large")
    perform(store, people["inspector"], cache.decide, entry.id, True, "ok")
    return lib


def test_the_figures_count_searches_outcomes_and_the_cache(store, activity):
    with store.session() as s:
        f = usage.figures(s, datetime.now(UTC) + timedelta(seconds=5))
    assert f.searches == 2
    assert f.by_outcome == {"viable_match": 1, "no_viable_match": 1}
    assert f.viable_match_rate == 0.5
    assert f.by_purpose == {"a_identify": 2} and f.by_level == {"level_2": 2}
    assert f.by_library == {"RFR-L-0001": 2}
    assert f.cache["active"] == 1 and f.hours_to_adjudication["searches"] == 1
    assert sum(f.per_month.values()) == 2
    with store.session() as s:
        assert usage.figures(s, datetime(2020, 1, 1, tzinfo=UTC)).searches == 0


def test_the_csv_neutralises_formula_prefixes():
    f = usage.Figures(None, datetime(2026, 1, 1, tzinfo=UTC), by_library={"=HYPERLINK(1)": 3})
    rows = list(csv.DictReader(io.StringIO(f.csv())))
    assert {"measure": "by_library", "key": "'=HYPERLINK(1)", "value": "3"} in rows


def test_reports_go_only_to_named_administrators(store, people, admin):
    with pytest.raises(PolicyRefusal) as refused:
        perform(store, admin, usage.schedule, "Daily", "daily", [people["rfr"]])
    assert refused.value.decision.rule == "RFR-REPORT-RECIPIENT"
    with pytest.raises(PolicyRefusal):
        perform(store, people["rfr"], usage.schedule, "Daily", "daily", [admin])  # not an admin
    with pytest.raises(Exception, match="frequency"):
        perform(store, admin, usage.schedule, "Weekly", "weekly", [admin])
    with pytest.raises(Exception, match="e-mail address"):
        perform(store, admin, usage.schedule, "D", "daily", [admin], {admin: "x\r\nBcc: y"})


@pytest.mark.parametrize(
    "frequency, first, second",
    [
        ("hourly", datetime(2026, 3, 5, 11, tzinfo=UTC), datetime(2026, 3, 5, 12, tzinfo=UTC)),
        ("daily", datetime(2026, 3, 6, tzinfo=UTC), datetime(2026, 3, 7, tzinfo=UTC)),
        ("monthly", datetime(2026, 4, 1, tzinfo=UTC), datetime(2026, 5, 1, tzinfo=UTC)),
    ],
)
def test_a_schedule_falls_due_on_its_boundaries(store, people, admin, frequency, first, second):
    clock = Clock(datetime(2026, 3, 5, 10, 20, tzinfo=UTC))
    row = perform(store, admin, usage.schedule, "R", frequency, [admin], now=clock.now)
    assert row.next_due == first
    clock.now = first - timedelta(seconds=1)
    assert usage.deliver_due(store, now=clock.now) == 0
    clock.now = first + timedelta(minutes=3)
    assert usage.deliver_due(store, now=clock.now) == 1
    with store.session() as s:
        assert s.get(RfrReportSchedule, row.id).next_due == second
    assert usage.deliver_due(store, now=clock.now) == 0  # delivered once per period


@pytest.fixture
def smtp_server():
    """A local SMTP server (aiosmtpd) collecting what it is sent."""
    from aiosmtpd.controller import Controller
    from aiosmtpd.handlers import Message

    received = []

    class Collect(Message):
        def handle_message(self, message):
            received.append(message)

    import socket

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    controller = Controller(Collect(), hostname="127.0.0.1", port=port)
    controller.start()
    try:
        yield port, received
    finally:
        controller.stop()


def test_a_scheduled_report_reaches_the_inbox_and_the_smtp_server(
    store, people, admin, activity, smtp_server, monkeypatch
):
    port, received = smtp_server
    monkeypatch.setenv("FRT_SMTP_HOST", "127.0.0.1")
    monkeypatch.setenv("FRT_SMTP_PORT", str(port))
    monkeypatch.setenv("FRT_SMTP_FROM", "frt@force.example")
    clock = Clock()
    perform(
        store,
        admin,
        usage.schedule,
        "Hourly RFR usage",
        "hourly",
        [admin, people["lead"]],
        {admin: "admin@force.example"},
        now=clock.now,
    )
    clock.advance(hours=1)
    assert usage.deliver_due(store, now=clock.now) == 1
    with store.session() as s:
        messages = list(s.scalars(select(InboxMessage)))
    assert sorted(m.user_id for m in messages) == sorted([admin, people["lead"]])
    message = messages[0]
    assert "Searches: 2" in message.body and message.attachment_name.endswith(".csv")
    assert b"by_outcome,viable_match,1" in message.attachment
    [mail] = received
    assert mail["To"] == "admin@force.example" and "RFR usage report" in mail["Subject"]
    attachments = [p for p in mail.walk() if p.get_filename()]
    assert attachments and b"viable_match_rate" in attachments[0].get_payload(decode=True)


def test_an_smtp_failure_leaves_the_inbox_delivery(store, people, admin, monkeypatch):
    monkeypatch.setenv("FRT_SMTP_HOST", "127.0.0.1")
    monkeypatch.setenv("FRT_SMTP_PORT", "1")  # nothing listens
    clock = Clock()
    perform(
        store, admin, usage.schedule, "R", "hourly", [admin], {admin: "a@b.example"}, now=clock.now
    )
    assert usage.deliver_due(store, now=clock.advance(hours=1)) == 1
    with store.session() as s:
        assert len(list(s.scalars(select(InboxMessage)))) == 1


def test_the_page_draws_svg_charts_and_exports(store, people, admin, activity):
    from fastapi.testclient import TestClient

    from frt.web.app import create_app
    from tests.web.conftest import form_token, signed_in

    with TestClient(create_app(store), base_url="http://testserver") as web:
        signed_in(web, "admin2")
        page = web.get("/rfr/usage")
        assert page.status_code == 200
        assert 'data-chart="by_outcome"' in page.text and "<svg" in page.text
        assert "<script" not in page.text.split("<main", 1)[-1] and "cdn" not in page.text.lower()
        assert web.get("/rfr/usage?period=week").status_code == 404
        exported = web.get("/rfr/usage.csv?period=month")
        assert exported.status_code == 200 and "viable_match_rate" in exported.text
        assert web.get("/rfr/usage.json").json()["searches"] == 2
        made = web.post(
            "/rfr/usage/schedules",
            data={
                "name": "Monthly",
                "frequency": "monthly",
                "recipient_ids": [admin],
                "csrf_token": form_token(page.text),
            },
            follow_redirects=False,
        )
        assert made.status_code == 303
        assert 'data-schedule="monthly"' in web.get("/rfr/usage").text
        usage.deliver_due(store, now=datetime.now(UTC) + timedelta(days=32))
        inbox = web.get("/inbox")
        assert "RFR usage report (monthly)" in inbox.text
        with store.session() as s:
            message = s.scalar(select(InboxMessage))
        download = web.get(f"/rfr/inbox/{message.id}/attachment")
        assert download.status_code == 200 and "measure,key,value" in download.text
        signed_in(web, "lead")
        assert web.get(f"/rfr/inbox/{message.id}/attachment").status_code == 404  # not theirs
