"""A replayed camera: recorded recognitions fed straight to the Alert path (issue 14).

`replay:<tracks>[:<per_second>]` is a camera source for benchmarks and failover tests: track
number i (0 … tracks-1) matches the Deployment's Watchlist image i mod n, and the tracks arrive
`per_second` a second. Detection and templating are skipped — what is exercised is everything
after them: the lease, the Alert's idempotency key (`r<i>`), the commit, the notice and the
consoles. The position (tracks done) is the camera's checkpoint: a worker that takes it over
starts at the last checkpoint and re-finds at most the tracks since, which raise nothing twice.
Nothing of a real person is used: the probe is a grey square.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime

import numpy as np

from frt.lfr.pipeline import Alert
from frt.lfr.records import persist_alert
from frt.lfr.watchlist import Match
from frt.policy import Decision

PREFIX = "replay:"


@dataclass(frozen=True)
class ReplaySpec:
    tracks: int
    per_second: float

    @classmethod
    def parse(cls, source: str) -> ReplaySpec:
        parts = source[len(PREFIX) :].split(":")
        try:
            tracks = int(parts[0])
            rate = float(parts[1]) if len(parts) > 1 and parts[1] else 10.0
        except ValueError as exc:
            raise ValueError("a replayed camera is replay:<tracks>[:<per second>]") from exc
        if tracks < 0 or rate <= 0:
            raise ValueError("a replayed camera needs tracks >= 0 and a rate above 0")
        return cls(tracks, rate)


def is_replay(source: str) -> bool:
    return source.startswith(PREFIX)


def watchlist_images(store, deployment_id: str) -> list[tuple[str, str, str, float]]:
    """(image id, entry id, category, threshold) of the Deployment's Watchlist images."""
    from frt.governance.watchlists import load_for_recognition

    with store.read() as session:
        rw = load_for_recognition(session, store.cipher, deployment_id)
        return [
            (image.image_id, subject.entry_id, subject.category, rw.min_threshold)
            for subject in rw.subjects
            for image in subject.images
        ]


def run_replay(
    store,
    deployment_id: str,
    camera: str,
    source: str,
    start: int,
    keep_going: Callable[[], bool],
    progress: Callable[[int], None],
    on_alert_saved: Callable[[str], None] | None = None,
) -> bool:
    """Raise the replay's Alerts from track `start`; True if it reached its end, False if
    `keep_going()` said stop (checked before every track)."""
    spec = ReplaySpec.parse(source)
    images = watchlist_images(store, deployment_id)
    if not images:
        raise ValueError("the Deployment's Watchlist has no image to replay against")
    began = time.monotonic()
    for i in range(start, spec.tracks):
        due = began + (i - start) / spec.per_second
        while (wait := due - time.monotonic()) > 0:
            if not keep_going():
                return False
            time.sleep(min(wait, 0.1))
        if not keep_going():
            return False
        image_id, entry_id, category, threshold = images[i % len(images)]
        alert = Alert(
            camera,
            i,
            Match(image_id, entry_id, threshold + 0.01, threshold, category),
            False,
            i,
            float(i),
            float(i),
            1.0,
            datetime.now(UTC),
            np.full((150, 150, 3), 128, np.uint8),
        )
        alert_id = persist_alert(store, deployment_id, alert, image_id, entry_id, track_key=f"r{i}")
        progress(i + 1)
        if on_alert_saved:
            on_alert_saved(alert_id)
    return True


class Stopper:
    """keep_going() for a camera: the lease held, the Deployment allowed to run (checked every
    `every_s`, not every track)."""

    def __init__(self, store, deployment_id: str, lost: threading.Event, every_s: float = 0.5):
        self.store, self.deployment_id, self.lost, self.every_s = (
            store,
            deployment_id,
            lost,
            every_s,
        )
        self._checked = 0.0
        self.refused: Decision | None = None

    def __call__(self) -> bool:
        from frt.lfr.runner import check

        if self.lost.is_set():
            return False
        if time.monotonic() - self._checked >= self.every_s:
            self._checked = time.monotonic()
            decision = check(self.store, self.deployment_id)
            if not decision.allowed:
                self.refused = decision
                return False
        return True
