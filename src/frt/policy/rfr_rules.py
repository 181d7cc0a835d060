"""The rules of Retrospective Facial Recognition (003, the MPS RFR policy), one function each.

Each rule takes plain facts (levels, ranks, flags, dates) and the force profile, and returns a
`Decision` naming its stable rule id (prefix RFR-) and its paragraph; messages read the profile's
values. `frt.rfr` gathers the facts and calls `require(...)`. Nothing here imports FRT's storage.

Libraries: who approves (003 §5.5, §5.10), the review periods (§5.7(f)(v)), expiry (§7.1(b)(ii)).
Searches: the Form 3's content (§4, §8.2–8.19), the safeguards (§4.7, §8.18, §8.21–8.22), face
selection first (§1.10(3–5), §8.24), progressive search (§5.14–5.17), results (§8.25–8.29).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from frt.policy.decision import Decision
from frt.policy.profile import Profile
from frt.policy.ranks import Rank

LEVELS = (1, 2, 3, 4, 5)  # Annex A
UNDER_13, AGE_13_15, AGE_16_17, ADULT, UNKNOWN = "under_13", "13_15", "16_17", "adult", "unknown"
AGE_BANDS = (UNDER_13, AGE_13_15, AGE_16_17, ADULT, UNKNOWN)
# 8.3(g): victims, witnesses and associates need the recorded necessity rationale of 8.11.
THIRD_PARTY_STATUSES = frozenset({"victim", "witness", "associate"})


def _ok(reason: str, cite: str, rule: str) -> Decision:
    return Decision.allow(reason, cite, rule)


def _no(reason: str, cite: str, rule: str) -> Decision:
    return Decision.refuse(reason, cite, rule)


# ============================================================================ libraries
def library_approver(
    kind: str,
    *,
    is_sro: bool,
    is_approving_officer: bool,
    rank: Rank,
    urgent: bool,
    profile: Profile,
) -> Decision:
    """RFR-LIB-APPROVER: a substantive library is approved by the SRO for RFR (§5.5(a)(iii)); a
    temporary one by an RFR Approving Officer of the profile's rank (§5.5(b)(iii)), or in urgency
    of the urgent rank, who must then inform a Superintendent (§5.10)."""
    rule = "RFR-LIB-APPROVER"
    if kind == "substantive":
        if is_sro:
            return _ok("the SRO for RFR approves substantive libraries", "003 §5.5(a)(iii)", rule)
        return _no(
            "a substantive Image Reference Library is approved only by the SRO for RFR",
            "003 §5.5(a)(iii)",
            rule,
        )
    normal = profile.rfr.temporary_library_min_rank
    urgent_rank = profile.rfr.temporary_library_urgent_min_rank
    if not (is_approving_officer or is_sro):
        return _no("a temporary library is approved by an RFR Approving Officer", normal.cite, rule)
    if rank.at_least(normal.value):
        return _ok(f"{rank.label} may approve a temporary library", normal.cite, rule)
    if urgent and rank.at_least(urgent_rank.value):
        return _ok(
            f"in urgency, a {rank.label} may approve a temporary library and must inform "
            f"a {normal.value.label}",
            urgent_rank.cite,
            rule,
        )
    needed = normal.value.label + (f" (in urgency, {urgent_rank.value.label})")
    return _no(
        f"a temporary library needs approval by a {needed} or above; you are {rank.label}",
        f"{normal.cite}, {urgent_rank.cite}",
        rule,
    )


def superintendent_follow_up(rank: Rank, profile: Profile) -> Decision:
    """RFR-LIB-URGENT-FOLLOW-UP: only an officer of the temporary library's normal rank decides
    whether an urgent approval continues, is varied or stops (§5.10)."""
    needed = profile.rfr.temporary_library_min_rank
    if rank.at_least(needed.value):
        return _ok(
            "may continue, vary or stop an urgent approval", "003 §5.10", "RFR-LIB-URGENT-FOLLOW-UP"
        )
    return _no(
        f"only a {needed.value.label} or above decides whether an urgent approval "
        f"continues, is varied or stops; you are {rank.label}",
        "003 §5.10",
        "RFR-LIB-URGENT-FOLLOW-UP",
    )


def review_period(
    kind: str, first: bool, granted_from: datetime, review_due: datetime, profile: Profile
) -> Decision:
    """RFR-LIB-REVIEW-PERIOD: the approval falls for review within a year (substantive), within
    31 days at first and then at most six months (temporary) (§5.7(f)(v))."""
    rfr = profile.rfr
    if kind == "substantive":
        limit, cite, what = rfr.substantive_library_review_days, None, "a substantive library"
    elif first:
        limit, what = rfr.temporary_library_first_review_days, "a temporary library's first review"
    else:
        limit, what = rfr.temporary_library_review_max_days, "a temporary library's later reviews"
    cite = limit.cite
    if review_due <= granted_from:
        return _no("the review date must be after the decision", cite, "RFR-LIB-REVIEW-PERIOD")
    if review_due - granted_from > timedelta(days=limit.value):
        return _no(
            f"{what} falls for review within {limit.value} days; the date given is "
            f"{(review_due - granted_from).days} days away",
            cite,
            "RFR-LIB-REVIEW-PERIOD",
        )
    return _ok(f"review within {limit.value} days", cite, "RFR-LIB-REVIEW-PERIOD")


def form_complete(missing: list[str], form: str) -> Decision:
    """RFR-LIB-FORM-INCOMPLETE: Form 1 / Form 2 articulate §5.7(a)–(e) before a decision."""
    if missing:
        return _no(
            f"the {form} is incomplete: {', '.join(missing)}", "003 §5.7", "RFR-LIB-FORM-INCOMPLETE"
        )
    return _ok(f"the {form} is complete", "003 §5.7", "RFR-LIB-FORM-INCOMPLETE")


def approval_terms(
    rationale: str, image_level: int | None, access_all: bool, access_users: list[str]
) -> Decision:
    """RFR-LIB-APPROVAL-TERMS: an approval records its rationale, access requirements and the
    library's Image Level (§5.7(f)(i)–(iii))."""
    rule, cite = "RFR-LIB-APPROVAL-TERMS", "003 §5.7(f)"
    if not rationale.strip():
        return _no("an approval records its rationale", "003 §5.7(f)(i)", rule)
    if image_level not in LEVELS:
        return _no(
            "an approval attributes the library an Image Level of 1 to 5 (Annex A)",
            "003 §5.7(f)(iii)",
            rule,
        )
    if not access_all and not access_users:
        return _no(
            "an approval says who may search the library (its access restrictions)",
            "003 §5.7(f)(ii)",
            rule,
        )
    return _ok("approval terms recorded", cite, rule)


