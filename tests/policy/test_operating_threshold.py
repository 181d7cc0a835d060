"""EVAL-01, EVAL-03: a Deployment alerts at the highest of the authority's minimum, the force
minimum and the Threshold FRT's own evaluation found for the False Alert Rate; never unevaluated."""

import numpy as np
import pytest

from frt.policy import load_profile
from frt.policy.lfr_rules import operating_threshold

MPS, CUMBRIA = load_profile("mps"), load_profile("cumbria")
EVALUATED = {"scoring": "raw similarity", "threshold_at_fpir_0.001": 0.962}


@pytest.mark.req("EVAL-03")
def test_an_algorithm_without_a_recorded_evaluation_is_never_used():
    threshold, decision = operating_threshold(MPS, 0.7, None, "dlib-resnet 1-flip")
    assert threshold is None and not decision.allowed
    assert "004 §10.14" in decision.citation and "frt eval identify" in decision.reason


@pytest.mark.req("EVAL-01")
@pytest.mark.parametrize("profile", [MPS, CUMBRIA])
def test_the_evaluated_threshold_for_one_in_a_thousand_overrides_a_lower_minimum(profile):
    # Cumbria's 0.64 is on another supplier's scale: on FRT's it would let every face through.
    threshold, decision = operating_threshold(profile, 0.64, EVALUATED, "dlib-resnet 1-flip")
    assert threshold == pytest.approx(0.962) and decision.allowed
    assert "evaluated Threshold" in decision.reason


@pytest.mark.req("EVAL-01", "GOV-06")
def test_an_authority_minimum_above_the_evaluated_threshold_is_kept():
    threshold, decision = operating_threshold(MPS, 0.98, EVALUATED, "dlib-resnet 1-flip")
    assert threshold == 0.98 and "authority's minimum" in decision.reason


@pytest.mark.req("EVAL-01")
def test_an_evaluation_without_the_profiles_rate_is_refused():
    threshold, decision = operating_threshold(MPS, 0.9, {"scoring": "raw similarity"}, "x 1")
    assert threshold is None and decision.citation == "000 §6.2(3)"


def _evaluation_with_tail():
    """An evaluation whose non-mated comparison tail is known: 1,000,000 comparisons, the c-th
    highest scoring 0.99 - c / 1e5 (as `frt eval identify` records it)."""
    from frt.eval.gallery_size import NonmatedTail

    top = 0.99 - np.arange(1, 20_001) / 1e5
    tail = NonmatedTail.from_top(top, 1_000_000)
    return {
        "scoring": "raw similarity",
        "gallery_size": 600,
        "threshold_at_fpir_0.001": 0.97,
        "by_gallery_size": {"nonmated_tail": tail.to_dict()},
    }


@pytest.mark.req("EVAL-01", "LIVE-02")
def test_the_operating_threshold_rises_with_the_watchlist_size_as_the_model_says():
    from frt.eval.gallery_size import required_fmr, threshold_for_size

    evaluation = _evaluation_with_tail()
    previous = 0.0
    for n in (1, 10, 100, 300):
        t, decision = operating_threshold(
            MPS, 0.5, evaluation, "x 1", watchlist_size=n, for_size=threshold_for_size
        )
        assert decision.allowed and "004 §14.5" in decision.citation
        # the model: at most floor(FMR(N) x comparisons) non-mated pairs score at or above it
        allowed = int(required_fmr(n, 0.001) * 1_000_000)
        assert t >= 0.99 - (allowed + 1) / 1e5 and t > previous
        previous = t


@pytest.mark.req("EVAL-01", "LIVE-02")
def test_a_watchlist_larger_than_the_evaluation_supports_is_refused_citing_the_rule():
    from frt.eval.gallery_size import threshold_for_size

    evaluation = _evaluation_with_tail()
    # 3 expected false matches need FMR >= 3e-6, i.e. N <= about 333 at 1 in 1,000
    t, decision = operating_threshold(
        MPS, 0.5, evaluation, "x 1", watchlist_size=334, for_size=threshold_for_size
    )
    assert t is None and not decision.allowed
    assert decision.citation == "000 §6.2(3); 004 §14.5"
    assert "at most 333" in decision.reason
    legacy = {k: v for k, v in evaluation.items() if k != "by_gallery_size"}
    t, decision = operating_threshold(
        MPS, 0.5, legacy, "x 1", watchlist_size=601, for_size=threshold_for_size
    )
    assert t is None and "gallery of 600" in decision.reason
    t, decision = operating_threshold(
        MPS, 0.5, legacy, "x 1", watchlist_size=600, for_size=threshold_for_size
    )
    assert t == pytest.approx(0.97)
