"""Who may act on one object, beyond holding the role (hardening item 2; 000 §12.1(d)).

The relations are gathered by the domain (`frt.governance.access`, `frt.lfr.access`); these rules
say which relation suffices and cite the paragraph that asks for it. Oversight roles (the DPO,
the SRO, an auditor) and those who decide on every Application of the force (Authorising
Officers, NPCC officers) read across Deployments by their role; everyone else only the objects
they are part of.
"""

from __future__ import annotations

from frt.policy.access import object_access
from frt.policy.decision import Decision


def ao_independent(is_applicant: bool, in_command: bool) -> Decision:
    """GOV-AO-INDEPENDENT: the AO who decides is independent of the police operation (004 §4.1):
    not its applicant, not in its command team."""
    if is_applicant:
        return Decision.refuse(
            "the applicant may not decide their own Application: the AO is "
            "independent of the operation",
            "004 §4.1",
            "GOV-AO-INDEPENDENT",
        )
    if in_command:
        return Decision.refuse(
            "a member of the operation's command team may not decide on it: "
            "the AO is independent of the operation",
            "004 §4.1",
            "GOV-AO-INDEPENDENT",
        )
    return Decision.allow("independent of the operation", "004 §4.1", "GOV-AO-INDEPENDENT")


def consultee_independent(is_applicant: bool) -> Decision:
    """GOV-NPCC-INDEPENDENT: the NPCC officer consulted is not the Application's applicant: a
    consultation is a second view (000 §4.6)."""
    if is_applicant:
        return Decision.refuse(
            "the applicant may not be consulted on their own Application",
            "000 §4.6",
            "GOV-NPCC-INDEPENDENT",
        )
    return Decision.allow("a second view", "000 §4.6", "GOV-NPCC-INDEPENDENT")


def part_of(relation: bool, what: str, citation: str = "000 §12.1(d)") -> Decision:
    """ACCESS-OBJECT: the user is part of this object (owner, rostered, in post, oversight)."""
    return object_access(relation, what, citation)
