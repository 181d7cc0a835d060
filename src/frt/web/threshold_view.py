"""The Threshold a Deployment alerts at, for people to read (issue 12, items 2 and 5).

The same rule the recognition worker applies (`frt.lfr.scoring.operating_threshold`: the highest
of the authority's minimum, the force's minimum and the evaluated Threshold for the Watchlist's
size), read from the newest evaluation of the Watchlist's algorithm version recorded before the
Deployment ended. Shown on the Deployment page, the console and the metrics page, with "small
sample" where the evaluation was too small to set it (`frt.eval.sample`), and the reason where
nothing may run.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select

from frt.eval.sample import small_sample
from frt.governance.models import Deployment


@dataclass(frozen=True)
class OperatingThreshold:
    value: float | None  # None: the Deployment may not run (reason says why)
    reason: str
    small_sample: str | None = None
    training: bool = False  # a training installation's demo Deployment at the minimum

    @property
    def text(self) -> str:
        if self.value is None:
            return "none: " + self.reason
        return f"{self.value:.3f}" + (" (small sample)" if self.small_sample else "")


def operating_threshold(session, profile, dep: Deployment) -> OperatingThreshold | None:
    """None before a Watchlist was imported."""
    from frt.eval.models import evaluations
    from frt.governance.watchlist_models import Watchlist, WatchlistEntry, WatchlistImage
    from frt.lfr import scoring

    watchlist = session.scalar(select(Watchlist).where(Watchlist.deployment_id == dep.id))
    if watchlist is None:
        return None
    size = session.scalar(select(_count()).select_from(WatchlistImage).join(WatchlistEntry)
                          .where(WatchlistEntry.watchlist_id == watchlist.id)) or 0
    if not size:
        size = _wiped_images(session, dep.id)
    minimum = dep.authority.min_threshold
    records = evaluations(session, watchlist.algorithm, watchlist.algorithm_version)
    ended = dep.finished_at
    records = [r for r in records if ended is None or _before(r.created_at, ended)]
    chosen = scoring.Scoring(records[0].figures, None, records[0].id) if records else None
    label = f"{watchlist.algorithm} {watchlist.algorithm_version}"
    value, decision = scoring.operating_threshold(profile, minimum, chosen, label, max(size, 1))
    rate = profile.threshold.max_false_alert_rate.value
    return OperatingThreshold(value, decision.reason,
                              small_sample(chosen.figures if chosen else None, rate))


def _count():
    from sqlalchemy import func

    return func.count()


def _before(a, b) -> bool:
    from datetime import UTC

    a = a if a.tzinfo else a.replace(tzinfo=UTC)
    b = b if b.tzinfo else b.replace(tzinfo=UTC)
    return a <= b


def _wiped_images(session, dep_id: str) -> int:
    from frt.lfr.models import DeploymentWipe

    wipe = session.scalar(select(DeploymentWipe).where(DeploymentWipe.deployment_id == dep_id))
    return wipe.watchlist_images if wipe else 0
