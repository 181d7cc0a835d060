"""The choices of RFR's forms, named as the policy (003) names them."""

from __future__ import annotations

from enum import Enum


class _Labelled(str, Enum):
    @property
    def label(self) -> str:
        return _LABELS.get(self.value, self.value.replace("_", " "))


class LibraryKind(_Labelled):
    SUBSTANTIVE = "substantive"  # Form 1, the SRO (003 §5.5(a))
    TEMPORARY = "temporary"  # Form 2, a Superintendent (§5.5(b)); urgent Inspector (§5.10)


class LibraryStatus(_Labelled):
    APPLIED = "applied"  # Form 1/2 completed, awaiting a decision
    APPROVED = "approved"
    URGENT_APPROVED = "urgent_approved"  # by an Inspector in urgency: a Superintendent decides
    REFUSED = "refused"
    STOPPED = "stopped"


class LibraryDecisionKind(_Labelled):
    APPROVE = "approve"
    REFUSE = "refuse"
    URGENT_APPROVE = "urgent_approve"
    CONTINUE = "continue"  # §5.10: the Superintendent continues an urgent approval
    VARY = "vary"
    STOP = "stop"
    REVIEW = "review"  # §5.7(f)(v): a review supporting continued use
    WRITTEN_RATIONALE = "written_rationale"  # §5.9: a verbal approval written up


class Purpose(_Labelled):  # 003 §8.2
    IDENTIFY = "a_identify"
    LOCATION = "b_location"
    ASSOCIATION = "c_association"
    CONDUCT = "d_conduct"


class Ground(_Labelled):  # 003 §8.3
    WANTED = "a_wanted_by_courts"
    OFFENCE = "b_offence_or_investigation"
    BAIL = "c_bail_or_order_breach"
    MISSING = "d_missing_increased_risk"
    RISK_OF_HARM = "e_risk_of_harm"
    DECEASED = "f_deceased_injured_unresponsive"
    THIRD_PARTY = "g_victim_witness_associate"


class SubjectStatus(_Labelled):
    SUSPECT = "suspect"
    WANTED = "wanted"
    MISSING = "missing"
    AT_RISK = "at_risk"
    DECEASED = "deceased"
    VICTIM = "victim"
    WITNESS = "witness"
    ASSOCIATE = "associate"


class AgeBand(_Labelled):  # perceived age at the time of the search (003 §4.7, §8.22)
    UNDER_13 = "under_13"
    AGE_13_15 = "13_15"
    AGE_16_17 = "16_17"
    ADULT = "adult"
    UNKNOWN = "unknown"


class PreCheck(_Labelled):  # 003 §8.16
    OTHER_LINES = "other_lines_of_investigation"
    LOCAL_ENQUIRIES = "local_enquiries"
    OPEN_SOURCE = "open_source_checks"


class SearchStatus(_Labelled):
    DRAFT = "draft"  # probe uploaded / faces selected / Form 3 being written
    AWAITING_APPROVAL = "awaiting_approval"
    READY = "ready"  # every approval recorded (or none needed): may search
    SEARCHING = "searching"  # at least one level searched
    REFUSED = "refused"
    COMPLETED = "completed"  # a Viable Match recorded, or every listed library searched


class StepOutcome(_Labelled):
    PENDING = "pending"
    NO_VIABLE_MATCH = "no_viable_match"
    VIABLE_MATCH = "viable_match"


class Adjudication(_Labelled):
    VIABLE = "viable_match"
    NOT_VIABLE = "not_viable"


_LABELS = {
    "a_identify": "(a) an investigative lead to identify the individual",
    "b_location": "(b) places the individual at a location, date or time",
    "c_association": "(c) places the individual with people of significance",
    "d_conduct": "(d) confirms the actions or conduct of the individual",
    "a_wanted_by_courts": "(a) wanted by the courts",
    "b_offence_or_investigation": "(b) offence, or subject of an active investigation",
    "c_bail_or_order_breach": "(c) bail conditions, court order or restriction breached",
    "d_missing_increased_risk": "(d) missing person deemed increased risk",
    "e_risk_of_harm": "(e) presenting a risk of harm to themselves or others",
    "f_deceased_injured_unresponsive": "(f) deceased, grievously injured or unresponsive",
    "g_victim_witness_associate": "(g) victim, witness with information, or close associate",
    "under_13": "under 13",
    "13_15": "13 to 15",
    "16_17": "16 to 17",
    "adult": "18 or over",
    "unknown": "not known",
    "viable_match": "Viable Match",
    "not_viable": "not a Viable Match",
    "no_viable_match": "no Viable Match",
    "urgent_approved": "approved in urgency",
    "awaiting_approval": "awaiting approval",
    "other_lines_of_investigation": "other lines of investigation",
    "open_source_checks": "open source checks",
}
