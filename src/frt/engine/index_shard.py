"""The two kinds of shard a `TemplateIndex` is made of (see `frt.engine.index`).

- `ExactShard`: ids and a float32 matrix, searched exactly with one BLAS product per batch; the
  scores are those of `frt.engine.compare.Gallery`.
- `IvfShard`: a faiss IVF index, spherical k-means cells (`NLIST`), each template stored as the
  float16 residual from its cell's centre (2 bytes a dimension), `nprobe` cells scanned a probe.

Both keep their ids sorted (membership and removal without scanning the vectors) and return,
per probe, (ids, scores) already ordered by score descending then id ascending.
"""

from __future__ import annotations

import ctypes
import logging
from contextlib import contextmanager

import numpy as np

from frt.engine.compare import cosine_to_score

logger = logging.getLogger(__name__)

NLIST = 1024  # k-means cells of an IVF shard (bench/RESULTS.md, "RFR search")
NPROBE = 384  # cells scanned a probe: 3/8 of the shard
TRAIN_PER_LIST = 64  # k-means sample: at most this many templates a cell
MIN_TRAIN_PER_LIST = 39  # faiss's own floor for a sound k-means
SMALL_BATCH = 8  # fewer probes (or added templates x 512) than this run on one thread


def order(ids: np.ndarray, scores: np.ndarray, k: int) -> tuple[np.ndarray, np.ndarray]:
    """The best k of (ids, scores): score descending, ties by id ascending."""
    idx = np.lexsort((ids, -scores))[:k]
    return ids[idx], scores[idx]


def merge_sorted(sorted_ids: np.ndarray, new: np.ndarray) -> np.ndarray:
    """`sorted_ids` with `new` inserted in order (one memmove, not a sort of everything)."""
    new = np.sort(new)
    return np.insert(sorted_ids, np.searchsorted(sorted_ids, new), new)


def _exact_topk(
    cos: np.ndarray, probes: np.ndarray, matrix: np.ndarray, ids: np.ndarray, k: int
) -> list[tuple[np.ndarray, np.ndarray]]:
    """Per probe, the best k of an exact shard. BLAS's float32 products can differ in the last
    bit with the matrix's shape, so the few candidates near the top are scored again in float64:
    the scores, and so the order and its ties, do not depend on how a library is split."""
    out = []
    n = len(ids)
    for row, probe in zip(cos, probes):
        keep = np.arange(n)
        if n > k:
            kth = np.partition(row, n - k)[n - k]
            keep = np.flatnonzero(row >= kth - 1e-5)
        exact = (matrix[keep].astype(np.float64) @ probe.astype(np.float64)).astype(np.float32)
        out.append(order(ids[keep], cosine_to_score(exact), k))
    return out


def release_free_memory() -> None:
    """Give freed heap pages back to the system (glibc's malloc_trim). Cells that grow leave
    their old blocks free but resident: at 1M templates 310 MB of them (bench/RESULTS.md)."""
    try:
        ctypes.CDLL(None).malloc_trim(0)
    except (OSError, AttributeError):  # not glibc: nothing to do
        pass


@contextmanager
def _one_thread():
    """faiss's OpenMP thread count set to 1 for the calling thread only (an OpenMP setting is
    per thread), and put back afterwards."""
    import faiss

    before = faiss.omp_get_max_threads()
    faiss.omp_set_num_threads(1)
    try:
        yield
    finally:
        faiss.omp_set_num_threads(before)


