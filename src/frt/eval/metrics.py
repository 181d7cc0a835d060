"""Open-set identification figures: TPIR and FPIR against threshold, ranks, failures.

- FPIR(t): share of non-mated searches whose best score is at least t.
- TPIR(t): share of mated searches whose best candidate is the right identity with score >= t.
- An image that could not be templated is a miss in a mated search and no alert in a non-mated
  one; a gallery image that could not be templated makes its identity's mated searches misses.
"""

from __future__ import annotations

import logging
import math
from dataclasses import dataclass
from typing import Callable

import numpy as np

from frt.eval.dataset import Split

logger = logging.getLogger(__name__)

FPIR_POINTS = (0.001, 0.01)
NO_SCORE = -np.inf
ScoreFn = Callable[[np.ndarray], np.ndarray]  # probe rows -> (probes x gallery) scores


@dataclass
class Searches:
    """Per-search outcomes, kept so groups and plots can be computed from the same run."""

    mated_identity: np.ndarray  # identity of each mated search
    mated_score: np.ndarray  # the mate's score (NO_SCORE if none)
    mated_rank: np.ndarray  # rank of the mate (large if none)
    nonmated_identity: np.ndarray  # identity of each non-mated search's probe
    nonmated_score: np.ndarray  # best score with the probe's identity absent


def run_searches(
    split: Split, vectors: dict[str, np.ndarray | None], score: ScoreFn, chunk: int = 1024
) -> Searches:
    """Search every probe of the protocol against the templated gallery."""
    present = {key: v for key, v in vectors.items() if v is not None}
    gallery = [(it.identity, present.get(it.key)) for it in split.gallery]
    g_ids = [name for name, v in gallery if v is not None]
    column = {name: j for j, name in enumerate(g_ids)}
    probes = split.mated + split.singletons
    ok = [i for i, it in enumerate(probes) if it.key in present]
    n = len(probes)
    mate_score = np.full(n, NO_SCORE)
    mate_rank = np.full(n, 1 << 30)
    nonmate = np.full(n, NO_SCORE)
    if g_ids and ok:
        for lo in range(0, len(ok), chunk):
            rows = ok[lo : lo + chunk]
            s = score(np.stack([present[probes[i].key] for i in rows]))
            _record(
                s, [probes[i].identity for i in rows], rows, column, mate_score, mate_rank, nonmate
            )
    m = len(split.mated)
    identities = np.array([it.identity for it in probes])
    return Searches(identities[:m], mate_score[:m], mate_rank[:m], identities, nonmate)


def _record(s, identities, rows, column, mate_score, mate_rank, nonmate):
    for r, (row, name) in enumerate(zip(rows, identities)):
        j = column.get(name)
        scores = s[r]
        if j is None:
            nonmate[row] = scores.max()
            continue
        mate = scores[j]
        mate_score[row] = mate
        mate_rank[row] = 1 + int(np.count_nonzero(scores > mate))
        others = scores.copy()
        others[j] = NO_SCORE
        nonmate[row] = others.max() if len(others) > 1 else NO_SCORE


def threshold_at(nonmated: np.ndarray, fpir: float) -> float:
    """The lowest threshold whose FPIR is at most `fpir` (ties fall on the safe side)."""
    ordered = np.sort(nonmated)[::-1]
    allowed = int(math.floor(fpir * len(ordered)))
    if allowed >= len(ordered) or not np.isfinite(ordered[allowed]):
        return (
            float(np.nextafter(ordered[ordered > NO_SCORE].min(), -np.inf))
            if np.isfinite(ordered).any()
            else 0.0
        )
    return float(np.nextafter(ordered[allowed], np.inf))


def tpir(searches: Searches, t: float) -> float:
    hits = (searches.mated_rank == 1) & (searches.mated_score >= t)
    return float(hits.mean()) if len(hits) else 0.0


def fpir(searches: Searches, t: float) -> float:
    return float((searches.nonmated_score >= t).mean()) if len(searches.nonmated_score) else 0.0


def figures(searches: Searches) -> dict:
    """The headline figures of an identification run (JSON-ready)."""
    ranks = searches.mated_rank
    out = {
        "mated_searches": int(len(ranks)),
        "nonmated_searches": int(len(searches.nonmated_score)),
        "rank1": float((ranks <= 1).mean()) if len(ranks) else 0.0,
        "rank10": float((ranks <= 10).mean()) if len(ranks) else 0.0,
        "rank50": float((ranks <= 50).mean()) if len(ranks) else 0.0,
    }
    for point in FPIR_POINTS:
        t = threshold_at(searches.nonmated_score, point)
        out[f"tpir_at_fpir_{point:g}"] = tpir(searches, t)
        out[f"threshold_at_fpir_{point:g}"] = t
        out[f"fpir_achieved_at_{point:g}"] = fpir(searches, t)
    return out


def hit_rate(searches: Searches, rank: int) -> float:
    """Share of mated searches whose mate is among the `rank` best candidates (no threshold)."""
    ranks = searches.mated_rank
    return float((ranks <= rank).mean()) if len(ranks) else 0.0


def candidate_figures(searches: Searches, candidates: int) -> dict:
    """Investigation mode (NIST FRTE 1:N style): a candidate list of `candidates` names, read by
    a person (RFR 1.10(7)). Hit rate at rank 1, 10 and `candidates`, and the False Negative
    Identification Rate at rank `candidates` with no threshold: the share of mated searches whose
    mate is not on the list at all."""
    if candidates < 1:
        raise ValueError("a candidate list holds at least one candidate")
    at_n = hit_rate(searches, candidates)
    return {
        "candidates": candidates,
        "hit_rate_rank1": hit_rate(searches, 1),
        "hit_rate_rank10": hit_rate(searches, min(10, candidates)),
        f"hit_rate_rank{candidates}": at_n,
        f"fnir_at_rank{candidates}": 1.0 - at_n,
    }


def det_curve(searches: Searches, points: int = 400) -> tuple[np.ndarray, np.ndarray]:
    """(FPIR, FNIR) pairs over thresholds spanning the non-mated scores."""
    finite = searches.nonmated_score[np.isfinite(searches.nonmated_score)]
    if not len(finite):
        return np.array([]), np.array([])
    thresholds = np.unique(np.quantile(finite, np.linspace(0, 1, points)))
    hit_scores = np.where(searches.mated_rank == 1, searches.mated_score, NO_SCORE)
    nm_sorted, hit_sorted = np.sort(searches.nonmated_score), np.sort(hit_scores)
    fp = 1 - np.searchsorted(nm_sorted, thresholds, side="left") / len(nm_sorted)
    tp = 1 - np.searchsorted(hit_sorted, thresholds, side="left") / max(1, len(hit_sorted))
    return fp, 1 - tp


def det_points(searches: Searches, points: int = 120) -> dict:
    """The DET curve as recorded with an evaluation (JSON-ready, at most `points` pairs), so the
    evaluations page can draw it (EVAL-02; issue 12, item 12)."""
    fp, fn = det_curve(searches, points)
    return {"fpir": [float(x) for x in fp], "fnir": [float(y) for y in fn]}
