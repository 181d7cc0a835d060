"""The domain's extension points, filled once by the composition root (`frt.app.build`) and
handed to every action through its `Ctx` — never registered by importing a module."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Services:
    # Who adds figures to the cancellation report (000 §11.3): governance's own records, then
    # the live runtime's (`frt.governance.reports.MetricsProvider`).
    metrics_providers: Sequence[Any] = ()
    # A server's warm RFR library indexes (`frt.rfr.search_index.LibraryIndexes`); None: each
    # search builds its own.
    library_indexes: Any = None
