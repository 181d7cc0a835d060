"""Equitability (EVAL-02): TPIR and FPIR per group, 95% confidence intervals, significance.

Groups come from a CSV of `identity,group` (perceived demographic labels where the test data
carries them). Rates are taken at the run's overall thresholds — the one threshold an operation
would use — so a difference between groups is a difference the public would meet.

- Confidence intervals: Wilson score intervals (sound for rates near 0, such as FPIR).
- Significance: Fisher's exact test of each group against all others (counts are small at
  1-in-1,000 rates), and a chi-square test across all groups together.
"""

from __future__ import annotations

import csv
import logging
import math
from pathlib import Path

import numpy as np

from frt.eval.metrics import Searches, threshold_at

logger = logging.getLogger(__name__)

Z95 = 1.959963984540054
SIGNIFICANCE = 0.05


def load_groups(path: str | Path) -> dict[str, str]:
    """identity -> group from a CSV with columns identity,group (a header row is allowed)."""
    out: dict[str, str] = {}
    with open(path, newline="") as f:
        for row in csv.reader(f):
            if len(row) < 2 or row[0].strip().lower() == "identity":
                continue
            out[row[0].strip()] = row[1].strip()
    return out


def wilson(successes: int, n: int, z: float = Z95) -> tuple[float, float]:
    if n == 0:
        return (0.0, 1.0)
    p = successes / n
    denom = 1 + z * z / n
    centre = (p + z * z / (2 * n)) / denom
    half = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / denom
    return (max(0.0, centre - half), min(1.0, centre + half))


def _rate(successes: int, n: int) -> dict:
    low, high = wilson(successes, n)
    return {
        "rate": successes / n if n else None,
        "count": int(successes),
        "n": int(n),
        "ci95": [low, high],
    }


def _tests(counts: dict[str, tuple[int, int]]) -> dict:
    """Each group against the rest (Fisher), and all groups together (chi-square)."""
    from scipy.stats import chi2_contingency, fisher_exact

    total_k = sum(k for k, _ in counts.values())
    total_n = sum(n for _, n in counts.values())
    versus_rest = {}
    for group, (k, n) in counts.items():
        rest_k, rest_n = total_k - k, total_n - n
        if n == 0 or rest_n == 0:
            continue
        _, p = fisher_exact([[k, n - k], [rest_k, rest_n - rest_k]])
        versus_rest[group] = {"p_value": float(p), "significant": bool(p < SIGNIFICANCE)}
    table = np.array([[k, n - k] for k, n in counts.values() if n > 0])
    overall = None
    if len(table) >= 2 and table[:, 0].sum() > 0 and table[:, 1].sum() > 0:
        _, p, _, _ = chi2_contingency(table)
        overall = {"test": "chi-square", "p_value": float(p), "significant": bool(p < SIGNIFICANCE)}
    return {"versus_rest_fisher": versus_rest, "all_groups": overall}


def group_figures(searches: Searches, groups: dict[str, str], fpir: float = 0.001) -> dict:
    """Per-group TPIR and FPIR at the overall threshold for `fpir`."""
    t = threshold_at(searches.nonmated_score, fpir)
    hits = (searches.mated_rank == 1) & (searches.mated_score >= t)
    alerts = searches.nonmated_score >= t
    m_group = np.array([groups.get(i, "unlabelled") for i in searches.mated_identity])
    n_group = np.array([groups.get(i, "unlabelled") for i in searches.nonmated_identity])
    names = sorted(set(m_group) | set(n_group))
    tp = {g: (int(hits[m_group == g].sum()), int((m_group == g).sum())) for g in names}
    fp = {g: (int(alerts[n_group == g].sum()), int((n_group == g).sum())) for g in names}
    return {
        "threshold": t,
        "at_fpir": fpir,
        "groups": {g: {"tpir": _rate(*tp[g]), "fpir": _rate(*fp[g])} for g in names},
        "tpir_difference": _tests(tp),
        "fpir_difference": _tests(fp),
    }
