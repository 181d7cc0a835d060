"""The RFR library index: agreement with exact search, removal, growth, bytes, merging, input."""

from __future__ import annotations

import numpy as np
import pytest

from frt.engine import index as index_module
from frt.engine.compare import Gallery
from frt.engine.errors import IncompatibleTemplates
from frt.engine.index import (
    IndexInputError,
    TemplateIndex,
    merge_results,
    search_libraries,
)
from frt.engine.index_synthetic import SyntheticLibrary
from frt.engine.template import Template

KIND = ("synthetic", "1")
IVF_SIZE = 40_000  # above the (lowered) exact limit below: one IVF shard of 1,024 cells


def _library(n: int, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    ids, vectors = zip(*SyntheticLibrary(n, seed=seed, chunk=max(n, 1)).chunks())
    return np.concatenate(ids), np.concatenate(vectors)


def _exact_top(probes: np.ndarray, vectors: np.ndarray, ids: np.ndarray, k: int):
    cos = probes @ vectors.T
    return [ids[np.argsort(-row, kind="stable")[:k]] for row in cos]


def _ids_of(result) -> list[int]:
    return [i for i, _ in result]


@pytest.fixture(scope="module")
def ivf_case():
    """One IVF-searched library (exact limit lowered so the test builds it in seconds)."""
    mp = pytest.MonkeyPatch()
    mp.setattr(index_module, "EXACT_UP_TO", 20_000)
    ids, vectors = _library(IVF_SIZE, seed=1)
    ix = TemplateIndex(*KIND)
    ix.add(ids, vectors)
    probes, _ = SyntheticLibrary(IVF_SIZE, seed=1, chunk=IVF_SIZE).probes(60)
    yield ix, ids, vectors, probes
    mp.undo()


@pytest.mark.req("RFR-08")
def test_the_ivf_index_finds_the_exact_top_50(ivf_case):
    ix, ids, vectors, probes = ivf_case
    assert ix.describe()["shards"][0]["mode"] == "ivf"
    found = ix.search(probes, 50)
    exact = _exact_top(probes, vectors, ids, 50)
    recall = np.mean([len(set(_ids_of(f)) & set(e.tolist())) / 50 for f, e in zip(found, exact)])
    assert recall >= 0.98, recall


@pytest.mark.req("RFR-08")
def test_scores_are_on_the_compare_scale_best_first(ivf_case):
    ix, ids, vectors, probes = ivf_case
    for result, probe in zip(ix.search(probes[:10], 20), probes[:10]):
        scores = [s for _, s in result]
        assert scores == sorted(scores, reverse=True)
        exact = (1 + vectors[np.searchsorted(ids, _ids_of(result))] @ probe) / 2
        assert np.allclose(scores, exact, atol=1e-4)  # float16 codes: within 1e-4 of exact


@pytest.mark.req("RFR-08")
def test_exact_mode_scores_equal_the_gallery_scores():
    ids, vectors = _library(3_000, seed=2)
    ix = TemplateIndex(*KIND)
    ix.add(ids, vectors)
    assert ix.describe()["shards"] == [{"mode": "exact", "templates": 3_000}]
    gallery = Gallery([str(i) for i in ids], vectors, *KIND)
    probes, _ = SyntheticLibrary(3_000, seed=2).probes(5)
    for probe, result in zip(probes, ix.search(probes, 10)):
        expected = gallery.search(Template(probe, *KIND), k=10)
        assert _ids_of(result) == [int(c.id) for c in expected]
        assert np.allclose([s for _, s in result], [c.score for c in expected], atol=1e-6)


@pytest.mark.req("RFR-08", "RFR-11")
def test_a_removed_template_is_never_returned(ivf_case):
    ix, ids, vectors, probes = ivf_case
    before = ix.search(probes[:5], 10)
    gone = sorted({i for r in before for i in _ids_of(r)[:3]})
    assert ix.remove(gone + [10**12]) == len(gone)  # unknown ids are ignored
    try:
        after = ix.search(probes[:5], 10)
        assert not set(gone) & {i for r in after for i in _ids_of(r)}
        assert all(len(r) == 10 for r in after)
        for g in gone:
            assert g not in ix
        # Searched for directly, a removed template does not come back either.
        direct = ix.search(vectors[np.searchsorted(ids, gone)], 50)
        assert not set(gone) & {i for r in direct for i in _ids_of(r)}
    finally:
        ix.add(gone, vectors[np.searchsorted(ids, gone)])
    assert len(ix) == IVF_SIZE


@pytest.mark.req("RFR-08", "RFR-11")
def test_removal_from_an_exact_library_and_removing_everything():
    ids, vectors = _library(500, seed=3)
    ix = TemplateIndex(*KIND)
    ix.add(ids, vectors)
    assert ix.remove(ids[:100]) == 100
    found = ix.search(vectors[:100], 5)
    assert not set(ids[:100].tolist()) & {i for r in found for i in _ids_of(r)}
    assert ix.remove(ids) == 400 and len(ix) == 0
    assert ix.search(vectors[:2], 5) == [[], []]


@pytest.mark.req("RFR-03")
def test_templates_added_after_the_build_are_found(ivf_case):
    ix, ids, vectors, probes = ivf_case
    new_ids = np.arange(10**9, 10**9 + 3)
    near = probes[:3] + 0.001 * np.random.default_rng(4).standard_normal((3, 128))
    ix.add(new_ids, near)
    try:
        for probe, new_id in zip(probes[:3], new_ids):
            assert ix.search(probe, 1)[0][0][0] == new_id
    finally:
        ix.remove(new_ids)


@pytest.mark.req("RFR-03")
def test_an_index_grows_from_exact_to_ivf_by_enrolment(monkeypatch):
    monkeypatch.setattr(index_module, "EXACT_UP_TO", 2_000)
    ids, vectors = _library(3_000, seed=5)
    ix = TemplateIndex(*KIND)
    for start in range(0, 3_000, 500):
        ix.add(ids[start : start + 500], vectors[start : start + 500])
    assert [s["mode"] for s in ix.describe()["shards"]] == ["ivf"]
    assert len(ix) == 3_000
    assert ix.search(vectors[2_999], 1)[0][0][0] == ids[2_999]


@pytest.mark.req("RFR-03")
def test_a_full_shard_is_compacted_without_changing_results(monkeypatch):
    monkeypatch.setattr(index_module, "EXACT_UP_TO", 2_000)
    monkeypatch.setattr(index_module, "SHARD_SIZE", 2_600)
    ids, vectors = _library(3_000, seed=11)
    probes, _ = SyntheticLibrary(3_000, seed=11).probes(10)
    ix = TemplateIndex(*KIND)
    ix.add(ids[:2_500], vectors[:2_500])
    before = ix.search(probes, 20)
    ix.add(ids[2_500:], vectors[2_500:])  # fills the first shard (compacted), opens a second
    assert [s["templates"] for s in ix.describe()["shards"]] == [2_600, 400]
    ix.remove(ids[2_500:])
    assert ix.search(probes, 20) == before


@pytest.mark.req("RFR-03")
def test_bytes_round_trip_gives_identical_results(ivf_case, monkeypatch):
    ix, ids, vectors, probes = ivf_case
    monkeypatch.setattr(index_module, "SHARD_SIZE", 30_000)
    two = TemplateIndex(*KIND)  # an IVF shard and an exact one
    two.add(ids[:35_000], vectors[:35_000])
    emptied = TemplateIndex(*KIND)  # every template removed: an empty shard
    emptied.add(ids[:10], vectors[:10])
    emptied.remove(ids[:10])
    for original in (ix, two, emptied):
        data = original.to_bytes()
        copy = TemplateIndex.from_bytes(data)
        assert copy.describe() == original.describe()
        assert copy.search(probes, 50) == original.search(probes, 50)
        assert copy.to_bytes() == data


@pytest.mark.req("RFR-03")
def test_corrupt_or_truncated_bytes_are_refused():
    ids, vectors = _library(200, seed=6)
    ix = TemplateIndex(*KIND)
    ix.add(ids, vectors)
    data = bytearray(ix.to_bytes())
    with pytest.raises(IndexInputError, match="truncated"):
        TemplateIndex.from_bytes(bytes(data[:-100]))
    data[len(data) // 2] ^= 0xFF
    with pytest.raises(IndexInputError, match="corrupt"):
        TemplateIndex.from_bytes(bytes(data))
    with pytest.raises(IndexInputError, match="not an FRT template index"):
        TemplateIndex.from_bytes(b"not an index at all")


@pytest.mark.req("RFR-08")
def test_searching_shards_merges_as_one_index_would(monkeypatch):
    ids, vectors = _library(6_000, seed=7)
    probes, _ = SyntheticLibrary(6_000, seed=7).probes(20)
    whole = TemplateIndex(*KIND)
    whole.add(ids, vectors)
    parts = [TemplateIndex(*KIND) for _ in range(3)]
    for n, part in enumerate(parts):
        part.add(ids[n::3], vectors[n::3])
    expected = whole.search(probes, 25)
    assert search_libraries(parts, probes, 25) == expected
    monkeypatch.setattr(index_module, "SHARD_SIZE", 1_000)
    sharded = TemplateIndex(*KIND)  # six shards inside one index
    sharded.add(ids, vectors)
    assert len(sharded.describe()["shards"]) == 6
    assert sharded.search(probes, 25) == expected
    assert sharded.search(probes[:1], 25) == expected[:1]  # the shards searched in threads


@pytest.mark.req("RFR-08")
def test_merging_ivf_libraries_keeps_each_librarys_best(ivf_case):
    ix, ids, vectors, probes = ivf_case
    small = TemplateIndex(*KIND)
    small.add(np.arange(10**9, 10**9 + 100), _library(100, seed=8)[1])
    merged = search_libraries([ix, small], probes[:5], 30)
    for m, a, b in zip(merged, ix.search(probes[:5], 30), small.search(probes[:5], 30)):
        assert m == merge_results([a, b], 30)
        assert m == sorted(a + b, key=lambda p: (-p[1], p[0]))[:30]


@pytest.mark.req("RFR-08")
@pytest.mark.parametrize("size", [50, IVF_SIZE])
def test_ties_are_broken_by_id(size, ivf_case):
    ix, ids, vectors, probes = ivf_case
    target = ix if size == IVF_SIZE else TemplateIndex(*KIND)
    if size != IVF_SIZE:
        target.add(ids[:50], vectors[:50])
    twins = np.array([10**9 + 7, 10**9 + 3, 10**9 + 5, 10**9 + 1, 10**9 + 9])
    target.add(twins, np.repeat(probes[:1], len(twins), axis=0))
    try:
        result = target.search(probes[0], 3)[0]
        assert _ids_of(result) == [10**9 + 1, 10**9 + 3, 10**9 + 5]
        assert len({s for _, s in result}) == 1
    finally:
        target.remove(twins)


@pytest.mark.req("RFR-03")
def test_bad_input_is_refused_with_a_clear_error():
    ix = TemplateIndex(*KIND)
    good = _library(3, seed=9)[1]
    with pytest.raises(IndexInputError, match=r"shape \(n, 128\).*\(3, 64\)"):
        ix.add([1, 2, 3], good[:, :64])
    nan = good.copy()
    nan[1, 5] = np.nan
    with pytest.raises(IndexInputError, match=r"NaN or infinite values \(rows \[1\]\)"):
        ix.add([1, 2, 3], nan)
    with pytest.raises(IndexInputError, match="length zero"):
        ix.add([1], np.zeros((1, 128)))
    with pytest.raises(IndexInputError, match="one id per template"):
        ix.add([1, 2], good)
    with pytest.raises(IndexInputError, match="whole numbers"):
        ix.add([1.0, 2.0, 3.0], good)
    with pytest.raises(IndexInputError, match="negative"):
        ix.add([1, -2, 3], good)
    with pytest.raises(IndexInputError, match="repeated"):
        ix.add([1, 1, 3], good)
    assert len(ix) == 0  # nothing of a refused call was added
    ix.add([1, 2, 3], good)
    with pytest.raises(IndexInputError, match=r"already in the index: \[2\]"):
        ix.add([2, 4], np.vstack([good[:1], good[:1]]))
    for k in (0, -1, True, 2.5, "5"):
        with pytest.raises(IndexInputError, match="k must be a whole number of at least 1"):
            ix.search(good[0], k)
    with pytest.raises(IndexInputError, match="NaN"):
        ix.search(np.full(128, np.inf), 1)
    with pytest.raises(IndexInputError, match=r"\(n, 128\)"):
        ix.search(good[0, :100], 1)
    with pytest.raises(IncompatibleTemplates):
        ix.search([Template(good[0], "other-algorithm", "2")], 1)
    with pytest.raises(IncompatibleTemplates):
        search_libraries([ix, TemplateIndex("other-algorithm", "2")], good[0], 1)


@pytest.mark.req("RFR-03")
def test_templates_of_the_index_kind_are_accepted_and_k_beyond_the_size_returns_all():
    ix = TemplateIndex(*KIND)
    assert ix.search(_library(1)[1], 5) == [[]]
    vectors = _library(4, seed=10)[1]
    ix.add([10, 11, 12, 13], [Template(v, *KIND) for v in vectors])
    result = ix.search([Template(vectors[2], *KIND)], 50)[0]
    assert len(result) == 4 and result[0][0] == 12 and result[0][1] == pytest.approx(1.0)


@pytest.mark.req("RFR-08")
def test_frt_bench_rfr_reports_the_figures_the_issue_asks_for(tmp_path):
    import json

    from typer.testing import CliRunner

    from frt.cli import app

    out = tmp_path / "rfr.json"
    result = CliRunner().invoke(
        app, ["bench", "rfr", "--templates", "3000", "--probes", "8", "--json", str(out)]
    )
    assert result.exit_code == 0, result.output
    figures = json.loads(out.read_text())
    for key in ("templates", "median_ms", "p95_ms", "memory_mb", "recall_at_50", "build_s"):
        assert key in figures
    assert figures["templates"] == 3000
    assert figures["recall_at_50"] == 1.0  # an exact library
    assert figures["removed_ever_returned"] == 0 and figures["reopened_identical"] is True
