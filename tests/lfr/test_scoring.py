"""Live recognition scores as the evaluation that set its Threshold did (EVAL-01, EVAL-03,
LIVE-02): the same cohort and parameters, the same score for the same probe and gallery, and a
Threshold for the Watchlist's own size."""

from __future__ import annotations

import numpy as np
import pytest

from frt.engine.compare import Gallery
from frt.engine.normalise import Cohort
from frt.engine.template import Template, unit
from frt.eval.gallery_size import NonmatedTail
from frt.lfr import scoring
from frt.lfr.runner import load_watchlist
from frt.lfr.watchlist import LiveWatchlist, WatchlistRow
from frt.policy import PolicyRefusal
from tests.conftest import setup_session
from tests.lfr.live_fixtures import *  # noqa: F401,F403 (fixtures)

KIND = ("dlib-resnet", "1-flip-zoom")


def _vectors(n, seed, dim=128):
    return unit(np.random.default_rng(seed).normal(size=(n, dim)).astype(np.float32))


def _cohort_figures(cohort: Cohort, comparisons=10_000_000, threshold=0.7) -> dict:
    top = np.linspace(0.99, 0.5, 20_000)
    return {
        "scoring": "cohort-normalised (AS-norm top-100, raw weight 4)",
        "gallery_size": 650,
        "threshold_at_fpir_0.001": threshold,
        "cohort_digest": cohort.digest,
        "cohort_top_k": cohort.top_k,
        "cohort_raw_weight": cohort.raw_weight,
        "by_gallery_size": {"nonmated_tail": NonmatedTail.from_top(top, comparisons).to_dict()},
    }


@pytest.mark.req("EVAL-01", "LIVE-02")
def test_live_scoring_equals_the_evaluations_for_the_same_probe_and_gallery():
    gallery, probes, cohort_rows = _vectors(30, 1), _vectors(5, 2), _vectors(120, 3)
    cohort = Cohort(cohort_rows, *KIND, top_k=40, raw_weight=2.5)
    # the evaluation's scoring (frt.eval.identify: one Gallery with the cohort)
    evaluated = Gallery([f"g{i}" for i in range(30)], gallery, *KIND, cohort=cohort)
    expected = evaluated.score_vectors(probes)
    # the live Watchlist built from the evaluation's record and the same cohort templates
    chosen = scoring.from_evaluation(_cohort_figures(cohort), cohort_rows, *KIND)
    assert chosen.cohort_matches and chosen.cohort.top_k == 40 and chosen.cohort.raw_weight == 2.5
    rows = [WatchlistRow(f"g{i}", f"s{i}", Template(v, *KIND)) for i, v in enumerate(gallery)]
    live = LiveWatchlist(rows, 0.5, cohort=chosen.cohort)
    for probe, want in zip(probes, expected):
        assert np.allclose(live.scores(probe), want, atol=1e-6)
    raw = LiveWatchlist(rows, 0.5)
    assert np.allclose(
        raw.scores(probes[0]),
        Gallery([r.entry_id for r in rows], gallery, *KIND).score_vectors(probes[:1])[0],
    )


@pytest.mark.req("EVAL-01")
def test_the_benchmark_refuses_a_cohort_that_the_evaluation_did_not_use_and_the_reverse():
    cohort_rows = _vectors(60, 4)
    with pytest.raises(scoring.ScoringMismatch, match="drop --cohort"):
        scoring.from_evaluation({"scoring": "raw similarity"}, cohort_rows, *KIND)
    figures = _cohort_figures(Cohort(cohort_rows, *KIND))
    with pytest.raises(scoring.ScoringMismatch, match="give the cohort"):
        scoring.from_evaluation(figures, None, *KIND)
    other = scoring.from_evaluation(figures, _vectors(60, 5), *KIND)
    assert not other.cohort_matches  # usable for experiments, and said so


def _record_cohort_evaluation(store, dep_id, comparisons=10_000_000):
    from frt.eval.models import save_cohort, save_evaluation
    from frt.governance import watchlists

    with setup_session(store) as session:
        rw = watchlists.load_for_recognition(session, store.cipher, dep_id)
        algorithm, version = rw.subjects[0].images[0].template.kind
        cohort = Cohort(_vectors(80, 6), algorithm, version, top_k=50, raw_weight=4.0)
        save_cohort(session, store.cipher, cohort, description="consented staff photos")
        save_evaluation(
            session, algorithm, version, "test figures", _cohort_figures(cohort, comparisons)
        )
    return cohort


@pytest.mark.req("EVAL-01", "EVAL-03", "LIVE-02")
def test_a_deployment_scores_with_the_cohort_recorded_with_its_evaluation(store, live):
    _, dep_id = live()
    cohort = _record_cohort_evaluation(store, dep_id)
    watchlist = load_watchlist(store, dep_id)
    assert watchlist.cohort is not None and watchlist.cohort.digest == cohort.digest
    assert watchlist.cohort.top_k == 50
    # a Watchlist of one image: the tail's Threshold for N = 1 (the figures' 0.7 is for N = 650)
    tail = NonmatedTail.from_dict(_cohort_figures(cohort)["by_gallery_size"]["nonmated_tail"])
    assert watchlist.threshold == pytest.approx(max(0.64, tail.threshold(1, 0.001)))
    probe = _vectors(1, 7)[0]
    evaluated = Gallery(
        ["x"], watchlist.rows[0].template.vector[None], *watchlist.kind, cohort=cohort
    )
    assert np.allclose(watchlist.scores(probe), evaluated.score_vectors(probe[None])[0])


@pytest.mark.req("EVAL-01", "LIVE-02", "LIVE-10")
def test_a_deployment_whose_evaluation_cannot_support_its_watchlist_size_is_refused(store, live):
    _, dep_id = live()
    _record_cohort_evaluation(store, dep_id, comparisons=1_000)  # 1 in 1,000 needs 3,000+
    with pytest.raises(PolicyRefusal) as refusal:
        load_watchlist(store, dep_id)
    assert refusal.value.decision.citation == "000 §6.2(3); 004 §14.5"
    assert "sets no Threshold for this Watchlist" in refusal.value.decision.reason
