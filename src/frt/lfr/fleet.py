"""`frt worker`: a process that claims cameras of active Deployments and runs them (issue 14).

Any number of workers, on any machine that reaches the database, share the cameras through
their leases (`frt.lfr.leases`):

    loop every poll_s:  heartbeat (worker + held cameras' epochs and positions)
                        → a camera whose lease moved on is stopped here (another worker has it)
                        → finished camera threads release their lease (audited)
                        → free capacity: claim cameras (FOR UPDATE SKIP LOCKED) and start them

A camera runs in a thread of its own: a real source through `frt.lfr.runner.Runner` (the
pipeline `frt deploy run` uses, on one process pool shared by all the worker's cameras), a
`replay:` source through `frt.lfr.replay`. Either stops within about a second when its
Deployment may not run (suspended, terminated, ended, out of its window) and the camera is
released for whichever worker claims it once it may run again. Alerts carry an idempotency key
per camera and track, so a camera taken over after its worker died raises no Alert twice.
"""

from __future__ import annotations

import logging
import os
import secrets
import socket
import threading
import time
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from frt.core.actions import perform
from frt.lfr import leases, replay
from frt.lfr.leases import Lease
from frt.lfr.records import COMPONENT

if TYPE_CHECKING:
    from frt.store.db import Store

logger = logging.getLogger(__name__)


def worker_name() -> str:
    return f"{socket.gethostname()[:40]}:{os.getpid()}:{secrets.token_hex(3)}"[:64]


@dataclass(eq=False)
class Running:
    lease: Lease
    thread: threading.Thread
    lost: threading.Event = field(default_factory=threading.Event)
    position: int = 0
    finished: bool = False  # the source ended
    failed: bool = False  # it could not run here (rests before this worker tries it again)
    why: str = "stopped"


@dataclass(eq=False)
class CameraWorker:
    store: Store
    capacity: int = 4  # cameras at once
    heartbeat_s: float = 2.0
    timeout_s: float = leases.HEARTBEAT_TIMEOUT.total_seconds()
    # Recognition processes per real camera (0: inline); default: the cores ÷ capacity.
    pool_workers: int | None = None
    name: str = field(default_factory=worker_name)
    running: dict[str, Running] = field(default_factory=dict, init=False)
    # Cameras that failed here (a refusal, a source that will not open): not claimed again by
    # this worker until the time given, so a camera that cannot run does not spin.
    resting: dict[str, float] = field(default_factory=dict, init=False)
    rest_s: float = 60.0

    def run(self, stop: threading.Event | None = None) -> None:
        stop = stop or threading.Event()
        logger.info("worker %s: up to %d cameras", self.name, self.capacity)
        try:
            while not stop.is_set():
                self.step()
                stop.wait(self.heartbeat_s)
        finally:
            self.shutdown()

    def step(self) -> None:
        """One turn of the loop (tests drive it directly)."""
        self._heartbeat()
        self._reap()
        free = self.capacity - len(self.running)
        now = time.monotonic()
        self.resting = {c: until for c, until in self.resting.items() if until > now}
        rest = list(self.resting)
        if free > 0 and leases.any_claimable(self.store, _now(), _seconds(self.timeout_s), rest):
            for lease in perform(
                self.store,
                None,
                leases.claim,
                self.name,
                free,
                self.timeout_s,
                rest,
                component=COMPONENT,
            ):
                self._start(lease)

    def _heartbeat(self) -> None:
        held = {cid: (r.lease.epoch, r.position) for cid, r in self.running.items()}
        still = leases.heartbeat(self.store, self.name, self.capacity, held)
        for camera_id in set(held) - still:
            logger.warning("camera %s was taken over: stopping it here", camera_id)
            self.running[camera_id].lost.set()

    def _reap(self) -> None:
        for camera_id, run in list(self.running.items()):
            if run.thread.is_alive():
                continue
            del self.running[camera_id]
            if run.failed:
                self.resting[camera_id] = time.monotonic() + self.rest_s
            if run.lost.is_set():
                continue  # not ours any more
            perform(
                self.store,
                None,
                leases.release,
                camera_id,
                self.name,
                run.lease.epoch,
                run.finished,
                run.why,
                component=COMPONENT,
            )

    def _start(self, lease: Lease) -> None:
        run = Running(lease, threading.Thread(daemon=True), position=lease.position)
        run.thread = threading.Thread(
            target=self._run_camera, args=(run,), name=f"camera-{lease.name}", daemon=True
        )
        self.running[lease.camera_id] = run
        logger.info(
            "camera %s of %s claimed (epoch %d)", lease.name, lease.deployment_id, lease.epoch
        )
        run.thread.start()

    def _run_camera(self, run: Running) -> None:
        lease = run.lease
        try:
            if replay.is_replay(lease.source):
                stopper = replay.Stopper(self.store, lease.deployment_id, run.lost)

                def progress(done: int) -> None:
                    run.position = done

                run.finished = replay.run_replay(
                    self.store,
                    lease.deployment_id,
                    lease.name,
                    lease.source,
                    lease.position,
                    stopper,
                    progress,
                )
                run.why = "source ended" if run.finished else _why(stopper.refused, run)
            else:
                self._run_source(run)
        except Exception as exc:  # noqa: BLE001 - release the camera; another may do better
            logger.exception("camera %s failed", lease.name)
            run.why, run.failed = f"failed: {type(exc).__name__}", True

    def _run_source(self, run: Running) -> None:
        from frt.lfr.runner import Runner
        from frt.lfr.sources import is_live

        lease = run.lease
        live = is_live(lease.source)
        runner = Runner(
            self.store,
            lease.deployment_id,
            [lease.source],
            workers=self._processes_per_camera(),
            release_when_suspended=True,
            lease_lost=run.lost,
            # A recorded file is read again from its start by a worker taking it over: the same
            # tracks get the same keys. A stream's tracks are new ones: keyed by the lease.
            track_key_prefix=f"e{lease.epoch}:" if live else "",
        )
        runner.run()
        run.finished = runner.stopped_because is None and not run.lost.is_set() and not live
        run.why = "source ended" if run.finished else _why(runner.stopped_because, run)

    def _processes_per_camera(self) -> int:
        """The machine's cores shared by the cameras it may run (not every core per camera)."""
        from frt.lfr.workers import default_workers

        if self.pool_workers is not None:
            return self.pool_workers
        return max(1, default_workers() // self.capacity)

    def shutdown(self) -> None:
        for run in self.running.values():
            run.lost.set()  # stops each camera within about a second
        for run in self.running.values():
            run.thread.join(timeout=10)
        for camera_id, run in list(self.running.items()):
            run.lost.clear()
            run.why = "worker stopped"
            run.finished = False
        self._release_all()
        leases.stopped(self.store, self.name)

    def _release_all(self) -> None:
        for camera_id, run in list(self.running.items()):
            del self.running[camera_id]
            perform(
                self.store,
                None,
                leases.release,
                camera_id,
                self.name,
                run.lease.epoch,
                False,
                run.why,
                component=COMPONENT,
            )


def _why(decision, run: Running) -> str:
    if run.lost.is_set():
        return "lease lost"
    return decision.reason if decision is not None else "stopped"


def _now():
    from frt.store.base import utcnow

    return utcnow()


def _seconds(s: float):
    from datetime import timedelta

    return timedelta(seconds=s)
