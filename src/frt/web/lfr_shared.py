"""What the LFR API (`frt.web.api.lfr_*`) and the LFR pages (`frt.web.pages.governance*`) share,
so that neither imports the other: the role sets their routes declare, and the refusal that says
whether a decision outside policy may set its rule aside (GOV-16), as JSON or as a page."""

from __future__ import annotations

from fastapi import Request
from sqlalchemy import select
from starlette.responses import JSONResponse, Response

from frt.core.actions import spec_of
from frt.core.context import Ctx
from frt.governance import command, outside_policy
from frt.governance.outside_policy import Scope
from frt.people.models import User
from frt.people.roles import LFR_ROLES, Role
from frt.policy import Decision
from frt.web.auth import Principal, require_role
from frt.web.errors import refusal_json
from frt.web.templating import render, wants_json
from frt.web.units import unit

COMMANDERS = (Role.GOLD, Role.SILVER, Role.BRONZE, Role.BRONZE_COMMUNITY)
ANY = require_role(*LFR_ROLES)  # anyone in LFR; object access is the action's guard
COMMAND = require_role(*COMMANDERS)
# A route admits the roles its action does, so a role it admits is never refused by role.
ROSTERERS = require_role(*spec_of(command.roster).roles)
OVERT_RECORDERS = require_role(*spec_of(command.record_overt_use).roles)
EXCEPTION_READERS = outside_policy.READERS


def people(ctx: Ctx) -> list[User]:
    """Enabled users, by name (for the pickers of appointments and rosters)."""
    return list(
        ctx.session.scalars(
            select(User).where(User.disabled.is_(False)).order_by(User.display_name)
        )
    )


def refused(request: Request, who: Principal, scope: Scope, refusal: Decision) -> Response:
    """A refusal (the action recorded it in the audit log) that says whether it may be set aside,
    and offers it."""
    with unit(request, who) as ctx:
        offer = outside_policy.offer(ctx, scope, refusal)
    if wants_json(request):
        return JSONResponse(offer_json(offer, scope), status_code=403)
    return render(request, "governance/refusal.html", 403, offer=offer, scope=scope)


def offer_json(offer: outside_policy.Offer, scope: Scope) -> dict:
    body = refusal_json(offer.refusal)
    body["outside_policy"] = {
        "may_be_set_aside": offer.settable.allowed,
        "why_not": None if offer.settable.allowed else offer.settable.reason,
        "you_may_record": offer.may_record,
        "legal_advice_needed": offer.legal_advice_needed,
        "record_at": "/api/lfr/exceptions" if offer.settable.allowed else None,
        "scope": {"action": scope.action, "deployment_id": scope.deployment_id, **scope.subject()},
    }
    return body


def operating(request: Request, session, dep):
    """The Threshold `dep` alerts at, as the worker would set it (`frt.lfr.operating`)."""
    from frt.installation import training_minimum
    from frt.lfr.operating import operating_threshold

    store = request.app.state.store
    return operating_threshold(
        session, request.app.state.policy, dep, training=training_minimum(store.settings, dep.id)
    )