def library_searchable(status: str, review_due: datetime | None, now: datetime) -> Decision:
    """RFR-LIB-EXPIRED: a library is searchable only under an approval that has not ended; past
    its end it is unavailable at once (§7.1(b)(ii), §8.20)."""
    if status == "stopped":
        return _no("the use of this library was stopped", "003 §5.10", "RFR-LIB-EXPIRED")
    if status not in ("approved", "urgent_approved") or review_due is None:
        return _no(
            "this library has no approval for RFR Searching",
            "003 §5.5, §8.20",
            "RFR-LIB-NOT-APPROVED",
        )
    if review_due <= now:
        return _no(
            f"this library's approval ended on {review_due:%d %B %Y %H:%M} UTC: it is "
            "unavailable for RFR Searching until a review continues it",
            "003 §7.1(b)(ii)",
            "RFR-LIB-EXPIRED",
        )
    return _ok("the library's approval is in force", "003 §8.20", "RFR-LIB-EXPIRED")


def enrolment_allowed(status: str, review_due: datetime | None, now: datetime) -> Decision:
    """RFR-LIB-ENROL: images are enrolled only into a library whose use is approved (§1.10(1))."""
    searchable = library_searchable(status, review_due, now)
    if not searchable:
        return _no(
            f"images are enrolled only into an approved library: {searchable.reason}",
            "003 §1.10(1)",
            "RFR-LIB-ENROL",
        )
    return _ok("the library is approved", "003 §1.10(1)", "RFR-LIB-ENROL")


