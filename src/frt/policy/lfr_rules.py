"""Rules of the LFR governance path (issue 4): command ranks, watchlist import, reporting dates.

Like `frt.policy.rules`, every rule takes plain values (ranks, datetimes, lists of names), reads
the force's profile where the forces differ, and returns a `Decision` citing its paragraph.
`frt.governance` calls these; none of its modules re-states a rule.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime, timedelta

from frt.policy.decision import Decision
from frt.policy.profile import Profile
from frt.policy.ranks import Rank

# 000 §6.8(a)–(f) / §6.13(a)–(f): the only categories a Watchlist may hold.
CATEGORIES = {
    "wanted_by_courts": "000 §6.8(a)",
    "suspect": "000 §6.8(b)",
    "bail_or_court_restriction": "000 §6.8(c)",
    "missing_increased_risk": "000 §6.8(d)",
    "risk_of_harm": "000 §6.8(e)",
    "victim_witness_associate": "000 §6.8(f)",
}
RATIONALE_CATEGORY = "victim_witness_associate"  # needs a written rationale (000 §6.19)

# 000 §6.6(a)–(d): what each Deployment must document about its Watchlist.
PROTECTED_FLAGS = {
    "under_18": "000 §6.6(a)",
    "under_13": "000 §6.6(b)",
    "disability": "000 §6.6(c)",
    "pre_reassignment_image": "000 §6.6(d)",
}

# The seven headings of the AO's decision (001 stage 3).
REASON_HEADINGS = [
    "document_compliance",
    "legitimate_aim",
    "human_rights_necessity",
    "data_protection_necessity",
    "proportionality",
    "watchlist_composition",
    "location_and_times",
]

COMMAND_ROLES = ("gold", "silver", "bronze", "bronze_community")


def command_rank(profile: Profile, role: str, rank: Rank, *, urgent: bool = False) -> Decision:
    """GOV-09: Gold Superintendent+ (Inspector+ under urgency), Silver Inspector+, Bronzes Sergeant+."""
    rule = profile.command
    if role == "gold":
        minimum, cite = rule.gold_min_rank.value, rule.gold_min_rank.cite
        if urgent and rule.gold_urgent_min_rank.value is not None:
            minimum, cite = rule.gold_urgent_min_rank.value, rule.gold_urgent_min_rank.cite
    elif role == "silver":
        minimum, cite = rule.silver_min_rank.value, rule.silver_min_rank.cite
    elif role in ("bronze", "bronze_community"):
        # 000 §10.1(f) sets no rank for Bronze Community; it is a Bronze role, so Sergeant+.
        minimum, cite = rule.bronze_min_rank.value, rule.bronze_min_rank.cite
    else:
        raise ValueError(f"no command role '{role}'")
    label = role.replace("_", " ").title()
    if rank.at_least(minimum):
        return Decision.allow(f"{rank.label} may be {label} ({minimum.label} or above)", cite)
    return Decision.refuse(
        f"{rank.label} may not be {label}: {minimum.label} or above"
        + (" (urgency applied)" if urgent and role == "gold" else ""),
        cite,
    )


def import_window(
    profile: Profile, starts_at: datetime, ends_at: datetime, now: datetime
) -> Decision:
    """WL-05: a Watchlist is imported no more than the profile's hours before the start."""
    rule = profile.watchlist.import_window_hours
    opens = starts_at - timedelta(hours=rule.value)
    if now < opens:
        early = (opens - now).total_seconds() / 3600
        return Decision.refuse(
            f"too early to import: the Watchlist may be imported no more than {rule.value:g} hours "
            f"before the Deployment starts (the window opens in {early:.1f} hours)",
            rule.cite,
        )
    if now >= ends_at:
        return Decision.refuse(
            "the Deployment has ended: no Watchlist may be imported", "000 §5.1"
        )
    return Decision.allow(f"within {rule.value:g} hours of the start", rule.cite)


def category_authorised(category: str, authorised: Iterable[str]) -> Decision:
    """WL-01: an entry's category is one of 000 §6.8 and within the AO's approved criteria."""
    if category not in CATEGORIES:
        return Decision.refuse(
            f"'{category}' is not a Watchlist category (000 §6.8(a)–(f))", "000 §6.8"
        )
    if category not in set(authorised):
        return Decision.refuse(
            f"category '{category}' is outside the criteria the AO authorised", "000 §6.2"
        )
    return Decision.allow(f"category '{category}' authorised", CATEGORIES[category])


def rationale_given(category: str, rationale: str | None) -> Decision:
    """WL-01: a victim, person with information or close associate needs a written rationale."""
    if category == RATIONALE_CATEGORY and not (rationale or "").strip():
        return Decision.refuse(
            "a victim, person with information or close associate needs a written rationale "
            "of necessity and proportionality",
            "000 §6.19",
        )
    return Decision.allow("rationale present or not needed", "000 §6.19")


