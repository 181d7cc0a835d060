"""Running a Deployment: `frt deploy run <deployment> --camera <source>…` (LIVE-07, LIVE-10).

The runner asks governance whether the Deployment may run (`may_run`: authority in force, inside
its times, state active) before the first frame and then every `poll_s` seconds. The moment the
answer is no, every camera's pipeline stops (within about a second) and forgets what it held:

- Silver *suspended* it: the runner waits, still asking every `poll_s`, and starts fresh
  pipelines (cameras reopened, Watchlist still in memory) as soon as Silver resumes it;
- Silver *terminated* it, the authority was stopped, or it *ended*: the runner returns;
- the authorised window *closed*: the runner ends the Deployment itself (`end_by_system`).

Several runners, on one machine or many, can share one PostgreSQL: each writes its own Alerts
and counters and needs no other coordination. Alerts are committed (`persist_alert`) in the
pipeline thread before the pipeline goes on, so an Alert that was raised is in the database even
if the worker is killed the next instant; the console picks it up from there (`frt.lfr.events`).
The clock is injectable (`clock`) so the window rules can be tested.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Any

from frt.core.actions import record_refusal
from frt.engine.template import DlibResNet
from frt.lfr.metrics import LiveCounters
from frt.lfr.pipeline import Pipeline, PipelineConfig, RunResult
from frt.lfr.records import COMPONENT, persist_alert, save_counters
from frt.lfr.sources import _display_name, open_source
from frt.lfr.watchlist import LiveWatchlist, WatchlistRow
from frt.lfr.workers import make_pool
from frt.lfr.zone import Zone, gated
from frt.policy import Decision, PolicyRefusal, load_profile, require
from frt.store.base import utcnow

if TYPE_CHECKING:
    from frt.store.db import Store

logger = logging.getLogger(__name__)


def _options_for(algorithm: str, version: str) -> dict:
    """Template options matching the watchlist's algorithm version (e.g. '1-flip-zoom')."""
    return DlibResNet.options_for(version) if algorithm == DlibResNet.name else {}


def load_watchlist(store, deployment_id: str, profile=None) -> LiveWatchlist:
    """The operational Watchlist at its operating Threshold for its own size, scored as the
    evaluation that set it (`frt.lfr.scoring`); PolicyRefusal when the algorithm its templates
    were made with has no usable recorded evaluation (EVAL-03) or that evaluation cannot support
    a Watchlist this large (000 §6.2(3); 004 §14.5)."""
    from frt.governance.watchlists import load_for_recognition

    with store.session() as session:
        rw = load_for_recognition(session, store.cipher, deployment_id)
        rows = [
            WatchlistRow(
                image.image_id,
                subject.entry_id,
                image.template,
                threshold_raise=image.threshold,
                category=subject.category,
                markers=subject.warning_markers,
            )
            for subject in rw.subjects
            for image in subject.images
        ]
        threshold, cohort = _operating_threshold(
            session, store, rw.min_threshold, rows, profile, deployment_id
        )
    return LiveWatchlist(rows, threshold, cohort=cohort)


def _operating_threshold(session, store, minimum: float, rows, profile, deployment_id=None):
    from frt.installation import training_minimum
    from frt.lfr import scoring
    from frt.lfr.operating import training_threshold
    from frt.policy.profile import load_profile

    if not rows:
        return minimum, None
    profile = profile or load_profile(store.settings.policy_profile)
    algorithm, version = rows[0].template.kind
    chosen = scoring.for_deployment(session, store.cipher, algorithm, version)
    if chosen is None and deployment_id and training_minimum(store.settings, deployment_id):
        # Only the demo Deployment of a training installation on the embedded database.
        used = training_threshold(profile, minimum)
        logger.warning("deployment threshold: %.4f (%s)", used.value, used.reason)
        return used.value, None
    threshold, decision = scoring.operating_threshold(
        profile, minimum, chosen, f"{algorithm} {version}", len(rows)
    )
    if not decision.allowed:
        raise PolicyRefusal(decision)
    assert chosen is not None and threshold is not None  # the rule allows only on an evaluation
    logger.info("deployment threshold: %s (%s)", decision.reason, chosen.label)
    return threshold, chosen.cohort


def load_watchlists(store, deployment_id: str) -> list[LiveWatchlist]:
    """The operational Watchlist, then the blue watchlist if staff were enrolled (WL-08), scored
    alike and at the same Threshold."""
    from frt.lfr.blue import load_blue

    operational = load_watchlist(store, deployment_id)
    blue = load_blue(store, deployment_id, operational.threshold, operational.cohort)
    return [operational, blue] if blue is not None else [operational]


def check(store, deployment_id: str, at: datetime | None = None) -> Decision:
    from frt.governance.deployments import may_run

    with store.read() as session:  # asked every poll_s: no write lock (issue 9 item 7)
        return may_run(session, deployment_id, at or utcnow())


