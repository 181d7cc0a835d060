"""Library work on a Ray cluster (issue 14): templating large folders, and an index too large
for one machine held as shards by Ray actors. Optional: `pip install frt[cluster]`.

Used only when `FRT_RAY_ADDRESS` names a cluster (`auto` for one started on this machine with
`ray start`, or `ray://host:10001`); otherwise nothing here is imported and the single-machine
path (`frt.engine.enrol.template_many`'s process pool, `frt.engine.index.TemplateIndex`) is the
one that runs, needing no Ray.

- `template_many_on_ray(items, spec)`: the same `Enrolment`s, in input order, as
  `template_many` — computed by Ray tasks, a chunk of images each, on whichever nodes have a
  free CPU. Images travel as bytes (a node need not see the driver's files). Because it is a
  drop-in for `template_many`, RFR enrolment, re-enrolment and evaluation keep their own
  progress, resume and audit (`frt.rfr.enrol`): only where the arithmetic runs changes.
- `ShardedIndex`: the index split over actors (each a `TemplateIndex`, the kind the RFR issue
  chose), each searched for its own top k, the results merged by `merge_results` exactly as one
  index returns them (score descending, ties by id; exact shards score independently of how a
  library is split: `index_shard._exact_topk`).
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Iterator, Sequence
from pathlib import Path

import numpy as np

from frt.engine.enrol import EngineSpec, Enrolment, Source
from frt.engine.index import Result, TemplateIndex, merge_results

ADDRESS_ENV = "FRT_RAY_ADDRESS"
CHUNK = 8  # images a Ray task templates (amortises the task's overhead, keeps nodes busy)
IN_FLIGHT_PER_CPU = 2


class ClusterUnavailable(RuntimeError):
    """FRT_RAY_ADDRESS is set but Ray is not installed or the cluster cannot be reached."""


def ray_address() -> str | None:
    """The cluster to use, or None for the single-machine path."""
    return os.environ.get(ADDRESS_ENV) or None


def connect(address: str | None = None):
    """The `ray` module, connected to `address` (or FRT_RAY_ADDRESS) once per process."""
    try:
        import ray
    except ImportError as exc:  # pragma: no cover - depends on the installation
        raise ClusterUnavailable(
            f"{ADDRESS_ENV} is set but Ray is not installed: pip install 'frt[cluster]'"
        ) from exc
    if not ray.is_initialized():
        ray.init(
            address=address or ray_address() or "auto",
            namespace="frt",
            log_to_driver=False,
            ignore_reinit_error=True,
        )
    return ray


# ------------------------------------------------------------------ templating
def _template_chunk(spec: EngineSpec, chunk: list[tuple[str, bytes]]) -> list[Enrolment]:
    """On a Ray worker: template a chunk with the models loaded once per worker process."""
    from frt.engine import enrol

    if enrol._worker is None or enrol._worker[2] != spec:
        enrol._init_worker(spec)
    return [enrol._work(item) for item in chunk]


def template_many_on_ray(
    items: Iterable[tuple[str, Source]], spec: EngineSpec = EngineSpec(), chunk: int = CHUNK
) -> Iterator[Enrolment]:
    """`template_many` on the cluster: the same Enrolments, in input order."""
    ray = connect()
    remote = ray.remote(num_cpus=1)(_template_chunk)
    limit = max(2, int(ray.cluster_resources().get("CPU", 1)) * IN_FLIGHT_PER_CPU)
    pending: list = []
    for block in _chunks(items, chunk):
        pending.append(remote.remote(spec, [(key, _bytes(src)) for key, src in block]))
        if len(pending) >= limit:  # bounded: a 20M-image folder is never all in flight
            yield from ray.get(pending.pop(0))
    for ref in pending:
        yield from ray.get(ref)


def _chunks(items: Iterable, size: int) -> Iterator[list]:
    block: list = []
    for item in items:
        block.append(item)
        if len(block) == size:
            yield block
            block = []
    if block:
        yield block


def _bytes(source: Source) -> bytes:
    if isinstance(source, bytes):
        return source
    try:
        return Path(source).read_bytes()
    except OSError:
        return b""  # templated as an unreadable image: an Enrolment with its reason


# ------------------------------------------------------------------ sharded search
class _Shard:
    """A Ray actor's part of a library (created through `ray.remote`)."""

    def __init__(self, algorithm: str, version: str, dim: int):
        self.index = TemplateIndex(algorithm, version, dim)

    def add(self, ids: np.ndarray, vectors: np.ndarray) -> int:
        self.index.add(ids, vectors)
        return len(self.index)

    def remove(self, ids: np.ndarray) -> int:
        return self.index.remove(ids)

    def search(self, probes: np.ndarray, k: int) -> list[Result]:
        return self.index.search(probes, k)

    def size(self) -> int:
        return len(self.index)


class ShardedIndex:
    """A library's templates over `shards` Ray actors; searched as one `TemplateIndex`."""

    def __init__(self, algorithm: str, version: str, dim: int = 128, shards: int = 2):
        ray = connect()
        self._ray = ray
        self.algorithm, self.version, self.dim = algorithm, version, dim
        actor = ray.remote(num_cpus=0)(_Shard)
        self._shards = [actor.remote(algorithm, version, dim) for _ in range(shards)]

    def add(self, ids, vectors) -> None:
        """Templates spread over the shards in contiguous blocks (the last shard fills last)."""
        ids, vectors = np.asarray(ids, np.int64), np.asarray(vectors, np.float32)
        blocks = np.array_split(np.arange(len(ids)), len(self._shards))
        self._ray.get(
            [
                shard.add.remote(ids[b], vectors[b])
                for shard, b in zip(self._shards, blocks)
                if len(b)
            ]
        )

    def remove(self, ids) -> int:
        ids = np.asarray(ids, np.int64)
        return sum(self._ray.get([s.remove.remote(ids) for s in self._shards]))

    def __len__(self) -> int:
        return sum(self._ray.get([s.size.remote() for s in self._shards]))

    def search(self, probes, k: int) -> list[Result]:
        """Per probe, the k best (id, score) over every shard, merged exactly."""
        probes = np.atleast_2d(np.asarray(probes, np.float32))
        per_shard = self._ray.get([s.search.remote(probes, k) for s in self._shards])
        return [merge_results([r[i] for r in per_shard], k) for i in range(len(probes))]

    def close(self) -> None:
        for shard in self._shards:
            self._ray.kill(shard)
        self._shards = []


def search_sharded(indexes: Sequence[ShardedIndex], probes, k: int) -> list[Result]:
    """Several sharded libraries, merged as `frt.engine.index.search_libraries` does."""
    per_library = [ix.search(probes, k) for ix in indexes]
    return [merge_results([r[i] for r in per_library], k) for i in range(len(per_library[0]))]
