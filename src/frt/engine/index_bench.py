"""`frt bench rfr`: the library index at scale, beside exact search, on synthetic templates.

One run = one library size, in one process (so its peak memory is the run's own):
1. Probes: new images of people in the library (half) and of people not in it (half)
   (`index_synthetic`: templates spread like real dlib ones; or uniform random ones, for contrast).
2. The library is generated in chunks and added to a `TemplateIndex` (build time); the exact
   float32 top-k of every probe is kept up to date from the same chunks (the recall reference).
   Nothing holds the whole library as float32, so 10M templates fit in the index's own memory.
3. Latency: one probe per call, median and 95th percentile after a warm-up. Where the float32
   library fits (`exact_up_to`), FRT's exact search (`compare.Gallery`, the watchlist path) is
   timed on the same probes, interleaved with the index, and the ratio given; so is the
   index's own exact shard on the whole library (one core, SIMD, no BLAS threads).
4. Enrolment and retention on the built index: single-template appends, a removal of the
   probes' top results (which must then never come back), and a sealed round trip: the index
   streamed through AES-256-GCM to a temporary file and read back into an identical index,
   never as plaintext on disk and never held twice in memory.
"""

from __future__ import annotations

import gc
import json
import os
import platform
import resource
import statistics
import tempfile
import time
from pathlib import Path

import numpy as np

from frt.engine.index import TemplateIndex
from frt.engine.index_synthetic import SyntheticLibrary

KIND = ("synthetic", "1")


