"""False alerts against Watchlist size N: the Threshold for the Watchlist actually loaded.

The chance that a stranger alerts grows with the number of templates they are compared with
(004 §14.5: the False Alert Rate "is greatly affected by the number of subjects processed ... and
to a lesser extent, the size of the Watchlist"), so a Threshold measured on one gallery size does
not hold 1 in 1,000 (000 §6.2(3)) for a larger Watchlist. An evaluation therefore records what
sets the Threshold for any N:

- **The non-mated comparison tail.** Every templated image is compared with every image of every
  other person in the labelled set (each unordered pair once); the highest scores are kept as a
  table of (c, the c-th highest score). FMR(t) = share of those comparisons scoring >= t.
- **The model.** Comparisons of one face with different people are taken as independent, so a
  face compared with N templates alerts falsely with probability

      FPIR(t, N) = 1 - (1 - FMR(t)) ** N

  and the Threshold for N at a False Alert Rate a is the lowest t with FMR(t) <= 1-(1-a)**(1/N).
  Faces differ in how many people they resemble; for a fixed mean FMR that spread can only lower
  the true FPIR (1-(1-p)**N is concave in p, Jensen), so the model errs on the safe side.
- **The check.** The same data measures FPIR on galleries padded with other people's images to N
  (the exact expectation over random galleries of N drawn from everyone else's images, per
  search), at the model's Threshold for each N; the measured and modelled rates are both recorded.
- **Support.** A rate is only measured where some events are expected: a Threshold for N needs at
  least `MIN_EXCEEDANCES` non-mated comparisons above it (the rule of three that `frt eval
  threshold` already applies to searches). Larger N are refused, not extrapolated.

N counts Watchlist *images*: each is compared with every face (several images of one person count
as several, which errs on the safe side). Scores are those of the evaluation's scoring (raw or
cohort-normalised), which a Deployment must then use too.
"""

from __future__ import annotations

import logging
import math
from dataclasses import dataclass, field

import numpy as np
from scipy.special import gammaln

logger = logging.getLogger(__name__)

MIN_EXCEEDANCES = 3
MODEL = (
    "independent comparisons: FPIR(t, N) = 1 - (1 - FMR(t))^N, FMR from the non-mated "
    "comparison tail; checked against FPIR measured on padded galleries"
)
TOP_PER_SEARCH = 64  # per search, the highest non-mated scores kept for the padded-gallery check
TAIL_SHARE = 0.02  # the tail keeps FMR up to this (N = 1 at a False Alert Rate of 1 in 50)
TABLE_STEP = 1.05
N_GRID = (
    1,
    2,
    5,
    10,
    20,
    50,
    100,
    200,
    500,
    1000,
    2000,
    5000,
    10_000,
    20_000,
    50_000,
    100_000,
    200_000,
    500_000,
    1_000_000,
)


def required_fmr(n: int, fpir: float) -> float:
    """The per-comparison rate that gives `fpir` over `n` independent comparisons."""
    return -math.expm1(math.log1p(-fpir) / max(1, n))


@dataclass
class NonmatedTail:
    """The highest non-mated comparison scores: `scores[i]` is the `counts[i]`-th highest."""

    comparisons: int
    counts: np.ndarray
    scores: np.ndarray

    @classmethod
    def from_top(cls, top: np.ndarray, comparisons: int) -> "NonmatedTail":
        top = np.sort(np.asarray(top, dtype=np.float64))[::-1]
        steps, c = [], 1
        while c <= len(top):
            steps.append(c)
            c = c + 1 if c < 20 else max(c + 1, int(math.ceil(c * TABLE_STEP)))
        counts = np.array(steps, dtype=np.int64)
        return cls(int(comparisons), counts, top[counts - 1] if len(counts) else np.zeros(0))

    def supported(self, n: int, fpir: float) -> bool:
        return required_fmr(n, fpir) * self.comparisons >= MIN_EXCEEDANCES

    def max_n(self, fpir: float) -> int:
        """The largest N this tail sets a Threshold for at `fpir` (0 if none)."""
        if not self.supported(1, fpir):
            return 0
        lo, hi = 1, 1
        while self.supported(hi * 2, fpir) and hi < 10**9:
            hi *= 2
        lo, hi = hi, hi * 2
        while hi - lo > 1:
            mid = (lo + hi) // 2
            lo, hi = (mid, hi) if self.supported(mid, fpir) else (lo, mid)
        return lo

    def threshold(self, n: int, fpir: float) -> float | None:
        """The lowest score keeping FPIR(t, n) <= `fpir` under the model, or None if unsupported.
        Between table rows the higher score is taken (the safe side)."""
        if not self.supported(n, fpir):
            return None
        allowed = int(math.floor(required_fmr(n, fpir) * self.comparisons))
        row = np.nonzero(self.counts <= allowed + 1)[0][-1]  # a tail kept too short: higher
        return float(np.nextafter(self.scores[row], np.inf))

    def fmr(self, t: float) -> float:
        """Share of non-mated comparisons at or above `t` (an upper bound between table rows)."""
        above = np.nonzero(self.scores < t)[0]
        if not len(above):
            return float(self.counts[-1]) / self.comparisons if len(self.counts) else 1.0
        return float(self.counts[above[0]] - 1) / self.comparisons

    def fpir(self, t: float, n: int) -> float:
        return -math.expm1(n * math.log1p(-min(self.fmr(t), 1 - 1e-15)))

    def to_dict(self) -> dict:
        return {
            "comparisons": self.comparisons,
            "counts": [int(c) for c in self.counts],
            "scores": [float(s) for s in self.scores],
        }

    @classmethod
    def from_dict(cls, data: dict) -> "NonmatedTail":
        return cls(
            int(data["comparisons"]),
            np.asarray(data["counts"], dtype=np.int64),
            np.asarray(data["scores"], dtype=np.float64),
        )


