"""RFR decisions outside policy (003 §12.3), recorded and cited to the SRO as LFR's are (GOV-16).

One RFR refusal is offered: searching every remaining library at once ("search all") without the
urgency of §5.17 — circumstances "beyond those contemplated by this policy". An RFR Approving
Officer of the Form 3 approver's rank, not the searcher, records the decision with a detailed
rationale and, where the profile asks, the legal advice (`lfr_rules.outside_policy_grounds`). It
is a `PolicyException` on the search (object type `rfr_search`), flagged to the SRO exactly as an
LFR one — the SRO's work list and `/lfr/exceptions`, where the SRO endorses it or disagrees — and
is used once, by the search step it allows (`frt.rfr.searches.run_step`).
"""

from __future__ import annotations

from sqlalchemy import select

from frt.core.actions import action
from frt.core.context import Ctx
from frt.core.errors import InputError
from frt.governance.notices import notify
from frt.governance.oversight_models import PolicyException
from frt.people.roles import Role
from frt.policy import Decision, require
from frt.policy import rfr_rules as rules
from frt.policy.lfr_rules import outside_policy_grounds
from frt.rfr.enums import SearchStatus
from frt.rfr.models import RfrSearch

MIN_RATIONALE = 40  # as for LFR: "a detailed rationale"
SETTABLE = {
    "RFR-SEARCH-ALL-URGENCY": "search every remaining library at once without the urgency of "
    "§5.17 (003 §12.3)",
}
OBJECT = "rfr_search"


def settable(search: RfrSearch) -> Decision:
    """Which rule the search's next step would break, if one a decision outside policy may set
    aside: now only 'search all' outside urgency."""
    refusal = rules.search_all(True, search.urgent, search.search_all_rationale)
    if refusal.allowed:
        return Decision.refuse(
            "nothing to set aside: the search may search all in urgency", "003 §5.17", "GOV-16"
        )
    return refusal


def _decider(ctx: Ctx, arguments: dict) -> Decision:
    search = ctx.get(RfrSearch, arguments["search_id"])
    rank = rules.approver_rank(ctx.user.rank_enum, ctx.profile)
    if not rank:
        return rank
    return rules.not_own_request(ctx.user.id, search.searcher_id)


@action(
    "rfr.outside_policy.record",
    roles=[Role.RFR_APPROVING_OFFICER],
    touches="rfr_search",
    key="search_id",
    guard=_decider,
    training="rfr",
    training_cite="003 §10.3",
)
def record(ctx: Ctx, search_id: str, rationale: str, legal_advice: str = "") -> PolicyException:
    """GOV-16: record the decision on the search, flag it to the SRO, and leave it unused."""
    search = ctx.get(RfrSearch, search_id)
    if search.status not in (SearchStatus.READY.value, SearchStatus.SEARCHING.value):
        raise InputError(f"search {search.reference} is not ready to search")
    if unused(ctx.session, search.id, "RFR-SEARCH-ALL-URGENCY") is not None:
        raise InputError("a decision outside policy on this search is waiting to be used")
    refusal = settable(search)
    if refusal.rule not in SETTABLE:
        raise InputError(f"nothing to set aside: {refusal.reason}")
    require(outside_policy_grounds(ctx.profile, rationale, legal_advice, MIN_RATIONALE))
    exc = PolicyException(
        object_type=OBJECT,
        object_id=search.id,
        rule=refusal.rule,
        refused_reason=refusal.reason,
        rationale=rationale.strip(),
        legal_advice=legal_advice.strip(),
        decided_by=ctx.user.id,
        decided_at=ctx.now,
        extra={"action": f"RFR {search.reference}: {SETTABLE[refusal.rule]}"},
    )
    ctx.session.add(exc)
    ctx.session.flush()
    cite = ctx.profile.governance.outside_policy_needs_legal_advice.cite
    notify(
        ctx,
        kind="outside_policy",
        object_type="gov_policy_exception",
        object_id=exc.id,
        message=f"Decision outside policy ({exc.rule}) on RFR search {search.reference}: review it",
        citation=cite,
        role=Role.SRO,
    )
    ctx.note(exception_id=exc.id, rule=exc.rule, citation=cite)
    return exc


def unused(session, search_id: str, rule: str) -> PolicyException | None:
    return session.scalar(
        select(PolicyException)
        .where(
            PolicyException.object_type == OBJECT,
            PolicyException.object_id == search_id,
            PolicyException.rule == rule,
            PolicyException.used.is_(False),
        )
        .order_by(PolicyException.decided_at.desc())
    )


@action("rfr.outside_policy.use", roles=[Role.RFR_USER], touches="gov_policy_exception")
def use(ctx: Ctx, exc: PolicyException) -> PolicyException:
    """The decision is used, once, by the step it allowed."""
    exc.used = True
    ctx.note(rule=exc.rule, search_id=exc.object_id, citation="003 §12.3")
    return exc


def decisions_of(session, search_id: str) -> list[PolicyException]:
    return list(
        session.scalars(
            select(PolicyException)
            .where(PolicyException.object_type == OBJECT, PolicyException.object_id == search_id)
            .order_by(PolicyException.decided_at)
        )
    )
