"""Stop (LIVE-07) and only when authorised (LIVE-10): Silver suspends, resumes or terminates and
the running worker stops within a second; the window closing stops it and ends the Deployment;
starting outside the authority is refused. The worker's clock is injected."""

from __future__ import annotations

import threading
import time
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from frt.audit.models import AuditRecord
from frt.governance.models import Deployment
from frt.lfr import synthetic
from frt.lfr.models import LiveAlert
from frt.lfr.runner import Runner
from frt.policy import PolicyRefusal
from tests.lfr.live_fixtures import *  # noqa: F401,F403 (fixtures)
from tests.lfr.live_fixtures import END, RUN_AT, START, clock_at, passes, set_state

THRESHOLD = 0.97  # dlib scores: the two package-shipped people score ~0.94 against each other


@pytest.fixture(scope="session")
def many_passes_video(live_dir):
    """The astronaut walks through the zone 8 times (8 tracks), 50 frames per second."""
    return synthetic.write_video(live_dir / "passes.mp4", passes(8, on=12, off=14), fps=50.0)


def alerts(store, dep_id) -> int:
    with store.session() as s:
        return s.scalar(
            select(func.count()).select_from(LiveAlert).where(LiveAlert.deployment_id == dep_id)
        )


def wait_for(predicate, timeout=20.0, step=0.05):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(step)
    return False


def start(runner: Runner) -> threading.Thread:
    thread = threading.Thread(target=runner.run, daemon=True)
    thread.start()
    return thread


def runner_for(store, dep_id, video, clock=None) -> Runner:
    return Runner(store, dep_id, [str(video)], workers=0, poll_s=0.2, clock=clock or clock_at())


@pytest.mark.req("LIVE-07", "LIVE-10")
def test_silver_suspends_and_no_further_alert_arrives_then_resumes_in_the_same_process(
    store, act, live, many_passes_video
):
    _, dep_id = live(min_threshold=THRESHOLD)
    runner = runner_for(store, dep_id, many_passes_video)
    thread = start(runner)
    assert wait_for(lambda: alerts(store, dep_id) >= 1), "no first Alert"
    set_state(act, dep_id, "suspended")
    time.sleep(1.0)  # processing stops within a second
    frozen = alerts(store, dep_id)
    time.sleep(2.0)  # the video would raise a new Alert every ~0.5 s if it were still running
    assert alerts(store, dep_id) == frozen
    assert thread.is_alive() and runner.periods == 1  # waiting, not gone
    set_state(act, dep_id, "active")
    assert wait_for(lambda: alerts(store, dep_id) > frozen), "no Alert after resuming"
    assert runner.periods == 2
    set_state(act, dep_id, "terminated")
    thread.join(5)
    assert not thread.is_alive()


@pytest.mark.req("LIVE-10")
def test_the_window_closing_stops_the_worker_and_ends_the_deployment(
    store, live, many_passes_video
):
    _, dep_id = live(min_threshold=THRESHOLD)
    now = [RUN_AT]
    thread = start(runner_for(store, dep_id, many_passes_video, clock=lambda: now[0]))
    assert wait_for(lambda: alerts(store, dep_id) >= 1)
    now[0] = END + timedelta(seconds=1)
    thread.join(2.0)
    assert not thread.is_alive(), "the worker did not stop when the window closed"
    with store.session() as s:
        dep = s.get(Deployment, dep_id)
        assert dep.state == "ended" and dep.state_reason == "authorised window closed"


@pytest.mark.req("LIVE-10")
@pytest.mark.parametrize("when", [START - timedelta(minutes=1), END + timedelta(minutes=1)])
def test_starting_outside_the_authorised_window_is_refused_with_its_rule(
    store, live, astronaut_video, when
):
    _, dep_id = live(min_threshold=THRESHOLD)
    with pytest.raises(PolicyRefusal) as refusal:
        runner_for(store, dep_id, astronaut_video, clock=clock_at(when)).run()
    assert refusal.value.decision.citation == "000 §5.1"
    with store.session() as s:
        assert (
            s.scalar(
                select(func.count())
                .select_from(AuditRecord)
                .where(AuditRecord.action == "lfr.deployment.run")
            )
            == 1
        )
    assert alerts(store, dep_id) == 0


@pytest.mark.req("LIVE-07", "LIVE-10")
def test_a_suspended_or_terminated_deployment_does_not_start(store, act, live, astronaut_video):
    _, dep_id = live(min_threshold=THRESHOLD)
    set_state(act, dep_id, "suspended")
    with pytest.raises(PolicyRefusal) as refusal:
        runner_for(store, dep_id, astronaut_video).run()
    assert refusal.value.decision.citation == "000 §10.1(d)"