def image_source_allowed(
    source: str, layer: str | None, non_police_allowed: bool, allowed_layers: Iterable[str]
) -> Decision:
    """WL-02: a non-police image needs the AO's authorisation for its layer of intrusiveness."""
    if source in ("police_custody", "police_other"):
        return Decision.allow("police-originated image", "000 §6.8")
    if source != "non_police":
        return Decision.refuse(f"unknown image source '{source}'", "000 §6.2(2)")
    if layer not in ("A", "B", "C"):
        return Decision.refuse("a non-police image needs its layer (A, B or C)", "000 §6.11")
    if not non_police_allowed:
        return Decision.refuse(
            "the authority does not allow non-police originated images", "000 §6.12"
        )
    if layer not in set(allowed_layers):
        return Decision.refuse(
            f"the authority does not allow non-police images of Layer {layer}", "000 §6.12"
        )
    return Decision.allow(f"non-police Layer {layer} image authorised by the AO", "000 §6.12")


def protected_inclusion(
    flags: Iterable[str],
    authorised: Iterable[str],
    advice_recorded: Iterable[str],
    required_advice: Iterable[str],
) -> Decision:
    """WL-03: a flagged person needs legal and technical advice recorded and the AO's decision."""
    flags = [f for f in flags if f]
    unknown = [f for f in flags if f not in PROTECTED_FLAGS]
    if unknown:
        return Decision.refuse(f"unknown flag(s): {', '.join(unknown)}", "000 §6.6")
    if not flags:
        return Decision.allow("no protected-characteristic flag", "000 §6.6")
    missing_advice = [a for a in required_advice if a not in set(advice_recorded)]
    if missing_advice:
        return Decision.refuse(
            "flagged entry ("
            + ", ".join(f.replace("_", " ") for f in flags)
            + ") without "
            + " and ".join(a.replace("_", " ") for a in missing_advice)
            + " recorded",
            "000 §6.7",
        )
    not_decided = [f for f in flags if f not in set(authorised)]
    if not_decided:
        return Decision.refuse(
            "the AO has not recorded a decision to include persons flagged "
            + ", ".join(f.replace("_", " ") for f in not_decided),
            "000 §6.7",
        )
    return Decision.allow("advice recorded and the AO decided to include", "000 §6.7")


def minimum_threshold(profile: Profile, threshold: float) -> Decision:
    """GOV-06: the AO's minimum Threshold, never below the force's minimum where it sets one."""
    rule = profile.threshold.minimum
    if not 0 < threshold <= 1:
        return Decision.refuse("a Threshold lies between 0 and 1", rule.cite)
    if rule.value is not None and threshold < rule.value:
        return Decision.refuse(
            f"Threshold {threshold:g} is below the force minimum of {rule.value:g}", rule.cite
        )
    return Decision.allow(f"Threshold {threshold:g} accepted", rule.cite)


def image_threshold_raise(
    minimum: float, raised: float, reason: str | None, current: float | None = None
) -> Decision:
    """WL-09: a per-image Threshold may only be raised (above the minimum and above any earlier
    raise), with a reason: to keep the False Alert Rate within policy (000 §6.2(3))."""
    if not (reason or "").strip():
        return Decision.refuse("a per-image Threshold raise needs its reason", "000 §6.2(3)")
    floor = max(minimum, current or minimum)
    if not floor < raised <= 1:
        now = f"its current {floor:g}" if current else f"the authority's minimum {minimum:g}"
        return Decision.refuse(
            f"a per-image Threshold must be above {now} and at most 1 (it may be raised, "
            "never lowered)",
            "000 §6.2(3)",
        )
    return Decision.allow(f"per-image Threshold raised to {raised:g}", "000 §6.2(3)")


# GOV-16: rules that no decision outside policy sets aside, and why (003 §12.3, 004 §15.3 allow
# exceptions to the *procedures*; these are the safeguards themselves).
NEVER_SET_ASIDE = {
    "000 §8.5": "every person deployed receives LFR training first; the SOP allows exceptions "
    "only for safety training (000 §8.5)",
    "000 §6.7": "a person flagged under 18, under 13, with a disability or pictured before "
    "reassignment is included only on the legal and technical advice recorded and the AO's own "
    "decision (000 §6.7): record the advice and ask the AO",
    "000 §6.12": "a non-police image needs the AO's authorisation (000 §6.12): ask the AO",
    "000 §6.19": "add the written rationale of necessity and proportionality to the entry",
    "000 §6.8": "the Watchlist categories are the SOP's lawful criteria",
    "000 §6.2": "the AO's authority fixes the Watchlist criteria: a further authority is needed",
    "000 §6.2(1)": "the intelligence case is re-confirmed as current before each Deployment",
    "000 §5.1": "nothing runs outside the times and places of an authority",
    "000 §12.1(d)": "a role check is never set aside",
}


