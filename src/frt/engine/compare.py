"""Comparing templates: the similarity score, and exact 1:N search of a gallery.

**The score.** For two templates of the same algorithm and version, with unit vectors a and b,

    similarity = (1 + cos(a, b)) / 2        in [0, 1]; 1 = identical, 0.5 = unrelated directions.

For dlib's descriptor, whose usual "same person" rule is a Euclidean distance below 0.6 between
its raw vectors, 0.6 corresponds to a similarity of about 0.91. When a `Cohort`
(`frt.engine.normalise`) is given, the score is instead the cohort-normalised score described
there — also in [0, 1], higher is closer, but on its own scale: a threshold is only meaningful for
the scoring it was set with, which is why it is recorded with the evaluation (EVAL-01).

Templates of different algorithms or versions are never compared: `IncompatibleTemplates`.

**Search.** `Gallery` keeps ids and one float32 matrix and searches exactly (every template is
scored) with one BLAS matrix-vector product. Measured in bench/RESULTS.md: at 1,000,000
templates a probe costs about 30 ms of CPU, spread by OpenBLAS over both cores; faiss and usearch
HNSW indexes are faster per probe but approximate, slow to build and larger in memory, so
watchlists and libraries alike use exact search.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import TYPE_CHECKING, Sequence, overload

import numpy as np

from frt.engine.errors import IncompatibleTemplates
from frt.engine.template import Template, unit

if TYPE_CHECKING:
    from frt.engine.normalise import Cohort

logger = logging.getLogger(__name__)


def ensure_compatible(kind: tuple[str, str], other: tuple[str, str]) -> None:
    if kind != other:
        raise IncompatibleTemplates(
            f"templates of {kind[0]} {kind[1]} cannot be compared with {other[0]} {other[1]}"
        )


@overload
def cosine_to_score(cos: np.ndarray) -> np.ndarray: ...
@overload
def cosine_to_score(cos: float) -> float: ...
def cosine_to_score(cos):
    return np.clip((1.0 + np.asarray(cos, dtype=np.float32)) / 2.0, 0.0, 1.0)


def similarity(a: Template, b: Template, cohort: "Cohort | None" = None) -> float:
    """The documented score in [0, 1] between two templates (see the module docstring)."""
    ensure_compatible(a.kind, b.kind)
    if a.dim != b.dim:
        raise IncompatibleTemplates(f"template sizes differ: {a.dim} and {b.dim}")
    cos = float(np.dot(unit(a.vector), unit(b.vector)))
    if cohort is None:
        return float(cosine_to_score(cos))
    ensure_compatible(cohort.kind, a.kind)
    stats_a, stats_b = cohort.stats(a.vector[None]), cohort.stats(b.vector[None])
    return float(cohort.score(np.array([[cos]]), stats_a, stats_b)[0, 0])


@dataclass(frozen=True)
class Candidate:
    id: str
    score: float
    rank: int  # 1 = best


class Gallery:
    """An in-memory, exactly searched set of templates (a watchlist or an image library)."""

    def __init__(
        self,
        ids: Sequence[str],
        matrix: np.ndarray,
        algorithm: str,
        version: str,
        cohort: "Cohort | None" = None,
    ):
        matrix = (
            unit(np.atleast_2d(np.asarray(matrix, dtype=np.float32)))
            if len(ids)
            else np.zeros((0, matrix.shape[1] if np.ndim(matrix) == 2 else 0), np.float32)
        )
        if len(ids) != matrix.shape[0]:
            raise ValueError("one id per template row is needed")
        self.ids = list(ids)
        self.matrix = np.ascontiguousarray(matrix)
        self.kind = (algorithm, version)
        self.cohort = cohort
        self._stats = None
        if cohort is not None:
            ensure_compatible(cohort.kind, self.kind)
            self._stats = cohort.stats(self.matrix)

    @classmethod
    def from_templates(
        cls,
        ids: Sequence[str],
        templates: Sequence[Template],
        cohort: "Cohort | None" = None,
        **kwargs,
    ) -> "Gallery":
        if not templates:
            raise ValueError("a gallery needs at least one template")
        kind = templates[0].kind
        for t in templates:
            ensure_compatible(kind, t.kind)
        return cls(ids, np.stack([t.vector for t in templates]), *kind, cohort=cohort, **kwargs)

    def __len__(self) -> int:
        return len(self.ids)

    def scores(self, probe: Template) -> np.ndarray:
        """The score of `probe` against every template, in gallery order."""
        ensure_compatible(self.kind, probe.kind)
        return self.score_vectors(unit(probe.vector)[None])[0]

    def score_vectors(self, probes: np.ndarray) -> np.ndarray:
        """Scores for a batch of unit probe vectors (rows) of this gallery's kind."""
        cos = product(np.asarray(probes, dtype=np.float32), self.matrix)
        if self.cohort is None or self._stats is None:
            return np.asarray(cosine_to_score(cos))
        return self.cohort.score(cos, self.cohort.stats(probes), self._stats)

    def search(self, probe: Template, k: int = 1) -> list[Candidate]:
        """The `k` best-scoring gallery entries, best first."""
        ensure_compatible(self.kind, probe.kind)
        if not self.ids:
            return []
        q = unit(probe.vector)
        if self.cohort is not None:
            return self._top(self.score_vectors(q[None])[0], k)
        # One BLAS matrix-vector product: OpenBLAS spreads it over the cores itself. Splitting
        # it over Python threads as well oversubscribed the CPU (bench/RESULTS.md, matching).
        cos_all = self.matrix @ q
        idx = _top_indices(cos_all, k)
        cos = cos_all[idx]
        return [
            Candidate(self.ids[i], float(cosine_to_score(c)), r + 1)
            for r, (i, c) in enumerate(zip(idx, cos))
        ]

    def _top(self, scores: np.ndarray, k: int) -> list[Candidate]:
        idx = _top_indices(scores, k)
        return [Candidate(self.ids[i], float(scores[i]), r + 1) for r, i in enumerate(idx)]


SMALL_ROWS, SMALL_GALLERY = 4, 200_000


def product(rows: np.ndarray, matrix: np.ndarray) -> np.ndarray:
    """rows @ matrix.T. A live face (a row or two against a watchlist) is multiplied on this
    thread: a threaded BLAS call woke its second thread for a few microseconds of work and, on a
    loaded 2-core machine whose cores the recognition workers hold, waited milliseconds for it
    (bench/bench_live_scoring.py). Batches and whole libraries keep BLAS."""
    if len(rows) <= SMALL_ROWS and len(matrix) <= SMALL_GALLERY:
        return np.einsum("ij,kj->ik", rows, matrix)
    return rows @ matrix.T


def _top_indices(values: np.ndarray, k: int) -> np.ndarray:
    k = min(k, len(values))
    if k == 1:
        return np.array([int(np.argmax(values))])
    part = np.argpartition(-values, k - 1)[:k]
    return part[np.argsort(-values[part], kind="stable")]
