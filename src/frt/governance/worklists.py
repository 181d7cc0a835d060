"""Work lists: what waits for each person, by the roles they hold.

- Applicant: Applications in draft or returned for amendment.
- NPCC officer: submitted Applications awaiting consultation (000 §4.6).
- AO: Applications to decide; urgent authorities awaiting a Superintendent's review (000 §4.11);
  verbal authorities awaiting the written record (000 §4.7); submitted reports to read.
- Gold: command teams to appoint; cancellation reports due or overdue (000 §11.1).
- Silver: reviews due at the tactical plan's interval (004 §7.6).
- SRO: decisions outside policy to review (003 §12.3). Everyone: their notifications.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select

from frt.core.context import Ctx
from frt.governance.command import next_review_at, team
from frt.governance.decisions import latest_consultation
from frt.governance.enums import ApplicationStatus, DeploymentState
from frt.governance.models import Application, Authority, Deployment
from frt.governance.notices import notifications_for
from frt.governance.outside_policy import awaiting_review
from frt.governance.reports import reports_due
from frt.people.roles import Role
from frt.policy.rules import may_review_urgent_authority
from frt.policy.vocabulary import CommandRole


@dataclass(frozen=True)
class WorkItem:
    kind: str
    title: str
    object_type: str
    object_id: str
    citation: str
    due_at: datetime | None = None
    overdue: bool = False
    note_id: str | None = None  # a notification: acknowledge it by this id


def for_user(ctx: Ctx) -> list[WorkItem]:
    items: list[WorkItem] = []
    user = ctx.user
    if user.has_role(Role.APPLICANT):
        items += _applicant(ctx)
    if user.has_role(Role.NPCC_OFFICER):
        items += _npcc(ctx)
    if user.has_role(Role.AUTHORISING_OFFICER):
        items += _ao(ctx)
    items += _gold(ctx) + _silver(ctx)
    if user.has_role(Role.SRO):
        items += [
            WorkItem(
                "outside_policy",
                f"Decision outside policy ({e.rule}) to review",
                "gov_policy_exception",
                e.id,
                "003 §12.3",
            )
            for e in awaiting_review(ctx)
        ]
    items += [
        WorkItem(
            "notification",
            n.message,
            n.object_type,
            n.object_id,
            n.citation,
            n.created_at,
            note_id=n.id,
        )
        for n in notifications_for(ctx)
        if n.kind != "outside_policy"  # the SRO's work item above says it, with the review
    ]
    return items


def _applicant(ctx: Ctx) -> list[WorkItem]:
    apps = ctx.session.scalars(
        select(Application).where(
            Application.applicant_id == ctx.user.id,
            Application.status.in_(
                [ApplicationStatus.DRAFT.value, ApplicationStatus.AMENDMENTS_REQUIRED.value]
            ),
        )
    )
    return [
        WorkItem(
            "application_draft" if a.status == "draft" else "amendments_required",
            f"{a.reference}: {a.status.replace('_', ' ')}",
            "lfr_application",
            a.id,
            "000 §4.3",
        )
        for a in apps
    ]


def _submitted(ctx: Ctx) -> list[Application]:
    return list(
        ctx.session.scalars(
            select(Application)
            .where(Application.status == ApplicationStatus.SUBMITTED.value)
            .order_by(Application.submitted_at)
        )
    )


def _npcc(ctx: Ctx) -> list[WorkItem]:
    return [
        WorkItem(
            "consultation", f"{a.reference}: NPCC consultation", "lfr_application", a.id, "000 §4.6"
        )
        for a in _submitted(ctx)
        if latest_consultation(ctx, a) is None
    ]


def _ao(ctx: Ctx) -> list[WorkItem]:
    items = [
        WorkItem(
            "application_to_decide",
            f"{a.reference}: decide the Application",
            "lfr_application",
            a.id,
            "001 stage 3",
        )
        for a in _submitted(ctx)
    ]
    if may_review_urgent_authority(ctx.profile, ctx.user.rank_enum).allowed:
        for auth in ctx.session.scalars(select(Authority).where(Authority.urgent.is_(True))):
            if auth.awaiting_urgent_review:
                items.append(
                    WorkItem(
                        "superintendent_review_due",
                        f"{auth.reference}: Superintendent review due (urgent)",
                        "lfr_authority",
                        auth.id,
                        "000 §4.11",
                        auth.issued_at,
                        True,
                    )
                )
    for auth in ctx.session.scalars(
        select(Authority).where(
            Authority.verbal.is_(True), Authority.authorising_officer_id == ctx.user.id
        )
    ):
        if auth.awaiting_written_record:
            items.append(
                WorkItem(
                    "written_record_due",
                    f"{auth.reference}: record the verbal authority in writing",
                    "lfr_authority",
                    auth.id,
                    "000 §4.7",
                    auth.issued_at,
                    True,
                )
            )
    return items


def _gold(ctx: Ctx) -> list[WorkItem]:
    items = []
    for auth in ctx.session.scalars(
        select(Authority).where(Authority.gold_id == ctx.user.id, Authority.parent_id.is_(None))
    ):
        roles = {a.role for a in team(ctx, auth.id)}
        if CommandRole.SILVER.value not in roles:
            items.append(
                WorkItem(
                    "appoint_command_team",
                    f"{auth.reference}: appoint the Silver and Bronzes",
                    "lfr_authority",
                    auth.id,
                    "000 §10.1(a)",
                )
            )
    for due in reports_due(ctx):
        if due.gold_id == ctx.user.id:
            state = "overdue" if due.overdue else "due"
            items.append(
                WorkItem(
                    f"report_{state}",
                    f"{due.authority_reference}: cancellation report {state}",
                    "lfr_authority",
                    due.authority_id,
                    due.decision.citation,
                    due.due_at,
                    due.overdue,
                )
            )
    return items


def _silver(ctx: Ctx) -> list[WorkItem]:
    items = []
    deployments = ctx.session.scalars(
        select(Deployment).where(
            Deployment.state.in_([DeploymentState.ACTIVE.value, DeploymentState.SUSPENDED.value])
        )
    )
    for dep in deployments:
        if not any(
            a.role == CommandRole.SILVER.value and a.user_id == ctx.user.id
            for a in team(ctx, dep.authority_id)
        ):
            continue
        due = next_review_at(ctx, dep)
        if due is not None and ctx.now >= due:
            items.append(
                WorkItem(
                    "silver_review_due",
                    f"{dep.location.locality}: review due",
                    "lfr_deployment",
                    dep.id,
                    "004 §7.6",
                    due,
                    True,
                )
            )
    return items


def all_overdue_reports(ctx: Ctx) -> list:
    """Every overdue report, whoever's (for the SRO and AO views)."""
    return [d for d in reports_due(ctx) if d.overdue]
