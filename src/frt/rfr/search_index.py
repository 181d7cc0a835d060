"""The one place a probe template meets a library's templates (RFR-03, RFR-08).

`candidates(session, cipher, library_ids, probe, k)` returns the k best-scoring library images,
best first, searching only templates of the probe's algorithm and version (a library answers a
search only with templates of the version being searched; 003 §3.1 'Template'). For now it is an
exact numpy search (`frt.engine.compare.Gallery`) over the libraries' templates, opened for the
search and dropped after it; a large-scale index (`frt.engine.index`) replaces the body of this
function, not its callers.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from sqlalchemy import func, select

from frt.engine.compare import Gallery
from frt.engine.template import Template
from frt.rfr.models import RfrLibraryImage, RfrTemplate


@dataclass(frozen=True)
class Candidate:
    library_id: str
    image_id: str
    score: float
    rank: int  # 1 = best


def _searchable(library_ids: list[str], algorithm: str, version: str):
    return (
        select(
            RfrTemplate.id,
            RfrTemplate.image_id,
            RfrTemplate.library_id,
            RfrTemplate.template_sealed,
        )
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
    query = _searchable(library_ids, algorithm, version).subquery()
    return session.scalar(select(func.count()).select_from(query)) or 0


def candidates(session, cipher, library_ids: list[str], probe: Template, k: int) -> list[Candidate]:
    """The k best library images for `probe` among `library_ids`, best first."""
    if not library_ids or k <= 0:
        return []
    ids, owners, vectors = [], {}, []
    rows = session.execute(
        _searchable(library_ids, probe.algorithm, probe.version).execution_options(yield_per=5000)
    )
    for tid, image_id, library_id, sealed in rows:
        data = cipher.open(sealed, context=f"rfr_templates.template:{tid}".encode())
        vectors.append(np.frombuffer(data, dtype="<f4"))
        ids.append(image_id)
        owners[image_id] = library_id
    if not ids:
        return []
    matrix = np.stack(vectors)
    try:
        found = Gallery(ids, matrix, probe.algorithm, probe.version).search(probe, k)
    finally:
        matrix.fill(0)
    return [Candidate(owners[c.id], c.id, c.score, c.rank) for c in found]
