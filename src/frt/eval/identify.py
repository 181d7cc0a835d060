"""One identification evaluation, end to end: template (cached, all cores), search, figures."""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from frt.engine.compare import Gallery
from frt.engine.enrol import EngineSpec
from frt.engine.normalise import Cohort
from frt.eval import dataset
from frt.eval.gallery_size import by_size, padded_searches
from frt.eval.metrics import FPIR_POINTS, Searches, det_points, figures, run_searches
from frt.eval.runner import template_items

logger = logging.getLogger(__name__)


@dataclass
class Run:
    figures: dict
    searches: Searches
    data_description: str
    algorithm: str
    algorithm_version: str
    extra: dict = field(default_factory=dict)


def evaluate(
    data_dir: Path,
    spec: EngineSpec,
    cohort_dir: Path | None = None,
    limit: int | None = None,
    fold: tuple[int, int] | None = None,
    cache_dir: Path | None = None,
    workers: int | None = None,
    progress: bool = True,
    cohort_top_k: int = 100,
    cohort_raw_weight: float | None = None,
) -> Run:
    """The open-set protocol of testdata/README.md on `data_dir` (see `frt.eval.dataset`)."""
    start = time.perf_counter()
    version = spec.build()[1].version
    identities = {n: p for n, p in dataset.scan(data_dir).items() if dataset.in_fold(n, fold)}
    split = dataset.split(identities, limit=limit)
    results = template_items(split.items, spec, version, cache_dir, workers, "templating", progress)
    vectors = {
        k: (r.template.vector if r.template is not None else None) for k, r in results.items()
    }
    cohort, cohort_size = None, 0
    if cohort_dir is not None:
        cohort = _cohort(
            cohort_dir,
            set(identities),
            spec,
            version,
            cache_dir,
            workers,
            progress,
            cohort_top_k,
            cohort_raw_weight,
        )
        cohort_size = len(cohort)
    present = {key: v for key, v in vectors.items() if v is not None}
    gallery_items = [it for it in split.gallery if it.key in present]
    gallery = Gallery(
        [it.identity for it in gallery_items],
        np.stack([present[it.key] for it in gallery_items]),
        spec.algorithm,
        version,
        cohort=cohort,
    )
    searches = run_searches(split, vectors, gallery.score_vectors)
    sizes = _by_size(split.items, vectors, spec, version, cohort, len(split.gallery))
    failed = sum(v is None for v in vectors.values())
    figs = {
        "gallery_size": len(split.gallery),
        "gallery_failed_to_template": len(split.gallery) - len(gallery_items),
        "images": len(split.items),
        "identities": len(identities) if not limit else min(limit, len(identities)),
        "failed_to_template": failed,
        "failure_to_template_rate": failed / max(1, len(split.items)),
        **figures(searches),
        "det": det_points(searches),
        "algorithm": spec.algorithm,
        "algorithm_version": version,
        "detector": spec.detector,
        "scoring": (
            f"cohort-normalised (AS-norm top-{cohort.top_k}, raw weight {cohort.raw_weight:g})"
        )
        if cohort
        else "raw similarity",
        "cohort_size": cohort_size,
        **(
            {
                "cohort_top_k": cohort.top_k,
                "cohort_raw_weight": cohort.raw_weight,
                "cohort_digest": cohort.digest,
            }
            if cohort
            else {}
        ),
        "by_gallery_size": sizes.to_dict() if sizes else None,
        "seconds": round(time.perf_counter() - start, 1),
    }
    description = (
        f"{data_dir} ({len(split.items)} images, {figs['identities']} identities"
        + (f", fold {fold[0]}/{fold[1]}" if fold else "")
        + ")"
    )
    return Run(
        figs,
        searches,
        description,
        spec.algorithm,
        version,
        {"by_size": sizes, "cohort": cohort, "cohort_dir": cohort_dir},
    )


def _by_size(items, vectors, spec, version, cohort, gallery_size: int):
    """FPIR and the Threshold against Watchlist size: every templated image searched against
    every other person's images (`frt.eval.gallery_size`), scored as the protocol was."""
    pool = [it for it in items if vectors.get(it.key) is not None]
    if len({it.identity for it in pool}) < 2:
        return None
    matrix = np.stack([vectors[it.key] for it in pool])
    everyone = Gallery([it.key for it in pool], matrix, spec.algorithm, version, cohort=cohort)
    padded = padded_searches(
        [it.identity for it in pool],
        everyone.matrix,
        lambda rows: everyone.score_vectors(everyone.matrix[rows]),
    )
    return by_size(padded, FPIR_POINTS, extra_n=(gallery_size,))


def _cohort(
    cohort_dir, exclude, spec, version, cache_dir, workers, progress, top_k, raw_weight
) -> Cohort:
    from frt.engine.normalise import RAW_WEIGHT

    items = dataset.cohort_items(cohort_dir, exclude)
    results = template_items(items, spec, version, cache_dir, workers, "cohort", progress)
    rows = [r.template.vector for r in results.values() if r.template is not None]
    if not rows:
        raise ValueError(f"no usable cohort faces in {cohort_dir}")
    return Cohort(
        np.stack(rows),
        spec.algorithm,
        version,
        top_k=top_k,
        raw_weight=RAW_WEIGHT if raw_weight is None else raw_weight,
    )