# ============================================================================ the Form 3
@dataclass(frozen=True)
class Form3Facts:
    purposes: tuple[str, ...]
    grounds: tuple[str, ...]
    subject_status: str
    status_rationale: str
    probe_level: int | None
    age_band: str
    disability: bool
    gender_reassignment: bool
    collection: bool
    offence: str | None  # the offence named, if any
    offence_recordable: bool | None  # None: not in the profile's list
    pre_checks: tuple[str, ...]
    urgent: bool
    urgency_rationale: str
    necessity: str
    proportionality: str
    source: str
    legal_basis: str
    library_levels: dict[str, int] = field(default_factory=dict)  # library reference -> level
    search_all: bool = False
    search_all_rationale: str = ""


def age_in_scope(age_band: str) -> Decision:
    """RFR-AGE-UNDER-13: no search where the subject's perceived age is under 13 (§8.22, §4.7)."""
    if age_band == UNDER_13:
        return _no(
            "no RFR Search is undertaken where the subject's perceived age is under 13",
            "003 §8.22",
            "RFR-AGE-UNDER-13",
        )
    return _ok("the subject's perceived age is in scope", "003 §8.22", "RFR-AGE-UNDER-13")


def offence_for_13_15(age_band: str, offence: str | None, recordable: bool | None) -> Decision:
    """RFR-AGE-13-15-OFFENCE: for a subject perceived to be 13–15, the offence must be a
    Recordable Offence as PACE 1984 defines it (§8.6, §4.7)."""
    rule, cite = "RFR-AGE-13-15-OFFENCE", "003 §8.6, §4.7"
    if age_band != AGE_13_15:
        return _ok("no offence limit for this age band", cite, rule)
    if not offence:
        return _no(
            "a search for a subject perceived to be 13 to 15 names the Recordable "
            "Offence it concerns",
            cite,
            rule,
        )
    if not recordable:
        return _no(
            f"'{offence}' is not a Recordable Offence (PACE 1984): a subject perceived to "
            "be 13 to 15 is searched only in relation to a Recordable Offence",
            cite,
            rule,
        )
    return _ok(f"'{offence}' is a Recordable Offence", cite, rule)


def purposes_and_grounds(purposes: Iterable[str], grounds: Iterable[str]) -> Decision:
    """RFR-PURPOSE / RFR-GROUNDS: at least one RFR Search Purpose (§8.2) and one ground (§8.3)."""
    if not list(purposes):
        return _no(
            "a Form 3 records at least one RFR Search Purpose (8.2 a–d)", "003 §8.2", "RFR-PURPOSE"
        )
    if not list(grounds):
        return _no(
            "a Form 3 records at least one ground for the search (8.3 a–g)",
            "003 §8.3",
            "RFR-GROUNDS",
        )
    return _ok("purpose and grounds recorded", "003 §8.2, §8.3", "RFR-GROUNDS")


def status_rationale(status: str, rationale: str) -> Decision:
    """RFR-STATUS-RATIONALE: a victim, witness or associate is searched only with a recorded
    rationale of why it is necessary and how a Viable Match would help (§8.10–8.11)."""
    if status in THIRD_PARTY_STATUSES and not rationale.strip():
        return _no(
            f"a search for a {status} needs a recorded rationale of why it is necessary "
            "to the RFR Search Purpose and how a Viable Match would progress the "
            "investigation",
            "003 §8.11",
            "RFR-STATUS-RATIONALE",
        )
    return _ok("subject status and rationale recorded", "003 §8.11", "RFR-STATUS-RATIONALE")


