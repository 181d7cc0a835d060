"""Equitability: per-group rates with Wilson intervals and a test of the difference."""

from __future__ import annotations

import numpy as np
import pytest

from frt.eval.groups import group_figures, load_groups, wilson
from frt.eval.metrics import Searches

pytestmark = pytest.mark.req("EVAL-02")


def test_wilson_interval_matches_the_textbook_value():
    low, high = wilson(81, 263)  # a standard worked example: 0.2553 .. 0.3662
    assert low == pytest.approx(0.2553, abs=1e-3) and high == pytest.approx(0.3662, abs=1e-3)
    assert wilson(0, 1000)[0] == pytest.approx(0.0, abs=1e-12) and 0 < wilson(0, 1000)[1] < 0.004


def _searches(fp_a: int, fp_b: int, n: int = 2000) -> Searches:
    """Group A and B each with n non-mated searches, of which fp_* score high."""
    scores = np.zeros(2 * n)
    scores[:fp_a] = 1.0
    scores[n : n + fp_b] = 1.0
    ident = np.array([f"a{i}" for i in range(n)] + [f"b{i}" for i in range(n)])
    mated = np.array(["a0", "b0"])
    return Searches(mated, np.array([1.0, 1.0]), np.array([1, 1]), ident, scores)


def test_a_false_alert_rate_falling_on_one_group_is_reported_significant():
    groups = {**{f"a{i}": "A" for i in range(2000)}, **{f"b{i}": "B" for i in range(2000)}}
    out = group_figures(_searches(fp_a=40, fp_b=2), groups, fpir=0.02)
    assert out["groups"]["A"]["fpir"]["count"] > out["groups"]["B"]["fpir"]["count"]
    assert out["fpir_difference"]["versus_rest_fisher"]["A"]["significant"]
    assert out["fpir_difference"]["all_groups"]["significant"]


def test_equal_rates_are_not_reported_significant():
    groups = {**{f"a{i}": "A" for i in range(2000)}, **{f"b{i}": "B" for i in range(2000)}}
    out = group_figures(_searches(fp_a=20, fp_b=20), groups, fpir=0.02)
    assert not out["fpir_difference"]["versus_rest_fisher"]["A"]["significant"]


def test_groups_csv_is_read_with_or_without_a_header(tmp_path):
    f = tmp_path / "groups.csv"
    f.write_text("identity,group\nann,A\nbob,B\n")
    assert load_groups(f) == {"ann": "A", "bob": "B"}
