"""A rule's answer: allowed or not, why, and which paragraph of which document says so."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Decision:
    allowed: bool
    reason: str
    citation: str  # e.g. "000 §4.5": document number (seeds/README.md) and paragraph

    def __bool__(self) -> bool:
        return self.allowed

    def __str__(self) -> str:
        verdict = "allowed" if self.allowed else "refused"
        return f"{verdict}: {self.reason} ({self.citation})"

    @classmethod
    def allow(cls, reason: str, citation: str) -> Decision:
        return cls(True, reason, citation)

    @classmethod
    def refuse(cls, reason: str, citation: str) -> Decision:
        return cls(False, reason, citation)


class PolicyRefusal(Exception):
    """Raised where a refused Decision must stop an action; carries the Decision."""

    def __init__(self, decision: Decision):
        super().__init__(str(decision))
        self.decision = decision


def require(decision: Decision) -> Decision:
    """Return an allowed decision, or raise PolicyRefusal naming the rule that refused."""
    if not decision.allowed:
        raise PolicyRefusal(decision)
    return decision
