"""The site around the routes: navigation links and home-page panels (each role's work list),
assembled once per app by `create_app` — nothing is registered by importing a module.

A panel belongs to one role and lists what waits for that role (applications for an Authorising
Officer to decide, Alerts for an LFR Operator, …). `Site` starts with a placeholder per role;
each area's `install(site, profile)` replaces it by adding a panel with the same `key`:

    def _applications(ctx, who):  # ctx: the home page's unit of work; who: the Principal
        return [PanelItem(a.reference, f"/applications/{a.id}", a.status) for a in ...]

    site.add_panel(HomePanel(key="ao.applications", role=Role.AUTHORISING_OFFICER,
                             title="LFR applications to decide", items=_applications,
                             empty="No applications are waiting for your decision."))

`items` is called inside the home page's unit of work and must not write.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from frt.core.context import Ctx
from frt.people.roles import AUDIT_READERS, Role


@dataclass(frozen=True)
class PanelItem:
    label: str
    href: str | None = None
    detail: str = ""
    ack: str | None = None  # a notification's id: the item offers "Acknowledge"


@dataclass(frozen=True)
class PanelLink:
    label: str
    href: str


def _nothing(_ctx, _who) -> list[PanelItem]:
    return []


@dataclass(frozen=True)
class HomePanel:
    key: str  # unique; registering the same key again replaces the panel
    role: Role
    title: str
    empty: str  # what "nothing waiting" looks like for this work list
    items: Callable[[Ctx, object], list[PanelItem]] = _nothing
    links: tuple[PanelLink, ...] = field(default_factory=tuple)
    order: int = 100


@dataclass(frozen=True)
class NavLink:
    label: str
    href: str
    roles: frozenset[Role]  # shown to holders of any of these roles


@dataclass
class Site:
    """One app's navigation and home-page panels."""

    nav: list[NavLink] = field(default_factory=list)
    panels: dict[str, HomePanel] = field(default_factory=dict)

    @classmethod
    def foundation(cls) -> Site:
        """Administration, the audit log, and a placeholder panel for every role."""
        site = cls(
            [
                NavLink("Users", "/admin/users", frozenset({Role.ADMINISTRATOR})),
                NavLink("Audit log", "/audit", frozenset(AUDIT_READERS)),
            ]
        )
        for key, role, title, empty, links in _PLACEHOLDERS:
            site.add_panel(HomePanel(key=key, role=role, title=title, empty=empty, links=links))
        return site

    def add_nav(self, label: str, href: str, roles) -> None:
        self.nav.append(NavLink(label, href, frozenset(roles)))

    def add_panel(self, panel: HomePanel) -> None:
        """Add a panel; one with the same key (a placeholder) is replaced."""
        self.panels[panel.key] = panel

    def nav_for(self, principal) -> list[NavLink]:
        if principal is None:
            return []
        return [link for link in self.nav if link.roles & principal.roles]

    def panels_for(self, roles: set[Role]) -> list[HomePanel]:
        chosen = [p for p in self.panels.values() if p.role in roles]
        return sorted(chosen, key=lambda p: (p.order, p.title))


_AUDIT = PanelLink("Audit log", "/audit")
# Placeholders until the area that owns the work adds its own panel.
_PLACEHOLDERS = [
    (
        "applicant.applications",
        Role.APPLICANT,
        "Your LFR applications",
        "You have no LFR applications in progress.",
        (),
    ),
    (
        "ao.applications",
        Role.AUTHORISING_OFFICER,
        "LFR applications to decide",
        "No applications are waiting for your decision.",
        (),
    ),
    (
        "npcc.consultations",
        Role.NPCC_OFFICER,
        "Consultations requested",
        "No Authorising Officer has asked to consult you.",
        (),
    ),
    (
        "gold.deployments",
        Role.GOLD,
        "Deployments you command (Gold)",
        "No Deployments are assigned to you.",
        (),
    ),
    (
        "silver.deployments",
        Role.SILVER,
        "Deployments you command (Silver)",
        "No Deployments are assigned to you, and no reviews are due.",
        (),
    ),
    (
        "bronze.deployments",
        Role.BRONZE,
        "Deployments you command (Bronze)",
        "No Deployments are assigned to you.",
        (),
    ),
    (
        "bronze_community.engagement",
        Role.BRONZE_COMMUNITY,
        "Community engagement",
        "No community engagement is planned.",
        (),
    ),
    (
        "operator.alerts",
        Role.LFR_OPERATOR,
        "Alerts to adjudicate",
        "No Alerts are waiting. You are not assigned to a live Deployment.",
        (),
    ),
    (
        "engagement.alerts",
        Role.ENGAGEMENT_OFFICER,
        "Alerts to engage",
        "No Alerts have been passed to you.",
        (),
    ),
    (
        "engineer.systems",
        Role.SYSTEM_ENGINEER,
        "Cameras and system checks",
        "No system checks are due.",
        (),
    ),
    (
        "rfr.requests",
        Role.RFR_USER,
        "Your RFR search requests",
        "You have no RFR search requests in progress.",
        (),
    ),
    (
        "rfr_ao.requests",
        Role.RFR_APPROVING_OFFICER,
        "RFR requests to approve",
        "No RFR search requests are waiting for approval.",
        (),
    ),
    (
        "sro.reviews",
        Role.SRO,
        "Reviews and reports due",
        "No reviews or reports are due.",
        (_AUDIT,),
    ),
    (
        "dpo.retention",
        Role.DPO,
        "Data protection notices",
        "No data-protection notices are waiting.",
        (_AUDIT,),
    ),
    ("auditor.audit", Role.AUDITOR, "Audit", "No audit findings are open.", (_AUDIT,)),
    (
        "admin.users",
        Role.ADMINISTRATOR,
        "Administration",
        "No account requests are waiting.",
        (PanelLink("Users", "/admin/users"), _AUDIT),
    ),
]
