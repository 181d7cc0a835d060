"""Rules of the NPCC consultation and the AO's decision (GOV-03 … GOV-08).

Each takes the facts `frt.governance.decisions` gathers (outcomes, labels, dates, booleans) and
returns a `Decision` with its rule id and paragraph; the governance module builds no refusal.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import datetime

from frt.policy.decision import Decision
from frt.policy.profile import Profile

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
# What a further authority considers (000 §4.8).
FURTHER_PURPOSE_HEADINGS = ["legitimate_aim", "human_rights_necessity", "proportionality"]


def npcc_consultation(profile: Profile, latest_outcome: str | None) -> Decision:
    """GOV-03: a veto stops the authority; where the profile requires it, consult first."""
    rule = profile.authority.npcc_consultation_required
    if latest_outcome == "veto":
        return Decision.refuse(
            "the NPCC officer vetoed this Deployment", "000 §4.6", "GOV-NPCC-VETO"
        )
    if rule.value and latest_outcome is None:
        return Decision.refuse(
            "an officer of NPCC rank must be consulted before authority",
            rule.cite,
            "GOV-NPCC-CONSULTED",
        )
    return Decision.allow(
        "NPCC consultation recorded or not required", rule.cite, "GOV-NPCC-CONSULTED"
    )


def assessments_ready(profile: Profile, problems: Iterable[str]) -> Decision:
    """GOV-02: every required document present and its latest version reviewed."""
    rule = profile.governance.required_documents
    problems = list(problems)
    if problems:
        return Decision.refuse(
            "assessments not ready: " + "; ".join(problems), rule.cite, "GOV-ASSESSMENTS"
        )
    return Decision.allow("all assessments present and reviewed", rule.cite, "GOV-ASSESSMENTS")


def submission_complete(profile: Profile, missing: list[str], documents_missing: bool) -> Decision:
    """GOV-01, GOV-02: an Application is submitted only when nothing is missing (every item
    named at once)."""
    cite = profile.governance.required_documents.cite if documents_missing else "000 §4.3"
    if missing:
        return Decision.refuse(
            "the Application cannot be submitted; missing: " + "; ".join(missing),
            cite,
            "GOV-APPLICATION-COMPLETE",
        )
    return Decision.allow("nothing missing", cite, "GOV-APPLICATION-COMPLETE")


def decision_reasons(authorising: bool, given: Mapping[str, str]) -> Decision:
    """GOV-06: an authority gives reasons under all seven headings (001 stage 3)."""
    missing = [h.replace("_", " ") for h in REASON_HEADINGS if h not in given]
    if authorising and missing:
        return Decision.refuse(
            "an authority needs reasons under all seven headings; missing: " + ", ".join(missing),
            "001 stage 3",
            "GOV-DECISION-REASONS",
        )
    return Decision.allow("reasons given", "001 stage 3", "GOV-DECISION-REASONS")


def urgency_grounds(urgent: bool, grounds: str) -> Decision:
    """GOV-04: an urgent authority has its grounds recorded (000 §4.10)."""
    if urgent and not grounds.strip():
        return Decision.refuse(
            "urgency needs its grounds recorded", "000 §4.10", "GOV-AUTH-URGENCY-GROUNDS"
        )
    return Decision.allow(
        "urgency grounds recorded or not needed", "000 §4.10", "GOV-AUTH-URGENCY-GROUNDS"
    )


def verbal_authority(profile: Profile, verbal: bool) -> Decision:
    """GOV-05: a verbal authority, where the profile allows one (000 §4.7)."""
    rule = profile.authority.verbal_allowed
    if verbal and not rule.value:
        return Decision.refuse("verbal authority is not allowed", rule.cite, "GOV-AUTH-VERBAL")
    return Decision.allow("written, or verbal where allowed", rule.cite, "GOV-AUTH-VERBAL")


def deployment_window(
    authority_starts: datetime, authority_ends: datetime, starts: datetime, ends: datetime
) -> Decision:
    """GOV-07: each Deployment's times lie inside the authority's period (000 §5.1)."""
    if not authority_starts <= starts < ends <= authority_ends:
        return Decision.refuse(
            "each Deployment's times must lie inside the authority's period",
            "000 §5.1",
            "GOV-AUTH-WINDOW",
        )
    return Decision.allow("inside the authority's period", "000 §5.1", "GOV-AUTH-WINDOW")


def advice_before_inclusion(profile: Profile, missing_labels: list[str]) -> Decision:
    """WL-03: the AO decides to include flagged persons only with the advice recorded (000 §6.7)."""
    advice = profile.governance.protected_advice_documents
    if missing_labels:
        return Decision.refuse(
            "the AO cannot decide to include flagged persons without "
            + " and ".join(missing_labels),
            advice.cite,
            "WL-PROTECTED-ADVICE",
        )
    return Decision.allow("advice recorded", advice.cite, "WL-PROTECTED-ADVICE")


def gold_reverts(rank_allowed: Decision, minimum_label: str) -> Decision:
    """GOV-09: an urgent authority's Inspector Gold reverts to the normal rank once reviewed
    (000 §10.1 fn 11)."""
    if not rank_allowed.allowed:
        return Decision.refuse(
            f"Gold must revert to {minimum_label} or above once the urgent authority is "
            "reviewed: name a new Gold",
            "000 §10.1 fn 11",
            "GOV-GOLD-REVERT",
        )
    return Decision.allow("Gold of the normal rank", "000 §10.1 fn 11", "GOV-GOLD-REVERT")


def written_by_same_ao(same_officer: bool) -> Decision:
    """GOV-05: the AO who gave a verbal authority records it in writing (000 §4.7)."""
    if not same_officer:
        return Decision.refuse(
            "only the AO who gave the verbal authority records it in writing",
            "000 §4.7",
            "GOV-VERBAL-WRITTEN",
        )
    return Decision.allow("the same AO", "000 §4.7", "GOV-VERBAL-WRITTEN")


def further_purpose_reasons(given: Mapping[str, str]) -> Decision:
    """GOV-08: a further authority considers lawfulness, necessity, proportionality (000 §4.8)."""
    missing = [
        h.replace("_", " ") for h in FURTHER_PURPOSE_HEADINGS if not (given.get(h) or "").strip()
    ]
    if missing:
        return Decision.refuse(
            "a further authority considers lawfulness, strict necessity, proportionality and "
            "compatibility; missing: " + ", ".join(missing),
            "000 §4.8",
            "GOV-PURPOSE-REASONS",
        )
    return Decision.allow("reasons given", "000 §4.8", "GOV-PURPOSE-REASONS")


def purpose_authorised(authorised: bool) -> Decision:
    """GOV-08: processing for a purpose is permissible only under an authority for it."""
    if authorised:
        return Decision.allow("purpose authorised", "000 §4.8", "GOV-PURPOSE")
    return Decision.refuse(
        "processing for a further law-enforcement purpose needs a further authority",
        "000 §4.8",
        "GOV-PURPOSE",
    )
