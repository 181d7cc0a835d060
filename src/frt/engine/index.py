"""The index an Image Reference Library (RFR) is searched with: exact when small, IVF when large.

One `TemplateIndex` holds the templates of one library for one template algorithm and version.
The API the RFR package calls:

    index = TemplateIndex(algorithm, version, dim=128)
    index.add(ids, vectors)            # enrolment appends; ids: distinct int64 >= 0 (image ids)
    index.remove(ids) -> int           # retention deletes; a removed id is never returned again
    index.search(probes, k) -> list[list[tuple[int, float]]]
                                       # per probe, k (id, score), score descending, ties by id
    len(index), index.kind, index.describe()
    index.to_bytes() -> bytes          # the caller seals these with AES-GCM (biometric data):
    TemplateIndex.from_bytes(data)     #   nothing here ever writes an index file to disk
    index.write_to(stream); TemplateIndex.read_from(stream)   # the same bytes, streamed, for
                                       #   libraries whose bytes should not be held twice
    search_libraries(indexes, probes, k)   # several libraries, merged as one index would return
    merge_results([results_a, results_b, ...], k)

Ids are int64, as faiss's are: 10M string ids would cost ~0.5 GB more. The RFR package's image
ids are 32-hex strings, so it gives each template an integer key (a sequence column, say) and
maps results back; keys must be unique across libraries searched together.

`vectors` and `probes` are arrays (n, dim) or sequences of `Template` (whose algorithm and
version are then checked against the index's: `IncompatibleTemplates`). Scores are those of
`frt.engine.compare`: (1 + cos) / 2 in [0, 1]. Bad input — a wrong dimension, NaN or infinite
values, a zero vector, k < 1, ids that are not distinct non-negative integers — is refused with
`IndexInputError`, a `ValueError` that says what was wrong.

**How it searches** (measured in bench/RESULTS.md, "RFR search at scale"; `frt bench rfr`).
A library is a list of shards of at most `SHARD_SIZE` templates; enrolment fills the last one.
- A shard below `EXACT_UP_TO` templates is exact: float32, every template scored, the scores of
  `frt.engine.compare`. Below that size the index would gain at most 1.3x and lose exactness.
- A larger shard is a faiss IVF index: 1,024 spherical k-means cells trained once on the shard's
  own first templates, each template stored as its float16 residual from its cell's centre
  (2 bytes a dimension: 10M dlib templates in 2.6 GB, where float32 needs 5.1 GB), 3/8 of the
  cells scanned a probe. Its scores come from the codes, within ~1e-5 of the exact ones; its
  top-50 held 99.9 % of the exact float32 top-50 at 100k, 1M and 10M synthetic templates spread
  like real ones (`index_synthetic`), with a median of 9.5 ms at 1M and 57 ms at 10M.
Shards are searched in parallel threads for a single probe and merged exactly, so a library that
grows by enrolment is never retrained.
Concurrent calls on one index are serialised by a lock.
"""

from __future__ import annotations

import hashlib
import io
import json
import logging
import os
import struct
import threading
from concurrent.futures import ThreadPoolExecutor
from typing import Any, Iterable, Protocol, Sequence

import numpy as np

from frt.engine.errors import EngineError, IncompatibleTemplates
from frt.engine.index_shard import ExactShard, IvfShard, order

logger = logging.getLogger(__name__)

EXACT_UP_TO = 65_536  # shards up to this size stay exact (bench/RESULTS.md: switch-over)
SHARD_SIZE = 1_000_000  # templates a shard holds before the next one is opened
MAGIC = b"FRTINDEX"
FORMAT = 1
Result = list[tuple[int, float]]


class IndexInputError(EngineError, ValueError):
    """Templates, probes, ids or k that the index cannot take; the message says why."""


