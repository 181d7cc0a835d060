"""Camera workers (issue 14): a worker claims a Deployment's camera through its lease, runs it,
releases it when the Deployment is suspended, and a camera's Alerts are raised once per track."""

from __future__ import annotations

import threading

import pytest

from frt.lfr import leases
from frt.lfr.enums import CameraState
from frt.lfr.fleet import CameraWorker
from tests.lfr.live_fixtures import *  # noqa: F401,F403 (fixtures)
from tests.lfr.live_fixtures import set_state
from tests.scale.helpers import (
    add_camera,
    alert_count,
    alert_keys,
    camera,
    open_now,
    wait_for,
)


def drive(worker: CameraWorker, until, timeout: float = 20.0) -> bool:
    return wait_for(lambda: (worker.step(), until())[1], timeout, step=0.1)


@pytest.mark.req("LIVE-04")
def test_a_worker_claims_a_camera_runs_it_to_its_end_and_each_track_alerts_once(store, live):
    _, dep_id = live()
    open_now(store, dep_id)
    cam = add_camera(store, dep_id, "replay:6:50", "van-1 front")
    worker = CameraWorker(store, capacity=2, heartbeat_s=0.1, timeout_s=3)
    assert drive(worker, lambda: camera(store, cam).state == CameraState.FINISHED.value)
    assert sorted(alert_keys(store, dep_id)) == [f"r{i}" for i in range(6)]
    # Another worker, or the same camera claimed again, finds nothing to run.
    assert not leases.any_claimable(store, leases.utcnow())
    worker.step()
    assert alert_count(store, dep_id) == 6


@pytest.mark.req("LIVE-04")
def test_a_replayed_track_raises_no_second_alert(store, live):
    _, dep_id = live()
    open_now(store, dep_id)
    cam = add_camera(store, dep_id, "replay:4:100")
    worker = CameraWorker(store, heartbeat_s=0.1)
    assert drive(worker, lambda: camera(store, cam).state == CameraState.FINISHED.value)
    from tests.conftest import setup_session

    with setup_session(store) as s:  # as if its worker died before its last checkpoint
        row = s.get(type(camera(store, cam)), cam)
        row.state, row.position = CameraState.IDLE.value, 1
    assert drive(worker, lambda: camera(store, cam).state == CameraState.FINISHED.value)
    assert sorted(alert_keys(store, dep_id)) == ["r0", "r1", "r2", "r3"]


@pytest.mark.req("LIVE-07", "LIVE-10")
def test_suspending_the_deployment_releases_the_camera_and_resuming_lets_it_be_claimed(
    store, act, live
):
    _, dep_id = live()
    open_now(store, dep_id)
    cam = add_camera(store, dep_id, "replay:1000:20")
    worker = CameraWorker(store, heartbeat_s=0.1)
    assert drive(worker, lambda: alert_count(store, dep_id) >= 2)
    assert camera(store, cam).worker == worker.name
    set_state(act, dep_id, "suspended", now=leases.utcnow())
    assert drive(worker, lambda: camera(store, cam).worker is None, timeout=5)
    stopped_at = alert_count(store, dep_id)
    assert camera(store, cam).state == CameraState.IDLE.value
    for _ in range(5):
        worker.step()
    assert alert_count(store, dep_id) <= stopped_at + 1  # nothing runs while suspended
    set_state(act, dep_id, "active", now=leases.utcnow())
    assert drive(worker, lambda: alert_count(store, dep_id) > stopped_at + 2)
    worker.shutdown()
    assert camera(store, cam).worker is None
    keys = alert_keys(store, dep_id)
    assert len(keys) == len(set(keys))


def test_a_camera_cannot_be_added_twice_or_to_a_finished_deployment(store, live):
    from frt.core.errors import InputError

    _, dep_id = live()
    add_camera(store, dep_id, "rtsp://user:secret@10.0.0.5/stream", "gate")
    with pytest.raises(InputError):
        add_camera(store, dep_id, "rtsp://10.0.0.6/stream", "gate")
    with store.read() as s:  # the source's password is sealed, the name is the display name
        row = leases.cameras_of(s, dep_id)[0]
        assert b"secret" not in row.source_sealed and row.name == "gate"


def test_stop_event_ends_the_worker_and_releases_its_cameras(store, live):
    _, dep_id = live()
    open_now(store, dep_id)
    cam = add_camera(store, dep_id, "replay:1000:20")
    worker = CameraWorker(store, heartbeat_s=0.1)
    stop = threading.Event()
    thread = threading.Thread(target=worker.run, args=(stop,), daemon=True)
    thread.start()
    assert wait_for(lambda: alert_count(store, dep_id) >= 1)
    stop.set()
    thread.join(timeout=10)
    assert camera(store, cam).worker is None


@pytest.mark.req("LIVE-04")
def test_a_recorded_camera_runs_through_the_live_pipeline_and_a_second_run_raises_nothing_twice(
    store, live, astronaut_video
):
    _, dep_id = live(min_threshold=0.97)
    open_now(store, dep_id)
    cam = add_camera(store, dep_id, str(astronaut_video), "recorded")
    worker = CameraWorker(store, heartbeat_s=0.2, pool_workers=0)
    assert drive(worker, lambda: camera(store, cam).state == CameraState.FINISHED.value, 60)
    first = sorted(alert_keys(store, dep_id))
    assert first and all(k for k in first), "the pipeline's Alerts carry track keys"
    from tests.conftest import setup_session

    with setup_session(store) as s:  # as if its worker died just before the source ended
        row = s.get(type(camera(store, cam)), cam)
        row.state = CameraState.IDLE.value
    assert drive(worker, lambda: camera(store, cam).state == CameraState.FINISHED.value, 60)
    assert sorted(alert_keys(store, dep_id)) == first  # the same tracks: no second Alert


def test_a_camera_that_cannot_run_is_released_and_not_claimed_again_at_once(store, live):
    from sqlalchemy import func, select

    from frt.audit.models import AuditRecord

    _, dep_id = live()
    open_now(store, dep_id)
    cam = add_camera(store, dep_id, "replay:not-a-number")
    worker = CameraWorker(store, heartbeat_s=0.1)
    assert drive(worker, lambda: worker.resting.get(cam) is not None, timeout=10)

    def claims() -> int:
        with store.read() as s:
            return s.scalar(
                select(func.count())
                .select_from(AuditRecord)
                .where(AuditRecord.action == "lfr.camera.claim")
            )

    before = claims()
    for _ in range(10):
        worker.step()
    assert claims() == before  # resting: no claim, and no audit record of an empty claim
    assert camera(store, cam).worker is None
