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
- `ShardedIndex`: the index's shards held by actors (each a one-shard `TemplateIndex`, the
  kind the RFR issue chose: exact up to 65,536 templates, IVF above), each searched for its own
  top k, the results merged by `merge_results` exactly as one index merges its shards (score
  descending, ties by id). A library of 20M is 20 shards of 1M: 20 actors, on as many machines
  as their memory needs (about 0.3 GB a shard).
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
    """A Ray actor holding one shard of a library (a one-shard `TemplateIndex`)."""

    def __init__(self, algorithm: str, version: str, dim: int, data: bytes | None = None):
        self.index = (
            TemplateIndex.from_bytes(data) if data else TemplateIndex(algorithm, version, dim)
        )

    def add(self, ids: np.ndarray, vectors: np.ndarray) -> int:
        self.index.add(ids, vectors)
        return len(self.index)

    def remove(self, ids: np.ndarray) -> tuple[int, int]:
        return self.index.remove(ids), len(self.index)

    def search(self, probes: np.ndarray, k: int) -> list[Result]:
        return self.index.search(probes, k)


class ShardedIndex:
    """A library's templates held by Ray actors, one actor per shard of `shard_size`, filled in
    order as `TemplateIndex` fills its own shards — so each actor holds exactly the shard one
    index would, and the merged results are exactly one index's (`from_index` ships an existing
    index's shards as they are)."""

    def __init__(self, algorithm: str, version: str, dim: int = 128, shard_size: int = 0):
        from frt.engine import index as one_index

        self._ray = connect()
        self.algorithm, self.version, self.dim = algorithm, version, dim
        self.shard_size = shard_size or one_index.SHARD_SIZE
        self._actor = self._ray.remote(num_cpus=0)(_Shard)
        self._shards: list = []
        self._sizes: list[int] = []

    @classmethod
    def from_index(cls, index: TemplateIndex) -> ShardedIndex:
        """Each shard of `index` moved to an actor of its own (as bytes: nothing on disk)."""
        sharded = cls(index.algorithm, index.version, index.dim)
        for shard in index._shards:
            part = TemplateIndex(index.algorithm, index.version, index.dim)
            part._shards = [shard]
            sharded._shards.append(
                sharded._actor.remote(index.algorithm, index.version, index.dim, part.to_bytes())
            )
            sharded._sizes.append(len(shard))
        return sharded

    def add(self, ids, vectors) -> None:
        ids, vectors = np.asarray(ids, np.int64), np.asarray(vectors, np.float32)
        start = 0
        while start < len(ids):
            if not self._shards or self._sizes[-1] >= self.shard_size:
                self._shards.append(self._actor.remote(self.algorithm, self.version, self.dim))
                self._sizes.append(0)
            end = start + self.shard_size - self._sizes[-1]
            self._sizes[-1] = self._ray.get(
                self._shards[-1].add.remote(ids[start:end], vectors[start:end])
            )
            start = end

    def remove(self, ids) -> int:
        ids = np.asarray(ids, np.int64)
        answers = self._ray.get([s.remove.remote(ids) for s in self._shards])
        self._sizes = [size for _, size in answers]
        return sum(removed for removed, _ in answers)

    def __len__(self) -> int:
        return sum(self._sizes)

    def search(self, probes, k: int) -> list[Result]:
        """Per probe, the k best (id, score) over every shard, merged exactly."""
        probes = np.atleast_2d(np.asarray(probes, np.float32))
        per_shard = self._ray.get([s.search.remote(probes, k) for s in self._shards])
        return [merge_results([r[i] for r in per_shard], k) for i in range(len(probes))]

    def close(self) -> None:
        for shard in self._shards:
            self._ray.kill(shard)
        self._shards, self._sizes = [], []


def search_sharded(indexes: Sequence[ShardedIndex], probes, k: int) -> list[Result]:
    """Several sharded libraries, merged as `frt.engine.index.search_libraries` does."""
    per_library = [ix.search(probes, k) for ix in indexes]
    return [merge_results([r[i] for r in per_library], k) for i in range(len(per_library[0]))]
