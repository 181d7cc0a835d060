"""1:N matching per gallery size: exact numpy (frt Gallery) against faiss and usearch indexes.

    .venv/bin/python bench/bench_match.py [--sizes 1000,10000,100000,1000000] [--json OUT]

Random unit 128-d templates (dlib's size); probes are gallery entries plus noise, so recall@1 of
an approximate index is measured against exact search. Median of >=30 probes, after a warm-up.
HNSW builds are only timed up to 100k (1M takes minutes; see research/cpu-face-baselines.md).
"""

from __future__ import annotations

import argparse
import json
import resource
import statistics
import time

import numpy as np

DIM = 128


def _median_ms(fn, probes, clock=time.perf_counter) -> float:
    """Median wall (or, with clock=time.process_time, CPU) milliseconds per probe."""
    fn(probes[0])
    times = []
    for q in probes:
        t = clock()
        fn(q)
        times.append((clock() - t) * 1000)
    return statistics.median(times)


def _data(n: int, probes: int, seed: int = 0):
    rng = np.random.default_rng(seed)
    g = rng.standard_normal((n, DIM), dtype=np.float32)
    g /= np.linalg.norm(g, axis=1, keepdims=True)
    pick = rng.integers(0, n, probes)
    q = g[pick] + 0.05 * rng.standard_normal((probes, DIM), dtype=np.float32)
    q /= np.linalg.norm(q, axis=1, keepdims=True)
    return g, q


def bench(n: int, n_probes: int = 50) -> dict:
    from frt.engine.compare import Gallery
    from frt.engine.template import Template

    g, q = _data(n, n_probes)
    ids = [str(i) for i in range(n)]
    exact = np.argmax(q @ g.T, axis=1) if n <= 200_000 else np.array([np.argmax(g @ x) for x in q])
    out = {"size": n, "raw_mb": round(g.nbytes / 2**20, 1)}
    gal = Gallery(ids, g, "b", "1")
    for k in (1, 10):

        def t(x):
            return gal.search(Template(x, "b", "1"), k=k)

        out[f"frt_exact_k{k}_ms"] = round(_median_ms(t, q), 3)
        out[f"frt_exact_k{k}_cpu_ms"] = round(_median_ms(t, q, clock=time.process_time), 3)
    out["numpy_norm_float64_ms"] = (
        round(
            _median_ms(
                lambda x: np.argmin(np.linalg.norm(g.astype(np.float64) - x, axis=1)), q[:5]
            ),
            1,
        )
        if n <= 100_000
        else None
    )
    import faiss

    t0 = time.perf_counter()
    flat = faiss.IndexFlatIP(DIM)
    flat.add(g)
    out["faiss_flat_build_s"] = round(time.perf_counter() - t0, 2)
    out["faiss_flat_ms"] = round(_median_ms(lambda x: flat.search(x[None], 10), q), 3)
    if n <= 100_000:
        out.update(_hnsw(g, q, exact))
    return out


def _hnsw(g, q, exact) -> dict:
    import faiss
    from usearch.index import Index

    out = {}
    t0 = time.perf_counter()
    h = faiss.IndexHNSWFlat(DIM, 32, faiss.METRIC_INNER_PRODUCT)
    h.add(g)
    out["faiss_hnsw32_build_s"] = round(time.perf_counter() - t0, 1)
    for ef in (64, 256):
        h.hnsw.efSearch = ef
        found = h.search(q, 1)[1][:, 0]
        out[f"faiss_hnsw32_ef{ef}_ms"] = round(_median_ms(lambda x: h.search(x[None], 10), q), 3)
        out[f"faiss_hnsw32_ef{ef}_recall1"] = float((found == exact).mean())
    for dtype in ("f32", "i8"):
        t0 = time.perf_counter()
        u = Index(ndim=DIM, metric="cos", dtype=dtype)
        u.add(np.arange(len(g)), g)
        out[f"usearch_{dtype}_build_s"] = round(time.perf_counter() - t0, 1)
        found = np.array([u.search(x, 1).keys[0] for x in q])
        out[f"usearch_{dtype}_ms"] = round(_median_ms(lambda x: u.search(x, 10), q), 3)
        out[f"usearch_{dtype}_recall1"] = float((found == exact).mean())
        out[f"usearch_{dtype}_mb"] = round(u.memory_usage / 2**20, 1)
    return out


if __name__ == "__main__":
    p = argparse.ArgumentParser()
    p.add_argument("--sizes", default="1000,10000,100000,1000000")
    p.add_argument("--json")
    args = p.parse_args()
    rows = []
    for n in (int(s) for s in args.sizes.split(",")):
        rows.append(bench(n))
        print(json.dumps(rows[-1]), flush=True)
    print("peak RSS MB", resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024)
    if args.json:
        open(args.json, "w").write(json.dumps(rows, indent=2))
