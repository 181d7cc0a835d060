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
from frt.policy.vocabulary import (
    RATIONALE_CATEGORY,
    Category,
    CommandRole,
    ImageLayer,
    ImageSource,
    SubjectFlag,
    values,
)


def command_rank(profile: Profile, role: str, rank: Rank, *, urgent: bool = False) -> Decision:
    """GOV-09: each command role's minimum rank, from the profile (Gold's lower under urgency)."""
    rule = profile.command
    post = CommandRole(role)
    if post is CommandRole.GOLD:
        minimum, cite = rule.gold_min_rank.value, rule.gold_min_rank.cite
        if urgent and rule.gold_urgent_min_rank.value is not None:
            minimum, cite = rule.gold_urgent_min_rank.value, rule.gold_urgent_min_rank.cite
    elif post is CommandRole.SILVER:
        minimum, cite = rule.silver_min_rank.value, rule.silver_min_rank.cite
    else:
        # 000 §10.1(f) sets no rank for Bronze Community; it is a Bronze role, so Bronze's.
        minimum, cite = rule.bronze_min_rank.value, rule.bronze_min_rank.cite
    if rank.at_least(minimum):
        return Decision.allow(
            f"{rank.label} may be {post.label} ({minimum.label} or above)", cite, "GOV-COMMAND-RANK"
        )
    return Decision.refuse(
        f"{rank.label} may not be {post.label}: {minimum.label} or above"
        + (" (urgency applied)" if urgent and post is CommandRole.GOLD else ""),
        cite,
        "GOV-COMMAND-RANK",
    )


def in_post(
    held: Iterable[str], needed: Iterable[CommandRole], what: str, citation: str
) -> Decision:
    """GOV-09: only the named members of this Authority's command team do `what`."""
    needed = list(needed)
    if set(held) & {p.value for p in needed}:
        return Decision.allow(f"in post to {what}", citation, "GOV-COMMAND-POST")
    names = " or ".join(p.label for p in needed)
    return Decision.refuse(f"only this Authority's {names} {what}", citation, "GOV-COMMAND-POST")


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
            "WL-IMPORT-WINDOW",
        )
    if now >= ends_at:
        return Decision.refuse(
            "the Deployment has ended: no Watchlist may be imported",
            "000 §5.1",
            "WL-IMPORT-ENDED",
        )
    return Decision.allow(
        f"within {rule.value:g} hours of the start", rule.cite, "WL-IMPORT-WINDOW"
    )


def category_authorised(category: str, authorised: Iterable[str]) -> Decision:
    """WL-01: an entry's category is one of 000 §6.8 and within the AO's approved criteria."""
    if category not in values(Category):
        return Decision.refuse(
            f"'{category}' is not a Watchlist category (000 §6.8(a)–(f))",
            "000 §6.8",
            "WL-CATEGORY",
        )
    if category not in set(authorised):
        return Decision.refuse(
            f"category '{category}' is outside the criteria the AO authorised",
            "000 §6.2",
            "WL-CATEGORY-AUTHORISED",
        )
    return Decision.allow(
        f"category '{category}' authorised", Category(category).cite, "WL-CATEGORY-AUTHORISED"
    )


def categories_known(categories: Iterable[str]) -> Decision:
    """WL-01: an authority's Watchlist criteria name categories of 000 §6.8(a)–(f) only."""
    categories = list(categories)
    bad = [c for c in categories if c not in values(Category)]
    if not categories or bad:
        return Decision.refuse(
            "Watchlist categories are those of 000 §6.8(a)–(f)"
            + (f"; unknown: {', '.join(bad)}" if bad else ""),
            "000 §6.8",
            "WL-CATEGORY",
        )
    return Decision.allow("categories of 000 §6.8", "000 §6.8", "WL-CATEGORY")


def rationale_given(category: str, rationale: str | None) -> Decision:
    """WL-01: a victim, person with information or close associate needs a written rationale."""
    if category == RATIONALE_CATEGORY.value and not (rationale or "").strip():
        return Decision.refuse(
            "a victim, person with information or close associate needs a written rationale "
            "of necessity and proportionality",
            "000 §6.19",
            "WL-RATIONALE",
        )
    return Decision.allow("rationale present or not needed", "000 §6.19", "WL-RATIONALE")