def pre_checks_or_urgency(pre_checks: Iterable[str], urgent: bool, rationale: str) -> Decision:
    """RFR-PRE-CHECKS: less intrusive checks were considered first, or the case is urgent with its
    rationale recorded (§8.15–8.16)."""
    if list(pre_checks):
        return _ok("Pre-RFR Checks recorded", "003 §8.16", "RFR-PRE-CHECKS")
    if urgent and rationale.strip():
        return _ok("urgency recorded in place of Pre-RFR Checks", "003 §8.15", "RFR-PRE-CHECKS")
    return _no(
        "record the Pre-RFR Checks considered (other lines of enquiry, local enquiries, "
        "open source) or the urgency and its rationale",
        "003 §8.15, §8.16",
        "RFR-PRE-CHECKS",
    )


def necessity_and_proportionality(necessity: str, proportionality: str) -> Decision:
    """RFR-NECESSITY: the Form 3 makes out necessity and proportionality (§8.8–8.9, §8.19)."""
    if not necessity.strip() or not proportionality.strip():
        return _no(
            "a Form 3 records why the search is necessary and why it is proportionate",
            "003 §8.19, §4.8",
            "RFR-NECESSITY",
        )
    return _ok("necessity and proportionality recorded", "003 §8.19", "RFR-NECESSITY")


def source_and_basis(source: str, legal_basis: str) -> Decision:
    """RFR-PROBE-SOURCE: only Probe Images lawfully held, their source and legal basis recorded
    (§4.1(b)–(c))."""
    if not source.strip() or not legal_basis.strip():
        return _no(
            "record the Probe Image's source and the legal basis on which it is held",
            "003 §4.1(b)–(c)",
            "RFR-PROBE-SOURCE",
        )
    return _ok("source and legal basis recorded", "003 §4.1", "RFR-PROBE-SOURCE")


def image_level(level: int | None, what: str) -> Decision:
    """RFR-IMAGE-LEVEL: the Image Level (Annex A, 1–5) is recorded (§4.5, §5.13)."""
    if level not in LEVELS:
        return _no(
            f"record the {what}'s Image Level, 1 to 5 (Annex A); where in doubt, the higher",
            "003 §4.5, Annex A ¶2",
            "RFR-IMAGE-LEVEL",
        )
    return _ok(f"{what} at Image Level {level}", "003 §4.5", "RFR-IMAGE-LEVEL")


def level_in_doubt(levels: Iterable[int]) -> int:
    """Where there is doubt between Levels, the cautious (higher) one (Annex A ¶2)."""
    return max(levels)


def search_all(requested: bool, urgent: bool, rationale: str) -> Decision:
    """RFR-SEARCH-ALL-URGENCY: searching all libraries at once, rather than from the lowest
    level up, only in urgency with the rationale recorded (§5.17)."""
    if not requested:
        return _ok("progressive search", "003 §5.16", "RFR-SEARCH-ALL-URGENCY")
    if urgent and rationale.strip():
        return _ok(
            "'search all' in urgency, its rationale recorded", "003 §5.17", "RFR-SEARCH-ALL-URGENCY"
        )
    return _no(
        "searching all libraries at once needs the urgency and its rationale recorded; "
        "otherwise libraries are searched from the lowest Image Level up",
        "003 §5.17",
        "RFR-SEARCH-ALL-URGENCY",
    )


def form3_complete(f: Form3Facts) -> list[Decision]:
    """Every refusal-capable check of a Form 3 before it is submitted, in the order a person reads
    the form; `require` each."""
    return [
        age_in_scope(f.age_band),
        purposes_and_grounds(f.purposes, f.grounds),
        status_rationale(f.subject_status, f.status_rationale),
        image_level(f.probe_level, "Probe Image"),
        source_and_basis(f.source, f.legal_basis),
        pre_checks_or_urgency(f.pre_checks, f.urgent, f.urgency_rationale),
        necessity_and_proportionality(f.necessity, f.proportionality),
        offence_for_13_15(f.age_band, f.offence, f.offence_recordable),
        search_all(f.search_all, f.urgent, f.search_all_rationale),
    ]