class ExactShard:
    mode = "exact"

    def __init__(self, dim: int, ids: np.ndarray | None = None, vectors: np.ndarray | None = None):
        self.dim = dim
        n = 0 if ids is None else len(ids)
        self._ids = np.zeros(max(n, 1024), np.int64)
        self._buf = np.zeros((max(n, 1024), dim), np.float32)
        self._n = n
        if ids is not None and vectors is not None and n:
            self._ids[:n], self._buf[:n] = ids, vectors
        self.sorted_ids = np.sort(self.ids)

    def __len__(self) -> int:
        return self._n

    @property
    def ids(self) -> np.ndarray:
        return self._ids[: self._n]

    @property
    def vectors(self) -> np.ndarray:
        return self._buf[: self._n]

    def add(self, ids: np.ndarray, vectors: np.ndarray) -> None:
        n, m = self._n, len(ids)
        if n + m > len(self._ids):  # grow by doubling, so enrolling one at a time stays cheap
            cap = max(2 * len(self._ids), n + m)
            ids_buf, buf = np.zeros(cap, np.int64), np.zeros((cap, self.dim), np.float32)
            ids_buf[:n], buf[:n] = self._ids[:n], self._buf[:n]
            self._buf[:n] = 0.0  # templates are not left behind in the old buffer
            self._ids, self._buf = ids_buf, buf
        self._ids[n : n + m], self._buf[n : n + m] = ids, vectors
        self._n = n + m
        self.sorted_ids = merge_sorted(self.sorted_ids, ids)

    def remove(self, ids: np.ndarray) -> int:
        drop = np.isin(self.ids, ids)
        count = int(drop.sum())
        if count:
            keep = np.flatnonzero(~drop)
            n = len(keep)
            self._ids[:n], self._buf[:n] = self._ids[keep], self._buf[keep]
            self._buf[n : self._n] = 0.0  # the removed templates are overwritten, not just skipped
            self._ids[n : self._n] = 0
            self._n = n
            self.sorted_ids = self.sorted_ids[~np.isin(self.sorted_ids, ids)]
        return count

    def search(self, probes: np.ndarray, k: int) -> list[tuple[np.ndarray, np.ndarray]]:
        if not len(self):
            return [(np.zeros(0, np.int64), np.zeros(0, np.float32))] * len(probes)
        out = []
        matrix, ids = self.vectors, self.ids
        if len(probes) < SMALL_BATCH:
            # One probe at a time on one core (faiss's SIMD kernel): a BLAS product spread over
            # the cores stalls for 10-16 ms whenever another process holds one of them.
            import faiss

            cos = np.empty(len(ids), np.float32)
            for probe in probes:
                q = np.ascontiguousarray(probe, dtype=np.float32)
                faiss.fvec_inner_products_ny(  # type: ignore[attr-defined]  # SWIG, not in stubs
                    faiss.swig_ptr(cos),
                    faiss.swig_ptr(q),
                    faiss.swig_ptr(matrix),
                    self.dim,
                    len(ids),
                )
                out += _exact_topk(cos[None], q[None], matrix, ids, k)
            return out
        for start in range(0, len(probes), 64):  # bounds the probes x templates score block
            block = probes[start : start + 64]
            out += _exact_topk(block @ matrix.T, block, matrix, ids, k)
        return out


