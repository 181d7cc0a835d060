"""Fault tests (Invariant 6; LIVE-01, LIVE-04): a recognition worker killed mid-Deployment loses no
Alert already raised; a stream that stops and comes back is reconnected and counted; corrupt
frames are counted and survived — all through the runner, against the database."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time

import numpy as np
import pytest
from sqlalchemy import select

from frt.lfr import synthetic
from frt.lfr.models import CameraCounters, LiveAlert
from frt.lfr.runner import Runner
from frt.lfr.sources import LiveSource
from tests.conftest import setup_session
from tests.lfr.live_fixtures import *  # noqa: F401,F403 (fixtures)
from tests.lfr.live_fixtures import RUN_AT, clock_at, passes, probe_of
from tests.lfr.test_live_stop import THRESHOLD, alerts, wait_for

WORKER = """
import sys
from datetime import datetime
from frt.lfr.runner import Runner
from frt.settings import load_settings
from frt.app import open_store

at = datetime.fromisoformat(sys.argv[3])
Runner(open_store(load_settings()), sys.argv[1], [sys.argv[2]], workers=0, poll_s=0.2,
       clock=lambda: at).run()
"""


@pytest.fixture(scope="session")
def long_video(live_dir):
    return synthetic.write_video(live_dir / "long.mp4", passes(12, on=12, off=14), fps=25.0)


def snapshot(store, dep_id) -> dict:
    with store.session() as s:
        return {
            a.id: (a.score, a.camera, a.track, probe_of(store, s, a.id))
            for a in s.scalars(select(LiveAlert).where(LiveAlert.deployment_id == dep_id))
        }


@pytest.mark.req("LIVE-04")
def test_a_worker_killed_mid_deployment_loses_no_alert_and_a_restart_carries_on(
    store, settings, live, long_video
):
    _, dep_id = live(min_threshold=THRESHOLD)
    env = {
        **os.environ,
        "FRT_DATA_DIR": str(settings.data_dir),
        "FRT_DATABASE_URL": settings.database_url,
    }
    args = [sys.executable, "-c", WORKER, dep_id, str(long_video), RUN_AT.isoformat()]
    worker = subprocess.Popen(args, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    try:
        assert wait_for(lambda: alerts(store, dep_id) >= 1, timeout=60), "no Alert raised"
        before = snapshot(store, dep_id)
        worker.send_signal(signal.SIGKILL)
        worker.wait(10)
    finally:
        if worker.poll() is None:
            worker.kill()
    after_kill = snapshot(store, dep_id)
    assert set(before) <= set(after_kill)
    for alert_id, (score, camera, track, png) in before.items():
        assert after_kill[alert_id] == (score, camera, track, png)
        assert png.startswith(b"\x89PNG")  # the sealed probe opens: intact
    restarted = subprocess.Popen(
        args, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    try:
        assert wait_for(lambda: alerts(store, dep_id) > len(after_kill), timeout=60)
    finally:
        restarted.kill()
        restarted.wait(10)
    final = snapshot(store, dep_id)
    assert all(final[i] == after_kill[i] for i in after_kill)


class Flaky:
    """A camera: serves frames, then the stream stops; reopened, it serves again."""

    def __init__(self, frames, sessions=2):
        self.frames, self.sessions, self.opened = frames, sessions, 0

    def __call__(self, _spec):
        self.opened += 1
        frames = list(self.frames) if self.opened <= self.sessions else []
        return _Capture(frames, self.opened <= self.sessions)


class _Capture:
    def __init__(self, frames, ok):
        self.frames, self.ok = frames, ok

    def isOpened(self):
        return self.ok

    def read(self):
        time.sleep(0.03)
        return (True, self.frames.pop(0)) if self.frames else (False, None)

    def get(self, _prop):
        return 0.0

    def release(self):
        pass


@pytest.mark.req("LIVE-01")
def test_a_stream_that_stops_and_comes_back_is_reconnected_counted_and_still_alerts(store, live):
    _, dep_id = live(min_threshold=THRESHOLD)
    frames = list(passes(1, on=12, off=4))
    corrupt = [np.zeros((2, 2), np.uint8)] * 3  # undecodable frames, counted and skipped
    camera = Flaky(frames[:6] + corrupt + frames[6:], sessions=2)
    sources = []

    def opener(spec):
        source = LiveSource(spec, name="cam-flaky", opener=camera, backoff_start=0.05)
        sources.append(source)
        return source

    runner = Runner(
        store, dep_id, ["cam-flaky"], workers=0, poll_s=0.2, clock=clock_at(), source_opener=opener
    )
    import threading

    thread = threading.Thread(target=runner.run, daemon=True)
    thread.start()
    assert wait_for(lambda: sources and sources[0].counters.reconnects >= 1, timeout=20)
    assert wait_for(lambda: alerts(store, dep_id) >= 1, timeout=20)
    from tests.lfr.live_fixtures import set_state  # noqa: F401

    with setup_session(store) as s:  # stop it: terminate as Silver would
        from frt.governance.models import Deployment

        s.get(Deployment, dep_id).state = "terminated"
    thread.join(5)
    with store.session() as s:
        row = s.scalars(select(CameraCounters).where(CameraCounters.deployment_id == dep_id)).one()
        assert row.reconnects >= 1 and row.corrupt_frames >= 3 and row.frames > 0