class TemplateIndex:
    """The templates of one library, of one algorithm and version (see the module docstring)."""

    def __init__(self, algorithm: str, version: str, dim: int = 128):
        if not isinstance(dim, int) or dim < 1:
            raise IndexInputError(f"dim must be a positive whole number; got {dim!r}")
        self.algorithm, self.version, self.dim = algorithm, version, dim
        self._shards: list[ExactShard | IvfShard] = []
        self._lock = threading.RLock()

    @property
    def kind(self) -> tuple[str, str]:
        return (self.algorithm, self.version)

    def __len__(self) -> int:
        return sum(len(s) for s in self._shards)

    def describe(self) -> dict:
        """What the index is made of: its size and each shard's kind and size."""
        with self._lock:
            return {
                "algorithm": self.algorithm,
                "version": self.version,
                "dim": self.dim,
                "templates": len(self),
                "shards": [_shard_header(s) for s in self._shards],
            }

    # ------------------------------------------------------------------ enrolment, retention
    def add(self, ids, vectors) -> None:
        """Append templates under new ids. Nothing is added if any id or vector is refused."""
        vectors = self._vectors(vectors, "templates")
        ids = _ids(ids)
        if len(ids) != len(vectors):
            raise IndexInputError(
                f"one id per template is needed: {len(ids)} ids for {len(vectors)} templates"
            )
        unique, counts = np.unique(ids, return_counts=True)
        if len(unique) != len(ids):
            raise IndexInputError(f"ids repeated in one call: {unique[counts > 1][:10].tolist()}")
        with self._lock:
            held = self._held(ids)
            if len(held):
                raise IndexInputError(f"ids already in the index: {held[:10].tolist()}")
            start = 0
            while start < len(ids):
                if not self._shards or len(self._shards[-1]) >= SHARD_SIZE:
                    self._shards.append(ExactShard(self.dim))
                shard = self._shards[-1]
                stop = start + min(len(ids) - start, SHARD_SIZE - len(shard))
                self._shards[-1] = shard = _add_to(shard, ids[start:stop], vectors[start:stop])
                if len(shard) >= SHARD_SIZE and shard.mode == "ivf":
                    shard.compact()
                start = stop

    def remove(self, ids) -> int:
        """Remove templates by id; returns how many were held. Unknown ids are ignored (a
        retention purge may run twice). The removed templates' bytes are overwritten."""
        ids = _ids(ids)
        with self._lock:
            removed = sum(shard.remove(ids) for shard in self._shards)
            self._shards = [
                s for i, s in enumerate(self._shards) if len(s) or i == len(self._shards) - 1
            ]
            return removed

    def __contains__(self, template_id: int) -> bool:
        with self._lock:
            return bool(len(self._held(_ids([template_id]))))

    def _held(self, ids: np.ndarray) -> np.ndarray:
        found = [ids[_member(s.sorted_ids, ids)] for s in self._shards]
        return np.concatenate(found) if found else np.zeros(0, np.int64)

    # ------------------------------------------------------------------ search
    def search(self, probes, k: int) -> list[Result]:
        """Per probe, the k best (id, score), score descending and ties broken by id."""
        k = _k(k)
        probes = self._vectors(probes, "probes", single_ok=True)
        with self._lock:
            shards = [s for s in self._shards if len(s)]
            if not shards:
                return [[] for _ in probes]
            if len(probes) == 1 and len(shards) > 1:
                per_shard = list(_pool().map(lambda s: s.search(probes, k), shards))
            else:  # faiss and BLAS already spread a batch of probes over the cores
                per_shard = [s.search(probes, k) for s in shards]
        out = []
        for i in range(len(probes)):
            ids = np.concatenate([r[i][0] for r in per_shard])
            scores = np.concatenate([r[i][1] for r in per_shard])
            ids, scores = order(ids, scores, k)
            out.append([(int(a), float(b)) for a, b in zip(ids, scores)])
        return out

    def _vectors(self, data, what: str, single_ok: bool = False) -> np.ndarray:
        from frt.engine.template import Template, unit

        if isinstance(data, Template) and single_ok:
            data = [data]
        if isinstance(data, (list, tuple)) and data and isinstance(data[0], Template):
            for t in data:
                if t.kind != self.kind:
                    raise IncompatibleTemplates(
                        f"templates of {t.algorithm} {t.version} cannot be compared with "
                        f"{self.algorithm} {self.version}"
                    )
            data = np.stack([np.asarray(t.vector) for t in data])
        try:
            v = np.asarray(data, dtype=np.float32)
        except (TypeError, ValueError) as e:
            raise IndexInputError(f"{what} must be an array of numbers: {e}") from None
        if v.ndim == 1 and single_ok:
            v = v[None]
        if v.ndim != 2 or v.shape[1] != self.dim:
            raise IndexInputError(
                f"{what} must have shape (n, {self.dim}) for this index "
                f"({self.algorithm} {self.version}); got {v.shape}"
            )
        bad = ~np.isfinite(v).all(axis=1)
        if bad.any():
            raise IndexInputError(
                f"{what} hold NaN or infinite values (rows {np.flatnonzero(bad)[:10].tolist()})"
            )
        zero = np.linalg.norm(v, axis=1) < 1e-6
        if zero.any():
            raise IndexInputError(
                f"{what} of length zero have no direction to compare (rows "
                f"{np.flatnonzero(zero)[:10].tolist()})"
            )
        return np.ascontiguousarray(unit(v))

    # ------------------------------------------------------------------ persistence
    def to_bytes(self) -> bytes:
        """The whole index as bytes, to be sealed by the caller (AES-GCM) before storage."""
        buf = io.BytesIO()
        self.write_to(buf)
        return buf.getvalue()

    @classmethod
    def from_bytes(cls, data: bytes | bytearray | memoryview) -> "TemplateIndex":
        return cls.read_from(io.BytesIO(data))

    def write_to(self, stream: Writable) -> None:
        """Write the index to a writable binary stream (the caller's encrypting writer)."""
        with self._lock:
            out = _Hashing(stream)
            head = json.dumps({"format": FORMAT, **self.describe()}).encode()
            out.write(MAGIC + struct.pack("<I", len(head)) + head)
            for shard in self._shards:
                _write_shard(out, shard)
            stream.write(out.digest())

    @classmethod
    def read_from(cls, stream: Readable) -> "TemplateIndex":
        """An index from `write_to`'s bytes; corrupt or truncated input is refused."""
        src = _Hashing(stream)
        if src.read(len(MAGIC)) != MAGIC:
            raise IndexInputError("these bytes are not an FRT template index")
        (size,) = struct.unpack("<I", src.read(4))
        try:
            head = json.loads(src.read(size))
        except ValueError:
            raise IndexInputError("the index header is corrupt") from None
        if head.get("format") != FORMAT:
            raise IndexInputError(f"index format {head.get('format')} is not {FORMAT}")
        index = cls(head["algorithm"], head["version"], head["dim"])
        index._shards = [_read_shard(src, info, index.dim) for info in head["shards"]]
        if stream.read(32) != src.digest():
            raise IndexInputError("the index bytes are corrupt (checksum mismatch)")
        if len(index) != head["templates"]:
            raise IndexInputError("the index bytes are corrupt (template count)")
        return index


