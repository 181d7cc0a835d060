"""Notifications and loss or theft reports (GOV-15). Decisions outside policy: `outside_policy`.

"Notify" means a `Notification` row that the recipient (a user, or everyone holding a role such
as the DPO or the SRO) sees in their work list until they acknowledge it. Messages carry
references and citations only, never personal data.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import exists, or_, select

from frt.core.actions import action
from frt.core.context import Ctx, choice
from frt.core.errors import InputError
from frt.core.text import require_input
from frt.governance.deployments import posts_held
from frt.governance.enums import LossItem
from frt.governance.models import Authority, Deployment
from frt.governance.oversight_models import LossReport, Notification, RosterEntry
from frt.people.roles import Role
from frt.policy import Decision
from frt.policy.access import object_access
from frt.policy.input_rules import within_horizon

# Who reports a loss or theft of equipment or data (000 §13.5): the people deployed with it.
LOSS_REPORTERS = (
    Role.GOLD,
    Role.SILVER,
    Role.BRONZE,
    Role.LFR_OPERATOR,
    Role.ENGAGEMENT_OFFICER,
    Role.SYSTEM_ENGINEER,
)


@action("gov.notification.create", touches="gov_notification", system=True)
def notify(
    ctx: Ctx,
    *,
    kind: str,
    object_type: str,
    object_id: str,
    message: str,
    citation: str = "",
    user_id: str | None = None,
    role: Role | None = None,
) -> Notification:
    if (user_id is None) == (role is None):
        raise ValueError("notify a user or a role")
    note = Notification(
        recipient_id=user_id,
        recipient_role=role.value if role else None,
        kind=kind,
        object_type=object_type,
        object_id=object_id,
        message=message,
        citation=citation,
        created_at=ctx.now,
    )
    ctx.session.add(note)
    ctx.session.flush()
    ctx.note(kind=kind, recipient_role=note.recipient_role, recipient_id=user_id)
    return note


def notifications_for(ctx: Ctx, *, include_acknowledged: bool = False) -> list[Notification]:
    query = (
        select(Notification)
        .where(
            or_(
                Notification.recipient_id == ctx.user.id,
                Notification.recipient_role.in_(sorted(ctx.user.roles_json)),
            )
        )
        .order_by(Notification.created_at.desc())
    )
    if not include_acknowledged:
        query = query.where(Notification.acknowledged_at.is_(None))
    return list(ctx.session.scalars(query))


def _addressed_to_user(ctx: Ctx, arguments: dict) -> Decision:
    note = ctx.get(Notification, arguments["notification_id"])
    return object_access(
        note.recipient_id == ctx.user.id or note.recipient_role in ctx.user.roles_json,
        "this notification is not addressed to you",
    )


@action(
    "gov.notification.acknowledge",
    roles=tuple(Role),
    touches="gov_notification",
    key="notification_id",
    guard=_addressed_to_user,
)
def acknowledge(ctx: Ctx, notification_id: str) -> Notification:
    note = ctx.get(Notification, notification_id)
    note.acknowledged_by, note.acknowledged_at = ctx.user.id, ctx.now
    return note


def _deployed_under(ctx: Ctx, arguments: dict) -> Decision:
    """The people deployed under this Authority report its losses: its command team in post, and
    those rostered on one of its Deployments (hardening item 2; 000 §13.5)."""
    authority = ctx.get(Authority, arguments["authority_id"])
    rostered = ctx.session.scalar(
        select(
            exists().where(
                RosterEntry.user_id == ctx.user.id,
                RosterEntry.deployment_id == Deployment.id,
                Deployment.authority_id == authority.id,
            )
        )
    )
    return object_access(
        bool(posts_held(ctx.session, authority.id, ctx.user.id)) or bool(rostered),
        "only this Authority's command team and the people rostered on its Deployments report "
        "a loss under it",
        "000 §13.5, §12.1(d)",
    )


@action("lfr.loss.report", roles=LOSS_REPORTERS, touches="lfr_loss_report", guard=_deployed_under)
def report_loss(
    ctx: Ctx,
    authority_id: str,
    item: str,
    circumstances: str,
    occurred_at: datetime,
    encrypted: bool,
) -> LossReport:
    """GOV-15: loss or theft reported at once to the AO, the Gold and the DPO (000 §13.5)."""
    authority = ctx.get(Authority, authority_id)
    if not circumstances.strip():
        raise InputError("describe what was lost and how")
    if not isinstance(occurred_at, datetime) or occurred_at.tzinfo is None:
        raise InputError("when it was lost: a date and time with its time zone")
    require_input(
        within_horizon("when it was lost", occurred_at, ctx.now, ahead=timedelta(hours=1))
    )
    report = LossReport(
        authority_id=authority.id,
        item=choice(LossItem, item, "item").value,
        encrypted=encrypted,
        circumstances=circumstances.strip(),
        occurred_at=occurred_at,
        reported_by=ctx.user.id,
        reported_at=ctx.now,
    )
    ctx.session.add(report)
    ctx.session.flush()
    message = (
        f"Loss or theft reported under authority {authority.reference}: "
        f"{report.item.replace('_', ' ')} ({'encrypted' if encrypted else 'NOT encrypted'})"
    )
    for kwargs in (
        {"user_id": authority.authorising_officer_id},
        {"user_id": authority.gold_id},
        {"role": Role.DPO},
    ):
        notify(
            ctx,
            kind="loss_or_theft",
            object_type="lfr_loss_report",
            object_id=report.id,
            message=message,
            citation="000 §13.5",
            **kwargs,
        )
    ctx.note(authority_id=authority.id, item=report.item, encrypted=encrypted, citation="000 §13.5")
    return report
