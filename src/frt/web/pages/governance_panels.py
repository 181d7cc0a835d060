"""The LFR governance panels of the home page: what waits for each role (issue 12, items 3, 10).

- Applicant: their own Applications, whatever their state, and what each waits for.
- NPCC officer: consultations requested. AO: Applications to decide, urgent reviews, written
  records, and submitted cancellation reports to read and acknowledge.
- Gold, Silver, Bronze: every Deployment of an Authority they command, with its state and window
  (and, for a running one, Silver's next review), beside the work due on it.
- SRO and DPO: decisions outside policy and notices.
Items are read inside the home page's unit of work and never write.
"""

from __future__ import annotations

from sqlalchemy import select

from frt.governance import worklists
from frt.governance.command import next_review_at
from frt.governance.enums import DeploymentState
from frt.governance.models import Application, Authority, Deployment
from frt.governance.oversight_models import CommandAppointment
from frt.people.roles import LFR_ROLES, Role
from frt.policy.vocabulary import CommandRole
from frt.web.pages.governance import href
from frt.web.panels import HomePanel, PanelItem, PanelLink, Site
from frt.web.timefmt import label, local, span

RUNNING = (DeploymentState.ACTIVE.value, DeploymentState.SUSPENDED.value)
WAITS_FOR = {
    "draft": "yours to complete and submit",
    "submitted": "with the NPCC officer and AO",
    "amendments_required": "returned to you for amendment",
    "authorised": "authorised",
    "rejected": "rejected",
    "withdrawn": "withdrawn",
}


def _work(ctx, *kinds: str) -> list[PanelItem]:
    found = []
    for item in worklists.for_user(ctx):
        if item.kind not in kinds:
            continue
        detail = ("OVERDUE · " if item.overdue else "") + item.citation
        found.append(
            PanelItem(
                item.title,
                href(item),
                detail,
                ack=item.note_id if item.kind == "notification" else None,
            )
        )
    return found


def _applicant(ctx, _who) -> list[PanelItem]:
    apps = ctx.session.scalars(
        select(Application)
        .where(Application.applicant_id == ctx.user.id)
        .order_by(Application.created_at.desc())
    )
    return [
        PanelItem(
            f"{a.reference}: {a.title}",
            f"/lfr/applications/{a.id}",
            WAITS_FOR.get(a.status, label(a.status)),
        )
        for a in apps
    ]


def _commanded(ctx, role: CommandRole) -> list[Deployment]:
    """Deployments of every Authority on whose command team this person serves as `role`
    (Gold: the Authority's Gold), newest first."""
    auth_ids = set(
        ctx.session.scalars(
            select(CommandAppointment.authority_id).where(
                CommandAppointment.user_id == ctx.user.id,
                CommandAppointment.role == role.value,
                CommandAppointment.ended_at.is_(None),
            )
        )
    )
    if role is CommandRole.GOLD:
        auth_ids |= set(
            ctx.session.scalars(select(Authority.id).where(Authority.gold_id == ctx.user.id))
        )
    if not auth_ids:
        return []
    return list(
        ctx.session.scalars(
            select(Deployment)
            .where(Deployment.authority_id.in_(auth_ids))
            .order_by(Deployment.starts_at.desc())
            .limit(20)
        )
    )


def _deployment_items(ctx, role: CommandRole) -> list[PanelItem]:
    items = []
    for dep in _commanded(ctx, role):
        place = dep.location.locality if dep.location else "Deployment"
        state = label(dep.state)
        detail = f"{state} · {span(dep.starts_at, dep.ends_at, ctx.profile)}"
        if dep.state in RUNNING:  # an ended Deployment has no next review
            due = next_review_at(ctx, dep)
            if due is not None:
                detail += f" · next Silver review {local(due, ctx.profile)}"
        items.append(
            PanelItem(f"{dep.authority.reference}: {place}", f"/lfr/deployments/{dep.id}", detail)
        )
    return items


def _commander(role: CommandRole, *kinds: str):
    def items(ctx, _who) -> list[PanelItem]:
        return _work(ctx, *kinds) + _deployment_items(ctx, role)

    return items


def _kinds(*kinds: str):
    def items(ctx, _who) -> list[PanelItem]:
        return _work(ctx, *kinds)

    return items


NOTE = ("notification",)
PANELS = [
    (
        "applicant.applications",
        Role.APPLICANT,
        "Your LFR applications",
        "You have made no LFR applications. Start one from LFR deployments.",
        _applicant,
    ),
    (
        "ao.applications",
        Role.AUTHORISING_OFFICER,
        "LFR applications to decide, reports to read",
        "No applications are waiting for your decision, and no report is waiting to be read.",
        _kinds("application_to_decide", "superintendent_review_due", "written_record_due", *NOTE),
    ),
    (
        "npcc.consultations",
        Role.NPCC_OFFICER,
        "Consultations requested",
        "No Authorising Officer has asked to consult you.",
        _kinds("consultation"),
    ),
    (
        "gold.deployments",
        Role.GOLD,
        "Deployments you command (Gold)",
        "You are not the Gold of any Authority.",
        _commander(CommandRole.GOLD, "appoint_command_team", "report_due", "report_overdue", *NOTE),
    ),
    (
        "silver.deployments",
        Role.SILVER,
        "Deployments you command (Silver)",
        "You are not the Silver of any Authority.",
        _commander(CommandRole.SILVER, "silver_review_due"),
    ),
    (
        "bronze.deployments",
        Role.BRONZE,
        "Deployments you command (Bronze)",
        "You are not a Bronze of any Authority.",
        _commander(CommandRole.BRONZE),
    ),
    (
        "bronze_community.engagement",
        Role.BRONZE_COMMUNITY,
        "Community engagement (Bronze)",
        "You are not the Bronze Community of any Authority.",
        _commander(CommandRole.BRONZE_COMMUNITY),
    ),
    (
        "sro.reviews",
        Role.SRO,
        "Reviews and reports due",
        "No reviews or reports are due.",
        _kinds("outside_policy", *NOTE),
    ),
    (
        "dpo.retention",
        Role.DPO,
        "Data protection notices",
        "No data-protection notices are waiting.",
        _kinds(*NOTE),
    ),
]


def install(site: Site, _profile) -> None:
    """The governance pages' links and work lists (called once by `create_app`)."""
    from frt.governance import transparency

    site.add_nav("LFR deployments", "/lfr", LFR_ROLES)
    site.add_nav("Register", "/lfr/register", transparency.REGISTER_READERS)
    for key, role, title, empty, items in PANELS:
        links: tuple[PanelLink, ...] = (PanelLink("LFR deployments", "/lfr"),)
        if role == Role.SRO:
            links += (
                PanelLink("Decisions outside policy", "/lfr/exceptions"),
                PanelLink("Evaluations", "/eval"),
            )
        if role in (Role.SRO, Role.DPO):
            links += (PanelLink("Audit log", "/audit"),)
        site.add_panel(
            HomePanel(
                key=key, role=role, title=title, empty=empty, items=items, links=links, order=50
            )
        )
