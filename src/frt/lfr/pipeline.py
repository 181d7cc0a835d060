"""The live recognition pipeline of one camera (LIVE-02):

    source → regions → [worker: detect → zone + quality → chip] → track → [worker: template]
           → compare with the watchlist(s) → Alert

The main thread reads frames, plans regions (`frt.lfr.regions`) and keeps the tracks; worker
processes do the pixel work (`frt.lfr.analyse`). A handful of frames are in flight at once so
both cores stay busy, and results are taken in frame order. A track is templated only for its
best views (`TemplatePolicy`), and alerts at most once per person (WL-09 thresholds applied in
`LiveWatchlist.match`). Recognition Time runs from the moment the frame in which the face first
entered the Zone of Recognition was read, to the moment the Alert is handed to `on_alert` —
which must persist it before anyone is told (LIVE-04).

Forgetting (LIVE-03): a frame's pixels are released once its crops are cut, and the crops are
zeroed once analysed; a chip lives in its track until templated (a worker zeroes its own copy,
and the template network's views and batch, as soon as they are used), and is overwritten with
zeros after a comparison that raises no Alert. A track's templates stay with it while the person
is in view — each comparison uses their quality-weighted mean (`Track.add_view`) — and the probe
compared is zeroed at once; tracks that end wipe what they hold. Nothing is written to disk.

Scoring is the Watchlist's (`LiveWatchlist.compare`): raw, or normalised against the cohort of
the evaluation that set the Threshold (`frt.lfr.scoring`).
"""

from __future__ import annotations

import logging
import threading
import time
from collections import deque
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import Callable

import numpy as np

from frt.engine.quality import QualityThresholds
from frt.lfr import analyse
from frt.lfr.metrics import LiveCounters, StageTimes, percentile
from frt.lfr.regions import Region, RegionPlanner
from frt.lfr.sources import Frame, FrameSource
from frt.lfr.tracker import TemplatePolicy, Track, Tracker, wipe
from frt.lfr.watchlist import LiveWatchlist, Match
from frt.lfr.zone import HOG_MIN_BOX, Zone

logger = logging.getLogger(__name__)

DEFAULT_ALGORITHM = "dlib-resnet"
# `frt bench live` templates with one view (no mirror, no zoom): the cheapest template, and a
# track offers several views anyway. A Deployment uses its Watchlist's own version (runner.py).
DEFAULT_OPTIONS = {"flip": False, "zoom": False}


@dataclass(frozen=True)
class PipelineConfig:
    zone: Zone = Zone()
    policy: TemplatePolicy = TemplatePolicy()
    full_every: int = 8  # search the whole zone every this many frames (and on the first)
    in_flight: int = 4  # frames queued to the workers at once
    # ... while templates are being made: fewer would put a template sooner in front of a
    # worker, but costs more throughput than the Recognition Time it saves (bench/RESULTS.md).
    in_flight_templating: int = 4
    algorithm: str = DEFAULT_ALGORITHM
    algorithm_options: dict = field(default_factory=lambda: dict(DEFAULT_OPTIONS))
    min_quality: float = 0.25
    detector: str = field(default_factory=analyse.default_detector)  # "mtcnn" or "hog"
    aggregate: bool = True  # compare the mean of a track's views, not its latest view alone
    report_best: bool = False  # benchmarks only: each track's best candidate, alert or not

    @property
    def thresholds(self) -> QualityThresholds:
        return QualityThresholds(
            min_inter_eye_px=self.zone.min_inter_eye_px, min_score=self.min_quality
        )


@dataclass(eq=False)
class Alert:
    """An Alert as raised: what the operator and the engagement officer are shown (LIVE-04)."""

    camera: str
    track_id: int
    match: Match
    blue: bool  # from the blue watchlist (WL-08): shown apart, counted for the TRR
    frame_index: int
    first_pts_s: float  # position in the video where the face entered the zone
    alert_pts_s: float  # position of the last frame processed when the alert was raised
    recognition_time_ms: float
    raised_at: datetime
    probe: np.ndarray = field(repr=False)  # the aligned camera face (RGB 150x150)
    raised_offset_s: float = 0.0  # seconds since the run started
    first_offset_s: float = 0.0