# ============================================================================ approvals
@dataclass(frozen=True)
class Need:
    """Something on the Form 3 that needs an Inspector's individual approval."""

    key: str  # stable: "age_13_15", "disability", "library_level:<ref>", ...
    reason: str
    cite: str
    rule: str  # the rule that refuses a search while this is unapproved
    advice: bool = False  # the FRT team's technical advice must be recorded first (§4.7)


def approvals_needed(f: Form3Facts, profile: Profile) -> list[Need]:
    """What needs individual approval by an officer of the profile's rank (§4.7, §8.18,
    §8.21–8.22): 13–15, disability, gender reassignment, a Probe Images Collection, and the
    profile's reserved Image Levels of the probe or of any library to be searched."""
    rank = profile.rfr.search_approver_min_rank.value.label
    levels = profile.rfr.approval_image_levels
    needs = []
    if f.age_band == AGE_13_15:
        needs.append(
            Need(
                "age_13_15",
                f"the subject's perceived age is 13 to 15: endorsement by an {rank} or above",
                "003 §8.22",
                "RFR-AGE-13-15-ENDORSEMENT",
            )
        )
    if f.disability:
        needs.append(
            Need(
                "disability",
                f"a relevant disability is suspected: {rank} approval "
                "informed by the FRT team's technical advice",
                "003 §4.7",
                "RFR-DISABILITY-APPROVAL",
                advice=True,
            )
        )
    if f.gender_reassignment:
        needs.append(
            Need(
                "gender_reassignment",
                "the Probe Image may pre-date a gender "
                f"reassignment: {rank} approval informed by the FRT team's technical "
                "advice",
                "003 §4.7",
                "RFR-GENDER-REASSIGNMENT-APPROVAL",
                advice=True,
            )
        )
    if f.collection:
        needs.append(
            Need(
                "collection",
                f"a Probe Images Collection: approval in writing by an {rank} or above",
                "003 §8.18",
                "RFR-COLLECTION-APPROVAL",
            )
        )
    if f.probe_level in levels.value:
        needs.append(
            Need(
                "probe_level",
                f"the Probe Image is at Image Level {f.probe_level}, "
                f"which needs individual {rank} approval",
                levels.cite,
                "RFR-PROBE-LEVEL-APPROVAL",
            )
        )
    for ref, level in sorted(f.library_levels.items()):
        if level in levels.value:
            needs.append(
                Need(
                    f"library_level:{ref}",
                    f"library {ref} is at Image Level {level}, "
                    f"which needs individual {rank} approval",
                    levels.cite,
                    "RFR-LIBRARY-LEVEL-APPROVAL",
                )
            )
    return needs


def approver_rank(rank: Rank, profile: Profile) -> Decision:
    """RFR-APPROVER-RANK: the Form 3's approvals are by an officer of the profile's rank."""
    needed = profile.rfr.search_approver_min_rank
    if rank.at_least(needed.value):
        return _ok(f"{rank.label} may approve", needed.cite, "RFR-APPROVER-RANK")
    return _no(
        f"this approval needs an officer of {needed.value.label} rank or above; you are "
        f"{rank.label}",
        needed.cite,
        "RFR-APPROVER-RANK",
    )


def not_own_request(approver_id: str, searcher_id: str) -> Decision:
    """RFR-APPROVER-INDEPENDENT: no one approves their own search request (§8.21: a further level
    of assurance)."""
    if approver_id == searcher_id:
        return _no(
            "you cannot approve your own search request", "003 §8.21", "RFR-APPROVER-INDEPENDENT"
        )
    return _ok("an independent approver", "003 §8.21", "RFR-APPROVER-INDEPENDENT")


