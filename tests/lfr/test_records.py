"""Alerts persisted, people's decisions recorded, metrics for the cancellation report, and the
runner refusing to start outside the authority (LIVE-04..08, LIVE-10)."""

from datetime import UTC, datetime

import numpy as np
import pytest
from sqlalchemy import select

from frt.audit.models import AuditRecord
from frt.core.errors import InputError
from frt.governance.reports import collect
from frt.lfr import records
from frt.lfr.models import Engagement, LiveAlert
from frt.lfr.pipeline import Alert
from frt.lfr.report import LiveRecords, live_metrics
from frt.lfr.runner import Runner
from frt.lfr.watchlist import Match
from frt.people.models import User
from frt.people.roles import Role
from frt.policy import PolicyRefusal
from tests.conftest import setup_session
from tests.governance.conftest import act, authority, password_hash, people, submitted  # noqa: F401
from tests.lfr.live_fixtures import probe_of, roster_live_team


@pytest.fixture
def officer(store, password_hash):  # noqa: F811
    with setup_session(store) as session:
        user = User(
            username="eo",
            display_name="Eo",
            rank="police_constable",
            roles_json=[Role.ENGAGEMENT_OFFICER.value],
            password_hash=password_hash,
        )
        session.add(user)
        session.flush()
        return user.id


def _alert(blue=False, score=0.97):
    probe = np.full((150, 150, 3), 90, np.uint8)
    return Alert(
        "cam-1",
        7,
        Match("img-1", "entry-1", score, 0.95, "wanted_by_courts", ()),
        blue,
        12,
        0.4,
        0.9,
        480.0,
        datetime.now(UTC),
        probe,
    )


@pytest.mark.req("LIVE-04")
def test_an_alert_is_committed_with_its_sealed_face_and_an_audit_record(store, authority):  # noqa: F811
    _, dep_id = authority()
    alert = _alert()
    alert_id = records.persist_alert(store, dep_id, alert)
    assert not alert.probe.any()  # the sealed copy is the only one left
    with store.session() as session:
        row = session.get(LiveAlert, alert_id)
        assert row.score == pytest.approx(0.97) and row.recognition_time_ms == 480.0
        assert probe_of(store, session, alert_id).startswith(b"\x89PNG")
        assert b"\x89PNG" not in row.probe_sealed  # encrypted at rest
        audit = session.scalars(select(AuditRecord).where(AuditRecord.object_id == alert_id)).all()
        assert [a.action for a in audit] == ["lfr.alert.raise"]


@pytest.mark.req("LIVE-05", "LIVE-06", "LIVE-08")
def test_operator_and_engagement_officer_record_decisions_and_metrics_follow(
    store, act, authority, officer, people
):  # noqa: F811
    from frt.core.actions import acting

    _, dep_id = authority()
    roster_live_team(store, dep_id)
    alert_id = records.persist_alert(store, dep_id, _alert())
    records.persist_alert(store, dep_id, _alert(blue=True))
    with store.session() as session:  # nothing acted on the alert by itself
        assert session.scalars(select(Engagement)).all() == []
    with act("operator") as ctx:
        records.assess(ctx, alert_id, "possible_match", True, "looks alike")
    with acting(store, officer) as ctx:
        with pytest.raises(InputError):
            records.decide(ctx, alert_id, "engage", "not_engaged")
        records.decide(ctx, alert_id, "engage", "confirmed_true", "arrest")
        records.engagement_without_alert(ctx, dep_id, "behaviour gave concern", "not_confirmed")
    with store.session() as session:
        m = live_metrics(session, dep_id, blue_passes=1)
        assert m["alerts_operational"] == 1 and m["alerts_blue"] == 1
        assert m["alerts_engaged"] == 1 and m["true_confirmed"] == 1
        assert m["non_alert_engagements"] == 1 and m["true_recognition_rate"] == 1.0
        report = collect(session, dep_id, providers=[LiveRecords()])
        assert report.alerts == 1 and report.alerts_engaged == 1
        assert report.police_action_outcomes == {"arrest": 1}
        assert report.non_alert_engagements[0]["reason"] == "behaviour gave concern"


@pytest.mark.req("LIVE-06")
def test_only_an_engagement_officer_records_the_engagement_decision(store, act, authority):  # noqa: F811
    _, dep_id = authority()
    alert_id = records.persist_alert(store, dep_id, _alert())
    with pytest.raises(Exception):
        with act("operator") as ctx:
            records.decide(ctx, alert_id, "engage", "confirmed_true")


@pytest.mark.req("LIVE-07")
def test_operator_flags_a_performance_concern_to_silver(store, act, authority):  # noqa: F811
    from frt.governance.oversight_models import Notification

    _, dep_id = authority()
    roster_live_team(store, dep_id)
    with act("operator") as ctx:
        records.flag_concern(ctx, dep_id, "many false alerts on camera 2")
    with store.session() as session:
        notes = session.scalars(
            select(Notification).where(Notification.recipient_role == Role.SILVER.value)
        ).all()
        assert any(n.kind == "lfr_concern" for n in notes)


@pytest.mark.req("LIVE-10")
def test_a_deployment_outside_its_authorised_window_is_refused(store, authority, two_people_video):  # noqa: F811
    _, dep_id = authority()  # planned, and its window is in the future
    with pytest.raises(PolicyRefusal) as refusal:
        Runner(store, dep_id, [str(two_people_video)], workers=0).run()
    assert refusal.value.decision.citation
    with store.session() as session:
        refused = session.scalars(
            select(AuditRecord).where(AuditRecord.action == "lfr.deployment.run")
        ).all()
        assert len(refused) == 1