def search_libraries(indexes: Sequence[TemplateIndex], probes, k: int) -> list[Result]:
    """Search several libraries (one algorithm and version) and merge as one index would.
    Ids must be unique across the libraries searched together (they are image ids)."""
    if not indexes:
        return []
    for ix in indexes[1:]:
        if ix.kind != indexes[0].kind or ix.dim != indexes[0].dim:
            raise IncompatibleTemplates(
                f"libraries of {ix.kind} and {indexes[0].kind} cannot be searched together"
            )
    per_library = [ix.search(probes, k) for ix in indexes]
    return [merge_results([r[i] for r in per_library], k) for i in range(len(per_library[0]))]


def merge_results(results: Iterable[Result], k: int) -> Result:
    """One probe's results from several indexes merged: the k best, score descending, ties by id."""
    k = _k(k)
    pairs = [p for r in results for p in r]
    ids = np.array([p[0] for p in pairs], dtype=np.int64)
    if len(np.unique(ids)) != len(ids):
        raise IndexInputError(
            "the same id was returned by two libraries: ids must be unique "
            "across libraries searched together"
        )
    scores = np.array([p[1] for p in pairs], dtype=np.float64)
    ids, scores = order(ids, scores, k)
    return [(int(a), float(b)) for a, b in zip(ids, scores)]


