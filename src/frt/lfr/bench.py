"""`frt bench live`: the live pipeline on one video file against a folder watchlist, measured at
the operating point a Deployment would use.

The watchlist is enrolled from `<identity>/<images>` without any governance step: this is for
measurement only and never touches a database. Every frame of the file is processed.

With `evaluation` (the JSON `frt eval identify` wrote) the benchmark scores as that evaluation
did — its algorithm version, and its cohort when it used one (`cohort_dir`, templated like the
evaluation's, leaving out anyone on the watchlist) — and sets its Threshold by the rule a
Deployment uses (`frt.lfr.scoring.operating_threshold`) for this watchlist's size. A refusal of
that rule is reported, not overridden. `threshold` instead is for experiments only.
"""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass, replace
from pathlib import Path

from frt.lfr.pipeline import Pipeline, PipelineConfig, RunResult
from frt.lfr.sources import FileSource
from frt.lfr.watchlist import LiveWatchlist, enrol_folder
from frt.lfr.workers import make_pool
from frt.lfr.zone import Zone, gated

logger = logging.getLogger(__name__)


class BenchRefused(Exception):
    """The operating-Threshold rule refused this watchlist (its Decision is the argument)."""


def run_live(
    video: str | Path,
    watchlist_dir: str | Path,
    threshold: float | None = None,
    evaluation: dict | None = None,
    cohort_dir: str | Path | None = None,
    profile: str = "mps",
    min_inter_eye_px: float = 20.0,
    max_faces: int = 10,
    workers: int | None = None,
    full_every: int = 8,
    detector: str | None = None,
    cache_dir: Path | None = None,
    gate: bool = True,
    **options,
) -> dict:
    """Run the pipeline over every frame of `video`; the summary `frt bench live` prints.
    `options` override other `PipelineConfig` fields (benchmark variants). `gate`: apply the
    profile's face-size and quality floors as a Deployment does (off only to time the pipeline
    on the faces the reference loop names, bench/bench_live.py)."""
    setup = prepare(
        watchlist_dir,
        threshold,
        evaluation,
        cohort_dir,
        profile,
        min_inter_eye_px,
        max_faces,
        1 if workers == 0 else workers,
        full_every,
        detector,
        cache_dir,
        gate,
        **options,
    )
    pool = make_pool(setup.config.algorithm, setup.config.algorithm_options, workers)
    try:
        return run_prepared(video, setup, pool)
    finally:
        pool.shutdown()
        setup.watchlist.wipe()


@dataclass
class Setup:
    """A benchmark watchlist at its Threshold, and the pipeline configuration to run it with."""

    config: PipelineConfig
    watchlist: LiveWatchlist
    extra: dict


def prepare(
    watchlist_dir,
    threshold=None,
    evaluation=None,
    cohort_dir=None,
    profile="mps",
    min_inter_eye_px=20.0,
    max_faces=10,
    workers=None,
    full_every=8,
    detector=None,
    cache_dir=None,
    gate=True,
    **options,
) -> Setup:
    """Enrol the watchlist, choose the scoring and set the Threshold (BenchRefused if the rule
    refuses); reusable for several videos."""
    if evaluation is None and threshold is None:
        raise ValueError(
            "give an evaluation (its operating Threshold) or, for an experiment, a Threshold"
        )
    zone, gate_note = Zone(min_inter_eye_px=min_inter_eye_px, max_faces=max_faces), None
    config = PipelineConfig(zone=zone, full_every=full_every, report_best=True)
    if gate:
        from frt.policy.profile import load_profile

        zone, min_quality, gate_note = gated(zone, load_profile(profile))
        config = replace(config, zone=zone, min_quality=min_quality)
    if evaluation is not None:
        config = replace(config, **_engine_of(evaluation))
    config = replace(config, **({"detector": detector} if detector else {}), **options)
    watchlist, refused = enrol_folder(
        watchlist_dir,
        threshold or 1.0,
        config.algorithm,
        config.algorithm_options,
        cache_dir,
        workers,
    )
    extra: dict = {
        "face_gate": gate_note,
        "watchlist_size": len(watchlist),
        "watchlist_people": len(watchlist.subjects()),
        "watchlist_refused": refused,
    }
    if evaluation is not None:
        chosen = _scoring(evaluation, cohort_dir, watchlist, cache_dir, workers)
        t, decision = _rule(profile, chosen, watchlist)
        extra.update(
            chosen.describe(),
            threshold_rule=str(decision),
            threshold_rule_citation=decision.citation,
        )
        if t is None:
            raise BenchRefused(decision)
        watchlist = LiveWatchlist(watchlist.rows, threshold or t, cohort=chosen.cohort)
        extra["operating_threshold"] = t
    extra["threshold_source"] = "given" if threshold is not None else "operating rule"
    return Setup(config, watchlist, extra)