class UniformLibrary:
    """Uniform random unit vectors: the usual, unrealistic benchmark data (for contrast)."""

    def __init__(self, size: int, seed: int = 0, chunk: int = 100_000):
        self.size, self.seed, self.chunk = size, seed, chunk
        self.n_chunks = -(-size // chunk)

    def chunk_at(self, c: int) -> tuple[np.ndarray, np.ndarray]:
        n = min(self.chunk, self.size - c * self.chunk)
        v = np.random.default_rng([self.seed, c]).standard_normal((n, 128), dtype=np.float32)
        v /= np.linalg.norm(v, axis=1, keepdims=True)
        return np.arange(c * self.chunk, c * self.chunk + n, dtype=np.int64), v

    def chunks(self):
        for c in range(self.n_chunks):
            yield self.chunk_at(c)

    def probes(self, n: int, seed: int = 1) -> tuple[np.ndarray, np.ndarray]:
        rng = np.random.default_rng([self.seed, 10_000 + seed])
        q = rng.standard_normal((n, 128), dtype=np.float32)
        mated = rng.random(n) < 0.5
        for i in np.flatnonzero(mated):  # a library entry plus noise, as bench_match.py does
            _, v = self.chunk_at(int(rng.integers(self.n_chunks)))
            q[i] = v[rng.integers(len(v))] + 0.05 * rng.standard_normal(128, dtype=np.float32)
        q /= np.linalg.norm(q, axis=1, keepdims=True)
        return q, mated


def run(
    templates: int,
    probes: int = 200,
    k: int = 50,
    seed: int = 0,
    exact_up_to: int = 2_000_000,
    distribution: str = "face",
    persist: bool = True,
    progress=print,
) -> dict:
    lib = (
        SyntheticLibrary(templates, seed=seed)
        if distribution == "face"
        else UniformLibrary(templates, seed=seed)
    )
    out: dict = {
        "templates": templates,
        "k": k,
        "probes": probes,
        "distribution": distribution,
        "machine": machine(),
        "load_start": _load(),
    }
    queries, mated = lib.probes(probes)
    rss_before = _rss_mb()

    # Build, keeping the exact top-k of every probe from the same chunks.
    index = TemplateIndex(*KIND)
    best_ids = np.zeros((probes, 0), np.int64)
    best_cos = np.zeros((probes, 0), np.float32)
    build_s = gen_s = 0.0
    for c in range(lib.n_chunks):
        t = time.perf_counter()
        ids, vectors = lib.chunk_at(c)
        gen_s += time.perf_counter() - t
        for b in range(0, len(ids), 25_000):  # bounded blocks of probes x templates scores
            best_ids, best_cos = _keep_best(
                best_ids, best_cos, queries @ vectors[b : b + 25_000].T, ids[b : b + 25_000], k
            )
        t = time.perf_counter()
        index.add(ids, vectors)
        build_s += time.perf_counter() - t
        del vectors
        if c % 8 == 7:
            progress(
                f"  {min((c + 1) * lib.chunk, templates):,} templates added, build {build_s:.0f} s"
            )
    out.update(
        build_s=round(build_s, 1),
        generate_s=round(gen_s, 1),
        shards=index.describe()["shards"],
        index_mb=round(index_bytes(index) / 2**20, 1),
        rss_index_mb=round(_rss_mb() - rss_before, 1),
    )

    # Recall of the exact float32 top-k, and latency.
    found = index.search(queries, k)
    hits = np.array([len(set(best_ids[i]) & {a for a, _ in found[i]}) / k for i in range(probes)])
    out.update(
        recall_at_50=round(float(hits.mean()), 4),
        recall_min=round(float(hits.min()), 3),
        recall_mated=round(float(hits[mated].mean()), 4),
        recall_nonmated=round(float(hits[~mated].mean()), 4),
    )
    gc.collect()
    out["memory_mb"] = round(_peak_rss_mb(), 1)  # before anything exact is loaded
    out.update(_latency(index, queries, k, lib if templates <= exact_up_to else None))
    t = time.perf_counter()
    index.search(queries, k)
    out["batch_ms_per_probe"] = round((time.perf_counter() - t) * 1000 / probes, 3)
    progress(f"  searched: median {out['median_ms']} ms, recall@{k} {out['recall_at_50']}")

    out.update(_enrolment_and_retention(index, queries, k, seed))
    if persist:
        held = [index]
        del index  # the round trip drops the index before reading it back
        out.update(_sealed_round_trip(held, queries, k))
    out["load_end"] = _load()
    out["peak_rss_mb"] = round(_peak_rss_mb(), 1)
    return out


def _keep_best(ids, cos, new_cos, new_ids, k):
    all_cos = np.concatenate([cos, new_cos], axis=1)
    all_ids = np.concatenate([ids, np.broadcast_to(new_ids, new_cos.shape)], axis=1)
    top = np.argpartition(-all_cos, min(k, all_cos.shape[1] - 1), axis=1)[:, :k]
    return np.take_along_axis(all_ids, top, 1), np.take_along_axis(all_cos, top, 1)


def _latency(index: TemplateIndex, queries: np.ndarray, k: int, lib) -> dict:
    """Single-probe latency of the index, and of exact search on the same probes where given."""
    from frt.engine.compare import Gallery
    from frt.engine.template import Template

    gallery = shard = None
    if lib is not None:
        from frt.engine.index_shard import ExactShard

        id_chunks, vector_chunks = zip(*lib.chunks())
        ids, matrix = np.concatenate(id_chunks), np.concatenate(vector_chunks)
        del vector_chunks
        gallery = Gallery([str(i) for i in ids], matrix, *KIND)
        shard = ExactShard(matrix.shape[1], ids, matrix)
        del matrix
    for q in queries[:5]:  # warm-up
        index.search(q, k)
        if gallery is not None and shard is not None:
            gallery.search(Template(q, *KIND), k)
            shard.search(q[None], k)
    times, exact, one_core = [], [], []
    for q in queries:  # interleaved, so that each sees the same machine
        t = time.perf_counter()
        index.search(q, k)
        times.append((time.perf_counter() - t) * 1000)
        if gallery is not None and shard is not None:
            t = time.perf_counter()
            gallery.search(Template(q, *KIND), k)
            exact.append((time.perf_counter() - t) * 1000)
            t = time.perf_counter()
            shard.search(q[None], k)
            one_core.append((time.perf_counter() - t) * 1000)
    med = statistics.median(times)
    out = {"median_ms": round(med, 3), "p95_ms": round(float(np.percentile(times, 95)), 3)}
    if exact and gallery is not None:
        out.update(
            exact_median_ms=round(statistics.median(exact), 3),
            exact_p95_ms=round(float(np.percentile(exact, 95)), 3),
            exact_over_index=round(statistics.median(exact) / med, 2),
            exact_one_core_median_ms=round(statistics.median(one_core), 3),
            exact_one_core_p95_ms=round(float(np.percentile(one_core, 95)), 3),
            exact_one_core_over_index=round(statistics.median(one_core) / med, 2),
            exact_memory_mb=round(len(gallery) * gallery.matrix.shape[1] * 4 / 2**20, 1),
        )
    return out


def _enrolment_and_retention(index: TemplateIndex, queries: np.ndarray, k: int, seed: int) -> dict:
    rng = np.random.default_rng([seed, 99])
    new = rng.standard_normal((50, 128), dtype=np.float32)
    times = []
    for i, v in enumerate(new):
        t = time.perf_counter()
        index.add([10**12 + i], v[None])
        times.append((time.perf_counter() - t) * 1000)
    index.remove(np.arange(10**12, 10**12 + 50))
    before = index.search(queries, k)
    gone = np.unique([a for r in before for a, _ in r[:5]])
    t = time.perf_counter()
    removed = index.remove(gone)
    remove_s = time.perf_counter() - t
    after = index.search(queries, k)
    returned = set(gone.tolist()) & {a for r in after for a, _ in r}
    return {
        "append_one_median_ms": round(statistics.median(times), 2),
        "removed": removed,
        "remove_s": round(remove_s, 2),
        "removed_ever_returned": len(returned),
    }


def _sealed_round_trip(held: list[TemplateIndex], queries: np.ndarray, k: int) -> dict:
    """Stream the index through AES-256-GCM to a temporary file, drop it (`held` is its only
    reference), read it back: at no time are two copies, or a plaintext file, in existence."""
    from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes

    index = held.pop()
    key, nonce = os.urandom(32), os.urandom(12)
    expected = index.search(queries[:20], k)
    with tempfile.TemporaryFile() as f:
        enc = Cipher(algorithms.AES(key), modes.GCM(nonce)).encryptor()
        sink = _Through(lambda data: f.write(enc.update(data)))
        t = time.perf_counter()
        index.write_to(sink)
        f.write(enc.finalize())
        seal_s = time.perf_counter() - t
        tag, size = enc.tag, f.tell()
        rss_sealed = _rss_mb()
        del index
        gc.collect()
        f.seek(0)
        dec = Cipher(algorithms.AES(key), modes.GCM(nonce, tag)).decryptor()
        t = time.perf_counter()
        loaded = TemplateIndex.read_from(_Decrypting(f, dec))
        open_s = time.perf_counter() - t
    return {
        "sealed_mb": round(size / 2**20, 1),
        "seal_s": round(seal_s, 1),
        "open_s": round(open_s, 1),
        "rss_before_mb": round(rss_sealed, 1),
        "rss_reopened_mb": round(_rss_mb(), 1),
        "reopened_identical": loaded.search(queries[:20], k) == expected,
    }


class _Through:
    def __init__(self, write):
        self.write = write


class _Decrypting:
    """A readable stream of plaintext from an AES-GCM ciphertext file; the tag is checked when
    the last byte has been read (the index's own checksum is checked after that)."""

    def __init__(self, f, decryptor):
        self.f, self.dec, self.buf, self.done = f, decryptor, b"", False

    def read(self, n: int) -> bytes:
        while len(self.buf) < n and not self.done:
            data = self.f.read(max(n - len(self.buf), 1 << 20))
            if data:
                self.buf += self.dec.update(data)
            else:
                self.buf += self.dec.finalize()
                self.done = True
        out, self.buf = self.buf[:n], self.buf[n:]
        return out


def index_bytes(index: TemplateIndex) -> int:
    """The index's own data: codes or float32 vectors, ids (twice: stored and sorted), centres."""
    total = 0
    for shard in index.describe()["shards"]:
        n = shard["templates"]
        if shard["mode"] == "exact":
            total += n * (index.dim * 4 + 8 + 8)
        else:
            total += n * (shard["code_size"] + 8 + 8) + shard["nlist"] * index.dim * 4
    return total


def machine() -> dict:
    import faiss

    cpu = ""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    mem = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30
    return {
        "cpu": cpu,
        "cores": os.cpu_count(),
        "memory_gib": round(mem, 1),
        "python": platform.python_version(),
        "numpy": np.__version__,
        "faiss": faiss.__version__,
        "faiss_threads": faiss.omp_get_max_threads(),
        "date": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()),
    }