# ---------------------------------------------------------------------- helpers
def _add_to(shard, ids: np.ndarray, vectors: np.ndarray):
    """Add to `shard`; an exact shard that reaches EXACT_UP_TO becomes an IVF shard."""
    if shard.mode == "exact" and len(shard) + len(ids) >= EXACT_UP_TO:
        all_ids = np.concatenate([shard.ids, ids])
        all_vectors = np.concatenate([shard.vectors, vectors])
        ivf = IvfShard.trained_on(all_vectors)
        ivf.add(all_ids, all_vectors)
        shard.remove(shard.ids)  # overwrites the float32 copies
        all_vectors.fill(0.0)
        logger.info(
            "index shard of %d templates now searched by IVF (%d cells)", len(ivf), ivf.index.nlist
        )
        return ivf
    shard.add(ids, vectors)
    return shard


def _ids(ids) -> np.ndarray:
    a = np.asarray(ids)
    if a.ndim == 0:
        a = a[None]
    if a.ndim != 1:
        raise IndexInputError(f"ids must be a flat list; got shape {a.shape}")
    if len(a) and (a.dtype == bool or a.dtype.kind not in "iu"):
        raise IndexInputError(f"ids must be whole numbers; got {a.dtype}")
    if a.dtype.kind == "u" and len(a) and a.max() > np.iinfo(np.int64).max:
        raise IndexInputError("ids must fit in a signed 64-bit integer")
    a = a.astype(np.int64)
    if len(a) and a.min() < 0:
        raise IndexInputError(f"ids must not be negative: {a[a < 0][:10].tolist()}")
    return a


def _k(k) -> int:
    if isinstance(k, bool) or not isinstance(k, (int, np.integer)) or k < 1:
        raise IndexInputError(f"k must be a whole number of at least 1; got {k!r}")
    return int(k)


def _member(sorted_ids: np.ndarray, ids: np.ndarray) -> np.ndarray:
    if not len(sorted_ids):
        return np.zeros(len(ids), bool)
    pos = np.minimum(np.searchsorted(sorted_ids, ids), len(sorted_ids) - 1)
    return sorted_ids[pos] == ids


_POOL: ThreadPoolExecutor | None = None
_POOL_LOCK = threading.Lock()


def _pool() -> ThreadPoolExecutor:
    global _POOL
    with _POOL_LOCK:
        if _POOL is not None:
            return _POOL
        # One shard per core, each on one faiss thread (an OpenMP setting is per thread).
        _POOL = ThreadPoolExecutor(
            max_workers=os.cpu_count() or 2,
            thread_name_prefix="index",
            initializer=_one_faiss_thread,
        )
        return _POOL


def _one_faiss_thread() -> None:
    import faiss

    faiss.omp_set_num_threads(1)


class Writable(Protocol):
    """Where `write_to` writes: a file, a buffer, or the caller's encrypting writer."""

    def write(self, data: Any, /) -> Any: ...


class Readable(Protocol):
    """What `read_from` reads: a file, a buffer, or the caller's decrypting reader (and
    `readinto`, where it has one, saves a copy)."""

    def read(self, n: int, /) -> bytes: ...


