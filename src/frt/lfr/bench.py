"""`frt bench live`: the live pipeline on one video file against a folder watchlist, measured.

The watchlist is enrolled from `<identity>/<images>` without any governance step: this is for
measurement only and never touches a database. Every frame of the file is processed.
"""

from __future__ import annotations

import json
import logging
from dataclasses import replace
from pathlib import Path

from frt.lfr.pipeline import Pipeline, PipelineConfig, RunResult
from frt.lfr.sources import FileSource
from frt.lfr.watchlist import enrol_folder
from frt.lfr.workers import make_pool
from frt.lfr.zone import Zone

logger = logging.getLogger(__name__)

# dlib's published same-person rule (distance 0.6 between raw descriptors) in FRT's score for
# templates made without the mirrored pass; a measurement setting, not an operational Threshold.
BENCH_THRESHOLD = 0.95


def run_live(video: str | Path, watchlist_dir: str | Path, threshold: float = BENCH_THRESHOLD,
             min_inter_eye_px: float = 20.0, max_faces: int = 10, workers: int | None = None,
             full_every: int = 8, detector: str | None = None, **options) -> dict:
    """Run the pipeline over every frame of `video`; the summary `frt bench live` prints.
    `options` override other `PipelineConfig` fields (benchmark variants)."""
    config = PipelineConfig(zone=Zone(min_inter_eye_px=min_inter_eye_px, max_faces=max_faces),
                            full_every=full_every)
    config = replace(config, **({"detector": detector} if detector else {}), **options)
    watchlist, refused = enrol_folder(watchlist_dir, threshold, config.algorithm,
                                      config.algorithm_options)
    pool = make_pool(config.algorithm, config.algorithm_options, workers)
    try:
        pipeline = Pipeline([watchlist], config, pool, on_alert=lambda alert: None,
                            camera=Path(video).name)
        result: RunResult = pipeline.run(FileSource(str(video)))
    finally:
        pool.shutdown()
    summary = result.summary()
    summary.update(video=Path(video).name, watchlist_images=len(watchlist),
                   watchlist_refused=refused, threshold=threshold, workers=pool.workers,
                   zone=config.zone.to_dict(), detector=config.detector, detection_scale=round(config.zone.detection_scale, 3))
    for alert in result.alerts:
        alert.probe.fill(0)  # a benchmark keeps no face
    return summary


def write_json(summary: dict, path: str | Path) -> None:
    Path(path).write_text(json.dumps(summary, indent=2) + "\n")
