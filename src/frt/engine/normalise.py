"""Score normalisation against a cohort: a fixed, consented set of other people's faces.

Some faces look like many people to a given network (dlib's descriptor, for example, places East
Asian faces closer together than others). A raw similarity threshold set for 1 false alert in
1,000 then lets those faces through first. Adaptive symmetric normalisation (AS-norm) corrects for
it: each template's similarity to the cohort is measured once — the mean and spread of its
`top_k` highest cohort similarities — and a comparison is scored by how far it stands above both
sides' typical cohort similarity:

    z = ((cos - mu_probe) / sigma_probe + (cos - mu_gallery) / sigma_gallery) / 2
    score = 1 / (1 + exp(-(z - Z_MID) / Z_SCALE))            in [0, 1], higher is closer

The cohort is configured by the force: faces of people on no list, held with their consent.
Never faces of passers-by. Its templates must be of the same algorithm and version.
"""

from __future__ import annotations

import logging
from typing import Sequence

import numpy as np

from frt.engine.compare import ensure_compatible
from frt.engine.template import Template, unit

logger = logging.getLogger(__name__)

TOP_K = 100
Z_MID = 3.0  # z of 3 (three cohort spreads above typical) maps to a score of 0.5
Z_SCALE = 1.0
MIN_COHORT = 50


class Cohort:
    """A normalisation cohort: unit template rows of one algorithm and version."""

    def __init__(self, matrix: np.ndarray, algorithm: str, version: str, top_k: int = TOP_K):
        matrix = unit(np.atleast_2d(matrix))
        if matrix.shape[0] < MIN_COHORT:
            raise ValueError(f"a cohort needs at least {MIN_COHORT} faces, got {matrix.shape[0]}")
        self.matrix = np.ascontiguousarray(matrix)
        self.kind = (algorithm, version)
        self.top_k = min(top_k, matrix.shape[0])

    @classmethod
    def from_templates(cls, templates: Sequence[Template], top_k: int = TOP_K) -> "Cohort":
        kind = templates[0].kind
        for t in templates:
            ensure_compatible(kind, t.kind)
        return cls(np.stack([t.vector for t in templates]), *kind, top_k=top_k)

    def __len__(self) -> int:
        return self.matrix.shape[0]

    def stats(self, vectors: np.ndarray, chunk: int = 4096) -> np.ndarray:
        """Per row of `vectors`: (mean, std) of its top-k cosine similarities to the cohort."""
        vectors = unit(np.atleast_2d(vectors))
        out = np.empty((len(vectors), 2), dtype=np.float32)
        for lo in range(0, len(vectors), chunk):
            sims = vectors[lo:lo + chunk] @ self.matrix.T
            top = -np.partition(-sims, self.top_k - 1, axis=1)[:, : self.top_k]
            out[lo:lo + chunk, 0] = top.mean(axis=1)
            out[lo:lo + chunk, 1] = np.maximum(top.std(axis=1), 1e-3)
        return out

    def score(self, cos: np.ndarray, probe_stats: np.ndarray, gallery_stats: np.ndarray) -> np.ndarray:
        """Normalised scores for a (probes x gallery) cosine matrix."""
        zp = (cos - probe_stats[:, :1]) / probe_stats[:, 1:]
        zg = (cos - gallery_stats[None, :, 0]) / gallery_stats[None, :, 1]
        z = (zp + zg) / 2.0
        return (1.0 / (1.0 + np.exp(-(z - Z_MID) / Z_SCALE))).astype(np.float32)
