"""The documents' vocabulary, defined once: what a Watchlist may hold, who commands, what police
may do after an Engagement. Every other module imports these; none restates them.
"""

from __future__ import annotations

from enum import Enum


class Category(str, Enum):
    """The only categories a Watchlist may hold (000 §6.8(a)–(f), §6.13)."""

    WANTED_BY_COURTS = "wanted_by_courts"
    SUSPECT = "suspect"
    BAIL_OR_COURT_RESTRICTION = "bail_or_court_restriction"
    MISSING_INCREASED_RISK = "missing_increased_risk"
    RISK_OF_HARM = "risk_of_harm"
    VICTIM_WITNESS_ASSOCIATE = "victim_witness_associate"

    @property
    def cite(self) -> str:
        return "000 §6.8(" + "abcdef"[list(Category).index(self)] + ")"


# Needs a written rationale of necessity and proportionality (000 §6.19).
RATIONALE_CATEGORY = Category.VICTIM_WITNESS_ASSOCIATE


class SubjectFlag(str, Enum):
    """What each Deployment documents about its Watchlist's people (000 §6.6(a)–(d))."""

    UNDER_18 = "under_18"
    UNDER_13 = "under_13"
    DISABILITY = "disability"
    PRE_REASSIGNMENT_IMAGE = "pre_reassignment_image"

    @property
    def cite(self) -> str:
        return "000 §6.6(" + "abcd"[list(SubjectFlag).index(self)] + ")"

    @property
    def label(self) -> str:
        return self.value.replace("_", " ")


class ImageSource(str, Enum):
    """Where a Watchlist image comes from (000 §6.8–6.11)."""

    POLICE_CUSTODY = "police_custody"
    POLICE_OTHER = "police_other"
    NON_POLICE = "non_police"

    @property
    def police(self) -> bool:
        return self is not ImageSource.NON_POLICE


class ImageLayer(str, Enum):
    """Layers of intrusiveness of a non-police image (000 §6.11)."""

    A = "A"
    B = "B"
    C = "C"


class CommandRole(str, Enum):
    """The LFR command team (000 §10.1)."""

    GOLD = "gold"
    SILVER = "silver"
    BRONZE = "bronze"
    BRONZE_COMMUNITY = "bronze_community"

    @property
    def label(self) -> str:
        return self.value.replace("_", " ").title()


class PoliceAction(str, Enum):
    """Action following an Engagement (000 §11.3(g)–(h); LIVE-06)."""

    NONE = "none"
    ARREST = "arrest"
    VOLUNTARY_ATTENDANCE = "voluntary_attendance"
    STREET_BAIL = "street_bail"
    SAFEGUARDING = "safeguarding"
    OTHER = "other"


def values(kind: type[Enum]) -> list[str]:
    return [str(member.value) for member in kind]
