"""An Alert's camera face is deleted within the profile's period unless a recorded hold applies
(DATA-01, 000 §13.2, 004 §7.10), each deletion counted in the audit and anything overdue
reported (DATA-03)."""

from datetime import UTC, datetime, timedelta

import numpy as np
import pytest
from sqlalchemy import select

from frt.audit.models import AuditRecord
from frt.core.errors import InputError
from frt.lfr import records
from frt.lfr.models import LiveAlert
from frt.lfr.pipeline import Alert
from frt.lfr.watchlist import Match
from frt.policy import PolicyRefusal
from frt.retention import alerts
from tests.governance.conftest import (  # noqa: F401 (fixtures)
    CUMBRIA,
    MPS,
    act,
    authority,
    password_hash,
    people,
    submitted,
)
from tests.lfr.live_fixtures import probe_of

RAISED = datetime(2026, 12, 1, 14, 0, tzinfo=UTC)


def _raise(store, dep_id: str, when=RAISED) -> str:
    probe = np.full((150, 150, 3), 90, np.uint8)
    alert = Alert(
        "cam-1",
        3,
        Match("img-1", "entry-1", 0.97, 0.95, "wanted_by_courts", ()),
        False,
        12,
        0.4,
        0.9,
        480.0,
        when,
        probe,
    )
    return records.persist_alert(store, dep_id, alert)


def _face_kept(store, alert_id: str) -> bool:
    with store.session() as session:
        return probe_of(store, session, alert_id) is not None


@pytest.mark.req("DATA-01", "DATA-03")
@pytest.mark.parametrize("profile, hours", [(MPS, 31 * 24), (CUMBRIA, 24)])
def test_a_camera_face_is_deleted_within_the_period_and_the_deletion_counted(
    store, authority, profile, hours
):  # noqa: F811
    _, dep_id = authority()
    alert_id = _raise(store, dep_id)
    period = timedelta(hours=hours)
    assert alerts.purge(store, now=RAISED + period - timedelta(hours=2), profile=profile) == {}
    assert _face_kept(store, alert_id)
    deleted = alerts.purge(store, now=RAISED + period - timedelta(minutes=30), profile=profile)
    assert deleted == {dep_id: 1}  # inside the period, not at its end
    assert not _face_kept(store, alert_id)
    with store.session() as session:
        row = session.get(LiveAlert, alert_id)
        assert row.probe_sealed is None and row.score == pytest.approx(0.97)  # figures stay
        audit = session.scalars(
            select(AuditRecord).where(AuditRecord.action == "retention.alert_data.delete")
        ).one()
        assert audit.object_id == dep_id and audit.detail == {
            "alerts": 1,
            "citation": profile.retention.alert_hours.cite,
        }
    assert alerts.overdue(store, now=RAISED + 2 * period, profile=profile) == []


@pytest.mark.req("DATA-01")
def test_a_recorded_hold_keeps_the_face_until_it_is_released(store, act, authority):  # noqa: F811
    _, dep_id = authority()
    alert_id = _raise(store, dep_id)
    with act("dpo") as ctx:
        hold_id = alerts.place_hold(
            ctx, alert_id, "complaint_conduct", "complaint received about this engagement"
        ).id
    late = RAISED + timedelta(days=40)
    assert alerts.purge(store, now=late, profile=MPS) == {}
    assert _face_kept(store, alert_id)
    assert alerts.overdue(store, now=late, profile=MPS) == []  # held, so not a breach
    with act("dpo", now=late) as ctx:
        alerts.release_hold(ctx, hold_id)
        with pytest.raises(InputError, match="already released"):
            alerts.release_hold(ctx, hold_id)
    assert alerts.purge(store, now=late, profile=MPS) == {dep_id: 1}
    with act("dpo", now=late) as ctx:
        with pytest.raises(InputError, match="already been deleted"):
            alerts.place_hold(ctx, alert_id, "dpa_mopi_cpia", "too late")


@pytest.mark.req("DATA-01", "DATA-05")
def test_a_hold_needs_the_right_role_a_known_ground_and_a_reason(store, act, authority):  # noqa: F811
    _, dep_id = authority()
    alert_id = _raise(store, dep_id)
    with act("operator") as ctx, pytest.raises(PolicyRefusal) as refused:
        alerts.place_hold(ctx, alert_id, "dpa_mopi_cpia", "evidence")
    assert refused.value.decision.citation == "000 §12.1(d)"
    with act("dpo") as ctx, pytest.raises(InputError, match="dpa_mopi_cpia, complaint_conduct"):
        alerts.place_hold(ctx, alert_id, "because", "evidence")
    with act("dpo") as ctx, pytest.raises(PolicyRefusal) as refused:
        alerts.place_hold(ctx, alert_id, "dpa_mopi_cpia", "   ")
    assert refused.value.decision.citation == alerts.HOLD_CITE


@pytest.mark.req("DATA-03")
def test_a_face_kept_past_its_deadline_is_reported_until_the_job_runs(store, authority):  # noqa: F811
    _, dep_id = authority()
    alert_id = _raise(store, dep_id)
    after = RAISED + timedelta(hours=25)
    assert [
        (o.alert_id, o.deadline) for o in alerts.overdue(store, now=after, profile=CUMBRIA)
    ] == [(alert_id, RAISED + timedelta(hours=24))]
    alerts.purge(store, now=after, profile=CUMBRIA)
    assert alerts.overdue(store, now=after, profile=CUMBRIA) == []
