"""The one place a probe template meets a library's templates (RFR-03, RFR-08).

`candidates(session, cipher, library_ids, probe, k, indexes)` returns the k best-scoring library
images, best first, searching only templates of the probe's algorithm and version (a library
answers a search only with templates of the version being searched; 003 §3.1 'Template').

Each library is searched through a `frt.engine.index.TemplateIndex`: exact below 65,536
templates a shard, an IVF index above (the figures are in bench/RESULTS.md, "RFR search at
scale"). A server keeps them warm in `LibraryIndexes` (built by the composition root, handed to
actions as `ctx.services.library_indexes`), so a search of a million-image library does not open
a million sealed templates: each search first checks the library's stamp (how many searchable
templates, the newest, the latest deletion) and brings the index up to date — new templates
added, deleted images' templates removed, anything else (rows gone outright) rebuilt. Without a
`LibraryIndexes` an index is built for the search and dropped after it.

Warm indexes hold decrypted templates in the server's memory: an index unused for
`idle_seconds` is dropped, and a library that can no longer be searched is refused before this
module is reached (003 §7.1: an ended library is unsearchable at once).
"""

from __future__ import annotations

import threading
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING

import numpy as np
from sqlalchemy import func, select

from frt.engine.index import TemplateIndex, merge_results
from frt.engine.template import Template
from frt.rfr.models import RfrLibraryImage, RfrTemplate

if TYPE_CHECKING:  # Ray is an optional extra: imported only when a library is sharded
    from frt.engine.cluster import ShardedIndex


@dataclass(frozen=True)
class Candidate:
    library_id: str
    image_id: str
    score: float
    rank: int  # 1 = best


def _searchable(library_ids: Sequence[str], algorithm: str, version: str, *columns):
    """The templates a search of these libraries answers with (or `columns` of them)."""
    chosen = columns or (
        RfrTemplate.id,
        RfrTemplate.image_id,
        RfrTemplate.library_id,
        RfrTemplate.template_sealed,
    )
    return (
        select(*chosen)
        .select_from(RfrTemplate)
        .join(RfrLibraryImage, RfrLibraryImage.id == RfrTemplate.image_id)
        .where(
            RfrTemplate.library_id.in_(library_ids),
            RfrTemplate.algorithm == algorithm,
            RfrTemplate.version == version,
            RfrLibraryImage.deleted_at.is_(None),
        )
    )


def template_count(session, library_ids: list[str], algorithm: str, version: str) -> int:
    """How many templates of this kind the libraries would answer with."""
    if not library_ids:
        return 0
    return session.scalar(_searchable(library_ids, algorithm, version, func.count())) or 0


@dataclass(frozen=True)
class Stamp:
    """What says whether a warm index still matches its library: four figures each read from
    an index alone (migration 0012i), so checking costs little beside the search."""

    templates: int  # the library's templates of this kind, deleted images' included
    newest: datetime | None  # the newest one's created_at
    deleted_images: int
    last_deletion: datetime | None  # the latest image deleted_at


def _stamp(session, library_id: str, algorithm: str, version: str) -> Stamp:
    templates, newest = session.execute(
        select(func.count(), func.max(RfrTemplate.created_at)).where(
            RfrTemplate.library_id == library_id,
            RfrTemplate.algorithm == algorithm,
            RfrTemplate.version == version,
        )
    ).one()
    deleted, last = session.execute(
        select(func.count(), func.max(RfrLibraryImage.deleted_at)).where(
            RfrLibraryImage.library_id == library_id, RfrLibraryImage.deleted_at.is_not(None)
        )
    ).one()
    return Stamp(templates or 0, newest, deleted or 0, last)


def _deleted_templates(session, library_id: str, algorithm: str, version: str) -> int:
    """Templates of this kind whose image is deleted (few: retention removes them)."""
    return (
        session.scalar(
            select(func.count())
            .select_from(RfrLibraryImage)
            .join(RfrTemplate, RfrTemplate.image_id == RfrLibraryImage.id)
            .where(
                RfrLibraryImage.library_id == library_id,
                RfrLibraryImage.deleted_at.is_not(None),
                RfrTemplate.algorithm == algorithm,
                RfrTemplate.version == version,
            )
        )
        or 0
    )