def never_set_aside(citation: str) -> Decision | None:
    """GOV-16: the refusal to offer instead of a decision outside policy, or None."""
    why = NEVER_SET_ASIDE.get(citation)
    if why is None:
        return None
    return Decision.refuse(f"no decision outside policy sets this rule aside: {why}", citation)


def missing_documents(profile: Profile, present: Iterable[str]) -> list[str]:
    """GOV-02: the required documents not yet attached, by name."""
    have = set(present)
    return [d for d in profile.governance.required_documents.value if d not in have]


def report_due(profile: Profile, ended_at: datetime) -> datetime:
    """GOV-12: the cancellation report is due to the AO this long after the last Deployment."""
    return ended_at + timedelta(days=profile.reporting.cancellation_report_due_days.value)


def report_overdue(profile: Profile, ended_at: datetime, now: datetime) -> Decision:
    due = report_due(profile, ended_at)
    cite = profile.reporting.cancellation_report_due_days.cite
    if now > due:
        return Decision.refuse(f"cancellation report overdue since {due:%Y-%m-%d %H:%M} UTC", cite)
    return Decision.allow(f"cancellation report due by {due:%Y-%m-%d %H:%M} UTC", cite)


def silver_review_due(last: datetime, interval_hours: float, now: datetime) -> bool:
    """GOV-09: Silver reviews at the tactical plan's interval (004 §7.6)."""
    return now >= last + timedelta(hours=interval_hours)


RAW_SCORING = "raw similarity"  # the scoring with no cohort (frt.engine.compare)
SIZE_CITE = "004 §14.5"  # the False Alert Rate depends on the size of the Watchlist


def operating_threshold(
    profile: Profile,
    authority_minimum: float,
    evaluation: dict | None,
    algorithm: str,
    watchlist_size: int | None = None,
    for_size=None,
) -> tuple[float | None, Decision]:
    """EVAL-01, EVAL-03: the Threshold a Deployment alerts at, and whether it may run at all.

    A force's minimum Threshold is a number on its supplier's score scale (Cumbria's 0.64 was
    set where NPL saw no false alerts, 004 §11.11); FRT's scores are on another scale. So the
    operating Threshold is the highest of the authority's minimum, the profile's minimum, and
    the Threshold this algorithm's recorded evaluation gives for the profile's False Alert Rate
    (000 §6.2(3)) *at the size of the Watchlist loaded* (004 §14.5: the more templates a face is
    compared with, the likelier a false alert). `for_size(evaluation, n, rate)` reads that
    Threshold from the evaluation (`frt.eval.gallery_size.threshold_for_size`): (t, basis), or
    (None, why) when the evaluation cannot support n — then nothing runs. With no evaluation
    recorded for the algorithm version in use, nothing runs either: a new algorithm is evaluated
    and recorded before use (004 §10.14; 003 §3.1).
    """
    if evaluation is None:
        return None, Decision.refuse(
            f"{algorithm} has no recorded evaluation: run `frt eval identify` "
            "on labelled data before it is used for recognition",
            "004 §10.14; 003 §3.1",
        )
    rate = profile.threshold.max_false_alert_rate
    parts = {"the authority's minimum": authority_minimum}
    if profile.threshold.minimum.value is not None:
        parts["the force minimum"] = profile.threshold.minimum.value
    if rate.value is not None and watchlist_size is not None and for_size is not None:
        evaluated, basis = for_size(evaluation, watchlist_size, rate.value)
        if evaluated is None:
            return None, Decision.refuse(
                f"the recorded evaluation of {algorithm} sets no Threshold for this Watchlist: "
                f"{basis}",
                f"{rate.cite}; {SIZE_CITE}",
            )
        parts[f"the evaluated Threshold for a False Alert Rate of {rate.value:g} {basis}"] = float(
            evaluated
        )
    elif rate.value is not None:
        key = f"threshold_at_fpir_{rate.value:g}"
        if evaluation.get(key) is None:
            return None, Decision.refuse(
                f"the recorded evaluation of {algorithm} gives no Threshold for a False Alert "
                f"Rate of {rate.value:g}",
                rate.cite,
            )
        parts[f"the evaluated Threshold for a False Alert Rate of {rate.value:g}"] = float(
            evaluation[key]
        )
    source, threshold = max(parts.items(), key=lambda kv: kv[1])
    cite = rate.cite if watchlist_size is None else f"{rate.cite}; {SIZE_CITE}"
    return threshold, Decision.allow(f"alerts at {threshold:.4f}, set by {source}", cite)
