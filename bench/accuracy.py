"""Accuracy on a labelled folder: FRT beside the reference (ageitgey face_recognition defaults).

    .venv/bin/python bench/accuracy.py ../shared/testdata/faces --json OUT [--groups-by-source]

Runs the open-set protocol (testdata/README.md) on the whole folder and on its LFW part for:
- reference: face_recognition defaults, Euclidean distance (bench/reference.py);
- FRT raw: thorough detection, dlib ResNet with flip averaging, raw similarity;
- FRT cohort: the same with AS-norm score normalisation. The folder is also the only cohort at
  hand, so this is 2-fold cross-validation by identity: each half is searched with the *other*
  half as cohort (no person is ever in their own cohort), and both halves' searches are pooled.
Groups by source (LFW / ORL / bbt / John) stand in for demographic labels, which this data lacks.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).parent))

from frt.engine.compare import Gallery  # noqa: E402
from frt.engine.enrol import EngineSpec  # noqa: E402
from frt.engine.normalise import Cohort  # noqa: E402
from frt.engine.template import DlibResNet  # noqa: E402
from frt.eval import dataset, metrics  # noqa: E402
from frt.eval.cache import default_cache_dir  # noqa: E402
from frt.eval.groups import group_figures  # noqa: E402
from frt.eval.runner import template_items  # noqa: E402

SPEC = EngineSpec(detector="thorough", algorithm="dlib-resnet")  # the default views
VERSION = DlibResNet().version


def source(name: str) -> str:
    for prefix in ("ORL_", "bbt_", "John_"):
        if name.startswith(prefix):
            return prefix.rstrip("_")
    return "LFW"


def _pool(parts: list[metrics.Searches]) -> metrics.Searches:
    fields = ["mated_identity", "mated_score", "mated_rank", "nonmated_identity", "nonmated_score"]
    return metrics.Searches(*[np.concatenate([getattr(p, f) for p in parts]) for f in fields])


def _searches(ids, names, vectors, score_factory):
    split = dataset.split({n: ids[n] for n in names})
    g_items = [it for it in split.gallery if vectors.get(it.key) is not None]
    gallery = np.stack([vectors[it.key] for it in g_items])
    return metrics.run_searches(
        split, vectors, score_factory([it.identity for it in g_items], gallery)
    )


def reference_score(ids_, gallery):
    g = gallery.astype(np.float64)
    # face_recognition.face_distance: Euclidean; higher score = closer, so negate.
    return lambda probes: -np.linalg.norm(probes[:, None, :].astype(np.float64) - g[None], axis=2)


def frt_score(cohort=None):
    return lambda ids_, gallery: (
        Gallery(ids_, gallery, "dlib-resnet", VERSION, cohort=cohort).score_vectors
    )


def run(root: Path, with_groups: bool) -> dict:
    from reference import encode_paths

    ids = dataset.scan(root)
    names = sorted(ids)
    lfw = [n for n in names if source(n) == "LFW"]
    items = [dataset.Item(n, p) for n in names for p in ids[n]]
    t = time.perf_counter()
    ref = encode_paths([it.path for it in items])
    ref_vec = {it.key: ref[str(it.path)] for it in items}
    frt = template_items(items, SPEC, VERSION, default_cache_dir(), show_progress=False)
    frt_vec = {k: (r.template.vector if r.template is not None else None) for k, r in frt.items()}
    out = {"templating_seconds_cached": round(time.perf_counter() - t, 1)}
    groups = {n: source(n) for n in names}
    for label, subset in (("all", names), ("lfw", lfw)):
        runs = {
            "reference": _searches(ids, subset, ref_vec, reference_score),
            "frt_raw": _searches(ids, subset, frt_vec, frt_score()),
            "frt_cohort_2fold": _pool([_fold(ids, names, subset, frt_vec, k) for k in range(2)]),
            "frt_raw_2fold": _pool(
                [
                    _searches(
                        ids, [n for n in subset if dataset.in_fold(n, (k, 2))], frt_vec, frt_score()
                    )
                    for k in range(2)
                ]
            ),
            "reference_2fold": _pool(
                [
                    _searches(
                        ids,
                        [n for n in subset if dataset.in_fold(n, (k, 2))],
                        ref_vec,
                        reference_score,
                    )
                    for k in range(2)
                ]
            ),
        }
        for name, s in runs.items():
            figs = metrics.figures(s)
            figs["investigation"] = metrics.candidate_figures(s, 50)  # RFR: a 50-name list
            vecs = ref_vec if name.startswith("reference") else frt_vec
            figs["failed_to_template"] = sum(
                vecs[f"{n}/{p.name}"] is None for n in subset for p in ids[n]
            )
            if with_groups and label == "all":
                figs["groups"] = group_figures(s, groups, 0.01)
            out[f"{label}/{name}"] = figs
            print(
                label,
                name,
                {
                    k: round(v, 4)
                    for k, v in figs.items()
                    if k in ("rank1", "rank10", "rank50", "tpir_at_fpir_0.001", "tpir_at_fpir_0.01")
                },
                flush=True,
            )
        if label == "all":
            from frt.eval.plot import det_plot

            det_plot(
                {k: v for k, v in runs.items() if "2fold" in k},
                "var/det_all.png",
                "testdata/faces, 2-fold by identity",
            )
    return out


def _fold(ids, names, subset, vectors, k):
    evaluated = [n for n in subset if dataset.in_fold(n, (k, 2))]
    cohort_names = [n for n in names if not dataset.in_fold(n, (k, 2))]
    rows = [vectors[f"{n}/{p.name}"] for n in cohort_names for p in ids[n]]
    cohort = Cohort(np.stack([r for r in rows if r is not None]), "dlib-resnet", VERSION)
    return _searches(ids, evaluated, vectors, frt_score(cohort))


if __name__ == "__main__":
    p = argparse.ArgumentParser()
    p.add_argument("data_dir", type=Path)
    p.add_argument("--json")
    p.add_argument("--groups-by-source", action="store_true")
    args = p.parse_args()
    result = run(args.data_dir, args.groups_by_source)
    if args.json:
        Path(args.json).write_text(json.dumps(result, indent=2, default=float))
