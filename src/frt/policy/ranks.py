"""Police ranks and police staff grades, and the rank tests the documents use.

Ranks are ordered so "Inspector or above" is `rank >= Rank.INSPECTOR`. Police staff grades hold
no warranted rank: they never satisfy a rank test, whatever their grade.
"""

from __future__ import annotations

from enum import Enum


class Rank(str, Enum):
    POLICE_CONSTABLE = "police_constable"
    SERGEANT = "sergeant"
    INSPECTOR = "inspector"
    CHIEF_INSPECTOR = "chief_inspector"
    SUPERINTENDENT = "superintendent"
    CHIEF_SUPERINTENDENT = "chief_superintendent"
    COMMANDER = "commander"  # MPS; "Assistant Chief Constable" elsewhere (NPCC rank)
    DEPUTY_ASSISTANT_COMMISSIONER = "deputy_assistant_commissioner"
    ASSISTANT_COMMISSIONER = "assistant_commissioner"
    DEPUTY_COMMISSIONER = "deputy_commissioner"
    COMMISSIONER = "commissioner"
    # Police staff grades (no warranted rank)
    STAFF_BAND_E = "staff_band_e"
    STAFF_BAND_D = "staff_band_d"
    STAFF_BAND_C = "staff_band_c"
    STAFF_BAND_B = "staff_band_b"
    STAFF_BAND_A = "staff_band_a"
    STAFF_SENIOR = "staff_senior"

    @property
    def label(self) -> str:
        return self.value.replace("_", " ").title()

    @property
    def is_officer(self) -> bool:
        return self in _OFFICER_ORDER

    def at_least(self, other: Rank) -> bool:
        """True when this is a warranted rank at or above `other`."""
        if not (self.is_officer and other.is_officer):
            return False
        return _OFFICER_ORDER.index(self) >= _OFFICER_ORDER.index(other)


_OFFICER_ORDER = [
    Rank.POLICE_CONSTABLE,
    Rank.SERGEANT,
    Rank.INSPECTOR,
    Rank.CHIEF_INSPECTOR,
    Rank.SUPERINTENDENT,
    Rank.CHIEF_SUPERINTENDENT,
    Rank.COMMANDER,
    Rank.DEPUTY_ASSISTANT_COMMISSIONER,
    Rank.ASSISTANT_COMMISSIONER,
    Rank.DEPUTY_COMMISSIONER,
    Rank.COMMISSIONER,
]


def is_sergeant_plus(rank: Rank) -> bool:
    return rank.at_least(Rank.SERGEANT)


def is_inspector_plus(rank: Rank) -> bool:
    return rank.at_least(Rank.INSPECTOR)


def is_superintendent_plus(rank: Rank) -> bool:
    return rank.at_least(Rank.SUPERINTENDENT)


def is_npcc(rank: Rank) -> bool:
    # 000 §4.6 footnote 1: "NPCC rank" denotes Commander or above.
    return rank.at_least(Rank.COMMANDER)
