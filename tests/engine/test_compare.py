"""Comparison: the score's range and direction, exact top-k search, cohort normalisation."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from frt.engine.compare import Gallery, similarity
from frt.engine.errors import IncompatibleTemplates
from frt.engine.normalise import Cohort
from frt.engine.template import Template, unit

KIND = ("synthetic", "1")


def _templates(n: int, dim: int = 32, seed: int = 0) -> np.ndarray:
    return unit(np.random.default_rng(seed).normal(size=(n, dim)))


def _t(vec) -> Template:
    return Template(np.asarray(vec, np.float32), *KIND)


vectors = arrays(np.float32, 8, elements=st.floats(-10, 10, width=32)).filter(
    lambda v: np.linalg.norm(v) > 1e-3
)


@settings(max_examples=60, deadline=None)
@given(vectors, vectors)
def test_similarity_is_symmetric_and_in_zero_to_one(a, b):
    s = similarity(_t(a), _t(b))
    assert 0.0 <= s <= 1.0
    assert s == pytest.approx(similarity(_t(b), _t(a)), abs=1e-6)


def test_identical_templates_score_one_and_opposite_zero():
    v = _templates(1)[0]
    assert similarity(_t(v), _t(v)) == pytest.approx(1.0, abs=1e-6)
    assert similarity(_t(v), _t(-v)) == pytest.approx(0.0, abs=1e-6)


@pytest.mark.req("LIVE-02")
def test_gallery_search_returns_the_nearest_entries_best_first():
    g = _templates(500)
    gallery = Gallery([f"id{i}" for i in range(500)], g, *KIND)
    probe = _t(unit(g[123] + 0.05 * _templates(1, seed=9)[0]))
    found = gallery.search(probe, k=5)
    assert found[0].id == "id123" and found[0].rank == 1
    assert [c.score for c in found] == sorted((c.score for c in found), reverse=True)
    exact = np.sort(gallery.scores(probe))[::-1][:5]
    assert np.allclose([c.score for c in found], exact)


@pytest.mark.req("RFR-03")
def test_a_gallery_refuses_a_probe_of_another_algorithm():
    gallery = Gallery(["a"], _templates(1), *KIND)
    with pytest.raises(IncompatibleTemplates, match="cannot be compared"):
        gallery.search(Template(_templates(1)[0], "synthetic", "2"))


def test_cohort_scores_are_in_zero_to_one_and_rise_with_similarity():
    cohort = Cohort(_templates(200, seed=1), *KIND, top_k=20)
    gallery = Gallery(["a", "b"], _templates(2, seed=2), *KIND, cohort=cohort)
    base = gallery.matrix[0]
    probes = [_t(unit(base + noise * _templates(1, seed=5)[0])) for noise in (0.1, 0.5, 1.0, 3.0)]
    scores = [gallery.scores(p)[0] for p in probes]
    assert all(0.0 <= s <= 1.0 for s in scores)
    assert scores == sorted(scores, reverse=True)


def test_cohort_normalisation_lowers_a_probe_that_resembles_everyone():
    """A 'lookalike' template close to many cohort faces is scored down against a plain one."""
    rng = np.random.default_rng(7)
    hub = unit(rng.normal(size=32))
    crowd = unit(hub + 0.6 * rng.normal(size=(100, 32)))  # cohort faces near the hub
    cohort = Cohort(np.vstack([crowd, _templates(100, seed=8)]), *KIND, top_k=20)
    target = unit(rng.normal(size=32))
    gallery = Gallery(["hub", "plain"], np.vstack([hub, target]), *KIND, cohort=cohort)
    # Two probes with the same raw cosine to their gallery entry:
    cos = 0.8

    def at(v):
        other = unit(rng.normal(size=32) - (rng.normal(size=32) @ v) * v)
        return _t(cos * v + np.sqrt(1 - cos**2) * other)

    s_hub = gallery.scores(at(hub))[0]
    s_plain = gallery.scores(at(target))[1]
    assert s_hub < s_plain


def test_a_cohort_too_small_is_refused():
    with pytest.raises(ValueError, match="at least"):
        Cohort(_templates(10), *KIND)


def test_a_cohort_of_another_algorithm_is_refused():
    cohort = Cohort(_templates(100), "other", "1")
    with pytest.raises(IncompatibleTemplates):
        Gallery(["a"], _templates(1), *KIND, cohort=cohort)


def test_raw_weight_zero_is_pure_as_norm_and_keeps_scores_in_range():
    cohort_pure = Cohort(_templates(200, seed=1), *KIND, top_k=20, raw_weight=0.0)
    cohort_fused = Cohort(_templates(200, seed=1), *KIND, top_k=20)
    g = _templates(5, seed=2)
    probes = _templates(50, seed=6)
    for cohort in (cohort_pure, cohort_fused):
        s = Gallery([str(i) for i in range(5)], g, *KIND, cohort=cohort).score_vectors(probes)
        assert ((0 <= s) & (s <= 1)).all()
    cos = probes @ g.T
    stats_p, stats_g = cohort_pure.stats(probes), cohort_pure.stats(g)
    zp = (cos - stats_p[:, :1]) / stats_p[:, 1:]
    zg = (cos - stats_g[None, :, 0]) / stats_g[None, :, 1]
    pure = cohort_pure.score(cos, stats_p, stats_g)
    assert np.array_equal(np.argsort(pure, axis=1), np.argsort((zp + zg) / 2, axis=1))
