"""The choices of the LFR governance path, named as the documents name them."""

from __future__ import annotations

from enum import Enum


class ApplicationStatus(str, Enum):
    DRAFT = "draft"
    SUBMITTED = "submitted"
    AMENDMENTS_REQUIRED = "amendments_required"
    AUTHORISED = "authorised"
    REJECTED = "rejected"


class UseCase(str, Enum):  # 004 §5.9; GOV-01
    PROACTIVE = "proactive"
    EVENT = "event"
    INCIDENT = "incident"
    INTELLIGENCE = "intelligence"


class DeploymentStyle(str, Enum):  # 004 §5.11
    MARKED_VANS = "marked_vans"
    WIRED_CAMERAS = "wired_cameras"


class Sensitivity(str, Enum):  # 000 §5.4(b)(i)
    HOSPITAL = "hospital"
    PLACE_OF_WORSHIP = "place_of_worship"
    LEGAL_ADVICE = "legal_advice"
    POLLING_STATION = "polling_station"
    SCHOOL_OR_CHILDREN = "school_or_children"
    CARE_HOME = "care_home"
    ASSEMBLY_OR_DEMONSTRATION = "assembly_or_demonstration"


class DocumentKind(str, Enum):  # 000 §7.1, §8.1, §6.7; 001 stage 1 (Form 3)
    INTELLIGENCE_CASE = "intelligence_case"
    DPIA = "dpia"
    EIA = "eia"
    CIA = "cia"
    SCC_SELF_ASSESSMENT = "scc_self_assessment"
    OPERATIONAL_RISK_ASSESSMENT = "operational_risk_assessment"
    LEGAL_ADVICE = "legal_advice"
    TECHNICAL_ADVICE = "technical_advice"
    OTHER = "other"

    @property
    def label(self) -> str:
        return DOCUMENT_LABELS[self]


DOCUMENT_LABELS = {
    DocumentKind.INTELLIGENCE_CASE: "Intelligence case (Form 3)",
    DocumentKind.DPIA: "Data Protection Impact Assessment",
    DocumentKind.EIA: "Equality Impact Assessment",
    DocumentKind.CIA: "Community Impact Assessment",
    DocumentKind.SCC_SELF_ASSESSMENT: "Surveillance Camera Commissioner self-assessment",
    DocumentKind.OPERATIONAL_RISK_ASSESSMENT: "Operational Risk Assessment",
    DocumentKind.LEGAL_ADVICE: "Legal advice",
    DocumentKind.TECHNICAL_ADVICE: "Technical advice",
    DocumentKind.OTHER: "Other document",
}


class ReviewStatus(str, Enum):
    NOT_REVIEWED = "not_reviewed"
    REVIEWED = "reviewed"
    NEEDS_AMENDMENT = "needs_amendment"


class ConsultationOutcome(str, Enum):  # 000 §4.6
    SUPPORTED = "supported"
    MITIGATION_REQUESTED = "mitigation_requested"
    VETO = "veto"


class DecisionOutcome(str, Enum):  # 001 stage 3
    AUTHORISE = "authorise"
    REJECT = "reject"
    AMEND = "amend"


class AuthorityStatus(str, Enum):
    IN_FORCE = "in_force"
    STOPPED = "stopped"  # an urgent authority stopped on review (000 §4.11)


class UrgentReviewOutcome(str, Enum):  # 000 §4.11
    CONTINUE = "continue"
    AMEND = "amend"
    STOP = "stop"


class DeploymentState(str, Enum):
    PLANNED = "planned"
    ACTIVE = "active"
    SUSPENDED = "suspended"
    TERMINATED = "terminated"  # by Silver (000 §10.1(d))
    ENDED = "ended"

    @property
    def finished(self) -> bool:
        return self in (DeploymentState.TERMINATED, DeploymentState.ENDED)


class Duty(str, Enum):  # 000 §10.3–10.14; keys of the profile's training section
    LFR_OPERATOR = "lfr_operator"
    ENGAGEMENT_OFFICER = "engagement_officer"
    SYSTEM_ENGINEER = "system_engineer"


class ReportStatus(str, Enum):
    DRAFT = "draft"
    SUBMITTED = "submitted"


class LossItem(str, Enum):  # 000 §13.5
    LAPTOP = "laptop"
    MOBILE_DEVICE = "mobile_device"
    CAMERA = "camera"
    USB_DEVICE = "usb_device"
    DATA = "data"
    OTHER = "other"
