"""Score normalisation against a cohort: a fixed, consented set of other people's faces.

Some faces look like many people to a given network (dlib's descriptor, for example, places East
Asian faces closer together than others). A raw similarity threshold set for 1 false alert in
1,000 then lets those faces through first. Adaptive symmetric normalisation (AS-norm) corrects for
it: each template's similarity to the cohort is measured once — the mean and spread of its
`top_k` highest cohort similarities — and a comparison is scored by how far it stands above both
sides' typical cohort similarity:

    z = ((cos - mu_probe) / sigma_probe + (cos - mu_gallery) / sigma_gallery) / 2
        + RAW_WEIGHT * (cos - RAW_CENTRE) / RAW_SPREAD
    score = 1 / (1 + exp(-(z - Z_MID) / Z_SCALE))            in [0, 1], higher is closer

The second line keeps part of the raw similarity in the score: normalisation alone over-corrects
a pair whose two faces both resemble many people. The weight was chosen by 2-fold
cross-validation by identity on a labelled set of 2,000 people (no one in their own cohort),
at the stable FPIR 0.01 point; it was not fitted to any image (bench/RESULTS.md).

The cohort is configured by the force: faces of people on no list, held with their consent.
Never faces of passers-by. Its templates must be of the same algorithm and version.
"""

from __future__ import annotations

import hashlib
import logging
from typing import Sequence

import numpy as np

from frt.engine.compare import ensure_compatible, product
from frt.engine.template import Template, unit

logger = logging.getLogger(__name__)

TOP_K = 100
RAW_WEIGHT = 4.0
RAW_CENTRE = 0.9  # a fixed offset: it moves every score alike, so it changes no ranking
RAW_SPREAD = 0.05
Z_MID = 5.0  # the fused z that maps to a score of 0.5
Z_SCALE = 2.0
MIN_COHORT = 50


class Cohort:
    """A normalisation cohort: unit template rows of one algorithm and version."""

    def __init__(
        self,
        matrix: np.ndarray,
        algorithm: str,
        version: str,
        top_k: int = TOP_K,
        raw_weight: float = RAW_WEIGHT,
    ):
        matrix = np.atleast_2d(np.asarray(matrix, dtype=np.float32))
        if not np.allclose(np.linalg.norm(matrix, axis=1), 1.0, atol=1e-5):
            matrix = unit(matrix)  # templates are unit already: kept bit for bit (the digest)
        if matrix.shape[0] < MIN_COHORT:
            raise ValueError(f"a cohort needs at least {MIN_COHORT} faces, got {matrix.shape[0]}")
        self.matrix = np.ascontiguousarray(matrix)
        self.kind = (algorithm, version)
        self.top_k = min(top_k, matrix.shape[0])
        self.raw_weight = raw_weight  # 0 = pure AS-norm

    @classmethod
    def from_templates(
        cls, templates: Sequence[Template], top_k: int = TOP_K, raw_weight: float = RAW_WEIGHT
    ) -> "Cohort":
        kind = templates[0].kind
        for t in templates:
            ensure_compatible(kind, t.kind)
        return cls(
            np.stack([t.vector for t in templates]), *kind, top_k=top_k, raw_weight=raw_weight
        )

    def __len__(self) -> int:
        return self.matrix.shape[0]

    @property
    def digest(self) -> str:
        """Names this cohort's templates (SHA-256 of the rows, in order): an evaluation records it
        and a Deployment scores only with the cohort its Threshold was set with."""
        data = np.ascontiguousarray(self.matrix, dtype="<f4").tobytes()
        return hashlib.sha256("/".join(self.kind).encode() + b"\0" + data).hexdigest()[:16]

    @property
    def parameters(self) -> dict:
        """What the scoring depends on besides the templates (recorded with an evaluation)."""
        return {
            "top_k": self.top_k,
            "raw_weight": self.raw_weight,
            "digest": self.digest,
            "size": len(self),
        }

    def stats(self, vectors: np.ndarray, chunk: int = 4096) -> np.ndarray:
        """Per row of `vectors`: (mean, std) of its top-k cosine similarities to the cohort."""
        vectors = unit(np.atleast_2d(vectors))
        out = np.empty((len(vectors), 2), dtype=np.float32)
        for lo in range(0, len(vectors), chunk):
            sims = product(vectors[lo : lo + chunk], self.matrix)  # one face: on this thread
            top = -np.partition(-sims, self.top_k - 1, axis=1)[:, : self.top_k]
            out[lo : lo + chunk, 0] = top.mean(axis=1)
            out[lo : lo + chunk, 1] = np.maximum(top.std(axis=1), 1e-3)
        return out

    def score(
        self, cos: np.ndarray, probe_stats: np.ndarray, gallery_stats: np.ndarray
    ) -> np.ndarray:
        """Normalised scores for a (probes x gallery) cosine matrix."""
        zp = (cos - probe_stats[:, :1]) / probe_stats[:, 1:]
        zg = (cos - gallery_stats[None, :, 0]) / gallery_stats[None, :, 1]
        z = (zp + zg) / 2.0 + self.raw_weight * (cos - RAW_CENTRE) / RAW_SPREAD
        return (1.0 / (1.0 + np.exp(-(z - Z_MID) / Z_SCALE))).astype(np.float32)