def image_source_allowed(
    source: str, layer: str | None, non_police_allowed: bool, allowed_layers: Iterable[str]
) -> Decision:
    """WL-02: a non-police image needs the AO's authorisation for its layer of intrusiveness."""
    if source not in values(ImageSource):
        return Decision.refuse(f"unknown image source '{source}'", "000 §6.2(2)", "WL-IMAGE-SOURCE")
    if ImageSource(source).police:
        return Decision.allow("police-originated image", "000 §6.8", "WL-IMAGE-SOURCE")
    if layer not in values(ImageLayer):
        return Decision.refuse(
            "a non-police image needs its layer (A, B or C)", "000 §6.11", "WL-IMAGE-LAYER"
        )
    if not non_police_allowed:
        return Decision.refuse(
            "the authority does not allow non-police originated images",
            "000 §6.12",
            "WL-NON-POLICE",
        )
    if layer not in set(allowed_layers):
        return Decision.refuse(
            f"the authority does not allow non-police images of Layer {layer}",
            "000 §6.12",
            "WL-NON-POLICE",
        )
    return Decision.allow(
        f"non-police Layer {layer} image authorised by the AO", "000 §6.12", "WL-NON-POLICE"
    )


def layers_known(layers: Iterable[str]) -> Decision:
    """WL-02: non-police image layers are those of 000 §6.11."""
    bad = sorted(set(layers) - set(values(ImageLayer)))
    if bad:
        return Decision.refuse(
            "non-police image layers are A, B and C", "000 §6.11", "WL-IMAGE-LAYER"
        )
    return Decision.allow("layers of 000 §6.11", "000 §6.11", "WL-IMAGE-LAYER")


def protected_inclusion(
    flags: Iterable[str],
    authorised: Iterable[str],
    advice_recorded: Iterable[str],
    required_advice: Iterable[str],
) -> Decision:
    """WL-03: a flagged person needs legal and technical advice recorded and the AO's decision."""
    flags = [f for f in flags if f]
    known = flags_known(flags)
    if not known:
        return known
    if not flags:
        return Decision.allow("no protected-characteristic flag", "000 §6.6", "WL-PROTECTED")
    missing_advice = [a for a in required_advice if a not in set(advice_recorded)]
    if missing_advice:
        return Decision.refuse(
            "flagged entry ("
            + ", ".join(f.replace("_", " ") for f in flags)
            + ") without "
            + " and ".join(a.replace("_", " ") for a in missing_advice)
            + " recorded",
            "000 §6.7",
            "WL-PROTECTED-ADVICE",
        )
    not_decided = [f for f in flags if f not in set(authorised)]
    if not_decided:
        return Decision.refuse(
            "the AO has not recorded a decision to include persons flagged "
            + ", ".join(f.replace("_", " ") for f in not_decided),
            "000 §6.7",
            "WL-PROTECTED",
        )
    return Decision.allow(
        "advice recorded and the AO decided to include", "000 §6.7", "WL-PROTECTED"
    )


def flags_known(flags: Iterable[str]) -> Decision:
    """WL-03: the protected-characteristic flags are those of 000 §6.6(a)–(d)."""
    unknown = [f for f in flags if f not in values(SubjectFlag)]
    if unknown:
        return Decision.refuse(
            f"unknown protected-characteristic flag(s): {', '.join(unknown)}",
            "000 §6.6",
            "WL-PROTECTED-FLAG",
        )
    return Decision.allow("flags of 000 §6.6", "000 §6.6", "WL-PROTECTED-FLAG")


def minimum_threshold(profile: Profile, threshold: float) -> Decision:
    """GOV-06: the AO's minimum Threshold, never below the force's minimum where it sets one."""
    rule = profile.threshold.minimum
    if not 0 < threshold <= 1:
        return Decision.refuse("a Threshold lies between 0 and 1", rule.cite, "GOV-THRESHOLD-MIN")
    if rule.value is not None and threshold < rule.value:
        return Decision.refuse(
            f"Threshold {threshold:g} is below the force minimum of {rule.value:g}",
            rule.cite,
            "GOV-THRESHOLD-MIN",
        )
    return Decision.allow(f"Threshold {threshold:g} accepted", rule.cite, "GOV-THRESHOLD-MIN")


def image_threshold_raise(
    minimum: float, raised: float, reason: str | None, current: float | None = None
) -> Decision:
    """WL-09: a per-image Threshold may only be raised (above the minimum and above any earlier
    raise), with a reason: to keep the False Alert Rate within policy (000 §6.2(3))."""
    if not (reason or "").strip():
        return Decision.refuse(
            "a per-image Threshold raise needs its reason", "000 §6.2(3)", "WL-IMAGE-THRESHOLD"
        )
    floor = max(minimum, current or minimum)
    if not floor < raised <= 1:
        now = f"its current {floor:g}" if current else f"the authority's minimum {minimum:g}"
        return Decision.refuse(
            f"a per-image Threshold must be above {now} and at most 1 (it may be raised, "
            "never lowered)",
            "000 §6.2(3)",
            "WL-IMAGE-THRESHOLD",
        )
    return Decision.allow(
        f"per-image Threshold raised to {raised:g}", "000 §6.2(3)", "WL-IMAGE-THRESHOLD"
    )


