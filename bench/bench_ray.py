"""Library work on Ray beside the single-machine path (issue 14 item 3; needs `frt[cluster]`).

Starts a local Ray cluster of two nodes (a head and a worker node, `--cpus` CPUs each, on this
machine), then measures in the same run:

1. templating `--images` synthetic photos (the package-shipped faces, varied): `template_many`
   on this machine's process pool, and on the cluster (FRT_RAY_ADDRESS set) — images/s, and
   that the templates are equal;
2. searching `--templates` random templates in one `TemplateIndex` of two shards, and the same
   two shards moved to two Ray actors (`ShardedIndex.from_index`): median and p95 of one probe,
   and that the results are equal.

    .venv/bin/python bench/bench_ray.py --images 40 --templates 200000
"""

from __future__ import annotations

import argparse
import json
import os
import signal
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--images", type=int, default=40)
    parser.add_argument("--templates", type=int, default=200_000)
    parser.add_argument("--probes", type=int, default=50)
    parser.add_argument("--cpus", type=int, default=1, help="CPUs each Ray node offers")
    parser.add_argument("--json", type=Path)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp, two_nodes(Path(tmp), args.cpus) as address:
        out = {
            "machine": f"{socket.gethostname()}, {os.cpu_count()} cores",
            "date": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()),
            "templating": templating(Path(tmp), args.images, address),
            "search": search(args.templates, args.probes),
        }
    print(json.dumps(out, indent=2))
    if args.json:
        args.json.write_text(json.dumps(out, indent=2))


class two_nodes:
    def __init__(self, tmp: Path, cpus: int):
        self.tmp, self.cpus, self.procs = tmp, cpus, []

    def _start(self, args: list[str], name: str) -> None:
        ray_cli = str(Path(sys.executable).with_name("ray"))
        log = self.tmp / f"{name}.log"
        self.procs.append(
            subprocess.Popen(
                [ray_cli, "start", "--block", "--disable-usage-stats", f"--num-cpus={self.cpus}"]
                + ["--node-ip-address=127.0.0.1", *args],
                stdout=open(log, "wb"),  # noqa: SIM115
                stderr=subprocess.STDOUT,
                start_new_session=True,
                env={**os.environ, "RAY_ENABLE_WINDOWS_OR_OSX_CLUSTER": "1"},
            )
        )
        deadline = time.monotonic() + 180
        while "Ray runtime started" not in log.read_text(errors="replace"):
            if self.procs[-1].poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(log.read_text(errors="replace")[-2000:])
            time.sleep(0.5)

    def __enter__(self) -> str:
        import ray

        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            port = s.getsockname()[1]
        address = f"127.0.0.1:{port}"
        self._start(["--head", f"--port={port}", "--include-dashboard=false"], "head")
        self._start([f"--address={address}"], "worker")
        ray.init(
            address=address, namespace="frt", log_to_driver=False, _node_ip_address="127.0.0.1"
        )
        return address

    def __exit__(self, *exc) -> None:
        import ray

        ray.shutdown()
        for proc in reversed(self.procs):
            os.killpg(proc.pid, signal.SIGTERM)
        for proc in self.procs:
            try:
                proc.wait(timeout=40)
            except subprocess.TimeoutExpired:
                os.killpg(proc.pid, signal.SIGKILL)


def templating(tmp: Path, n: int, address: str) -> dict:
    import cv2

    from frt.engine.enrol import EngineSpec, template_many
    from frt.lfr import synthetic

    folder = tmp / "images"
    folder.mkdir()
    heads = [synthetic.head("astronaut"), synthetic.head("grace_hopper")]
    items = []
    for i in range(n):
        rgb = heads[i % 2]
        scale = 0.8 + 0.4 * ((i * 7) % 10) / 10
        img = cv2.resize(rgb, None, fx=scale, fy=scale)
        path = folder / f"{i:04d}.png"
        cv2.imwrite(str(path), cv2.cvtColor(img, cv2.COLOR_RGB2BGR))
        items.append((path.name, path))
    spec = EngineSpec(detector="thorough", quality_gate=True)
    os.environ.pop("FRT_RAY_ADDRESS", None)
    t = time.perf_counter()
    alone = list(template_many(items, spec))  # this machine's pool: one process per core
    alone_s = time.perf_counter() - t
    os.environ["FRT_RAY_ADDRESS"] = address
    t = time.perf_counter()
    on_ray = list(template_many(items, spec))
    ray_s = time.perf_counter() - t
    os.environ.pop("FRT_RAY_ADDRESS", None)
    equal = all(
        (a.template is None and b.template is None)
        or (
            a.template is not None
            and b.template is not None
            and np.array_equal(a.template.vector, b.template.vector)
        )
        for a, b in zip(alone, on_ray)
    )
    return {
        "images": n,
        "single_machine_images_per_s": round(n / alone_s, 2),
        "ray_images_per_s": round(n / ray_s, 2),
        "templates_equal": equal,
    }


def search(n: int, probes: int) -> dict:
    from frt.engine import index as one_index
    from frt.engine.cluster import ShardedIndex
    from frt.engine.index import TemplateIndex

    rng = np.random.default_rng(14)
    vectors = rng.normal(size=(n, 128)).astype(np.float32)
    vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)
    ids = np.arange(n, dtype=np.int64)
    queries = vectors[rng.choice(n, probes)] + 0.05 * rng.normal(size=(probes, 128)).astype(
        np.float32
    )
    one_index.SHARD_SIZE = n // 2  # one index of two shards, each then moved to an actor
    one = TemplateIndex("dlib-resnet", "1", 128)
    one.add(ids, vectors)
    sharded = ShardedIndex.from_index(one)
    times: dict[str, list[float]] = {"one": [], "sharded": []}
    equal = True
    for q in queries:
        t = time.perf_counter()
        a = one.search(q[None], 50)
        times["one"].append((time.perf_counter() - t) * 1e3)
        t = time.perf_counter()
        b = sharded.search(q[None], 50)
        times["sharded"].append((time.perf_counter() - t) * 1e3)
        equal &= a == b
    sharded.close()
    return {
        "templates": n,
        "probes": probes,
        "one_index_ms_p50_p95": [_pct(times["one"], 50), _pct(times["one"], 95)],
        "two_shards_on_ray_ms_p50_p95": [_pct(times["sharded"], 50), _pct(times["sharded"], 95)],
        "results_equal": equal,
    }


def _pct(values: list[float], p: float) -> float:
    values = sorted(values)
    return round(values[min(len(values) - 1, round(p / 100 * (len(values) - 1)))], 2)


if __name__ == "__main__":
    main()