def technical_advice(needs: list[Need], advice_recorded: bool) -> Decision:
    """RFR-TECHNICAL-ADVICE: disability and gender-reassignment searches are decided with the FRT
    team's technical advice before the approver (§4.7 'Specific Advice')."""
    wanting = [n for n in needs if n.advice]
    if wanting and not advice_recorded:
        return _no(
            "record the FRT team's technical advice before deciding: "
            + "; ".join(n.key.replace("_", " ") for n in wanting),
            "003 §4.7",
            "RFR-TECHNICAL-ADVICE",
        )
    return _ok("technical advice recorded where needed", "003 §4.7", "RFR-TECHNICAL-ADVICE")


def approved(needs: list[Need], approved_keys: set[str], refused: bool) -> Decision:
    """The search may run only once every Need is approved (each refusal names the Need's rule)."""
    if refused:
        return _no(
            "an approving officer refused this search request", "003 §8.21", "RFR-APPROVAL-REFUSED"
        )
    for need in needs:
        if need.key not in approved_keys:
            return _no(f"not approved: {need.reason}", need.cite, need.rule)
    return _ok("every approval the Form 3 needs is recorded", "003 §8.21", "RFR-APPROVALS")


# ============================================================================ the search
def faces_selected(selected: int) -> Decision:
    """RFR-FACE-SELECTION: no template, and so no search, until the user has selected the
    relevant face(s); only those are templated (§1.10(3–5), §8.24)."""
    if selected:
        return _ok(f"{selected} face(s) selected", "003 §8.24", "RFR-FACE-SELECTION")
    return _no(
        "select the face(s) relevant to the search first: no template is made of any face "
        "until then",
        "003 §1.10(3–5), §8.24",
        "RFR-FACE-SELECTION",
    )


def next_level(
    candidate_levels: Iterable[int],
    searched_levels: Iterable[int],
    outcomes_pending: bool,
    viable_found: bool,
) -> Decision:
    """RFR-PROGRESSIVE: libraries are searched from the lowest Image Level up, one level at a
    time, moving on only once the user has recorded that the lower levels gave no Viable Match
    (§5.16)."""
    remaining = sorted(set(candidate_levels) - set(searched_levels))
    if viable_found:
        return _no(
            "a Viable Match has been recorded: the search's purpose is met, no further "
            "library is searched",
            "003 §5.16, §7.1(b)(iii)",
            "RFR-PROGRESSIVE",
        )
    if not remaining:
        return _no(
            "every library listed on the Form 3 has been searched", "003 §5.16", "RFR-PROGRESSIVE"
        )
    if outcomes_pending:
        return _no(
            "record the outcome of the level searched (no Viable Match) before a more "
            "intrusive level is searched",
            "003 §5.16",
            "RFR-PROGRESSIVE",
        )
    return _ok(f"next: Image Level {remaining[0]}", "003 §5.16", "RFR-PROGRESSIVE")


def match_report(viable: bool) -> Decision:
    """RFR-MATCH-REPORT: a Match Report records a Viable Match the user adjudicated (§8.26)."""
    if viable:
        return _ok("a Viable Match", "003 §8.26", "RFR-MATCH-REPORT")
    return _no(
        "a Match Report is made only for a candidate adjudicated a Viable Match",
        "003 §8.26",
        "RFR-MATCH-REPORT",
    )


def dissemination(legal_basis: str, caveat_attached: bool, recipient: str) -> Decision:
    """RFR-DISSEMINATION: a sharing names its recipient and legal basis and carries the standard
    caveat (§8.27–8.28)."""
    if not recipient.strip():
        return _no("record who the result is shared with", "003 §8.28", "RFR-DISSEMINATION")
    if not legal_basis.strip():
        return _no("record the legal basis for sharing", "003 §8.28", "RFR-DISSEMINATION")
    if not caveat_attached:
        return _no(
            "every dissemination carries the standard caveat",
            "003 §8.27",
            "RFR-DISSEMINATION-CAVEAT",
        )
    return _ok("sharing recorded with its caveat", "003 §8.27–8.28", "RFR-DISSEMINATION")
