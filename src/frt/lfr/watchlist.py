"""The watchlist as the live pipeline holds it: templates in memory, searched exactly (LIVE-02).

Each row is one watchlist *image*; several rows may belong to one subject. A row's threshold is
the Deployment's Threshold, or higher where that image's threshold was raised (WL-09,
SOP 6.2(3)); a probe alerts on the best-scoring row at or above its own threshold. The
operational watchlist and the blue watchlist of consenting staff (WL-08) are kept as two
`LiveWatchlist`s so their alerts never mix.

A probe is scored exactly as the evaluation that set the Threshold scored its searches: by
`Gallery.score_vectors`, with the same cohort when that evaluation normalised its scores
(`frt.lfr.scoring`). The cohort costs one matrix product per probe (its templates x 128) and a
partial sort; the Watchlist side's cohort statistics are computed once, when it is loaded.

`enrol_folder` builds one from `<identity>/<images>` for benchmarks only: no governance, never
used by a Deployment.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from frt.engine.compare import Gallery
from frt.engine.normalise import Cohort
from frt.engine.template import Template, unit

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class WatchlistRow:
    entry_id: str  # the watchlist image
    subject_id: str  # the person (several images may share one)
    template: Template
    threshold_raise: float | None = None  # WL-09: this image alerts only at or above this
    category: str = ""
    markers: tuple[str, ...] = ()


@dataclass(frozen=True)
class Match:
    entry_id: str
    subject_id: str
    score: float
    threshold: float
    category: str = ""
    markers: tuple[str, ...] = ()


@dataclass(eq=False)
class LiveWatchlist:
    rows: list[WatchlistRow]
    threshold: float
    blue: bool = False
    cohort: Cohort | None = None  # the evaluation's score-normalisation cohort, if it used one
    _gallery: Gallery | None = field(default=None, repr=False)
    _row_thresholds: np.ndarray | None = field(default=None, repr=False)

    def __post_init__(self):
        if not 0.0 < self.threshold <= 1.0:
            raise ValueError("a Threshold is a score in (0, 1]")
        if self.rows:
            templates = [r.template for r in self.rows]
            self._gallery = Gallery.from_templates(
                [r.entry_id for r in self.rows], templates, cohort=self.cohort
            )
            self._row_thresholds = np.array(
                [max(self.threshold, r.threshold_raise or 0.0) for r in self.rows], np.float32
            )

    def __len__(self) -> int:
        return len(self.rows)

    @property
    def kind(self) -> tuple[str, str] | None:
        return self._gallery.kind if self._gallery is not None else None

    def match(self, vector: np.ndarray) -> Match | None:
        """The best row at or above its threshold for one unit probe vector, or None."""
        return self.compare(vector)[0]

    def compare(self, vector: np.ndarray) -> tuple[Match | None, str | None, float]:
        """(the Match or None, the best-scoring subject, its score) for one probe vector. The
        best candidate of a probe that does not alert is for benchmarks only (`frt bench live`)."""
        if self._gallery is None or self._row_thresholds is None:
            return None, None, float("-inf")
        scores = self.scores(vector)
        best = int(np.argmax(scores))
        passing = scores >= self._row_thresholds
        if not passing.any():
            return None, self.rows[best].subject_id, float(scores[best])
        i = int(np.argmax(np.where(passing, scores, -1.0)))
        row = self.rows[i]
        match = Match(
            row.entry_id,
            row.subject_id,
            float(scores[i]),
            float(self._row_thresholds[i]),
            row.category,
            row.markers,
        )
        return match, self.rows[best].subject_id, float(scores[best])

    def scores(self, vector: np.ndarray) -> np.ndarray:
        """Every row's score for one probe vector: the evaluation's scoring (raw or cohort)."""
        if self._gallery is None:
            return np.zeros(0, np.float32)
        return self._gallery.score_vectors(unit(vector)[None])[0]

    def subjects(self) -> set[str]:
        return {r.subject_id for r in self.rows}

    def wipe(self) -> None:
        """Overwrite the templates in memory (the Deployment has ended: DATA-02, DATA-08)."""
        if self._gallery is not None:
            self._gallery.matrix.fill(0)
            if self._gallery._stats is not None:
                self._gallery._stats.fill(0)
        if self.cohort is not None:
            self.cohort.matrix.fill(0)
        for r in self.rows:
            if r.template.vector.flags.writeable:
                r.template.vector.fill(0)
        self.rows, self._gallery = [], None


def enrol_folder(
    folder: str | Path,
    threshold: float,
    algorithm: str = "dlib-resnet",
    options: dict | None = None,
    cache_dir: Path | None = None,
    workers: int | None = None,
    cohort: Cohort | None = None,
) -> tuple[LiveWatchlist, list[str]]:
    """A benchmark watchlist from `<identity>/<images>`; returns it and the images refused.
    Templated on every core through the evaluation's template cache (evaluation data only)."""
    from frt.engine.enrol import EngineSpec
    from frt.eval import dataset
    from frt.eval.runner import template_items

    spec = EngineSpec(detector="thorough", algorithm=algorithm, algorithm_options=options or {})
    version = spec.build()[1].version
    items = [
        dataset.Item(name, path) for name, paths in dataset.scan(folder).items() for path in paths
    ]
    results = template_items(items, spec, version, cache_dir, workers, "watchlist", False)
    rows, refused = [], []
    for item in items:
        result = results[item.key]
        if result.template is None:
            refused.append(f"{item.key}: {result.reason}")
            continue
        rows.append(WatchlistRow(item.key, item.identity, result.template))
    if not rows:
        raise ValueError(f"no face could be enrolled from {folder}")
    return LiveWatchlist(rows, threshold, cohort=cohort), refused
