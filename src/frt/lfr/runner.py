"""Running a Deployment: `frt deploy run <deployment> --camera <source>…` (LIVE-07, LIVE-10).

The runner asks governance whether the Deployment may run (`may_run`: authority in force, inside
its times, state active) before the first frame and then every `poll_s` seconds; the moment the
answer is no — Silver suspended or terminated it, or the window closed — every camera's pipeline
stops (within about a second). When the window has closed it also ends the Deployment
(`end_by_system`). Several runners, on one machine or many, can share one PostgreSQL: each
writes its own Alerts and counters and needs no other coordination.

Alerts are committed (`persist_alert`) in the pipeline thread before the pipeline goes on, so an
Alert that was raised is in the database even if the worker is killed the next instant.
"""

from __future__ import annotations

import logging
import threading
import time
from dataclasses import dataclass

from frt.audit import Actor
from frt.audit.log import record_refusal
from frt.lfr.pipeline import Pipeline, PipelineConfig, RunResult
from frt.lfr.records import SYSTEM, persist_alert, save_counters
from frt.lfr.sources import _display_name, open_source
from frt.lfr.watchlist import LiveWatchlist, WatchlistRow
from frt.lfr.workers import make_pool
from frt.lfr.zone import Zone
from frt.policy import Decision, PolicyRefusal
from frt.store.base import utcnow

logger = logging.getLogger(__name__)


def options_for(version: str) -> dict:
    """Template options matching the watchlist's algorithm version (e.g. '1-flip')."""
    return {"flip": "flip" in version.split("-")}


def load_watchlist(store, deployment_id: str) -> LiveWatchlist:
    from frt.governance.watchlists import load_for_recognition

    with store.session() as session:
        rw = load_for_recognition(session, store.cipher, deployment_id)
    rows = [WatchlistRow(image.image_id, subject.entry_id, image.template,
                         threshold_raise=image.threshold, category=subject.category,
                         markers=subject.warning_markers)
            for subject in rw.subjects for image in subject.images]
    return LiveWatchlist(rows, rw.min_threshold)


def check(store, deployment_id: str) -> Decision:
    from frt.governance.deployments import may_run

    with store.session() as session:
        return may_run(session, deployment_id, utcnow())


@dataclass
class Runner:
    store: object
    deployment_id: str
    cameras: list[str]
    zone: Zone = Zone()
    workers: int | None = None
    poll_s: float = 0.5
    realtime_files: bool = True
    on_alert_saved: object = None  # callback(alert_id) after the commit (notifications)

    def run(self) -> list[RunResult]:
        decision = check(self.store, self.deployment_id)
        if not decision.allowed:
            record_refusal(self.store, SYSTEM, "lfr.deployment.run", decision.reason,
                           decision.citation)
            raise PolicyRefusal(decision)
        watchlist = load_watchlist(self.store, self.deployment_id)
        algorithm, version = watchlist.kind
        config = PipelineConfig(zone=self.zone, algorithm=algorithm,
                                algorithm_options=options_for(version))
        pool = make_pool(config.algorithm, config.algorithm_options, self.workers)
        pipelines = [Pipeline([watchlist], config, pool, self._saver(), camera=_display_name(c))
                     for c in self.cameras]
        results: list[RunResult | None] = [None] * len(pipelines)
        threads = [threading.Thread(target=self._run_one, args=(p, c, results, i), daemon=True)
                   for i, (p, c) in enumerate(zip(pipelines, self.cameras))]
        for t in threads:
            t.start()
        try:
            self._supervise(pipelines, threads)
        finally:
            for p in pipelines:
                p.stop()
            for t in threads:
                t.join(timeout=10)
            pool.shutdown()
            watchlist.wipe()
        return [r for r in results if r is not None]

    def _saver(self):
        def save(alert) -> None:
            alert_id = persist_alert(self.store, self.deployment_id, alert,
                                     image_id=alert.match.entry_id,
                                     entry_id=alert.match.subject_id)
            if self.on_alert_saved:
                self.on_alert_saved(alert_id)
        return save

    def _run_one(self, pipeline: Pipeline, camera: str, results, i) -> None:
        source = open_source(camera, realtime=self.realtime_files)
        try:
            results[i] = pipeline.run(source)
        except Exception:  # noqa: BLE001 - one camera failing must not stop the others
            logger.exception("camera %s failed", source.name)
        finally:
            counters = results[i].counters if results[i] else pipeline.counters
            save_counters(self.store, self.deployment_id, pipeline.camera, counters)

    def _supervise(self, pipelines, threads) -> None:
        while any(t.is_alive() for t in threads):
            time.sleep(self.poll_s)
            decision = check(self.store, self.deployment_id)
            if not decision.allowed:
                logger.info("deployment stops: %s (%s)", decision.reason, decision.citation)
                self._end_if_window_closed()
                return
            for p in pipelines:
                save_counters(self.store, self.deployment_id, p.camera, _running(p))

    def _end_if_window_closed(self) -> None:
        from frt.governance.deployments import end_by_system, get_view

        with self.store.session() as session:
            view = get_view(session, self.deployment_id)
            if utcnow() >= view.ends_at and not view.state.finished:
                end_by_system(session, self.deployment_id, utcnow(), Actor.system("lfr-worker"))


def _running(pipeline: Pipeline):
    from frt.lfr.metrics import LiveCounters

    counters = LiveCounters()
    counters.add(pipeline.counters)
    if pipeline._source is not None:
        counters.add(pipeline._source.counters)
    return counters
