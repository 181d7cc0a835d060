"""The Threshold a Deployment alerts at, as people read it (issue 12, items 1, 2 and 5).

The same rule the recognition worker applies (`frt.lfr.runner` → `frt.lfr.scoring.
operating_threshold`: the highest of the authority's minimum, the force's minimum and the
evaluated Threshold for the Watchlist's size), read from the newest evaluation of the Watchlist's
algorithm version recorded before the Deployment ended — so the console, the Deployment page,
`frt deploy run`, the cancellation report and the public page all show the Threshold used, with
"small sample" where the evaluation was too small to set it (`frt.eval.sample`), and the reason
where nothing may run. In a training installation (`frt.installation`) the demo Deployment runs
on the minimum when no evaluation is recorded, and says so.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC

from sqlalchemy import func, select

from frt.eval.sample import small_sample
from frt.governance.models import Deployment

TRAINING_BASIS = (
    "training installation: the demo Deployment runs on the minimum Threshold "
    "with no recorded evaluation (never in a real installation)"
)


@dataclass(frozen=True)
class OperatingThreshold:
    value: float | None  # None: the Deployment may not run (`reason` says why)
    reason: str
    small_sample: str | None = None
    training: bool = False

    @property
    def text(self) -> str:
        if self.value is None:
            return "none: " + self.reason
        note = " (small sample)" if self.small_sample else ""
        note += " (training: minimum, not evaluated)" if self.training else ""
        return f"{self.value:.3f}{note}"


def training_threshold(profile, authority_minimum: float) -> OperatingThreshold:
    force = profile.threshold.minimum.value
    value = max(authority_minimum, force if force is not None else 0.0)
    return OperatingThreshold(value, TRAINING_BASIS, training=True)


def operating_threshold(
    session, profile, dep: Deployment, training: bool = False
) -> OperatingThreshold | None:
    """The Deployment's Threshold (None before a Watchlist was imported). `training`: the
    installation lets this demo Deployment run on the minimum (`frt.installation`)."""
    from frt.eval.models import evaluations
    from frt.governance.watchlist_models import Watchlist, WatchlistEntry, WatchlistImage
    from frt.lfr import scoring

    watchlist = session.scalar(select(Watchlist).where(Watchlist.deployment_id == dep.id))
    if watchlist is None:
        return None
    size = (
        session.scalar(
            select(func.count())
            .select_from(WatchlistImage)
            .join(WatchlistEntry)
            .where(WatchlistEntry.watchlist_id == watchlist.id)
        )
        or 0
    )
    size = size or _wiped_images(session, dep.id)
    minimum = dep.authority.min_threshold
    records = [
        r
        for r in evaluations(session, watchlist.algorithm, watchlist.algorithm_version)
        if dep.finished_at is None or _utc(r.created_at) <= _utc(dep.finished_at)
    ]
    if not records and training:
        return training_threshold(profile, minimum)
    chosen = scoring.Scoring(records[0].figures, None, records[0].id) if records else None
    label = f"{watchlist.algorithm} {watchlist.algorithm_version}"
    value, decision = scoring.operating_threshold(profile, minimum, chosen, label, max(size, 1))
    rate = profile.threshold.max_false_alert_rate.value
    return OperatingThreshold(
        value, decision.reason, small_sample(chosen.figures if chosen else None, rate)
    )


def _utc(value):
    return value if value.tzinfo else value.replace(tzinfo=UTC)


def _wiped_images(session, dep_id: str) -> int:
    from frt.lfr.models import DeploymentWipe

    wipe = session.scalar(select(DeploymentWipe).where(DeploymentWipe.deployment_id == dep_id))
    return wipe.watchlist_images if wipe else 0
