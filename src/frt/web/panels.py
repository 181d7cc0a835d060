"""Home-page panels: each role's work list, filled in by the package that owns the work.

A panel belongs to one role and lists what waits for that role (applications for an Authorising
Officer to decide, Alerts for an LFR Operator, …). The foundation registers a placeholder per
role; a later package's web module replaces it by registering a panel with the same `key`:

    from frt.web.panels import HomePanel, PanelItem, register_home_panel

    def _applications(db, who):  # db: the request's Session; who: the Principal
        return [PanelItem(a.reference, f"/applications/{a.id}", a.status) for a in ...]

    register_home_panel(HomePanel(key="ao.applications", role=Role.AUTHORISING_OFFICER,
                                  title="LFR applications to decide", items=_applications,
                                  empty="No applications are waiting for your decision."))

`items` is called inside the home page's unit of work and must not write.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from sqlalchemy.orm import Session

from frt.people.roles import Role


@dataclass(frozen=True)
class PanelItem:
    label: str
    href: str | None = None
    detail: str = ""


@dataclass(frozen=True)
class PanelLink:
    label: str
    href: str


def _nothing(_db: Session, _who) -> list[PanelItem]:
    return []


@dataclass(frozen=True)
class HomePanel:
    key: str  # unique; registering the same key again replaces the panel
    role: Role
    title: str
    empty: str  # what "nothing waiting" looks like for this work list
    items: Callable[[Session, object], list[PanelItem]] = _nothing
    links: tuple[PanelLink, ...] = field(default_factory=tuple)
    order: int = 100


_PANELS: dict[str, HomePanel] = {}


def register_home_panel(panel: HomePanel) -> None:
    _PANELS[panel.key] = panel


def panels_for(roles: set[Role]) -> list[HomePanel]:
    chosen = [p for p in _PANELS.values() if p.role in roles]
    return sorted(chosen, key=lambda p: (p.order, p.title))


def _placeholder(key: str, role: Role, title: str, empty: str, *links: PanelLink) -> None:
    register_home_panel(HomePanel(key=key, role=role, title=title, empty=empty, links=links))


# Placeholders until the owning packages (governance, lfr, rfr, retention) register their own.
_placeholder("applicant.applications", Role.APPLICANT, "Your LFR applications",
             "You have no LFR applications in progress.")
_placeholder("ao.applications", Role.AUTHORISING_OFFICER, "LFR applications to decide",
             "No applications are waiting for your decision.")
_placeholder("npcc.consultations", Role.NPCC_OFFICER, "Consultations requested",
             "No Authorising Officer has asked to consult you.")
_placeholder("gold.deployments", Role.GOLD, "Deployments you command (Gold)",
             "No Deployments are assigned to you.")
_placeholder("silver.deployments", Role.SILVER, "Deployments you command (Silver)",
             "No Deployments are assigned to you, and no reviews are due.")
_placeholder("bronze.deployments", Role.BRONZE, "Deployments you command (Bronze)",
             "No Deployments are assigned to you.")
_placeholder("bronze_community.engagement", Role.BRONZE_COMMUNITY, "Community engagement",
             "No community engagement is planned.")
_placeholder("operator.alerts", Role.LFR_OPERATOR, "Alerts to adjudicate",
             "No Alerts are waiting. You are not assigned to a live Deployment.")
_placeholder("engagement.alerts", Role.ENGAGEMENT_OFFICER, "Alerts to engage",
             "No Alerts have been passed to you.")
_placeholder("engineer.systems", Role.SYSTEM_ENGINEER, "Cameras and system checks",
             "No system checks are due.")
_placeholder("rfr.requests", Role.RFR_USER, "Your RFR search requests",
             "You have no RFR search requests in progress.")
_placeholder("rfr_ao.requests", Role.RFR_APPROVING_OFFICER, "RFR requests to approve",
             "No RFR search requests are waiting for approval.")
_placeholder("sro.reviews", Role.SRO, "Reviews and reports due",
             "No reviews or reports are due.", PanelLink("Audit log", "/audit"))
_placeholder("dpo.retention", Role.DPO, "Data protection notices",
             "No data-protection notices are waiting.", PanelLink("Audit log", "/audit"))
_placeholder("auditor.audit", Role.AUDITOR, "Audit", "No audit findings are open.",
             PanelLink("Audit log", "/audit"))
_placeholder("admin.users", Role.ADMINISTRATOR, "Administration", "No account requests are waiting.",
             PanelLink("Users", "/admin/users"), PanelLink("Audit log", "/audit"))