# GOV-16: which refusals a decision outside policy may set aside, by rule id. 003 §12.3 and
# 004 §15.3 allow exceptions to the *procedures*; the safeguards themselves are never set aside.
MAY_SET_ASIDE = {
    "GOV-ROSTER-TRAINING": "safety training may be excused in the written risk assessment "
    "(000 §8.5)",
    "WL-IMPORT-WINDOW": "the import window may be set aside by exception (000 §6.2(4))",
}
NEVER_SET_ASIDE = {
    "GOV-ROSTER-LFR-TRAINING": "every person deployed receives LFR training first; the SOP "
    "allows exceptions only for safety training (000 §8.5)",
    "WL-PROTECTED": "a person flagged under 18, under 13, with a disability or pictured before "
    "reassignment is included only on the legal and technical advice recorded and the AO's own "
    "decision (000 §6.7): record the advice and ask the AO",
    "WL-PROTECTED-ADVICE": "record the legal and technical advice first (000 §6.7)",
    "WL-NON-POLICE": "a non-police image needs the AO's authorisation (000 §6.12): ask the AO",
    "WL-RATIONALE": "add the written rationale of necessity and proportionality to the entry",
    "WL-CATEGORY": "the Watchlist categories are the SOP's lawful criteria",
    "WL-CATEGORY-AUTHORISED": "the AO's authority fixes the Watchlist criteria: a further "
    "authority is needed",
    "WL-INTELLIGENCE": "the intelligence case is re-confirmed as current before each Deployment",
    "WL-IMPORT-ENDED": "nothing runs outside the times and places of an authority",
    "ACCESS-ROLE": "a role check is never set aside",
    "ACCESS-OBJECT": "an access check is never set aside",
}


def set_aside(profile: Profile, refusal: Decision, action_may_excuse: bool) -> Decision:
    """GOV-16: may this refusal be set aside by a decision outside policy? If not, why not."""
    cite = profile.governance.outside_policy_needs_legal_advice.cite
    never = NEVER_SET_ASIDE.get(refusal.rule)
    if never is not None:
        return Decision.refuse(
            f"no decision outside policy sets this rule aside: {never}",
            refusal.citation,
            "GOV-OUTSIDE-POLICY-NEVER",
        )
    if action_may_excuse and refusal.rule in MAY_SET_ASIDE:
        return Decision.allow(MAY_SET_ASIDE[refusal.rule], cite, "GOV-OUTSIDE-POLICY")
    return Decision.refuse(
        "a decision outside policy is not offered for this rule here",
        refusal.citation,
        "GOV-OUTSIDE-POLICY",
    )


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
        return Decision.refuse(
            f"cancellation report overdue since {due:%Y-%m-%d %H:%M} UTC", cite, "GOV-REPORT-DUE"
        )
    return Decision.allow(
        f"cancellation report due by {due:%Y-%m-%d %H:%M} UTC", cite, "GOV-REPORT-DUE"
    )


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
            "EVAL-UNEVALUATED",
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
                "EVAL-WATCHLIST-SIZE",
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
                "EVAL-UNEVALUATED",
            )
        parts[f"the evaluated Threshold for a False Alert Rate of {rate.value:g}"] = float(
            evaluation[key]
        )
    source, threshold = max(parts.items(), key=lambda kv: kv[1])
    cite = rate.cite if watchlist_size is None else f"{rate.cite}; {SIZE_CITE}"
    return threshold, Decision.allow(
        f"alerts at {threshold:.4f}, set by {source}", cite, "EVAL-THRESHOLD"
    )


def may_run(
    authority_in_force: bool, starts_at: datetime, ends_at: datetime, at: datetime, state: str
) -> Decision:
    """LIVE-10: processing only while active, inside the authorised times, authority in force."""
    if not authority_in_force:
        return Decision.refuse("the authority was stopped", "000 §4.11", "LIVE-AUTHORITY")
    if not starts_at <= at < ends_at:
        return Decision.refuse("outside the authorised times", "000 §5.1", "LIVE-WINDOW")
    if state != "active":
        return Decision.refuse(f"the Deployment is {state}", "000 §10.1(d)", "LIVE-STATE")
    return Decision.allow(
        "inside the authority's place and times, active", "000 §5.1", "LIVE-WINDOW"
    )


