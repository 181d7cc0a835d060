"""A server's warm library indexes answer every search as a fresh exact search would: after
enrolment adds images, after images are deleted, and after rows vanish outright (RFR-03, RFR-08).
"""

from __future__ import annotations

import numpy as np
import pytest
from sqlalchemy import delete, select

from frt.engine.template import Template
from frt.rfr.faces import algorithm
from frt.rfr.models import RfrLibraryImage, RfrTemplate
from frt.rfr.search_index import LibraryIndexes, candidates
from frt.store.base import utcnow
from tests.conftest import setup_session
from tests.rfr.conftest import (  # noqa: F401 (fixtures)
    add_templates,
    approved_library,
    people,
)

pytestmark = pytest.mark.req("RFR-03", "RFR-08")

K = 10


def unit(rows: np.ndarray) -> np.ndarray:
    return (rows / np.linalg.norm(rows, axis=-1, keepdims=True)).astype(np.float32)


def exact(images: dict[str, np.ndarray], probe: np.ndarray, k: int = K) -> list[str]:
    """The brute-force answer: image ids by cosine, best first."""
    ids = list(images)
    scores = unit(np.stack([images[i] for i in ids])) @ probe
    return [ids[i] for i in np.argsort(-scores, kind="stable")[:k]]


def search(store, library_ids, probe: np.ndarray, indexes) -> list[str]:
    algo = algorithm()
    with store.session() as s:
        found = candidates(
            s, store.cipher, library_ids, Template(probe, algo.name, algo.version), K, indexes
        )
    assert [c.rank for c in found] == list(range(1, len(found) + 1))
    assert all(a.score >= b.score for a, b in zip(found, found[1:]))
    return [c.image_id for c in found]


@pytest.fixture
def rng():
    return np.random.default_rng(7)


def test_warm_index_keeps_step_with_enrolment_and_deletion(
    store, approved_library, add_templates, rng
):
    lib = approved_library()
    vectors = unit(rng.normal(size=(300, 128)))
    images = dict(zip(add_templates(lib, vectors), vectors))
    probe = unit(vectors[17] + 0.3 * rng.normal(size=128))
    warm = LibraryIndexes()

    assert search(store, [lib], probe, warm) == exact(images, probe)
    assert search(store, [lib], probe, warm) == exact(images, probe)
    assert warm.rebuilds == 1

    # enrolment adds a closer image: found without rebuilding
    closer = unit(probe + 0.05 * rng.normal(size=128))
    (new_id,) = add_templates(lib, closer[None])
    images[new_id] = closer
    assert search(store, [lib], probe, warm)[0] == new_id
    assert search(store, [lib], probe, warm) == exact(images, probe)

    # retention marks images deleted: never returned again, still without a rebuild
    gone = exact(images, probe)[:3]
    with setup_session(store) as s:
        for image in s.scalars(select(RfrLibraryImage).where(RfrLibraryImage.id.in_(gone))):
            image.deleted_at = utcnow()
    for image_id in gone:
        images.pop(image_id)
    found = search(store, [lib], probe, warm)
    assert not set(gone) & set(found)
    assert found == exact(images, probe)
    assert warm.rebuilds == 1

    # rows removed outright (a library's deletion): the index is rebuilt, not trusted, and
    # the one it replaces is emptied (its templates overwritten), not left for the collector
    (before,) = warm._warm.values()
    (dropped,) = exact(images, probe)[:1]
    with setup_session(store) as s:
        s.execute(delete(RfrTemplate).where(RfrTemplate.image_id == dropped))
    images.pop(dropped)
    assert search(store, [lib], probe, warm) == exact(images, probe)
    assert warm.rebuilds == 2
    assert len(before.index) == 0 and before is not next(iter(warm._warm.values()))


def test_an_index_built_in_batches_answers_as_one_built_at_once(
    store, approved_library, add_templates, rng, monkeypatch
):
    from frt.rfr import search_index

    lib = approved_library()
    vectors = unit(rng.normal(size=(50, 128)))
    images = dict(zip(add_templates(lib, vectors), vectors))
    probe = unit(vectors[7] + 0.3 * rng.normal(size=128))
    monkeypatch.setattr(search_index, "BUILD_BATCH", 7)
    assert search(store, [lib], probe, LibraryIndexes()) == exact(images, probe)


def test_libraries_searched_together_merge_as_one(store, approved_library, add_templates, rng):
    first, second = approved_library("Custody A"), approved_library("Custody B")
    a, b = unit(rng.normal(size=(120, 128))), unit(rng.normal(size=(80, 128)))
    images = dict(zip(add_templates(first, a), a)) | dict(zip(add_templates(second, b), b))
    probe = unit(b[5] + 0.4 * rng.normal(size=128))
    expected = exact(images, probe)
    assert search(store, [first, second], probe, LibraryIndexes()) == expected
    assert search(store, [first, second], probe, None) == expected  # built for one search


def test_other_template_versions_never_answer(store, approved_library, add_templates, rng):
    lib = approved_library()
    ours = unit(rng.normal(size=(20, 128)))
    images = dict(zip(add_templates(lib, ours), ours))
    add_templates(lib, unit(rng.normal(size=(20, 128))), version="an-older-version")
    probe = unit(ours[3] + 0.2 * rng.normal(size=128))
    assert search(store, [lib], probe, LibraryIndexes()) == exact(images, probe)


def test_an_empty_library_answers_nothing(store, approved_library):
    lib = approved_library()
    probe = unit(np.ones(128))
    assert search(store, [lib], probe, LibraryIndexes()) == []


def test_idle_indexes_are_dropped(store, approved_library, add_templates, rng):
    lib = approved_library()
    add_templates(lib, unit(rng.normal(size=(10, 128))))
    warm = LibraryIndexes(idle_seconds=0.0)
    probe = unit(rng.normal(size=128))
    search(store, [lib], probe, warm)
    search(store, [lib], probe, warm)
    assert warm.rebuilds == 2  # the first was dropped as idle before the second search