@dataclass
class RunResult:
    camera: str
    frames: int
    seconds: float
    counters: LiveCounters
    stages: StageTimes
    alerts: list[Alert]
    template_ms: list[float]
    tracks: list[dict] = field(default_factory=list)  # with `report_best` only

    @property
    def fps(self) -> float:
        return self.frames / self.seconds if self.seconds > 0 else 0.0

    @property
    def recognition_times_ms(self) -> list[float]:
        return [a.recognition_time_ms for a in self.alerts]

    def summary(self) -> dict:
        rts = self.recognition_times_ms
        return {
            "camera": self.camera,
            "frames": self.frames,
            "seconds": round(self.seconds, 3),
            "fps": round(self.fps, 2),
            **self.counters.to_dict(),
            "alerts": [
                {
                    "identity": a.match.subject_id,
                    "entry": a.match.entry_id,
                    "score": round(a.match.score, 4),
                    "blue": a.blue,
                    "first_seen_s": round(a.first_offset_s, 3),
                    "alert_s": round(a.raised_offset_s, 3),
                    "first_seen_video_s": round(a.first_pts_s, 3),
                    "recognition_time_ms": round(a.recognition_time_ms, 1),
                }
                for a in self.alerts
            ],
            "recognition_time_ms_p50": _r(percentile(rts, 50)),
            "recognition_time_ms_p95": _r(percentile(rts, 95)),
            "template_ms_per_face": _r(
                float(np.median(self.template_ms)) if self.template_ms else None
            ),
            "stages_ms": self.stages.summary(self.frames),
            **({"track_results": self.tracks} if self.tracks else {}),
        }


def _r(x):
    return None if x is None else round(x, 1)


