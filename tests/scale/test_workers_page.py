"""The engineer's page shows the workers, their cameras and their last heartbeat (issue 14)."""

from __future__ import annotations

from frt.lfr.fleet import CameraWorker
from tests.lfr.live_fixtures import *  # noqa: F401,F403 (fixtures)
from tests.lfr.test_live_web import client_for
from tests.scale.helpers import add_camera, alert_count, open_now, wait_for


def test_the_workers_page_lists_each_worker_with_its_cameras_and_heartbeat(store, live, people):
    _, dep_id = live()
    open_now(store, dep_id)
    add_camera(store, dep_id, "replay:1000:5", "van-3 left")
    worker = CameraWorker(store, heartbeat_s=0.1)
    assert wait_for(lambda: (worker.step(), alert_count(store, dep_id) >= 1)[1], 20, 0.1)
    page = client_for(store, "silver").get("/live/workers")
    assert page.status_code == 200
    assert worker.name in page.text and "van-3 left" in page.text and "s ago" in page.text
    assert client_for(store, "operator").get("/live/workers").status_code == 403
    worker.shutdown()
