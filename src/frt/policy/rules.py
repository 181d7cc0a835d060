"""The policy rules. Each reads the force's profile and returns a Decision citing its paragraph.

Screens, API and CLI call these; none of them re-states a rule.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime, timedelta

from frt.policy.decision import Decision
from frt.policy.profile import Profile
from frt.policy.ranks import Rank, is_npcc


def may_authorise(profile: Profile, rank: Rank, *, urgent: bool) -> Decision:
    """GOV-04: who may authorise an LFR Deployment."""
    rule = profile.authority
    minimum = rule.authoriser_min_rank.value
    if rank.at_least(minimum):
        return Decision.allow(
            f"{rank.label} may authorise ({minimum.label} or above)",
            rule.authoriser_min_rank.cite,
            "GOV-AUTH-RANK",
        )
    urgent_rank = rule.urgent_authoriser_min_rank.value
    if urgent_rank is None:
        return Decision.refuse(
            f"{rank.label} may not authorise: only {minimum.label} or above, urgency or not",
            rule.authoriser_min_rank.cite,
            "GOV-AUTH-RANK",
        )
    if not rank.at_least(urgent_rank):
        return Decision.refuse(
            f"{rank.label} may never authorise: below {urgent_rank.label}",
            rule.urgent_authoriser_min_rank.cite,
            "GOV-AUTH-RANK",
        )
    if not urgent:
        return Decision.refuse(
            f"{rank.label} may authorise only in urgency (threat to life or serious harm, or an "
            f"opportunity with limited time); otherwise {minimum.label} or above",
            rule.authoriser_min_rank.cite,
            "GOV-AUTH-URGENCY",
        )
    return Decision.allow(
        f"{rank.label} may authorise in urgency and must inform a {minimum.label} or above, "
        "who continues, amends or stops it",
        "000 §4.11",
        "GOV-AUTH-URGENCY",
    )


def may_review_urgent_authority(profile: Profile, rank: Rank) -> Decision:
    """GOV-04: the Superintendent+ who continues, amends or stops an urgent authority."""
    minimum = profile.authority.authoriser_min_rank
    if rank.at_least(minimum.value):
        return Decision.allow(
            f"{rank.label} may review an urgent authority", "000 §4.11", "GOV-URGENT-REVIEW-RANK"
        )
    return Decision.refuse(
        f"{rank.label} may not review an urgent authority: {minimum.value.label} or above",
        "000 §4.11",
        "GOV-URGENT-REVIEW-RANK",
    )


def may_be_consulted_as_npcc(rank: Rank) -> Decision:
    """GOV-03: the NPCC consultation is with an officer of Commander rank or above."""
    if is_npcc(rank):
        return Decision.allow(f"{rank.label} holds NPCC rank", "000 §4.6", "GOV-NPCC-RANK")
    return Decision.refuse(
        f"{rank.label} is not of NPCC rank (Commander or above)", "000 §4.6", "GOV-NPCC-RANK"
    )


def authority_period(profile: Profile, starts: datetime, ends: datetime) -> Decision:
    """GOV-07: an authority covers at most the profile's period (MPS 31 days; Cumbria 7)."""
    if ends <= starts:
        return Decision.refuse(
            "the authority must end after it starts", "000 §5.1", "GOV-AUTH-PERIOD"
        )
    limit = profile.authority.max_period_days
    if ends - starts > timedelta(days=limit.value):
        return Decision.refuse(
            f"authority period {_days(ends - starts)} exceeds the limit of {limit.value} days; "
            "a new application is needed",
            limit.cite,
            "GOV-AUTH-PERIOD",
        )
    return Decision.allow(
        f"within the {limit.value}-day authority period", limit.cite, "GOV-AUTH-PERIOD"
    )


def series_period(profile: Profile, deployment_days: Iterable[date]) -> Decision:
    """GOV-07: a series of Deployments may not run beyond the profile's series limit."""
    days = sorted(set(deployment_days))
    if not days:
        return Decision.refuse(
            "a series needs at least one Deployment", "000 §4.4", "GOV-AUTH-SERIES"
        )
    limit = profile.authority.series_max_days
    span = (days[-1] - days[0]).days + 1
    if span > limit.value:
        return Decision.refuse(
            f"the series spans {span} days, beyond {limit.value} days without new authority",
            limit.cite,
            "GOV-AUTH-SERIES",
        )
    return Decision.allow(
        f"series of {span} days within {limit.value}", limit.cite, "GOV-AUTH-SERIES"
    )


def in_date_training(profile: Profile, duty: str, held: dict[str, date], on: date) -> Decision:
    """GOV-10: operators, engagement officers and system engineers need in-date training.

    `held` maps a training kind to its expiry date.
    """
    required = getattr(profile.training, duty, None)
    if required is None:
        raise ValueError(f"no training rule for duty '{duty}'")
    missing = [kind for kind in required.value if kind not in held]
    expired = [kind for kind in required.value if kind in held and held[kind] < on]
    if missing or expired:
        parts = []
        if missing:
            parts.append("missing " + ", ".join(k.replace("_", " ") for k in missing))
        if expired:
            parts.append("expired " + ", ".join(k.replace("_", " ") for k in expired))
        return Decision.refuse(
            f"not trained to be rostered as {duty.replace('_', ' ')}: " + "; ".join(parts),
            required.cite,
            "GOV-ROSTER-TRAINING",
        )
    return Decision.allow(
        f"training in date for {duty.replace('_', ' ')}", required.cite, "GOV-ROSTER-TRAINING"
    )


def _days(delta: timedelta) -> str:
    days = delta.total_seconds() / 86400
    return f"{days:.1f} days" if days % 1 else f"{int(days)} days"