@dataclass
class Runner:
    store: Store
    deployment_id: str
    cameras: list[str]
    zone: Zone = Zone()
    workers: int | None = None
    poll_s: float = 0.5
    realtime_files: bool = True
    on_alert_saved: Callable[[str], Any] | None = None  # after the commit (notifications)
    clock: Callable[[], datetime] = utcnow
    source_opener: Callable[..., Any] | None = None  # (camera spec) -> FrameSource
    # Set by `frt worker` (frt.lfr.fleet): one pool shared by its cameras; release the camera
    # instead of waiting while suspended; stop when the lease is lost; Alerts keyed per track.
    pool: Any = None
    release_when_suspended: bool = False
    lease_lost: threading.Event | None = None
    track_key_prefix: str | None = None
    periods: int = field(default=0, init=False)  # how many times processing started
    stopped_because: Decision | None = field(default=None, init=False)

    def run(self) -> list[RunResult]:
        try:
            require(check(self.store, self.deployment_id, self.clock()))
            watchlists = load_watchlists(self.store, self.deployment_id)
        except PolicyRefusal as refusal:
            refusal.action = "lfr.deployment.run"
            record_refusal(self.store, None, COMPONENT, refusal)
            raise
        kind = watchlists[0].kind
        assert kind is not None  # a Watchlist with no templates is refused when it is loaded
        algorithm, version = kind
        zone, min_quality, why = gated(self.zone, load_profile(self.store.settings.policy_profile))
        logger.info("deployment %s: %s", self.deployment_id, why)
        config = PipelineConfig(
            zone=zone,
            algorithm=algorithm,
            min_quality=min_quality,
            algorithm_options=_options_for(algorithm, version),
        )
        own_pool = self.pool is None
        pool = self.pool or make_pool(config.algorithm, config.algorithm_options, self.workers)
        totals = {_display_name(c): LiveCounters() for c in self.cameras}
        results: list[RunResult] = []
        try:
            while True:
                ended, period = self._run_period(watchlists, config, pool, totals)
                results.extend(period)
                if ended or self._lost() or not self._wait_while_suspended():
                    break
        finally:
            if own_pool:
                pool.shutdown()
            for w in watchlists:
                w.wipe()
        return results

    # ------------------------------------------------------------ one period of processing
    def _run_period(self, watchlists, config, pool, totals) -> tuple[bool, list[RunResult]]:
        """Run every camera until the sources end (True) or the Deployment may not run (False)."""
        self.periods += 1
        pipelines = [
            Pipeline(watchlists, config, pool, self._saver(), camera=_display_name(c))
            for c in self.cameras
        ]
        results: list[RunResult | None] = [None] * len(pipelines)
        self._done: set[str] = set()  # cameras whose run ended: their totals are final
        self._lock = threading.Lock()
        threads = [
            threading.Thread(target=self._run_one, args=(p, c, results, i, totals), daemon=True)
            for i, (p, c) in enumerate(zip(pipelines, self.cameras))
        ]
        for t in threads:
            t.start()
        try:
            ended = self._supervise(pipelines, threads, totals)
        finally:
            for p in pipelines:
                p.stop()
            for t in threads:
                t.join(timeout=10)
        return ended, [r for r in results if r is not None]

    def _lost(self) -> bool:
        return self.lease_lost is not None and self.lease_lost.is_set()

    def _track_key(self, alert) -> str | None:
        if self.track_key_prefix is None:
            return None
        return f"{self.track_key_prefix}{alert.first_pts_s:.3f}/{alert.track_id}"

    def _saver(self):
        def save(alert) -> None:
            alert_id = persist_alert(
                self.store,
                self.deployment_id,
                alert,
                image_id=alert.match.entry_id,
                entry_id=alert.match.subject_id,
                track_key=self._track_key(alert),
            )
            if self.on_alert_saved:
                self.on_alert_saved(alert_id)

        return save

    def _open(self, camera: str):
        if self.source_opener is not None:
            return self.source_opener(camera)
        return open_source(camera, realtime=self.realtime_files)

    def _run_one(self, pipeline: Pipeline, camera: str, results, i, totals) -> None:
        try:
            results[i] = pipeline.run(self._open(camera))
        except Exception:  # noqa: BLE001 - one camera failing must not stop the others
            logger.exception("camera %s failed", pipeline.camera)
        finally:
            counters = results[i].counters if results[i] else _running(pipeline)
            with self._lock:  # the supervisor must not add this run's counts a second time
                totals[pipeline.camera].add(counters)
                self._done.add(pipeline.camera)
                save_counters(
                    self.store, self.deployment_id, pipeline.camera, totals[pipeline.camera]
                )

    def _supervise(self, pipelines, threads, totals) -> bool:
        while any(t.is_alive() for t in threads):
            time.sleep(self.poll_s)
            if self._lost():
                logger.info("camera lease lost: another worker runs it now")
                return False
            decision = check(self.store, self.deployment_id, self.clock())
            if not decision.allowed:
                logger.info("deployment stops: %s (%s)", decision.reason, decision.citation)
                self.stopped_because = decision
                return False
            for p in pipelines:
                with self._lock:
                    if p.stopped or p.camera in self._done:
                        continue  # its final totals were saved when its run ended
                    running = LiveCounters()
                    running.add(totals[p.camera])
                    running.add(_running(p))
                    save_counters(self.store, self.deployment_id, p.camera, running)
        return True

    # ------------------------------------------------------------ suspended
    def _wait_while_suspended(self) -> bool:
        """True when Silver resumed the Deployment; False when it may not run again."""
        from frt.governance.enums import DeploymentState

        while True:
            view = self._view()
            now = self.clock()
            if now >= view.ends_at:
                self._end_if_window_closed()
                return False
            if self.release_when_suspended or self._lost():
                return False
            if view.state != DeploymentState.SUSPENDED:
                return check(self.store, self.deployment_id, now).allowed
            time.sleep(self.poll_s)

    def _view(self):
        from frt.governance.deployments import get_view

        with self.store.read() as session:
            return get_view(session, self.deployment_id)

    def _end_if_window_closed(self) -> None:
        from frt.core.actions import perform
        from frt.governance.deployments import end_by_system

        view = self._view()
        now = self.clock()
        if now >= view.ends_at and not view.state.finished:
            perform(
                self.store, None, end_by_system, self.deployment_id, now=now, component="lfr-worker"
            )


def _running(pipeline: Pipeline) -> LiveCounters:
    counters = LiveCounters()
    counters.add(pipeline.counters)
    if pipeline._source is not None:
        counters.add(pipeline._source.counters)
    return counters
