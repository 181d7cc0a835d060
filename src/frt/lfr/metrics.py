"""Counters and timings of a running pipeline: the only thing a passer-by leaves behind (LIVE-03).

`LiveCounters` holds counts only — frames, faces, templates, alerts, dropped and corrupt frames —
and `StageTimes` the milliseconds spent in each stage. Neither holds an image, a box or a
template, so they can be kept, shown on the console and written to the database (LIVE-08).
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import asdict, dataclass, field

import numpy as np


@dataclass
class LiveCounters:
    frames: int = 0  # frames read and processed
    dropped_frames: int = 0  # frames a live source delivered that the pipeline skipped
    corrupt_frames: int = 0  # frames that could not be decoded
    reconnects: int = 0
    faces_detected: int = 0  # face detections inside the Zone of Recognition
    faces_outside_zone: int = 0
    faces_over_limit: int = 0  # beyond the faces-per-frame limit
    faces_poor_quality: int = 0  # refused by the quality gate (too small included), not templated
    faces_too_small: int = 0  # ... of which under the Zone's minimum inter-eye distance
    tracks: int = 0  # people seen (one track per pass through the zone)
    templates: int = 0  # templates made (SOP 11.3(b))
    alerts: int = 0

    def add(self, other: "LiveCounters") -> None:
        for key, value in asdict(other).items():
            setattr(self, key, getattr(self, key) + value)

    def to_dict(self) -> dict:
        return asdict(self)


@dataclass
class StageTimes:
    """Total milliseconds and calls per stage; `per_call` gives the mean."""

    total_ms: dict = field(default_factory=lambda: defaultdict(float))
    calls: dict = field(default_factory=lambda: defaultdict(int))

    def add(self, stage: str, ms: float, calls: int = 1) -> None:
        self.total_ms[stage] += ms
        self.calls[stage] += calls

    def merge(self, timings: dict[str, float]) -> None:
        for stage, ms in timings.items():
            self.add(stage, ms)

    def summary(self, frames: int) -> dict:
        return {
            stage: {
                "total_ms": round(ms, 1),
                "calls": self.calls[stage],
                "ms_per_call": round(ms / max(1, self.calls[stage]), 2),
                "ms_per_frame": round(ms / max(1, frames), 2),
            }
            for stage, ms in sorted(self.total_ms.items())
        }


def percentile(values: list[float], q: float) -> float | None:
    return float(np.percentile(values, q)) if values else None
