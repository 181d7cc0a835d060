"""The rules of the Unresolved Crime Cache and of RFR retention (003 §6, §7.1), one function each.

Each takes plain facts and the force profile and returns a `Decision` naming its stable rule id
(prefix RFR-CACHE- or RFR-RETAIN-) and its paragraph. Nothing here imports FRT's storage.
"""

from __future__ import annotations

import calendar
from collections.abc import Iterable
from datetime import date, datetime

from frt.policy.decision import Decision
from frt.policy.profile import Cited, Profile
from frt.policy.ranks import Rank

GROUNDS_8_3 = (
    "a_wanted_by_courts",
    "b_offence_or_investigation",
    "c_bail_or_order_breach",
    "d_missing_increased_risk",
    "e_risk_of_harm",
    "f_deceased_injured_unresponsive",
    "g_victim_witness_associate",
)


def add_months(when: datetime, months: int) -> datetime:
    """The same day and time `months` later (the month's last day where it is shorter)."""
    month0 = when.month - 1 + months
    year, month = when.year + month0 // 12, month0 % 12 + 1
    day = min(when.day, calendar.monthrange(year, month)[1])
    return when.replace(year=year, month=month, day=day)


# ============================================================================ the cache
def cache_eligible(completed: bool, outcome: str | None, unknown_person: bool) -> Decision:
    """RFR-CACHE-ELIGIBLE: a probe enters the cache when its search gave no Viable Match, or only
    a Viable Match against an image of an unknown person (003 §6.1(a)–(b))."""
    rule, cite = "RFR-CACHE-ELIGIBLE", "003 §6.1"
    if not completed:
        return Decision.refuse(
            "only a search that has been completed may be added to the Unresolved Crime Cache",
            cite,
            rule,
        )
    if outcome == "viable_match" and not unknown_person:
        return Decision.refuse(
            "this search gave a Viable Match: its probe may be cached only where the match is "
            "against an image of an unknown person",
            "003 §6.1(b)",
            rule,
        )
    return Decision.allow("no Viable Match, or a match to an unknown person", cite, rule)


def cache_grounds(grounds: Iterable[str], rationale: str) -> Decision:
    """RFR-CACHE-GROUND: a probe is cached only while the basis for the search is still made out
    and at least one ground of §8.3 still applies, recorded with the reasons (003 §6.2)."""
    rule, cite = "RFR-CACHE-GROUND", "003 §6.2"
    grounds = [g for g in grounds if g in GROUNDS_8_3]
    if not grounds:
        return Decision.refuse(
            "name at least one ground of §8.3 that still applies to the person sought", cite, rule
        )
    if not rationale.strip():
        return Decision.refuse("record why the basis for the search is still made out", cite, rule)
    return Decision.allow("a ground of §8.3 still applies", cite, rule)


def cache_approver(rank: Rank, own_request: bool, profile: Profile) -> Decision:
    """RFR-CACHE-APPROVER: adding a probe to the cache is approved by an officer of the
    profile's rank (Inspector in the MPS policy), not the searcher themself (003 §6.2, §8.21)."""
    needed = profile.rfr.cache_approver_min_rank
    rule = "RFR-CACHE-APPROVER"
    if own_request:
        return Decision.refuse("you cannot approve your own request", needed.cite, rule)
    if not rank.at_least(needed.value):
        return Decision.refuse(
            f"adding a probe to the Unresolved Crime Cache needs an officer of "
            f"{needed.value.label} rank or above; you are {rank.label}",
            needed.cite,
            rule,
        )
    return Decision.allow(f"{rank.label} may approve", needed.cite, rule)


def offence_tier(offence: str | None, profile: Profile) -> tuple[int, str]:
    """The Annex C tier of the Form 3's offence from the profile (Tier 3: 'other offence-types
    not covered in Tiers 1 and 2'), and its citation."""
    for known in profile.rfr.offences.value:
        if offence and known.name.lower() == offence.lower():
            return known.tier, profile.crime_tiers.cite
    return 3, f"{profile.crime_tiers.cite} (Tier 3: other offence-types)"


def review_due(tier: int, since: datetime, profile: Profile) -> datetime:
    """A cached probe's review falls due 3, 6 or 9 months (the profile's) after submission or its
    last review, for Tiers 3, 2 and 1 (003 §7.1(b)(iv)A)."""
    return add_months(since, profile.rfr.cache_review_months.value[f"tier_{tier}"])


def cache_research(status: str, review: datetime | None, now: datetime) -> Decision:
    """RFR-CACHE-REVIEW: a cached probe is re-searched only while it is active and its review is
    not overdue (003 §7.1(b)(iv)A: the review ensures the continuing need)."""
    rule, cite = "RFR-CACHE-REVIEW", "003 §7.1(b)(iv)(A)"
    if status != "active":
        return Decision.refuse(f"the cache entry is {status}", "003 §6", rule)
    if review is not None and review <= now:
        return Decision.refuse(
            "its review is overdue: it is not re-searched until it is reviewed", cite, rule
        )
    return Decision.allow("active and reviewed in time", cite, rule)


def removal_reason(reason: str) -> Decision:
    """RFR-CACHE-REMOVAL: a probe leaves the cache with the reason recorded, e.g. the policing
    purpose resolved by other means (003 §7.1(b)(iv)A)."""
    if not reason.strip():
        return Decision.refuse(
            "record why the probe leaves the cache", "003 §7.1(b)(iv)(A)", "RFR-CACHE-REMOVAL"
        )
    return Decision.allow("reason recorded", "003 §7.1(b)(iv)(A)", "RFR-CACHE-REMOVAL")


# ============================================================================ retention
def retention_cell(
    age_band: str | None, mopi_group: int | None, profile: Profile
) -> tuple[Cited, bool]:
    """The retention table's cell for an image (003 §7.1(b)(i)), and whether it was chosen as
    the most cautious because the age band or MOPI group is unknown: then the shortest period of
    the cells that could apply. A cell 'not in scope' is taken only for an image known to be in
    it (an image is not presumed to be of a child under 13; such images are refused at import)."""
    table = profile.rfr.library_retention_years.value
    bands = [age_band] if age_band in table else list(table)
    groups = [f"mopi_{mopi_group}"] if mopi_group in (1, 2, 3) else ["mopi_1", "mopi_2", "mopi_3"]
    cells = [table[b][g] for b in bands for g in groups if g in table[b]]
    if len(cells) == 1:
        return cells[0], False
    kept = [c for c in cells if c.value is not None]
    return (min(kept, key=lambda c: c.value) if kept else cells[0]), True


def image_expires(captured_on: date | None, enrolled: datetime, years: int | None) -> date:
    """When a library image's period ends: `years` after capture (after enrolment where the
    capture date is unknown); at once where its cell is not in scope."""
    start = captured_on or enrolled.date()
    if years is None:
        return start
    try:
        return start.replace(year=start.year + years)
    except ValueError:  # 29 February
        return start.replace(year=start.year + years, day=28)