class IvfShard:
    mode = "ivf"

    def __init__(self, index, sorted_ids: np.ndarray):
        self.index = index
        self.sorted_ids = sorted_ids

    @property
    def dim(self) -> int:
        return self.index.d

    def __len__(self) -> int:
        return int(self.index.ntotal)

    @staticmethod
    def empty(dim: int, nlist: int):
        import faiss

        quantizer = faiss.IndexFlatIP(dim)
        index = faiss.IndexIVFScalarQuantizer(
            quantizer, dim, nlist, faiss.ScalarQuantizer.QT_fp16, faiss.METRIC_INNER_PRODUCT, True
        )
        index.cp.niter = 10
        index.cp.max_points_per_centroid = TRAIN_PER_LIST
        index.nprobe = max(1, nlist * NPROBE // NLIST)
        return index

    @classmethod
    def trained_on(cls, vectors: np.ndarray) -> "IvfShard":
        """A new, empty shard whose cells are k-means of (a sample of) `vectors`."""
        n = len(vectors)
        nlist = NLIST
        while nlist > 16 and n < nlist * MIN_TRAIN_PER_LIST:
            nlist //= 2
        index = cls.empty(vectors.shape[1], nlist)
        sample = vectors
        if n > nlist * TRAIN_PER_LIST:  # a fixed, evenly spread sample: builds are repeatable
            sample = vectors[np.linspace(0, n - 1, nlist * TRAIN_PER_LIST).astype(np.int64)]
        index.train(np.ascontiguousarray(sample))
        return cls(index, np.zeros(0, np.int64))

    def add(self, ids: np.ndarray, vectors: np.ndarray) -> None:
        if len(ids) < SMALL_BATCH * 512:
            with _one_thread():  # faiss's threads cost 7-12 ms to gather on a busy machine
                self.index.add_with_ids(vectors, ids)
        else:
            self.index.add_with_ids(vectors, ids)
            release_free_memory()
        self.sorted_ids = merge_sorted(self.sorted_ids, ids)

    def compact(self) -> None:
        """Copy the cells into exactly sized storage. Cells grow by doubling as templates are
        added, which can leave up to twice the memory they need; a full shard gives it back."""
        import faiss

        old = self.index.invlists
        new = faiss.ArrayInvertedLists(self.index.nlist, self.index.code_size)
        for cell in range(self.index.nlist):
            n = old.list_size(cell)
            if n:
                new.add_entries(cell, n, old.get_ids(cell), old.get_codes(cell))
        self.index.replace_invlists(new, True)  # the index owns, and frees, its lists
        new.this.disown()  # type: ignore[attr-defined]  # SWIG's ownership handle
        release_free_memory()

    def remove(self, ids: np.ndarray) -> int:
        import faiss

        held = ids[np.isin(ids, self.sorted_ids)]
        if not len(held):
            return 0
        held = np.ascontiguousarray(held, dtype=np.int64)
        self._overwrite(held)
        removed = self.index.remove_ids(faiss.IDSelectorBatch(len(held), faiss.swig_ptr(held)))
        self.sorted_ids = self.sorted_ids[~np.isin(self.sorted_ids, held)]
        if removed != len(held):  # the id bookkeeping and faiss must never disagree
            raise RuntimeError(f"index removed {removed} of {len(held)} held templates")
        return int(removed)

    def _overwrite(self, held: np.ndarray) -> None:
        """Zero the codes of templates about to be removed: faiss drops an entry by moving the
        cell's last one over it, which would leave a removed last entry's bytes in memory."""
        import faiss

        lists, size = self.index.invlists, self.index.code_size
        for cell in range(self.index.nlist):
            n = lists.list_size(cell)
            if n:
                ids = faiss.rev_swig_ptr(lists.get_ids(cell), n)
                hit = np.flatnonzero(np.isin(ids, held))
                if len(hit):
                    codes = faiss.rev_swig_ptr(lists.get_codes(cell), n * size).reshape(n, size)
                    codes[hit] = 0

    def search(self, probes: np.ndarray, k: int) -> list[tuple[np.ndarray, np.ndarray]]:
        if not len(self):
            return [(np.zeros(0, np.int64), np.zeros(0, np.float32))] * len(probes)
        fetch = min(k + 1, len(self))  # one more than asked, to see a tie at the k-th place
        dist, labels = self._search(probes, fetch, self.index.nprobe)
        return [self._finish(probes[i], dist[i], labels[i], k, fetch) for i in range(len(probes))]

    def _finish(self, probe, dist, labels, k: int, fetch: int) -> tuple[np.ndarray, np.ndarray]:
        """Order one probe's results, searching again in the rare cases that need it: the cells
        scanned held fewer than k templates (thinned by removals), or the k-th score is tied
        beyond what was fetched (so the tie is broken by id over every tied template)."""
        n, nlist, nprobe = len(self), self.index.nlist, self.index.nprobe
        want = min(k, n)
        while True:
            found = labels >= 0
            ids, scores = labels[found], cosine_to_score(dist[found])
            if len(ids) < want and nprobe < nlist:
                nprobe = min(nlist, nprobe * 2)
            elif len(ids) == fetch and fetch < n and scores[-1] == np.sort(scores)[::-1][want - 1]:
                fetch = min(n, fetch * 2)
            else:
                return order(ids, scores, k)
            d, lab = self._search(probe[None], fetch, nprobe)
            dist, labels = d[0], lab[0]

    def _search(self, probes: np.ndarray, k: int, nprobe: int):
        import faiss

        params = faiss.SearchParametersIVF(nprobe=nprobe)  # type: ignore[call-arg]  # SWIG kwargs
        return self.index.search(probes, k, params=params)
