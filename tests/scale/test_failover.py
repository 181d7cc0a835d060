"""Failover (issue 14): two `frt worker` processes share one PostgreSQL; the one running the
camera is killed with SIGKILL mid-Deployment; the other takes the camera over within the
heartbeat timeout plus 5 s, and every Alert is there once — none lost, none doubled."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time

import pytest

from frt.lfr.enums import CameraState
from tests.conftest import ON_POSTGRES
from tests.lfr.live_fixtures import *  # noqa: F401,F403 (fixtures)
from tests.scale.helpers import add_camera, alert_count, alert_keys, camera, open_now, wait_for

TIMEOUT_S = 3.0
TRACKS = 80


def start_worker(settings) -> subprocess.Popen:
    env = {
        **os.environ,
        "FRT_DATABASE_URL": settings.database_url,
        "FRT_DATA_DIR": str(settings.data_dir),
        "FRT_POLICY_PROFILE": settings.policy_profile,
    }
    return subprocess.Popen(
        [
            sys.executable,
            "-m",
            "frt.cli",
            "worker",
            "--heartbeat",
            "0.5",
            "--timeout",
            str(TIMEOUT_S),
            "--processes",
            "0",
        ],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )


@pytest.mark.skipif(not ON_POSTGRES, reason="workers in several processes share PostgreSQL")
@pytest.mark.req("LIVE-04")
def test_a_killed_workers_camera_resumes_on_the_other_and_no_alert_is_lost_or_doubled(
    store, settings, live
):
    _, dep_id = live()
    open_now(store, dep_id)
    cam = add_camera(store, dep_id, f"replay:{TRACKS}:10", "van-2 rear")
    workers = [start_worker(settings), start_worker(settings)]
    try:
        assert wait_for(lambda: alert_count(store, dep_id) >= 15, timeout=30)
        holder = camera(store, cam).worker
        victim = next(p for p in workers if f":{p.pid}:" in holder)
        survivor = next(p for p in workers if p is not victim)
        victim.send_signal(signal.SIGKILL)
        killed_at, before = time.monotonic(), alert_count(store, dep_id)
        assert wait_for(
            lambda: (
                (camera(store, cam).worker or holder) != holder
                and alert_count(store, dep_id) > before
            ),
            timeout=TIMEOUT_S + 5,
        ), "the camera did not resume on the other worker"
        resumed_s = time.monotonic() - killed_at
        assert f":{survivor.pid}:" in camera(store, cam).worker
        assert wait_for(lambda: camera(store, cam).state == CameraState.FINISHED.value, timeout=30)
        keys = alert_keys(store, dep_id)
        assert len(keys) == len(set(keys)), "an Alert was raised twice"
        assert sorted(keys) == sorted(f"r{i}" for i in range(TRACKS)), "an Alert was lost"
        assert resumed_s < TIMEOUT_S + 5
    finally:
        for p in workers:
            if p.poll() is None:
                p.send_signal(signal.SIGTERM)
        for p in workers:
            try:
                p.wait(timeout=15)
            except subprocess.TimeoutExpired:
                p.kill()
