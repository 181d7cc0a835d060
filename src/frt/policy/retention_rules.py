"""Rules of retention: holds on data past its period (DATA-01; 000 §13.2; 003 §7.1(a))."""

from __future__ import annotations

from frt.policy.decision import Decision


def hold_reason(reason: str, citation: str) -> Decision:
    """DATA-01: a hold that keeps data past its period has its reason recorded."""
    if not reason.strip():
        return Decision.refuse("a hold needs its reason recorded", citation, "DATA-HOLD-REASON")
    return Decision.allow("reason recorded", citation, "DATA-HOLD-REASON")