@dataclass
class _Warm:
    """One library's index of one algorithm and version, and the keys it was built with."""

    index: TemplateIndex | ShardedIndex
    stamp: Stamp
    keys: dict[str, int] = field(default_factory=dict)  # template id -> the index's key
    owners: dict[int, tuple[str, str]] = field(default_factory=dict)  # key -> (library, image)
    used: float = field(default_factory=time.monotonic)
    lock: threading.Lock = field(default_factory=threading.Lock)


class LibraryIndexes:
    """A process's warm library indexes, kept in step with the database at each search."""

    def __init__(self, idle_seconds: float = 1800.0, shard_above: int | None = None):
        """`shard_above`: a library with more templates than this is moved to Ray actors
        (`frt.engine.cluster.ShardedIndex`, one per shard) instead of this process's memory; the
        composition root sets it when FRT_RAY_ADDRESS names a cluster. None: all stay here."""
        self.idle_seconds = idle_seconds
        self.shard_above = shard_above
        self._warm: dict[tuple[str, str, str], _Warm] = {}
        self._lock = threading.Lock()
        self._next_key = 0  # keys are unique across every library, so results merge exactly
        self.rebuilds = 0  # how many full builds (tests and the engineer read it)

    def index_for(self, session, cipher, library_id: str, algorithm: str, version: str):
        """The library's index, up to date with the database; (index, owners)."""
        self._evict_idle()
        name = (library_id, algorithm, version)
        stamp = _stamp(session, library_id, algorithm, version)
        with self._lock:
            warm = self._warm.get(name)
        if warm is None or not self._catch_up(session, cipher, warm, stamp, name):
            stale, warm = warm, self._build(session, cipher, name, stamp)
            with self._lock:
                self._warm[name] = warm
            if stale is not None:  # overwritten (and a sharded one's actors ended), not left
                _wipe(stale)
        warm.used = time.monotonic()
        return warm.index, warm.owners

    def forget(self, library_id: str) -> None:
        """Drop a library's indexes now (its deletion; 003 §7.1(b)(ii))."""
        with self._lock:
            for name in [n for n in self._warm if n[0] == library_id]:
                _wipe(self._warm.pop(name))

    def _keys(self, n: int) -> np.ndarray:
        with self._lock:
            start, self._next_key = self._next_key, self._next_key + n
        return np.arange(start, start + n, dtype=np.int64)

    def _build(self, session, cipher, name, stamp: Stamp) -> _Warm:
        library_id, algorithm, version = name
        warm = _Warm(TemplateIndex(algorithm, version, dim=_DIM_UNKNOWN), stamp)
        rows = session.execute(
            _searchable([library_id], algorithm, version).execution_options(yield_per=BUILD_BATCH)
        )
        # In batches: once the index moves to Ray actors the rest goes straight to them, so the
        # server never holds more than about one shard of a library (and one batch opened).
        for batch in rows.partitions():
            self._add(warm, cipher, list(batch))
        self.rebuilds += 1
        return warm

    def _catch_up(self, session, cipher, warm: _Warm, stamp: Stamp, name) -> bool:
        """Bring `warm` to `stamp` by adding and removing; False if only a rebuild will do."""
        if stamp == warm.stamp:
            return True
        library_id, algorithm, version = name
        with warm.lock:
            deletions = (warm.stamp.deleted_images, warm.stamp.last_deletion)
            if deletions != (stamp.deleted_images, stamp.last_deletion):
                gone = session.scalars(
                    select(RfrTemplate.id)
                    .join(RfrLibraryImage, RfrLibraryImage.id == RfrTemplate.image_id)
                    .where(
                        RfrTemplate.library_id == library_id,
                        RfrLibraryImage.deleted_at.is_not(None),
                        *_after(RfrLibraryImage.deleted_at, warm.stamp.last_deletion),
                    )
                ).all()
                keys = [warm.keys.pop(t) for t in gone if t in warm.keys]
                for key in keys:
                    warm.owners.pop(key, None)
                if keys:
                    warm.index.remove(keys)
            if warm.stamp.newest != stamp.newest:
                new = session.execute(
                    _searchable([library_id], algorithm, version).where(
                        *_after(RfrTemplate.created_at, warm.stamp.newest)
                    )
                ).all()
                self._add(warm, cipher, [r for r in new if r[0] not in warm.keys])
            searchable = stamp.templates - _deleted_templates(session, *name)
            if len(warm.index) != searchable:  # rows deleted outright, or a race: rebuild
                return False
            warm.stamp = stamp
            return True

    def _add(self, warm: _Warm, cipher, rows) -> None:
        if not rows:
            return
        vectors = np.stack([_open(cipher, tid, sealed) for tid, _, _, sealed in rows])
        if warm.index.dim == _DIM_UNKNOWN:
            warm.index = TemplateIndex(warm.index.algorithm, warm.index.version, vectors.shape[1])
        keys = self._keys(len(rows))
        try:
            warm.index.add(keys, vectors)
        finally:
            vectors.fill(0)
        for key, (tid, image_id, library_id, _) in zip(keys.tolist(), rows):
            warm.keys[tid] = key
            warm.owners[key] = (library_id, image_id)
        self._shard_if_large(warm)

    def _shard_if_large(self, warm: _Warm) -> None:
        local = warm.index
        if self.shard_above is None or not isinstance(local, TemplateIndex):
            return
        if len(local) <= self.shard_above:
            return
        from frt.engine.cluster import ShardedIndex

        warm.index = ShardedIndex.from_index(local)  # its shards, as they are, to actors
        local.remove(list(warm.owners))  # and this process's copy overwritten

    def _evict_idle(self) -> None:
        now = time.monotonic()
        with self._lock:
            idle = [n for n, w in self._warm.items() if now - w.used > self.idle_seconds]
            for name in idle:
                _wipe(self._warm.pop(name))


