"""RFR library search at scale: `frt.engine.index.TemplateIndex` beside exact search.

    .venv/bin/python bench/bench_rfr_search.py --json var/bench/rfr.json \
        [--sizes 100000,1000000,10000000] [--switch-over 8192,...] [--uniform 1000000]

Each library size runs in its own process (`frt bench rfr --templates N`), so that its peak
memory is its own; see `frt.engine.index_bench` for what is measured. `--switch-over` times an
exact shard beside an IVF shard on small libraries (where EXACT_UP_TO comes from); `--uniform`
repeats a size on uniform random vectors, to show how far they are from face templates.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
from pathlib import Path

FRT = str(Path(sys.executable).parent / "frt")


def one(size: int, *extra: str) -> dict:
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "r.json"
        subprocess.run(
            [FRT, "bench", "rfr", "--templates", str(size), "--json", str(out), *extra], check=True
        )
        return json.loads(out.read_text())


if __name__ == "__main__":
    p = argparse.ArgumentParser()
    p.add_argument("--sizes", default="100000,1000000,10000000")
    p.add_argument("--switch-over", default="8192,16384,32768,65536,131072,262144")
    p.add_argument("--uniform", default="1000000")
    p.add_argument("--json", required=True)
    args = p.parse_args()
    results: dict = {"sizes": [], "switch_over": [], "uniform": []}
    if args.switch_over:
        from frt.engine.index_bench import switch_over

        results["switch_over"] = switch_over([int(s) for s in args.switch_over.split(",")])
        for row in results["switch_over"]:
            print(json.dumps(row), flush=True)
    for size in (int(s) for s in args.sizes.split(",") if s):
        results["sizes"].append(one(size))
        Path(args.json).write_text(json.dumps(results, indent=2) + "\n")
    for size in (int(s) for s in args.uniform.split(",") if s):
        results["uniform"].append(one(size, "--distribution", "uniform", "--no-persist"))
    Path(args.json).write_text(json.dumps(results, indent=2) + "\n")
    print(f"results written to {args.json}")
