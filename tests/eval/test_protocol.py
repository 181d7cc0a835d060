"""The identification protocol and its figures, on synthetic templates with known answers."""

from __future__ import annotations

import numpy as np
import pytest

from frt.engine.compare import Gallery
from frt.engine.template import unit
from frt.eval import dataset
from frt.eval.metrics import figures, fpir, run_searches, threshold_at, tpir

pytestmark = pytest.mark.req("EVAL-01")


def _folder(tmp_path, counts: dict[str, int]):
    for name, n in counts.items():
        (tmp_path / name).mkdir()
        for i in range(n):
            (tmp_path / name / f"{i + 1}.jpg").write_bytes(b"x")
    return tmp_path


def test_the_split_follows_the_protocol(tmp_path):
    root = _folder(tmp_path, {"ann": 3, "bob": 1, "cat": 2})
    s = dataset.split(dataset.scan(root))
    assert [it.key for it in s.gallery] == ["ann/1.jpg", "cat/1.jpg"]
    assert [it.key for it in s.mated] == ["ann/2.jpg", "ann/3.jpg", "cat/2.jpg"]
    assert [it.key for it in s.singletons] == ["bob/1.jpg"]


def test_folds_partition_identities_and_the_cohort_leaves_out_evaluated_people(tmp_path):
    root = _folder(tmp_path, {f"p{i}": 1 for i in range(40)})
    names = list(dataset.scan(root))
    folds = [{n for n in names if dataset.in_fold(n, (i, 3))} for i in range(3)]
    assert set().union(*folds) == set(names) and sum(map(len, folds)) == len(names)
    cohort = dataset.cohort_items(root, exclude=folds[0])
    assert not {it.identity for it in cohort} & folds[0]


def test_threshold_keeps_fpir_at_or_below_the_target():
    rng = np.random.default_rng(0)
    scores = rng.random(10_000)
    for target in (0.001, 0.01, 0.1):
        t = threshold_at(scores, target)
        assert (scores >= t).mean() <= target
        assert (scores >= np.nextafter(t, -1)).mean() > target or t <= scores.min()


def test_tied_scores_fall_on_the_safe_side():
    scores = np.array([0.9] * 5 + [0.1] * 995)
    t = threshold_at(scores, 0.001)
    assert (scores >= t).mean() <= 0.001


def _protocol(vectors_by_key, split):
    g_items = [it for it in split.gallery if vectors_by_key.get(it.key) is not None]
    g = Gallery(
        [it.identity for it in g_items],
        np.stack([vectors_by_key[it.key] for it in g_items]),
        "synthetic",
        "1",
    )
    return run_searches(split, vectors_by_key, g.score_vectors)


def test_mated_hits_need_rank_one_and_failures_count_as_misses_and_no_alerts(tmp_path):
    root = _folder(tmp_path, {"ann": 3, "bob": 2, "cy": 1})
    split = dataset.split(dataset.scan(root))
    base = unit(np.eye(4, dtype=np.float32))
    vec = {
        "ann/1.jpg": base[0],
        "ann/2.jpg": base[0],
        "ann/3.jpg": None,  # a failure
        "bob/1.jpg": base[1],
        "bob/2.jpg": unit(base[0] + 0.1 * base[1]),  # closer to ann
        "cy/1.jpg": base[2],
    }
    s = _protocol(vec, split)
    f = figures(s)
    assert f["mated_searches"] == 3 and f["nonmated_searches"] == 4
    assert f["rank1"] == pytest.approx(1 / 3)  # only ann/2 is found at rank 1
    assert tpir(s, 0.0) == pytest.approx(1 / 3)
    assert s.nonmated_score[1] == -np.inf  # the failed image raises no alert
    assert fpir(s, 0.99) == pytest.approx(1 / 4)  # bob/2 against ann, without bob


def test_a_gallery_image_that_fails_makes_its_mates_misses(tmp_path):
    root = _folder(tmp_path, {"ann": 2, "bob": 2})
    split = dataset.split(dataset.scan(root))
    e = unit(np.eye(3, dtype=np.float32))
    vec = {"ann/1.jpg": None, "ann/2.jpg": e[0], "bob/1.jpg": e[1], "bob/2.jpg": e[1]}
    s = _protocol(vec, split)
    assert figures(s)["rank1"] == pytest.approx(0.5)


@pytest.mark.req("RFR-08")
def test_investigation_mode_reports_hits_at_rank_1_10_and_n_and_fnir_at_rank_n():
    from frt.eval.metrics import Searches, candidate_figures

    ranks = np.array([1, 1, 2, 9, 11, 49, 50, 51, 1 << 30, 3])  # the last-but-one: no template
    s = Searches(np.array(["x"] * 10), np.zeros(10), ranks, np.array([]), np.array([]))
    f = candidate_figures(s, 50)
    assert f["hit_rate_rank1"] == pytest.approx(0.2)
    assert f["hit_rate_rank10"] == pytest.approx(0.5)
    assert f["hit_rate_rank50"] == pytest.approx(0.8)
    assert f["fnir_at_rank50"] == pytest.approx(0.2)
    assert figures(s)["rank50"] == pytest.approx(0.8)
    assert candidate_figures(s, 5)["hit_rate_rank10"] == pytest.approx(0.4)  # a list of 5 names
    with pytest.raises(ValueError):
        candidate_figures(s, 0)
