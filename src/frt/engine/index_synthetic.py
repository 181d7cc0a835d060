"""Synthetic face templates that are spread like real ones, for benchmarks and tests of indexes.

Uniform random unit vectors are a poor stand-in for face templates: real templates crowd into a
narrow cone (the average cosine between two *different* people's dlib templates is 0.84, not 0)
of low intrinsic dimension, with identities as clusters inside it. An approximate index tuned on
uniform vectors would look better or worse than it is. This module draws a library of
identities (cluster centres) with several images each (per-image noise around the centre) from
a model fitted to dlib-resnet `1-flip-zoom` templates of ../shared/testdata/faces (4,880 photos
of 2,000 people, read only to measure these aggregate statistics; no template, image or
per-image value of it is kept in the project):

| statistic                                      | real (4,880 images) | model (4,880, seeds 0-2) |
|------------------------------------------------|--------------------:|-------------------------:|
| dimensions holding the variance                | 76 of 128           | 76                       |
| mated cosine, mean / sd                        | 0.961 / 0.015       | 0.961 / 0.016            |
| non-mated cosine, mean / sd                    | 0.840 / 0.034       | 0.842 / 0.042            |
| non-mated cosine, quantile 0.999 / 0.99999     | 0.930 / 0.958       | 0.932 / 0.951            |
| median cosine to a template's 1st / 10th / 50th nearest other person | 0.934 / 0.920 / 0.908 | 0.933 / 0.921 / 0.910 |

(The real folder has 2,000 people; the model's counts come from its own geometric layout.)

Model: a mean direction of length 0.917; identity centres add a Gaussian in a random 76-d
subspace with power-law variances ((i + 6)^-1.645, total 0.120); each image adds Gaussian noise
in the same subspace, differently oriented, with exponentially decaying variances
(e^(-0.0244 i), total 0.039); identities and images get log-normal scale spreads (sd 0.10 and
0.25), which give the real data's heavier tails; vectors are then scaled to unit length.
Images per identity: geometric, mean 2 (custody collections hold most people once or twice).

Everything is deterministic in `seed` and generated in chunks, so a 10M-template library never
has to be held as float32 (5.1 GB) by the benchmark.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property
from typing import Iterator

import numpy as np

DIM = 128
ACTIVE = 76
MEAN_NORM = 0.917
BETWEEN_TOTAL, BETWEEN_OFFSET, BETWEEN_POWER = 0.1202, 6.0, 1.645
WITHIN_TOTAL, WITHIN_DECAY = 0.0393, 0.0244
IDENTITY_SPREAD, IMAGE_SPREAD = 0.10, 0.25
MEAN_IMAGES_PER_IDENTITY = 2.0
MAX_IMAGES_PER_IDENTITY = 20
CHUNK = 100_000


@dataclass(frozen=True)
class SyntheticLibrary:
    """`size` templates with ids 0..size-1, identities laid out chunk by chunk."""

    size: int
    seed: int = 0
    chunk: int = CHUNK

    @cached_property
    def _model(self) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
        rng = np.random.default_rng([self.seed, 7])
        q, _ = np.linalg.qr(rng.standard_normal((DIM, DIM)))
        mean = (q[:, ACTIVE] * MEAN_NORM).astype(np.float32)
        basis = q[:, :ACTIVE]
        i = np.arange(ACTIVE, dtype=np.float64)
        between = (i + BETWEEN_OFFSET) ** -BETWEEN_POWER
        between *= BETWEEN_TOTAL / between.sum()
        within = np.exp(-WITHIN_DECAY * i)
        within *= WITHIN_TOTAL / within.sum()
        turn, _ = np.linalg.qr(rng.standard_normal((ACTIVE, ACTIVE)))
        # Row-vector maps from the 76 coefficients to the 128-d template space.
        centre_map = (np.sqrt(between)[:, None] * basis.T).astype(np.float32)
        noise_map = (np.sqrt(within)[:, None] * (basis @ turn).T).astype(np.float32)
        return mean, centre_map, noise_map, between, within

    def _centres(self, rng: np.random.Generator, n: int) -> np.ndarray:
        mean, centre_map, *_ = self._model
        scale = np.exp(rng.normal(0.0, IDENTITY_SPREAD, n) - IDENTITY_SPREAD**2).astype(np.float32)
        z = rng.standard_normal((n, ACTIVE), dtype=np.float32) * scale[:, None]
        return mean + z @ centre_map

    def _images(self, rng: np.random.Generator, centres: np.ndarray) -> np.ndarray:
        noise_map = self._model[2]
        n = len(centres)
        scale = np.exp(rng.normal(0.0, IMAGE_SPREAD, n) - IMAGE_SPREAD**2).astype(np.float32)
        e = rng.standard_normal((n, ACTIVE), dtype=np.float32) * scale[:, None]
        x = centres + e @ noise_map
        x /= np.linalg.norm(x, axis=1, keepdims=True)
        return x

    def _layout(self, c: int) -> tuple[int, np.ndarray]:
        """(size of chunk c, identity index within the chunk of each of its images)."""
        n = min(self.chunk, self.size - c * self.chunk)
        rng = np.random.default_rng([self.seed, c, 0])
        counts = np.minimum(rng.geometric(1 / MEAN_IMAGES_PER_IDENTITY, n), MAX_IMAGES_PER_IDENTITY)
        owner = np.repeat(np.arange(n), counts)[:n]
        return n, owner

    @property
    def n_chunks(self) -> int:
        return -(-self.size // self.chunk)

    def chunk_at(self, c: int) -> tuple[np.ndarray, np.ndarray]:
        """(ids, unit float32 vectors) of chunk c."""
        n, owner = self._layout(c)
        centres = self._centres(np.random.default_rng([self.seed, c, 1]), int(owner[-1]) + 1)
        vectors = self._images(np.random.default_rng([self.seed, c, 2]), centres[owner])
        ids = np.arange(c * self.chunk, c * self.chunk + n, dtype=np.int64)
        return ids, vectors

    def chunks(self) -> Iterator[tuple[np.ndarray, np.ndarray]]:
        for c in range(self.n_chunks):
            yield self.chunk_at(c)

    def probes(
        self, n: int, mated_fraction: float = 0.5, seed: int = 1
    ) -> tuple[np.ndarray, np.ndarray]:
        """(unit vectors, identity flags): new images of library identities (mated searches,
        flag True) and of people not in the library (flag False)."""
        rng = np.random.default_rng([self.seed, 10_000 + seed])
        mated = rng.random(n) < mated_fraction
        centres = self._centres(rng, n)  # people who are not in the library
        for i in np.flatnonzero(mated):
            c = int(rng.integers(self.n_chunks))
            _, owner = self._layout(c)
            all_centres = self._centres(
                np.random.default_rng([self.seed, c, 1]), int(owner[-1]) + 1
            )
            centres[i] = all_centres[rng.integers(len(all_centres))]
        return self._images(rng, centres), mated