def run_prepared(video, setup: Setup, pool) -> dict:
    """One video through the prepared pipeline; the summary."""
    config, watchlist = setup.config, setup.watchlist
    pipeline = Pipeline(
        [watchlist], config, pool, on_alert=lambda alert: None, camera=Path(video).name
    )
    result: RunResult = pipeline.run(FileSource(str(video)))
    summary = result.summary()
    summary.update(
        video=Path(video).name,
        watchlist_images=len(watchlist),
        threshold=watchlist.threshold,
        workers=pool.workers,
        zone=config.zone.to_dict(),
        detector=config.detector,
        algorithm=config.algorithm,
        algorithm_options=config.algorithm_options,
        aggregate=config.aggregate,
        detection_scale=round(config.zone.detection_scale, 3),
        **setup.extra,
    )
    for alert in result.alerts:
        alert.probe.fill(0)  # a benchmark keeps no face
    return summary


def _engine_of(evaluation: dict) -> dict:
    """Template the faces with the evaluated algorithm version (its views are in the version)."""
    from frt.engine.template import DlibResNet

    algorithm, version = evaluation["algorithm"], evaluation["algorithm_version"]
    options = DlibResNet.options_for(version) if algorithm == DlibResNet.name else {}
    return {"algorithm": algorithm, "algorithm_options": options}


def _scoring(evaluation: dict, cohort_dir, watchlist, cache_dir, workers):
    from frt.lfr import scoring

    matrix = None
    if cohort_dir is not None:
        matrix = cohort_matrix(cohort_dir, watchlist.subjects(), evaluation, cache_dir, workers)
    algorithm, version = watchlist.kind
    return scoring.from_evaluation(evaluation, matrix, algorithm, version)


def cohort_matrix(cohort_dir, exclude: set[str], evaluation: dict, cache_dir, workers):
    """Templates of a cohort folder (nobody on the watchlist), made as the evaluation made its."""
    import numpy as np

    from frt.engine.enrol import EngineSpec
    from frt.eval import dataset
    from frt.eval.runner import template_items

    spec = EngineSpec(
        detector=evaluation.get("detector", "thorough"),
        algorithm=evaluation["algorithm"],
        algorithm_options=_engine_of(evaluation)["algorithm_options"],
    )
    items = dataset.cohort_items(cohort_dir, exclude)
    results = template_items(
        items, spec, evaluation["algorithm_version"], cache_dir, workers, "cohort", False
    )
    templates = [results[it.key].template for it in items]
    rows = [t.vector for t in templates if t is not None]
    if not rows:
        raise ValueError(f"no usable cohort faces in {cohort_dir}")
    return np.stack(rows)


def _rule(profile_name: str, chosen, watchlist):
    from frt.lfr import scoring
    from frt.policy.profile import load_profile

    algorithm, version = watchlist.kind
    # No authority here: its minimum is left out (0); the profile's own minimum still applies.
    return scoring.operating_threshold(
        load_profile(profile_name), 0.0, chosen, f"{algorithm} {version}", len(watchlist)
    )


def write_json(summary: dict, path: str | Path) -> None:
    Path(path).write_text(json.dumps(summary, indent=2) + "\n")
