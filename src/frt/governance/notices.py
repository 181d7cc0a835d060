"""Notifications and loss or theft reports (GOV-15). Decisions outside policy: `outside_policy`.

"Notify" means a `Notification` row that the recipient (a user, or everyone holding a role such
as the DPO or the SRO) sees in their work list until they acknowledge it. Messages carry
references and citations only, never personal data.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import or_, select

from frt.governance.context import Ctx, GovernanceError
from frt.governance.enums import LossItem
from frt.governance.models import Authority
from frt.governance.oversight_models import LossReport, Notification
from frt.people.roles import Role
from frt.policy import Decision, PolicyRefusal


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
    ctx.audit(
        None,
        "notification.create",
        "gov_notification",
        note.id,
        kind=kind,
        recipient_role=note.recipient_role,
        recipient_id=user_id,
    )
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


def acknowledge(ctx: Ctx, notification_id: str) -> Notification:
    note = ctx.get(Notification, notification_id)
    if note.recipient_id != ctx.user.id and note.recipient_role not in ctx.user.roles_json:
        raise PolicyRefusal(
            Decision.refuse("this notification is not addressed to you", "000 §12.1(d)")
        )
    note.acknowledged_by, note.acknowledged_at = ctx.user.id, ctx.now
    ctx.audit(None, "notification.acknowledge", "gov_notification", note.id)
    return note


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
        raise GovernanceError("describe what was lost and how")
    report = LossReport(
        authority_id=authority.id,
        item=LossItem(item).value,
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
    ctx.audit(
        None,
        "loss.report",
        "lfr_loss_report",
        report.id,
        authority_id=authority.id,
        item=report.item,
        encrypted=encrypted,
        citation="000 §13.5",
    )
    return report
