"""EVAL-01, EVAL-03: a Deployment alerts at the highest of the authority's minimum, the force
minimum and the Threshold FRT's own evaluation found for the False Alert Rate; never unevaluated."""

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
