"""The Threshold for the Watchlist actually loaded: FPIR against Watchlist size N, on synthetic
templates whose answers are known."""

from __future__ import annotations

import itertools
import math

import numpy as np
import pytest

from frt.engine.template import unit
from frt.eval.gallery_size import (
    MIN_EXCEEDANCES,
    NonmatedTail,
    by_size,
    padded_searches,
    required_fmr,
    threshold_for_size,
)

pytestmark = pytest.mark.req("EVAL-01")


def _people(n_people=300, per_person=3, dim=32, spread=0.5, seed=0):
    """Identities with several noisy views of one random direction each."""
    rng = np.random.default_rng(seed)
    centres = unit(rng.normal(size=(n_people, dim)))
    ids, rows = [], []
    for p in range(n_people):
        for _ in range(per_person):
            ids.append(f"p{p}")
            rows.append(centres[p] + spread * rng.normal(size=dim) / math.sqrt(dim))
    return ids, unit(np.array(rows, dtype=np.float32))


def _padded(ids, vectors):
    return padded_searches(
        ids, vectors, lambda rows: (1 + vectors[rows] @ vectors.T) / 2, chunk=128
    )


def test_the_tail_counts_every_pair_of_different_people_once():
    ids, v = _people(40, 3)
    pad = _padded(ids, v)
    s = (1 + v @ v.T) / 2
    pairs = [s[i, j] for i, j in itertools.combinations(range(len(ids)), 2) if ids[i] != ids[j]]
    assert pad.tail.comparisons == len(pairs) == (120 * 119 - 40 * 3 * 2) // 2
    ordered = np.sort(pairs)[::-1]
    assert np.allclose(pad.tail.scores, ordered[pad.tail.counts - 1])
    assert (pad.pool_sizes == 117).all()


def test_the_threshold_rises_with_n_as_the_recorded_model_says():
    ids, v = _people()
    tail = _padded(ids, v).tail
    ordered = np.sort(tail.scores)[::-1]
    previous = -np.inf
    for n in (1, 3, 10, 30, 100, tail.max_n(0.01)):
        t = tail.threshold(n, 0.01)
        assert t is not None and t >= previous
        previous = t
        # the model's FPIR at that Threshold keeps the rule, and the Threshold is the one the
        # model says: at most floor(FMR(N) * comparisons) non-mated pairs at or above it
        assert tail.fpir(t, n) <= 0.01
        allowed = math.floor(required_fmr(n, 0.01) * tail.comparisons)
        assert tail.fmr(t) * tail.comparisons <= allowed
    assert tail.threshold(10, 0.01) > tail.threshold(1, 0.01)
    assert ordered[0] < 1.0


def test_the_model_agrees_with_fpir_measured_on_padded_galleries():
    ids, v = _people(400, 3, spread=0.6)
    pad = _padded(ids, v)
    report = by_size(pad, (0.01,), grid=(1, 10, 50, 200)).to_dict()
    rows = {r["n"]: r for r in report["table"]}
    assert set(rows) == {1, 10, 50, 200}
    for n, row in rows.items():
        measured, model = row["fpir_measured_at_0.01"], row["fpir_model_at_0.01"]
        assert model <= 0.01
        assert measured <= 0.0125  # the model errs on the safe side, within sampling noise
        assert measured == pytest.approx(model, abs=0.004)
    assert report["model"].startswith("independent comparisons")


def test_a_threshold_needs_enough_comparisons_and_larger_watchlists_are_refused():
    ids, v = _people(60, 2)
    pad = _padded(ids, v)
    tail = pad.tail
    largest = tail.max_n(0.001)
    assert largest >= 1
    assert tail.threshold(largest, 0.001) is not None
    assert tail.threshold(largest + 1, 0.001) is None
    assert required_fmr(largest, 0.001) * tail.comparisons >= MIN_EXCEEDANCES
    figures = {"by_gallery_size": by_size(pad, (0.001,)).to_dict()}
    t, why = threshold_for_size(figures, largest + 1, 0.001)
    assert t is None and f"at most {largest:,}" in why


def test_the_recorded_tail_round_trips_through_json():
    ids, v = _people(50, 2)
    tail = _padded(ids, v).tail
    again = NonmatedTail.from_dict(tail.to_dict())
    for n in (1, 5, 20):
        assert again.threshold(n, 0.01) == tail.threshold(n, 0.01)


def test_an_evaluation_without_the_model_covers_only_its_own_gallery_size():
    figures = {"gallery_size": 650, "threshold_at_fpir_0.001": 0.98}
    assert threshold_for_size(figures, 650, 0.001)[0] == 0.98
    t, why = threshold_for_size(figures, 651, 0.001)
    assert t is None and "re-run" in why