def may_start(
    profile: Profile,
    authority_in_force: bool,
    starts_at: datetime,
    ends_at: datetime,
    now: datetime,
    overt_use_recorded: bool,
) -> Decision:
    """GOV-11, LIVE-10: a Deployment starts under an authority in force, inside its times, with
    its overt-use measures recorded (000 §5.7)."""
    if not authority_in_force:
        return Decision.refuse("the authority was stopped", "000 §4.11", "LIVE-AUTHORITY")
    if not starts_at <= now < ends_at:
        return Decision.refuse(
            "a Deployment starts only inside its authorised times", "000 §5.1", "LIVE-WINDOW"
        )
    if not overt_use_recorded:
        return Decision.refuse(
            "record the overt-use measures (advance notice or its exception, signage, contact "
            "point) before the Deployment starts",
            profile.governance.advance_notice_required.cite,
            "GOV-OVERT-USE",
        )
    return Decision.allow(
        "authority in force, in time, overt measures recorded", "000 §5.7", "GOV-OVERT-USE"
    )


def advance_notice(profile: Profile, published: bool, exception_reasons: str) -> Decision:
    """GOV-11: advance notice is published, or the exception recorded with its reasons."""
    rule = profile.governance.advance_notice_required
    if rule.value and not published and not exception_reasons.strip():
        return Decision.refuse(
            "advance notice must be published, or the exception recorded with its reasons",
            rule.cite,
            "GOV-ADVANCE-NOTICE",
        )
    return Decision.allow("advance notice published or excepted", rule.cite, "GOV-ADVANCE-NOTICE")


def lfr_training(duty_label: str, expires, on) -> Decision:
    """GOV-10: every person deployed has in-date LFR training first; never excused (000 §8.5)."""
    if expires is None or expires < on:
        return Decision.refuse(
            f"not trained to be rostered as {duty_label}: no in-date LFR training (every person "
            "deployed receives LFR training first)",
            "000 §8.5",
            "GOV-ROSTER-LFR-TRAINING",
        )
    return Decision.allow("LFR training in date", "000 §8.5", "GOV-ROSTER-LFR-TRAINING")


def intelligence_current(reconfirmed: bool) -> Decision:
    """WL-05: the intelligence case is re-confirmed as current before each Deployment."""
    if not reconfirmed:
        return Decision.refuse(
            "the intelligence case must be re-confirmed as current before each Deployment",
            "000 §6.2(1)",
            "WL-INTELLIGENCE",
        )
    return Decision.allow("intelligence case re-confirmed", "000 §6.2(1)", "WL-INTELLIGENCE")


def outside_policy_grounds(
    profile: Profile, rationale: str, legal_advice: str, min_rationale: int
) -> Decision:
    """GOV-16: a decision outside policy has a detailed rationale and, where the profile asks,
    the legal advice it rests on (003 §12.3; 004 §15.3)."""
    rule = profile.governance.outside_policy_needs_legal_advice
    if len(rationale.strip()) < min_rationale:
        return Decision.refuse(
            f"a decision outside policy needs a detailed rationale (at least {min_rationale} "
            "characters): why these circumstances go beyond the documents, and the risk it "
            "answers",
            rule.cite,
            "GOV-OUTSIDE-POLICY-GROUNDS",
        )
    if rule.value and not legal_advice.strip():
        return Decision.refuse(
            "a decision outside policy needs the legal advice it rests on (its reference)",
            rule.cite,
            "GOV-OUTSIDE-POLICY-GROUNDS",
        )
    return Decision.allow("rationale and advice recorded", rule.cite, "GOV-OUTSIDE-POLICY-GROUNDS")


def exception_not_covering(profile: Profile) -> Decision:
    """GOV-16: a decision outside policy covers one rule, for one action, once."""
    return Decision.refuse(
        "the decision outside policy given does not cover this rule for this action, or was "
        "used already",
        profile.governance.outside_policy_needs_legal_advice.cite,
        "GOV-OUTSIDE-POLICY-USED",
    )


def report_evaluated(has_evaluation: bool) -> Decision:
    """GOV-12: the evaluation is qualitative as well as quantitative (000 §11.1)."""
    if not has_evaluation:
        return Decision.refuse(
            "the evaluation must be qualitative as well as quantitative: add Gold's evaluation",
            "000 §11.1",
            "GOV-REPORT-EVALUATION",
        )
    return Decision.allow("Gold's evaluation recorded", "000 §11.1", "GOV-REPORT-EVALUATION")


def device_usable(
    credential_given: bool, known: bool, revoked: bool, finished: bool, officer_may: bool
) -> Decision:
    """DATA-06: a handheld device acts only with its own live credential (000 §12.1(e))."""
    cite, rule = "000 §12.1(e)", "LIVE-DEVICE"
    if not credential_given:
        return Decision.refuse("no device credential", cite, rule)
    if not known:
        return Decision.refuse("unknown device credential", cite, rule)
    if revoked:
        return Decision.refuse("this device was revoked", cite, rule)
    if finished:
        return Decision.refuse("the Deployment has finished", "000 §13.1(b)", rule)
    if not officer_may:
        return Decision.refuse("the device's officer may no longer use it", "000 §12.1(d)", rule)
    return Decision.allow("enrolled device", cite, rule)
