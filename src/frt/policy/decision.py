"""A rule's answer: allowed or not, why, which rule, and which paragraph of which document says so."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Decision:
    allowed: bool
    reason: str
    citation: str  # e.g. "000 §4.5": document number (seeds/README.md) and paragraph
    rule: str = ""  # the rule's stable id, e.g. "GOV-AUTH-RANK": what refused, whatever the wording

    def __bool__(self) -> bool:
        return self.allowed

    def __str__(self) -> str:
        verdict = "allowed" if self.allowed else "refused"
        return f"{verdict}: {self.reason} ({self.citation})"

    @classmethod
    def allow(cls, reason: str, citation: str, rule: str) -> Decision:
        return cls(True, reason, citation, rule)

    @classmethod
    def refuse(cls, reason: str, citation: str, rule: str) -> Decision:
        """Every refusal names its rule's stable id: what refused, whatever the wording."""
        return cls(False, reason, citation, rule)

    def about(self, prefix: str, suffix: str = "") -> Decision:
        """The same decision, its reason in context (e.g. "Watchlist entry 3: …")."""
        return Decision(self.allowed, f"{prefix}{self.reason}{suffix}", self.citation, self.rule)


class PolicyRefusal(Exception):
    """Raised where a refused Decision must stop an action; carries the Decision."""

    def __init__(self, decision: Decision):
        super().__init__(str(decision))
        self.decision = decision
        # Set by the action it stopped and by whoever records it (once) in the audit log.
        self.action: str | None = None
        self.role: str | None = None
        self.recorded = False


def require(decision: Decision) -> Decision:
    """Return an allowed decision, or raise PolicyRefusal naming the rule that refused."""
    if not decision.allowed:
        raise PolicyRefusal(decision)
    return decision
