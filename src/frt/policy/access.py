"""Who may act at all: roles held and training in date (000 §12.1(d), §8.5; 003 §10.3).

The rules take labels and dates, not FRT's people: `frt.core.actions` gathers the facts.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date

from frt.policy.decision import Decision


def holds_role(held: Iterable[str], needed: dict[str, str]) -> Decision:
    """ACCESS-ROLE: the user holds one of `needed` (role value -> label): least privilege."""
    if set(held) & set(needed):
        return Decision.allow("role held", "000 §12.1(d)", "ACCESS-ROLE")
    return Decision.refuse(
        "this needs the role " + " or ".join(needed.values()), "000 §12.1(d)", "ACCESS-ROLE"
    )


def training_in_date(
    kind: str, label: str, expires: date | None, on: date, citation: str
) -> Decision:
    """ACCESS-TRAINING: the user's training of `kind` is recorded and in date."""
    if expires is None:
        return Decision.refuse(
            f"no {label} training is recorded for you", citation, "ACCESS-TRAINING"
        )
    if expires < on:
        return Decision.refuse(
            f"your {label} training expired on {expires:%d %B %Y}", citation, "ACCESS-TRAINING"
        )
    return Decision.allow(f"{label} training in date", citation, "ACCESS-TRAINING")


def object_access(allowed: bool, reason: str, citation: str = "000 §12.1(d)") -> Decision:
    """ACCESS-OBJECT: the user may act on this object (rostered, owner, within a library's
    access restrictions, …); `reason` says which relation was missing."""
    if allowed:
        return Decision.allow("access to the object", citation, "ACCESS-OBJECT")
    return Decision.refuse(reason, citation, "ACCESS-OBJECT")


# Who may read the audit log (DATA-04: "only authorised roles may read it"; 000 §12.1(d), (h)).
AUDIT_READER_ROLES = frozenset(
    {"auditor", "data_protection_officer", "senior_responsible_owner", "administrator"}
)


def may_read_audit(role: str) -> Decision:
    """DATA-04: the audit log is read only by the auditor, DPO, SRO or an administrator."""
    if role in AUDIT_READER_ROLES:
        return Decision.allow("an audit reader", "000 §12.1(d), §12.1(h)", "DATA-AUDIT-READ")
    return Decision.refuse(
        f"role '{role}' may not read the audit log; only auditor, DPO, SRO or administrator roles "
        "may",
        "000 §12.1(d), §12.1(h)",
        "DATA-AUDIT-READ",
    )