@dataclass
class PaddedSearches:
    """Every image searched against everyone else's images (the pool), for the padded galleries:
    per search its highest non-mated scores and pool size; per mated search (its person's first
    image as the mate) the mate's score and how many non-mates beat it."""

    pool_sizes: np.ndarray  # per search: images of other people
    top: np.ndarray  # per search: highest non-mated scores, descending (-inf padded)
    mate_score: np.ndarray  # per mated search
    mate_beaten_by: np.ndarray  # per mated search: non-mated images scoring above the mate
    mate_pool: np.ndarray
    tail: NonmatedTail

    @property
    def searches(self) -> int:
        return len(self.pool_sizes)

    @property
    def max_measured_n(self) -> int:
        """Galleries up to half the smallest pool: every search has enough others to draw from."""
        return int(self.pool_sizes.min() // 2) if len(self.pool_sizes) else 0

    def fpir(self, t: float, n: int) -> float:
        """Expected FPIR over random galleries of `n` other people's images."""
        k = np.count_nonzero(self.top >= t, axis=1)
        return float(np.mean(1.0 - _none_drawn(self.pool_sizes, k, n)))

    def tpir(self, t: float, n: int) -> float:
        """Expected TPIR with the mate and `n - 1` random other people's images in the gallery."""
        if not len(self.mate_score):
            return 0.0
        first = _none_drawn(self.mate_pool, self.mate_beaten_by, n - 1)
        return float(np.mean((self.mate_score >= t) * first))


def _none_drawn(pool: np.ndarray, bad: np.ndarray, n: int) -> np.ndarray:
    """P(a random draw of n from `pool` items avoids all `bad` ones), elementwise."""
    pool, bad = pool.astype(np.float64), bad.astype(np.float64)
    if n <= 0:
        return np.ones_like(pool)
    ok = pool - bad >= n
    with np.errstate(invalid="ignore"):
        logp = (
            gammaln(pool - bad + 1)
            - gammaln(pool - bad - n + 1)
            - gammaln(pool + 1)
            + gammaln(pool - n + 1)
        )
    return np.where(ok, np.exp(np.where(ok, logp, 0.0)), 0.0)


def padded_searches(
    identities: list[str],
    vectors: np.ndarray,
    score,
    chunk: int = 256,
    tail_share: float = TAIL_SHARE,
) -> PaddedSearches:
    """Search every row of `vectors` against all rows of other identities; `score(rows, cols)`
    gives the (rows x all) score matrix for a slice of probes (the evaluation's scoring)."""
    ids = np.asarray(identities)
    _, code = np.unique(ids, return_inverse=True)
    n = len(ids)
    per_identity = np.bincount(code)
    pool_sizes = n - per_identity[code]
    comparisons = int((n * n - int((per_identity.astype(np.int64) ** 2).sum())) // 2)
    keep = max(MIN_EXCEEDANCES, int(math.ceil(tail_share * comparisons)))
    first = np.full(len(per_identity), -1)
    for i in range(n - 1, -1, -1):
        first[code[i]] = i
    top = np.full((n, min(TOP_PER_SEARCH, max(1, n))), -np.inf)
    mate_score, beaten, mate_pool = [], [], []
    tail, pending, held = np.zeros(0), [], 0
    for lo in range(0, n, chunk):
        rows = np.arange(lo, min(n, lo + chunk))
        s = np.asarray(score(rows), dtype=np.float64)
        own = code[rows][:, None] == code[None, :]
        mate_cols = first[code[rows]]
        mate = np.where(mate_cols != rows, s[np.arange(len(rows)), mate_cols], -np.inf)
        s[own] = -np.inf
        k = top.shape[1]
        part = -np.partition(-s, min(k, s.shape[1]) - 1, axis=1)[:, :k]
        top[rows, : part.shape[1]] = -np.sort(-part, axis=1)
        has = np.isfinite(mate)
        mate_score += list(mate[has])
        beaten += list(np.count_nonzero(s[has] > mate[has, None], axis=1))
        mate_pool += list(pool_sizes[rows[has]])
        upper = s[np.arange(n)[None, :] > rows[:, None]]  # each unordered pair once
        upper = upper[np.isfinite(upper)]
        pending.append(upper)
        held += len(upper)
        if held > 2 * keep:  # compact now and then, not every chunk
            tail = _keep_top(np.concatenate([tail, *pending]), keep)
            pending, held = [], 0
    tail = _keep_top(np.concatenate([tail, *pending]), keep)
    return PaddedSearches(
        pool_sizes,
        top,
        np.array(mate_score),
        np.array(beaten, dtype=np.int64),
        np.array(mate_pool, dtype=np.int64),
        NonmatedTail.from_top(tail, comparisons),
    )


def _keep_top(values: np.ndarray, keep: int) -> np.ndarray:
    if len(values) <= keep:
        return values
    return np.partition(values, len(values) - keep)[len(values) - keep :]


@dataclass
class BySize:
    """The figures recorded for a range of Watchlist sizes (JSON-ready via `to_dict`)."""

    padded: PaddedSearches
    fpir_points: tuple[float, ...]
    rows: list[dict] = field(default_factory=list)

    def to_dict(self) -> dict:
        tail = self.padded.tail
        return {
            "model": MODEL,
            "n_counts": "Watchlist images",
            "searches": self.padded.searches,
            "pool_images_min": int(self.padded.pool_sizes.min()) if self.padded.searches else 0,
            "measured_up_to_n": self.padded.max_measured_n,
            "min_exceedances": MIN_EXCEEDANCES,
            "max_n": {f"{p:g}": tail.max_n(p) for p in self.fpir_points},
            "table": self.rows,
            "nonmated_tail": tail.to_dict(),
        }


def by_size(
    padded: PaddedSearches, fpir_points=(0.001, 0.01), grid=N_GRID, extra_n: tuple[int, ...] = ()
) -> BySize:
    """Threshold, TPIR and the model's check at each N of `grid` the data supports."""
    out = BySize(padded, tuple(fpir_points))
    tail = padded.tail
    for n in sorted(set(grid) | set(extra_n)):
        row: dict = {"n": int(n)}
        for p in fpir_points:
            t = tail.threshold(n, p)
            if t is None:
                continue
            measured = n <= padded.max_measured_n
            row[f"threshold_at_fpir_{p:g}"] = t
            row[f"tpir_at_fpir_{p:g}"] = (
                padded.tpir(t, n) if measured else _model_tpir(padded, t, n)
            )
            row[f"fpir_model_at_{p:g}"] = tail.fpir(t, n)
            row[f"fpir_measured_at_{p:g}"] = padded.fpir(t, n) if measured else None
        if len(row) > 1:
            out.rows.append(row)
    return out


def _model_tpir(padded: PaddedSearches, t: float, n: int) -> float:
    """TPIR beyond the measured sizes: the mate must score >= t and beat n-1 independent others."""
    tail = padded.tail
    if not len(padded.mate_score):
        return 0.0
    return float(np.mean([(s >= t) * (1 - tail.fmr(s)) ** (n - 1) for s in padded.mate_score]))


def threshold_for_size(figures: dict, n: int, fpir: float) -> tuple[float | None, str]:
    """The Threshold an evaluation's recorded figures give for a Watchlist of `n` images at
    `fpir`, and how it was found; None (with the reason) when the evaluation cannot support n."""
    by = figures.get("by_gallery_size")
    if by and by.get("nonmated_tail"):
        tail = NonmatedTail.from_dict(by["nonmated_tail"])
        t = tail.threshold(n, fpir)
        if t is None:
            return None, (
                f"the evaluation's {tail.comparisons:,} non-mated comparisons set a "
                f"Threshold for at most {tail.max_n(fpir):,} Watchlist images at a "
                f"False Alert Rate of {fpir:g} (at least {MIN_EXCEEDANCES} false "
                f"matches must be expected to measure it); this Watchlist has {n:,}"
            )
        return t, f"for {n:,} Watchlist images by the recorded model ({MODEL.split(':')[0]})"
    gallery = int(figures.get("gallery_size") or 0)
    t = figures.get(f"threshold_at_fpir_{fpir:g}")
    if t is None:
        return None, f"the evaluation gives no Threshold for a False Alert Rate of {fpir:g}"
    if n > gallery:
        return None, (
            f"the evaluation measured a gallery of {gallery:,} and records no model "
            f"for larger ones; this Watchlist has {n:,} images: re-run `frt eval "
            "identify`"
        )
    return float(t), f"measured on a gallery of {gallery:,} (no smaller than this Watchlist)"
