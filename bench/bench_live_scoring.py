"""Per-face cost of live scoring: raw against cohort-normalised, in one process (issue 15).

    .venv/bin/python bench/bench_live_scoring.py [--json OUT]

Random unit 128-d templates; `LiveWatchlist.compare` (what the pipeline calls for each probe) on
watchlists of 1,000 and 4,000 images, raw and with cohorts of 2,400 and 4,880 templates (the
sizes of half and all of testdata/faces). Medians over 300 probes after a warm-up; the ratio to
raw scoring is taken in the same run (the machine is shared).
"""

from __future__ import annotations

import argparse
import json
import statistics
import time

import numpy as np

from frt.engine.normalise import Cohort
from frt.engine.template import Template
from frt.lfr.watchlist import LiveWatchlist, WatchlistRow

KIND = ("dlib-resnet", "1-flip-zoom")


def _unit(rng, n):
    v = rng.standard_normal((n, 128)).astype(np.float32)
    return v / np.linalg.norm(v, axis=1, keepdims=True)


def _ms(watchlist, probes) -> float:
    watchlist.compare(probes[0])
    times = []
    for q in probes:
        t = time.perf_counter()
        watchlist.compare(q)
        times.append((time.perf_counter() - t) * 1e3)
    return statistics.median(times)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--json")
    args = ap.parse_args()
    rng = np.random.default_rng(0)
    probes = _unit(rng, 300)
    out = []
    for n in (1000, 4000):
        rows = [
            WatchlistRow(str(i), str(i), Template(v, *KIND)) for i, v in enumerate(_unit(rng, n))
        ]
        raw = _ms(LiveWatchlist(rows, 0.99), probes)
        out.append({"watchlist": n, "cohort": 0, "ms_per_face": round(raw, 4), "ratio": 1.0})
        for size in (2400, 4880):
            cohort = Cohort(_unit(rng, size), *KIND)
            ms = _ms(LiveWatchlist(rows, 0.99, cohort=cohort), probes)
            out.append(
                {
                    "watchlist": n,
                    "cohort": size,
                    "ms_per_face": round(ms, 4),
                    "ratio": round(ms / raw, 2),
                }
            )
    for row in out:
        print(row)
    if args.json:
        with open(args.json, "w") as f:
            json.dump(out, f, indent=2)


if __name__ == "__main__":
    main()
