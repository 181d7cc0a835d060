"""Who may see and act on an Application, an Authority, a Deployment and what hangs off them
(hardening item 2; 000 §12.1(d)): the relations, gathered for the rules of
`frt.policy.object_rules`, and the action guards built from them.

- An **Application** is read by its applicant, by those who decide on any Application (AO, NPCC
  officer), by oversight (DPO, SRO, auditor) and by the command team of an Authority issued on it.
- An **Authority** (and its Written Authority Document) is read by the same, and by the people
  rostered on its Deployments (they work to its terms).
- A **Deployment** and its Watchlist's composition, likewise: oversight, the AO, its Authority's
  applicant and command team, and those rostered on it.
- The AO who decides is independent of the operation (004 §4.1); the NPCC officer consulted is
  not its applicant.
"""

from __future__ import annotations

from sqlalchemy import exists, select

from frt.core.context import Ctx
from frt.governance.deployments import posts_held
from frt.governance.models import Application, Authority, Deployment, Document
from frt.governance.oversight_models import CommandAppointment, RosterEntry
from frt.people.roles import Role
from frt.policy import Decision
from frt.policy.object_rules import ao_independent, consultee_independent, part_of

# Who reads every Application, Authority and Deployment of the force by their role.
DECIDING = (Role.AUTHORISING_OFFICER, Role.NPCC_OFFICER)
OVERSIGHT = (Role.DPO, Role.SRO, Role.AUDITOR)
READ_BY_ROLE = frozenset(r.value for r in (*DECIDING, *OVERSIGHT))


def _by_role(ctx: Ctx) -> bool:
    return bool(READ_BY_ROLE & set(ctx.user.roles_json))


def in_command_of_application(ctx: Ctx, application_id: str) -> bool:
    """The user holds a post in the command team of an Authority issued on this Application."""
    return bool(
        ctx.session.scalar(
            select(
                exists().where(
                    CommandAppointment.user_id == ctx.user.id,
                    CommandAppointment.ended_at.is_(None),
                    CommandAppointment.authority_id == Authority.id,
                    Authority.application_id == application_id,
                )
            )
        )
    )


def rostered_under(ctx: Ctx, authority_id: str) -> bool:
    return bool(
        ctx.session.scalar(
            select(
                exists().where(
                    RosterEntry.user_id == ctx.user.id,
                    RosterEntry.deployment_id == Deployment.id,
                    Deployment.authority_id == authority_id,
                )
            )
        )
    )


def rostered_on(ctx: Ctx, deployment_id: str) -> bool:
    return bool(
        ctx.session.scalar(
            select(
                exists().where(
                    RosterEntry.user_id == ctx.user.id, RosterEntry.deployment_id == deployment_id
                )
            )
        )
    )


def may_read_application(ctx: Ctx, app: Application) -> bool:
    return (
        app.applicant_id == ctx.user.id or _by_role(ctx) or in_command_of_application(ctx, app.id)
    )


def may_read_authority(ctx: Ctx, authority: Authority) -> bool:
    app = ctx.get(Application, authority.application_id)
    return (
        _by_role(ctx)
        or app.applicant_id == ctx.user.id
        or bool(posts_held(ctx.session, authority.id, ctx.user.id))
        or rostered_under(ctx, authority.id)
    )


def may_read_deployment(ctx: Ctx, dep: Deployment) -> bool:
    authority = ctx.get(Authority, dep.authority_id)
    app = ctx.get(Application, authority.application_id)
    return (
        _by_role(ctx)
        or app.applicant_id == ctx.user.id
        or bool(posts_held(ctx.session, authority.id, ctx.user.id))
        or rostered_on(ctx, dep.id)
    )


# ------------------------------------------------------------------ action guards
def reads_application(ctx: Ctx, arguments: dict) -> Decision:
    app = ctx.get(Application, arguments["application_id"])
    return part_of(
        may_read_application(ctx, app),
        "only this Application's applicant, those who decide on it, oversight and "
        "its command team read it",
    )


def reads_authority(ctx: Ctx, arguments: dict) -> Decision:
    authority = ctx.get(Authority, arguments["authority_id"])
    return part_of(
        may_read_authority(ctx, authority),
        "only those who decide on it, oversight, its applicant, its command team "
        "and the people rostered under it read this Authority",
    )


def reads_deployment(ctx: Ctx, arguments: dict) -> Decision:
    dep = ctx.get(Deployment, arguments["deployment_id"])
    return part_of(
        may_read_deployment(ctx, dep),
        "only those who decide on it, oversight, its applicant, its command team "
        "and the people rostered on it see this Deployment",
    )


def independent_ao(ctx: Ctx, arguments: dict) -> Decision:
    """The AO deciding on an Application (or on an Authority issued on one) is independent."""
    if "application_id" in arguments:
        app = ctx.get(Application, arguments["application_id"])
    elif "document_id" in arguments:
        app = ctx.get(Application, ctx.get(Document, arguments["document_id"]).application_id)
    else:
        authority = ctx.get(Authority, arguments["authority_id"])
        app = ctx.get(Application, authority.application_id)
    return ao_independent(app.applicant_id == ctx.user.id, in_command_of_application(ctx, app.id))


def independent_consultee(ctx: Ctx, arguments: dict) -> Decision:
    app = ctx.get(Application, arguments["application_id"])
    return consultee_independent(app.applicant_id == ctx.user.id)