class _Hashing:
    """A stream wrapper that hashes everything read or written through it."""

    def __init__(self, stream: Any):  # a Writable or a Readable
        self.stream, self._hash = stream, hashlib.sha256()

    def write(self, data) -> None:
        if isinstance(data, memoryview):
            if not data.nbytes:
                return
            data = data.cast("B")  # flat bytes, whatever the array's shape
        self._hash.update(data)
        self.stream.write(data)

    def read(self, n: int) -> bytes:
        data = self.stream.read(n)
        if len(data) != n:
            raise IndexInputError("the index bytes are truncated")
        self._hash.update(data)
        return data

    def read_array(self, dtype, count: int) -> np.ndarray:
        arr = np.empty(count, dtype=dtype)
        view = memoryview(arr).cast("B")  # type: ignore[arg-type]  # numpy arrays are buffers
        readinto = getattr(self.stream, "readinto", None)
        got = readinto(view) if readinto is not None else None
        if readinto is None or got is None:
            view[:] = self.read(arr.nbytes)
            return arr
        while got < arr.nbytes:
            more = readinto(view[got:])
            if not more:
                raise IndexInputError("the index bytes are truncated")
            got += more
        self._hash.update(view)
        return arr

    def digest(self) -> bytes:
        return self._hash.digest()


def _shard_header(shard) -> dict:
    if shard.mode == "exact":
        return {"mode": "exact", "templates": len(shard)}
    ix = shard.index
    return {
        "mode": "ivf",
        "templates": len(shard),
        "nlist": int(ix.nlist),
        "nprobe": int(ix.nprobe),
        "code_size": int(ix.code_size),
        "codes": "fp16-residual",
    }


def _write_shard(out: _Hashing, shard) -> None:
    if shard.mode == "exact":
        out.write(np.ascontiguousarray(shard.ids, dtype="<i8").data)
        out.write(np.ascontiguousarray(shard.vectors, dtype="<f4").data)
        return
    import faiss

    ix = shard.index
    out.write(np.ascontiguousarray(ix.quantizer.reconstruct_n(0, ix.nlist), dtype="<f4").data)
    lists = ix.invlists
    for cell in range(ix.nlist):
        n = lists.list_size(cell)
        out.write(struct.pack("<Q", n))
        if n:
            out.write(faiss.rev_swig_ptr(lists.get_ids(cell), n).astype("<i8", copy=False).data)
            out.write(faiss.rev_swig_ptr(lists.get_codes(cell), n * ix.code_size).data)


def _read_shard(src: _Hashing, info: dict, dim: int):
    n = int(info["templates"])
    if info["mode"] == "exact":
        ids = src.read_array("<i8", n).astype(np.int64)
        vectors = src.read_array("<f4", n * dim).reshape(n, dim).astype(np.float32)
        return ExactShard(dim, ids, vectors)
    if info["mode"] != "ivf" or info.get("codes") != "fp16-residual":
        raise IndexInputError(f"unknown shard kind {info.get('mode')!r}")
    import faiss

    nlist = int(info["nlist"])
    ix = IvfShard.empty(dim, nlist)
    if ix.code_size != info["code_size"]:
        raise IndexInputError("the index bytes are corrupt (code size)")
    ix.quantizer.add(src.read_array("<f4", nlist * dim).reshape(nlist, dim))
    ix.is_trained = True
    ix.nprobe = int(info["nprobe"])
    all_ids, total = [], 0
    for cell in range(nlist):
        (size,) = struct.unpack("<Q", src.read(8))
        if size > n - total:
            raise IndexInputError("the index bytes are corrupt (cell sizes)")
        if size:
            ids = src.read_array("<i8", size).astype(np.int64)
            codes = src.read_array(np.uint8, size * ix.code_size)
            ix.invlists.add_entries(cell, size, faiss.swig_ptr(ids), faiss.swig_ptr(codes))
            all_ids.append(ids)
            total += size
    if total != n:
        raise IndexInputError("the index bytes are corrupt (template count)")
    ix.ntotal = n
    return IvfShard(ix, np.sort(np.concatenate(all_ids)) if all_ids else np.zeros(0, np.int64))
