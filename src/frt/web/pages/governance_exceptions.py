"""Decisions outside policy (GOV-16) and per-image Threshold raises (WL-09) as pages.

Where a rule refuses an action a commander may excuse (`frt.governance.outside_policy`), the
refusal page says so and, to the Authority's AO, Gold or Silver, offers "Record a decision outside
policy" with the rule and citation filled in by the server. Where the rule can never be set aside
the page says why. The SRO reviews each decision here (endorse, or disagree with reasons).
"""

from __future__ import annotations

import logging
from typing import Annotated

from fastapi import APIRouter, Depends, Form, Request

from frt.core.errors import InputError
from frt.governance import command, outside_policy, watchlists
from frt.governance.models import Deployment
from frt.governance.outside_policy import Scope
from frt.people.models import User
from frt.people.roles import Role
from frt.web.auth import Principal, require_role
from frt.web.lfr_shared import EXCEPTION_READERS as READER_ROLES
from frt.web.pages.governance import back
from frt.web.schemas.lfr_deployments import ThresholdIn
from frt.web.schemas.lfr_exceptions import ExceptionIn, ExceptionReviewIn
from frt.web.templating import render
from frt.web.units import unit as gov_unit

logger = logging.getLogger(__name__)
router = APIRouter(include_in_schema=False)

DECIDERS = require_role(*outside_policy.DECIDERS)
READERS = require_role(*READER_ROLES)


# ------------------------------------------------------------------ recording a decision
@router.get("/lfr/exceptions/new", name="lfr.exception.new")
def new_exception(
    request: Request,
    action: str,
    deployment_id: str,
    user_id: str | None = None,
    duty: str | None = None,
    who: Principal = Depends(DECIDERS),
):
    scope = Scope(action, deployment_id, user_id, duty)
    with gov_unit(request, who) as ctx:
        refusal = outside_policy.recheck(ctx, scope)
        offer = outside_policy.offer(ctx, scope, refusal) if not refusal.allowed else None
        person = ctx.session.get(User, user_id) if user_id else None
        return render(
            request,
            "governance/exception_form.html",
            scope=scope,
            refusal=refusal,
            offer=offer,
            person=person,
            dep=ctx.get(Deployment, deployment_id),
            action_label=outside_policy.ACTIONS.get(action, action),
            min_rationale=outside_policy.MIN_RATIONALE,
            cite=ctx.profile.governance.outside_policy_needs_legal_advice.cite,
        )


@router.post("/lfr/exceptions", name="lfr.exception.create")
def create_exception(
    request: Request, form: Annotated[ExceptionIn, Form()], who: Principal = Depends(DECIDERS)
):
    scope = form.scope()
    with gov_unit(request, who) as ctx:
        exc = outside_policy.record(ctx, scope, form.rationale, form.legal_advice)
        if scope.action == outside_policy.ROSTER:  # everything is known: roster at once
            if not (scope.user_id and scope.duty):
                raise InputError("a decision to roster someone names them and their duty")
            command.roster(ctx, scope.deployment_id, scope.user_id, scope.duty, exception_id=exc.id)
            return back(f"/lfr/deployments/{scope.deployment_id}#roster")
    return back(f"/lfr/deployments/{scope.deployment_id}?exception=recorded#watchlist")


# ------------------------------------------------------------------ reading and the SRO's review
@router.get("/lfr/exceptions", name="lfr.exceptions")
def exception_list(request: Request, who: Principal = Depends(READERS)):
    with gov_unit(request, who) as ctx:
        rows = [(e, ctx.session.get(User, e.decided_by)) for e in outside_policy.all_decisions(ctx)]
        return render(
            request, "governance/exceptions.html", rows=rows, ACTIONS=outside_policy.ACTIONS
        )


@router.get("/lfr/exceptions/{exc_id}", name="lfr.exception")
def exception_page(exc_id: str, request: Request, who: Principal = Depends(READERS)):
    with gov_unit(request, who) as ctx:
        exc = outside_policy.read(ctx, exc_id)
        scope = Scope.of(exc)
        return render(
            request,
            "governance/exception.html",
            exc=exc,
            scope=scope,
            action_label=outside_policy.ACTIONS.get(scope.action, scope.action),
            decider=ctx.session.get(User, exc.decided_by),
            person=ctx.session.get(User, scope.user_id) if scope.user_id else None,
            reviewer=ctx.session.get(User, exc.sro_reviewed_by) if exc.sro_reviewed_by else None,
            Role=Role,
        )


@router.post("/lfr/exceptions/{exc_id}/review", name="lfr.exception.review")
def exception_review(
    exc_id: str,
    request: Request,
    form: Annotated[ExceptionReviewIn, Form()],
    who: Principal = Depends(require_role(Role.SRO)),
):
    with gov_unit(request, who) as ctx:
        outside_policy.review(ctx, exc_id, form.outcome, form.reasons)
    return back(f"/lfr/exceptions/{exc_id}")


# ------------------------------------------------------------------ WL-09
@router.post("/lfr/watchlist-images/{image_id}/threshold", name="lfr.watchlist.threshold")
def raise_threshold(
    image_id: str,
    request: Request,
    form: Annotated[ThresholdIn, Form()],
    who: Principal = Depends(require_role(Role.LFR_OPERATOR, Role.SYSTEM_ENGINEER)),
):
    with gov_unit(request, who) as ctx:
        image = watchlists.raise_image_threshold(ctx, image_id, form.threshold, form.reason)
        dep_id = image.entry.watchlist.deployment_id
    return back(f"/lfr/deployments/{dep_id}#image-{image_id}")


def install(site, _profile) -> None:
    site.add_nav("Outside policy", "/lfr/exceptions", READER_ROLES)
