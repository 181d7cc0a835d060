"""An RFR search of one library through the server's warm index beside one that opens every
sealed template for the search (what FRT did before `LibraryIndexes`), in the same process.

    .venv/bin/python bench/bench_rfr_warm.py [--templates 100000] [--searches 20] [--json OUT]
    FRT_DATABASE_URL=postgresql+psycopg://postgres@127.0.0.1:5432/bench_warm … (a database
    that exists and may be emptied)

Synthetic unit templates (no faces are needed to measure this), sealed as enrolment seals them,
in a fresh embedded installation (or the PostgreSQL named). Measured per search: the stamp check
and search on a warm index, and the cold path (decrypt all, build, search, wipe); then one
enrolment of 100 more images and the catch-up it costs the next search.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

import numpy as np


def _seed(store, n: int, rng, library_id: str | None = None) -> str:
    from frt.audit import Actor, record
    from frt.people.models import User
    from frt.rfr.faces import algorithm
    from frt.rfr.models import RfrLibrary, RfrLibraryImage, RfrTemplate
    from frt.store.base import new_id

    algo = algorithm()
    with store.session() as s:
        if library_id is None:
            user = User(username="bench", display_name="Bench", rank="staff_band_b", roles_json=[])
            user.password_hash = "!"
            s.add(user)
            s.flush()
            lib = RfrLibrary(
                reference=f"BENCH-{new_id()[:6]}",
                name="bench",
                kind="substantive",
                status="approved",
                applicant_id=user.id,
            )
            s.add(lib)
            s.flush()
            library_id = lib.id
        vectors = rng.normal(size=(n, algo.dim)).astype(np.float32)
        vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)
        for vec in vectors:
            image_id, tid = new_id(), new_id()
            s.add(
                RfrLibraryImage(
                    id=image_id,
                    library_id=library_id,
                    item_key=image_id,
                    sha256=image_id,
                    status="enrolled",
                )
            )
            sealed = store.cipher.seal(
                vec.tobytes(), context=f"rfr_templates.template:{tid}".encode()
            )
            s.add(
                RfrTemplate(
                    id=tid,
                    image_id=image_id,
                    library_id=library_id,
                    algorithm=algo.name,
                    version=algo.version,
                    template_sealed=sealed,
                )
            )
        record(s, Actor.system("bench"), "bench.setup")
    return library_id


def _timed(fn) -> float:
    t = time.perf_counter()
    fn()
    return (time.perf_counter() - t) * 1000


def run(templates: int, searches: int) -> dict:
    from frt.app import open_store
    from frt.engine.template import Template
    from frt.rfr.faces import algorithm
    from frt.rfr.search_index import LibraryIndexes, candidates
    from frt.settings import load_settings

    rng = np.random.default_rng(1)
    store = open_store(load_settings(), migrate=True)
    t = time.perf_counter()
    lib = _seed(store, templates, rng)
    seeded_s = time.perf_counter() - t
    algo = algorithm()
    warm = LibraryIndexes()

    def search(indexes) -> None:
        probe = rng.normal(size=algo.dim).astype(np.float32)
        probe /= np.linalg.norm(probe)
        with store.session() as s:
            candidates(
                s, store.cipher, [lib], Template(probe, algo.name, algo.version), 50, indexes
            )

    first_ms = _timed(lambda: search(warm))  # builds the warm index
    warm_ms, cold_ms = [], []
    for _ in range(searches):  # interleaved: each sees the same machine
        warm_ms.append(_timed(lambda: search(warm)))
        cold_ms.append(_timed(lambda: search(None)))
    _seed(store, 100, rng, lib)
    catch_up_ms = _timed(lambda: search(warm))
    store.dispose()
    out = {
        "templates": templates,
        "searches": searches,
        "seed_s": round(seeded_s, 1),
        "first_search_ms": round(first_ms, 1),
        "warm_median_ms": round(statistics.median(warm_ms), 1),
        "warm_p95_ms": round(float(np.percentile(warm_ms, 95)), 1),
        "cold_median_ms": round(statistics.median(cold_ms), 1),
        "cold_p95_ms": round(float(np.percentile(cold_ms, 95)), 1),
        "cold_over_warm": round(statistics.median(cold_ms) / statistics.median(warm_ms), 1),
        "after_100_enrolled_ms": round(catch_up_ms, 1),
        "rebuilds": warm.rebuilds,
        "database": store.engine.dialect.name,
    }
    return out


if __name__ == "__main__":
    p = argparse.ArgumentParser()
    p.add_argument("--templates", type=int, default=100_000)
    p.add_argument("--searches", type=int, default=20)
    p.add_argument("--json")
    args = p.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        os.environ.setdefault("FRT_DATA_DIR", tmp)
        result = run(args.templates, args.searches)
    print(json.dumps(result, indent=2))
    if args.json:
        Path(args.json).write_text(json.dumps(result, indent=2) + "\n")
    sys.exit(0)