class Pipeline:
    """Runs one camera's frames through the stages; `stop()` ends it within a frame."""

    def __init__(
        self,
        watchlists: list[LiveWatchlist],
        config: PipelineConfig,
        pool,
        on_alert: Callable[[Alert], None],
        camera: str = "camera",
    ):
        if not any(len(w) for w in watchlists):
            raise ValueError("a live pipeline needs a watchlist with at least one template")
        self.watchlists, self.config, self.pool = watchlists, config, pool
        self.on_alert, self.camera = on_alert, camera
        self.tracker = Tracker(config.policy)
        self.planner = RegionPlanner(config.zone, config.full_every)
        self.counters, self.stages = LiveCounters(), StageTimes()
        self.alerts: list[Alert] = []
        self._template_ms: list[float] = []
        self._stop = threading.Event()
        self._source: FrameSource | None = None
        self._pending: deque = deque()
        self._embeds: list = []
        self._best: dict[int, dict] = {}
        self._started = 0.0
        self._last_pts = 0.0

    def stop(self) -> None:
        self._stop.set()
        if self._source is not None:
            self._source.close()

    @property
    def stopped(self) -> bool:
        return self._stop.is_set()

    def run(self, source: FrameSource) -> RunResult:
        self._source, self._started = source, time.monotonic()
        frames = iter(source.frames())
        try:
            while not self._stop.is_set():
                t0 = time.perf_counter()
                frame = next(frames, None)
                self.stages.add("read", (time.perf_counter() - t0) * 1e3)
                if frame is None:
                    break
                self._submit(frame)
                # While templates are being made, fewer frames may be queued ahead of them.
                limit = self.config.in_flight_templating if self._embeds else self.config.in_flight
                self._drain(block=len(self._pending) >= limit)
                self._collect(block=False)
            if not self._stop.is_set():  # the source ended: finish what is in flight
                self._drain(block=True, everything=True)
                self._collect(block=True)
        finally:
            self._finish(source)
        counters = LiveCounters()
        counters.add(source.counters)
        counters.add(self.counters)
        return RunResult(
            self.camera,
            counters.frames,
            time.monotonic() - self._started,
            counters,
            self.stages,
            self.alerts,
            self._template_ms,
            list(self._best.values()),
        )

    # ------------------------------------------------------------ stages
    def _submit(self, frame: Frame) -> None:
        t0 = time.perf_counter()
        bgr = frame.bgr
        assert bgr is not None  # a frame is submitted once, before its pixels are released
        regions = self.planner.plan(bgr, self.tracker.boxes())
        crops = [_crop(bgr, r) for r in regions]
        settled = tuple(t.box for t in self.tracker.tracks.values() if self.tracker.settled(t))
        job = analyse.AnalyseJob(
            frame.index,
            crops,
            self.config.zone,
            self.config.thresholds,
            self.config.detector,
            settled,
        )
        future = self.pool.submit(analyse.analyse, job)
        frame.bgr = None  # the crops are copies; the frame's pixels go now
        self.stages.add("plan", (time.perf_counter() - t0) * 1e3)
        self._pending.append((frame.index, frame.captured, frame.pts_s, future))

    def _drain(self, block: bool, everything: bool = False) -> None:
        while self._pending and (block or self._pending[0][3].done()):
            index, captured, pts_s, future = self._pending.popleft()
            t0 = time.perf_counter()
            result = future.result()
            self.stages.add("wait", (time.perf_counter() - t0) * 1e3)
            self.stages.merge(result.timings)
            self._track(index, captured, pts_s, result)
            if not everything:
                block = False

    def _track(self, index: int, captured: float, pts_s: float, result) -> None:
        t0 = time.perf_counter()
        self._last_pts = pts_s
        c = self.counters
        for obs in result.observations:
            if not obs.in_zone:
                c.faces_outside_zone += 1
            else:
                c.faces_detected += 1
                if obs.refused:
                    c.faces_poor_quality += 1
                    c.faces_too_small += obs.too_small
        c.faces_over_limit += result.over_limit
        before = self.tracker.started
        self.tracker.update(index, captured, pts_s, result.observations)
        c.tracks += self.tracker.started - before
        for track in list(self.tracker.tracks.values()):
            if self.tracker.wants_template(track, index):
                chip, quality = track.take_chip()
                track.pending += 1
                track.templated_quality = max(track.templated_quality, quality)
                track.last_template_frame = index
                # A worker process templates its own copy of the chip and zeroes it after.
                future = self.pool.submit(
                    analyse.embed,
                    [chip],
                    self.config.algorithm,
                    self.config.algorithm_options,
                    self.pool.workers > 0,
                )
                self._embeds.append((track, chip, index, future, quality))
        self.stages.add("track", (time.perf_counter() - t0) * 1e3)

    def _collect(self, block: bool) -> None:
        still = []
        for item in self._embeds:
            track, chip, index, future, quality = item
            if not (block or future.done()):
                still.append(item)
                continue
            vectors, ms = future.result()
            self._template_ms.append(ms)
            self.stages.add("template", ms)
            self.counters.templates += 1
            track.pending -= 1
            track.templates += 1
            t0 = time.perf_counter()
            vector = vectors[0]
            probe = track.add_view(vector, quality) if self.config.aggregate else vector
            self._compare(track, chip, index, probe)
            if self.config.aggregate and track.ended:
                track.forget()  # a track that has left keeps nothing
            self.stages.add("compare", (time.perf_counter() - t0) * 1e3)
        self._embeds = still

    def _compare(self, track: Track, chip: np.ndarray, index: int, vector: np.ndarray) -> None:
        hit, blue = None, False
        for watchlist in self.watchlists:
            hit, subject, score = watchlist.compare(vector)
            if self.config.report_best and not watchlist.blue:
                self._report(track, subject, score)
            if hit is not None:
                blue = watchlist.blue
                break
        wipe(vector)  # the probe is never kept, alert or not (the track's views go with it)
        if hit is None or track.alerted:
            wipe(chip)
            return
        track.alerted = True
        now = time.monotonic()
        alert = Alert(
            self.camera,
            track.id,
            hit,
            blue,
            index,
            track.first_pts_s,
            self._last_pts,
            (now - track.first_captured) * 1e3,
            datetime.now(timezone.utc),
            chip,
            raised_offset_s=now - self._started,
            first_offset_s=track.first_captured - self._started,
        )
        self.counters.alerts += 1
        self.alerts.append(alert)
        self.on_alert(alert)

    def _report(self, track: Track, subject: str | None, score: float) -> None:
        """Benchmarks only: the track's best candidate so far (never in a Deployment)."""
        row = self._best.setdefault(
            track.id,
            {"track": track.id, "templates": 0, "best_candidate": None, "best_score": None},
        )
        row["templates"] = track.templates
        if subject is not None and (row["best_score"] is None or score > row["best_score"]):
            row["best_candidate"], row["best_score"] = subject, round(score, 4)

    def _finish(self, source: FrameSource) -> None:
        for _, _, _, future in self._pending:
            future.cancel()
        self._pending.clear()
        for track, chip, _, future, _ in self._embeds:
            future.cancel()
            wipe(chip)
        self._embeds.clear()
        self.tracker.end_all()
        source.close()


def _crop(bgr: np.ndarray, r: Region) -> analyse.Crop:
    """The region plus a margin for the aligned chip (which reaches beyond the face box)."""
    h, w = bgr.shape[:2]
    m = max(16, int(0.6 * HOG_MIN_BOX / r.scale))
    x0, y0 = max(0, r.x0 - m), max(0, r.y0 - m)
    x1, y1 = min(w, r.x1 + m), min(h, r.y1 + m)
    pixels = np.ascontiguousarray(bgr[y0:y1, x0:x1])
    if pixels.base is bgr or pixels is bgr:
        pixels = pixels.copy()
    hints = tuple((a - x0, b - y0, c - x0, d - y0) for a, b, c, d in r.hints)
    return analyse.Crop(
        pixels, x0, y0, (r.x0 - x0, r.y0 - y0, r.x1 - x0, r.y1 - y0), r.scale, hints
    )