_DIM_UNKNOWN = 1  # an empty index's dimension until its first template arrives
BUILD_BATCH = 20_000  # templates opened at a time when an index is built


def _after(column, moment: datetime | None):
    # `>=`, not `>`: rows made in the same instant as the newest one held are fetched again and
    # skipped by id, never missed.
    return () if moment is None else (column >= moment,)


def _open(cipher, template_id: str, sealed: bytes) -> np.ndarray:
    data = cipher.open(sealed, context=f"rfr_templates.template:{template_id}".encode())
    return np.frombuffer(data, dtype="<f4")


def _wipe(warm: _Warm) -> None:
    warm.index.remove(list(warm.owners))  # overwrites the templates' bytes
    close = getattr(warm.index, "close", None)  # a ShardedIndex's actors end too
    if close is not None:
        close()


def candidates(
    session,
    cipher,
    library_ids: list[str],
    probe: Template,
    k: int,
    indexes: LibraryIndexes | None = None,
) -> list[Candidate]:
    """The k best library images for `probe` among `library_ids`, best first."""
    if not library_ids or k <= 0:
        return []
    warm = indexes or LibraryIndexes()
    found = []
    owners: dict[int, tuple[str, str]] = {}
    for library_id in library_ids:
        index, held = warm.index_for(session, cipher, library_id, probe.algorithm, probe.version)
        if len(index):
            found.append(index)
            owners.update(held)
    try:
        if not found:
            return []
        # each library's own top k, merged as one index merges its shards (score, then key)
        best = merge_results([index.search(probe.vector, k)[0] for index in found], k)
    finally:
        if indexes is None:  # built for this search only: overwrite and drop
            for library_id in library_ids:
                warm.forget(library_id)
    return [
        Candidate(owners[key][0], owners[key][1], score, rank)
        for rank, (key, score) in enumerate(best, start=1)
    ]
