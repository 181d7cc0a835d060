"""Who may see and act on a Deployment's live data (hardening item 2; 000 §12.1(d)).

Live data — Alerts, their camera faces and candidate images, assessments, Engagements, concerns,
devices, the blue watchlist — belongs to one Deployment. A person acts on it only if they are
rostered on that Deployment in a duty, or hold a post in its Authority's command team: holding
the role somewhere else is not enough. These are action guards (`frt.core.actions`), the same rule
for a page, the API and the CLI.
"""

from __future__ import annotations

from collections.abc import Callable

from sqlalchemy import select

from frt.core.context import Ctx
from frt.governance.deployments import posts_held
from frt.governance.enums import Duty
from frt.governance.models import Deployment
from frt.governance.oversight_models import RosterEntry
from frt.lfr.models import BlueMember, HandheldDevice, LiveAlert
from frt.policy import Decision
from frt.policy.access import object_access
from frt.policy.vocabulary import CommandRole

COMMAND = tuple(CommandRole)

# How an action's argument names its Deployment.
_OWNERS: dict[str, Callable[[Ctx, str], str]] = {
    "deployment_id": lambda ctx, value: value,
    "dep_id": lambda ctx, value: value,
    "alert_id": lambda ctx, value: ctx.get(LiveAlert, value).deployment_id,
    "member_id": lambda ctx, value: ctx.get(BlueMember, value).deployment_id,
    "device_id": lambda ctx, value: ctx.get(HandheldDevice, value).deployment_id,
}


def deployment_of(ctx: Ctx, arguments: dict) -> str:
    for name, owner in _OWNERS.items():
        if arguments.get(name):
            return owner(ctx, arguments[name])
    raise KeyError("the action names no Deployment, Alert, blue member or device")


def may_act(
    ctx: Ctx, deployment_id: str, duties: tuple[Duty, ...], posts: tuple[CommandRole, ...]
) -> bool:
    if posts:
        dep = ctx.get(Deployment, deployment_id)
        if posts_held(ctx.session, dep.authority_id, ctx.user.id) & {p.value for p in posts}:
            return True
    if not duties:
        return False
    duty = ctx.session.scalar(
        select(RosterEntry.id)
        .where(
            RosterEntry.deployment_id == deployment_id,
            RosterEntry.user_id == ctx.user.id,
            RosterEntry.duty.in_([d.value for d in duties]),
        )
        .limit(1)
    )
    return duty is not None


def on_deployment(*duties: Duty, posts: tuple[CommandRole, ...] = COMMAND):
    """A guard: the user is rostered on the object's Deployment in one of `duties`, or holds one
    of `posts` in its command team."""
    names = [d.value.replace("_", " ") for d in duties] + [p.label for p in posts]

    def guard(ctx: Ctx, arguments: dict) -> Decision:
        deployment_id = deployment_of(ctx, arguments)
        return object_access(
            may_act(ctx, deployment_id, duties, posts),
            "only people rostered on this Deployment (" + ", ".join(names) + ") or in its "
            "command team see or act on its live data",
        )

    return guard