def _load() -> list[float]:
    return [round(x, 2) for x in os.getloadavg()]


def _rss_mb() -> float:
    with open("/proc/self/statm") as f:
        return int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 2**20


def _peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def write_json(result: dict, path: str | Path) -> None:
    Path(path).write_text(json.dumps(result, indent=2) + "\n")


def switch_over(sizes: list[int], probes: int = 200, k: int = 50, seed: int = 0) -> list[dict]:
    """Exact shard beside IVF shard on the same library, per size: where exact stops paying."""
    from frt.engine.index_shard import ExactShard, IvfShard

    rows = []
    for n in sizes:
        lib = SyntheticLibrary(n, seed=seed)
        ids, vectors = (np.concatenate(a) for a in zip(*lib.chunks()))
        queries, _ = lib.probes(probes)
        exact = ExactShard(vectors.shape[1], ids, vectors)
        t = time.perf_counter()
        ivf = IvfShard.trained_on(vectors)
        ivf.add(ids, vectors)
        build = time.perf_counter() - t
        truth = exact.search(queries, k)
        found = ivf.search(queries, k)
        recall = np.mean(
            [len(set(a[0].tolist()) & set(b[0].tolist())) / k for a, b in zip(truth, found)]
        )
        te, ti = [], []
        for q in queries[:5]:
            exact.search(q[None], k), ivf.search(q[None], k)
        for q in queries:
            t = time.perf_counter()
            exact.search(q[None], k)
            te.append((time.perf_counter() - t) * 1000)
            t = time.perf_counter()
            ivf.search(q[None], k)
            ti.append((time.perf_counter() - t) * 1000)
        rows.append(
            {
                "templates": n,
                "exact_median_ms": round(statistics.median(te), 3),
                "ivf_median_ms": round(statistics.median(ti), 3),
                "exact_over_ivf": round(statistics.median(te) / statistics.median(ti), 2),
                "ivf_recall_at_50": round(float(recall), 4),
                "ivf_nlist": ivf.index.nlist,
                "ivf_nprobe": ivf.index.nprobe,
                "ivf_build_s": round(build, 1),
                "load": _load(),
            }
        )
    return rows
