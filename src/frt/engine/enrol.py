"""Turning whole images into templates: one image, or many on every core; re-enrolment.

An enrolment photograph shows one person: its largest face is templated. Faces refused by the
quality gate, images without a face and undecodable files give an `Enrolment` with no template
and a `reason` — never an exception — so a bulk run reports every failure and carries on.

dlib-bin is single-threaded, so bulk work runs one worker *process* per core, each loading the
models once (`template_many`).
"""

from __future__ import annotations

import logging
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterable, Iterator

import numpy as np

from frt.engine.detect import Detector, Face, get_detector
from frt.engine.errors import EngineError
from frt.engine.images import decode_image, load_image
from frt.engine.quality import DEFAULT, Quality, QualityThresholds, assess
from frt.engine.template import DEFAULT_ALGORITHM, Template, TemplateAlgorithm, get_algorithm

logger = logging.getLogger(__name__)

Source = str | Path | bytes


@dataclass(frozen=True)
class EngineSpec:
    """Names and options of a detector and an algorithm: what a worker process rebuilds."""

    detector: str = "thorough"
    algorithm: str = DEFAULT_ALGORITHM
    detector_options: dict = field(default_factory=dict)
    algorithm_options: dict = field(default_factory=dict)
    quality_gate: bool = False  # refuse faces that fail `quality.assess`
    thresholds: QualityThresholds = DEFAULT

    def build(self) -> tuple[Detector, TemplateAlgorithm]:
        return (
            get_detector(self.detector, **self.detector_options),
            get_algorithm(self.algorithm, **self.algorithm_options),
        )


@dataclass(frozen=True)
class Enrolment:
    key: str
    template: Template | None
    reason: str | None = None  # why there is no template
    face: Face | None = None
    quality: Quality | None = None
    faces_found: int = 0


def template_image(
    rgb: np.ndarray,
    detector: Detector,
    algorithm: TemplateAlgorithm,
    key: str = "",
    quality_gate: bool = False,
    thresholds: QualityThresholds = DEFAULT,
) -> Enrolment:
    """Template the largest face of `rgb` (an enrolment photo shows one person)."""
    faces = detector.detect(rgb)
    if not faces:
        return Enrolment(key, None, "no face found")
    face = faces[0]
    quality = assess(rgb, face, thresholds)
    if quality_gate and not quality.ok:
        return Enrolment(key, None, "; ".join(quality.reasons), face, quality, len(faces))
    template = algorithm.embed(rgb, [face])[0]
    return Enrolment(key, template, None, face, quality, len(faces))


def template_source(
    source: Source, detector: Detector, algorithm: TemplateAlgorithm, key: str = "", **kwargs
) -> Enrolment:
    """Decode then template; any engine error becomes the enrolment's reason."""
    try:
        rgb = decode_image(source) if isinstance(source, bytes) else load_image(source)
        return template_image(rgb, detector, algorithm, key=key, **kwargs)
    except EngineError as exc:
        return Enrolment(key, None, str(exc))


_worker: tuple[Detector, TemplateAlgorithm, EngineSpec] | None = None


def _init_worker(spec: EngineSpec) -> None:
    global _worker
    os.environ.setdefault("OMP_NUM_THREADS", "1")
    detector, algorithm = spec.build()
    _worker = (detector, algorithm, spec)


def _work(item: tuple[str, Source]) -> Enrolment:
    assert _worker is not None, "the worker process was not initialised"
    detector, algorithm, spec = _worker
    key, source = item
    return template_source(
        source,
        detector,
        algorithm,
        key=key,
        quality_gate=spec.quality_gate,
        thresholds=spec.thresholds,
    )


def default_workers() -> int:
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1


def template_many(
    items: Iterable[tuple[str, Source]],
    spec: EngineSpec = EngineSpec(),
    workers: int | None = None,
    chunksize: int = 4,
) -> Iterator[Enrolment]:
    """Template (key, path-or-bytes) items on `workers` processes; results in input order.

    With FRT_RAY_ADDRESS set, on that Ray cluster instead (`frt.engine.cluster`, the
    `frt[cluster]` extra): the same results, so callers keep their progress, resume and audit."""
    from frt.engine import cluster

    if cluster.ray_address() is not None:
        yield from cluster.template_many_on_ray(items, spec)
        return
    workers = workers or default_workers()
    if workers == 1:
        _init_worker(spec)
        yield from map(_work, items)
        return
    import multiprocessing as mp
    from concurrent.futures import ProcessPoolExecutor

    # spawn, not fork: a forked child would inherit the parent's threads and locks.
    ctx = mp.get_context("spawn")
    with ProcessPoolExecutor(
        workers, mp_context=ctx, initializer=_init_worker, initargs=(spec,)
    ) as pool:
        yield from pool.map(_work, items, chunksize=chunksize)


def reenrol(
    originals: Iterable[tuple[str, Source]], spec: EngineSpec, workers: int | None = None
) -> list[Enrolment]:
    """New templates from the original images for a new algorithm (RFR-03).

    Templates are never converted from one algorithm to another: they are made again from the
    originals. Before the new templates are used, the algorithm must have been evaluated and the
    result recorded (EVAL-03, `frt.eval.records.require_evaluated`).
    """
    results = list(template_many(originals, spec, workers=workers))
    made = sum(r.template is not None for r in results)
    logger.info("re-enrolled %d of %d images with %s", made, len(results), spec.algorithm)
    return results
