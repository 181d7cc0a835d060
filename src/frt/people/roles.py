"""The roles a user may hold. Access is granted by role (least privilege, DATA-05)."""

from __future__ import annotations

from enum import Enum

from frt.policy.access import AUDIT_READER_ROLES


class Role(str, Enum):
    APPLICANT = "applicant"
    AUTHORISING_OFFICER = "authorising_officer"
    NPCC_OFFICER = "npcc_officer"
    GOLD = "gold_commander"
    SILVER = "silver_commander"
    BRONZE = "bronze_commander"
    BRONZE_COMMUNITY = "bronze_community"
    LFR_OPERATOR = "lfr_operator"
    ENGAGEMENT_OFFICER = "engagement_officer"
    SYSTEM_ENGINEER = "system_engineer"
    RFR_USER = "rfr_user"
    RFR_APPROVING_OFFICER = "rfr_approving_officer"
    SRO = "senior_responsible_owner"
    FR_OPERATIONAL_LEAD = "fr_operational_lead"  # 003 §5.5(b)(iv), §5.7(f)(v): RFR reviews
    FR_TEAM = "fr_team"  # 003 §4.7, §5.5(b)(iii): enrols libraries, gives technical advice
    DPO = "data_protection_officer"
    AUDITOR = "auditor"
    ADMINISTRATOR = "administrator"

    @property
    def label(self) -> str:
        return _LABELS.get(self, self.value.replace("_", " ").capitalize())


_LABELS = {
    Role.AUTHORISING_OFFICER: "Authorising Officer (AO)",
    Role.NPCC_OFFICER: "NPCC officer",
    Role.GOLD: "Gold commander",
    Role.SILVER: "Silver commander",
    Role.BRONZE: "Bronze commander",
    Role.BRONZE_COMMUNITY: "Bronze Community",
    Role.LFR_OPERATOR: "LFR Operator",
    Role.ENGAGEMENT_OFFICER: "Engagement Officer",
    Role.SYSTEM_ENGINEER: "System Engineer",
    Role.RFR_USER: "RFR user",
    Role.RFR_APPROVING_OFFICER: "RFR Approving Officer",
    Role.SRO: "Senior Responsible Owner (SRO)",
    Role.FR_OPERATIONAL_LEAD: "Operational Lead for FR",
    Role.FR_TEAM: "FR Team",
    Role.DPO: "Data Protection Officer (DPO)",
}

# Everyone with a part in the LFR path: who may open its pages (each action narrows further).
LFR_ROLES = (
    Role.APPLICANT,
    Role.AUTHORISING_OFFICER,
    Role.NPCC_OFFICER,
    Role.GOLD,
    Role.SILVER,
    Role.BRONZE,
    Role.BRONZE_COMMUNITY,
    Role.LFR_OPERATOR,
    Role.ENGAGEMENT_OFFICER,
    Role.SYSTEM_ENGINEER,
    Role.SRO,
    Role.DPO,
    Role.AUDITOR,
)

# Roles allowed to read the audit log (DATA-04: "only authorised roles may read it").
AUDIT_READERS = frozenset(Role(r) for r in AUDIT_READER_ROLES)


class TrainingKind(str, Enum):
    LFR = "lfr"
    EMERGENCY_LIFE_SUPPORT = "emergency_life_support"
    OFFICER_SAFETY = "officer_safety"
    AO = "lfr_authorising_officer"  # 004 §6.1: AOs complete recognised LFR AO training
    RFR = "rfr"  # 003 §10.3: every RFR user has completed the training for their role

    @property
    def label(self) -> str:
        return _TRAINING_LABELS.get(self, self.value.replace("_", " "))


_TRAINING_LABELS = {
    TrainingKind.LFR: "LFR",
    TrainingKind.AO: "LFR Authorising Officer",
    TrainingKind.RFR: "RFR",
}
