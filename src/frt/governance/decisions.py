"""The NPCC consultation and the AO's decision, yielding the Written Authority (GOV-03 … GOV-08).

- `consult`: an officer of NPCC rank records support, a request for mitigation, or a veto (000 §4.6).
- `decide`: the AO authorises, rejects or requires amendments, with reasons under the seven
  headings (001 stage 3). Authorising checks the AO's rank (urgency, 000 §4.5, §4.9), the
  consultation, the assessments, the period and series limits, the Watchlist criteria, the
  minimum Threshold and the Gold, and creates the Authority and its Deployments.
- `review_urgent`: the Superintendent+ who continues, amends or stops an urgent authority (000 §4.11).
- `record_written`: the AO's written record of a verbal authority (000 §4.7).
- `grant_further_purpose` / `may_process_for`: a further purpose needs a further authority (000 §4.8).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import select

from frt.core.actions import action
from frt.core.context import Ctx, choice
from frt.core.errors import InputError
from frt.core.text import require_input
from frt.governance import access
from frt.governance.applications import latest_documents
from frt.governance.enums import (
    ApplicationStatus,
    AuthorityStatus,
    ConsultationOutcome,
    DecisionOutcome,
    DeploymentState,
    DocumentKind,
    ReviewStatus,
    UrgentReviewOutcome,
)
from frt.governance.models import AoDecision, Application, Authority, Consultation, Deployment
from frt.governance.oversight_models import CommandAppointment
from frt.governance.references import authority_reference
from frt.people.models import User
from frt.people.roles import LFR_ROLES, Role
from frt.policy import Decision, require
from frt.policy.decision_rules import (
    REASON_HEADINGS,
    advice_before_inclusion,
    assessments_ready,
    decision_reasons,
    deployment_window,
    further_purpose_reasons,
    gold_reverts,
    npcc_consultation,
    purpose_authorised,
    urgency_grounds,
    verbal_authority,
    written_by_same_ao,
)
from frt.policy.input_rules import within_horizon
from frt.policy.lfr_rules import (
    categories_known,
    command_rank,
    flags_known,
    layers_known,
    minimum_threshold,
)
from frt.policy.rules import (
    authority_period,
    may_authorise,
    may_be_consulted_as_npcc,
    may_review_urgent_authority,
    series_period,
)
from frt.policy.vocabulary import CommandRole


@dataclass
class Window:
    """One Deployment: an authorised place and a time window inside the authority."""

    location_id: str
    starts_at: datetime
    ends_at: datetime


@dataclass
class Terms:
    """What an authority fixes (GOV-06): places, times, Watchlist criteria, Threshold, Gold."""

    starts_at: datetime
    ends_at: datetime
    place_ids: list[str]
    categories: list[str]
    min_threshold: float
    gold_id: str
    windows: list[Window] = field(default_factory=list)  # default: each place, whole period
    protected_inclusions: list[str] = field(default_factory=list)
    non_police_allowed: bool = False
    non_police_layers: list[str] = field(default_factory=list)
    conditions: str = ""
    purpose: str | None = None  # default: the Application's legitimate aim


@action(
    "lfr.application.consult",
    roles=[Role.NPCC_OFFICER],
    touches="lfr_application",
    key="application_id",
    guard=access.independent_consultee,
)
def consult(ctx: Ctx, application_id: str, outcome: str, notes: str = "") -> Consultation:
    """GOV-03: the NPCC consultation, recorded by an officer of Commander rank or above."""
    require(may_be_consulted_as_npcc(ctx.user.rank_enum))
    app = ctx.get(Application, application_id)
    if app.status != ApplicationStatus.SUBMITTED.value:
        raise InputError("only a submitted Application is consulted on")
    outcome = choice(ConsultationOutcome, outcome, "outcome").value
    if outcome != ConsultationOutcome.SUPPORTED.value and not notes.strip():
        raise InputError("a veto or a request for mitigation needs its reasons")
    entry = Consultation(
        application_id=app.id,
        officer_id=ctx.user.id,
        outcome=outcome,
        notes=notes.strip(),
        round=app.round,
        at=ctx.now,
    )
    ctx.session.add(entry)
    ctx.session.flush()
    ctx.note(outcome=outcome, citation="000 §4.6")
    return entry


def latest_consultation(ctx: Ctx, app: Application) -> Consultation | None:
    return ctx.session.scalar(
        select(Consultation)
        .where(Consultation.application_id == app.id, Consultation.round == app.round)
        .order_by(Consultation.at.desc())
        .limit(1)
    )


def consultation_check(ctx: Ctx, app: Application) -> Decision:
    latest = latest_consultation(ctx, app)
    return npcc_consultation(ctx.profile, latest.outcome if latest else None)


def documents_check(ctx: Ctx, app: Application) -> Decision:
    """GOV-02: every required document present and its latest version reviewed."""
    latest = latest_documents(app)
    problems = []
    for kind in ctx.profile.governance.required_documents.value:
        doc = latest.get(kind)
        label = DocumentKind(kind).label
        if doc is None:
            problems.append(f"{label} missing")
        elif doc.review_status != ReviewStatus.REVIEWED.value:
            problems.append(f"{label} v{doc.version} not reviewed")
    return assessments_ready(ctx.profile, problems)


def _reasons(outcome: str, reasons: dict[str, str]) -> dict[str, str]:
    unknown = set(reasons) - set(REASON_HEADINGS)
    if unknown:
        raise InputError(f"unknown reason heading(s): {', '.join(sorted(unknown))}")
    given = {k: v.strip() for k, v in reasons.items() if v and v.strip()}
    authorising = outcome == DecisionOutcome.AUTHORISE.value
    require(decision_reasons(authorising, given))
    if not authorising and not given:
        raise InputError("give the reasons for the decision under at least one heading")
    return given


@action(
    "lfr.application.decide",
    roles=[Role.AUTHORISING_OFFICER],
    touches="lfr_application",
    key="application_id",
    guard=access.independent_ao,
)
def decide(
    ctx: Ctx,
    application_id: str,
    outcome: str,
    reasons: dict[str, str],
    *,
    terms: Terms | None = None,
    urgent: bool = False,
    verbal: bool = False,
) -> AoDecision | Authority:
    """GOV-06: authorise (returns the Authority), reject or require amendments."""
    app = ctx.get(Application, application_id)
    if app.status != ApplicationStatus.SUBMITTED.value:
        raise InputError(f"the Application is {app.status.replace('_', ' ')}, not submitted")
    outcome = choice(DecisionOutcome, outcome, "outcome").value
    reasons = _reasons(outcome, reasons)
    if outcome == DecisionOutcome.AUTHORISE.value:
        require(may_authorise(ctx.profile, ctx.user.rank_enum, urgent=urgent))
        require(urgency_grounds(urgent, app.urgency_grounds))
        require(verbal_authority(ctx.profile, verbal))
        require(consultation_check(ctx, app))
        require(documents_check(ctx, app))
        if terms is None:
            raise InputError("an authority needs its terms (places, times, criteria, Gold)")
    entry = AoDecision(
        application_id=app.id,
        officer_id=ctx.user.id,
        outcome=outcome,
        reasons=reasons,
        round=app.round,
        at=ctx.now,
    )
    ctx.session.add(entry)
    ctx.session.flush()
    ctx.note(
        outcome=outcome,
        decision_id=entry.id,
        urgent=urgent,
        verbal=verbal,
        headings=sorted(reasons),
        citation="001 stage 3",
    )
    if outcome == DecisionOutcome.REJECT.value:
        app.status = ApplicationStatus.REJECTED.value
        return entry
    if outcome == DecisionOutcome.AMEND.value:
        app.status, app.round = ApplicationStatus.AMENDMENTS_REQUIRED.value, app.round + 1
        return entry
    assert terms is not None  # refused above for an authorisation without terms
    authority = _issue(ctx, app, entry, terms, urgent=urgent, verbal=verbal)
    app.status = ApplicationStatus.AUTHORISED.value
    return authority


def decision_problems(
    ctx: Ctx,
    application_id: str,
    outcome: str,
    reasons: dict[str, str],
    *,
    terms: Terms | None = None,
    urgent: bool = False,
    verbal: bool = False,
) -> list[Decision | str]:
    """Every reason `decide` would refuse, all at once (a form shows them together): refused
    rules as Decisions, wrong input as text. Reads only; `decide` still checks each itself."""
    app = ctx.get(Application, application_id)
    found: list[Decision | str] = []

    def check(fn, *args, **kwargs) -> None:
        try:
            result = fn(*args, **kwargs)
        except InputError as exc:
            found.append(str(exc))
        else:
            if isinstance(result, Decision) and not result.allowed:
                found.append(result)

    if app.status != ApplicationStatus.SUBMITTED.value:
        found.append(f"the Application is {app.status.replace('_', ' ')}, not submitted")
    try:
        outcome = choice(DecisionOutcome, outcome, "outcome").value
    except InputError as exc:
        return [*found, str(exc)]
    authorising = outcome == DecisionOutcome.AUTHORISE.value
    given = {k: v.strip() for k, v in reasons.items() if v and v.strip()}
    check(decision_reasons, authorising, given)
    if not authorising:
        if not given:
            found.append("give the reasons for the decision under at least one heading")
        return found
    check(may_authorise, ctx.profile, ctx.user.rank_enum, urgent=urgent)
    check(urgency_grounds, urgent, app.urgency_grounds)
    check(verbal_authority, ctx.profile, verbal)
    check(consultation_check, ctx, app)
    check(documents_check, ctx, app)
    if terms is None:
        found.append("an authority needs its terms (places, times, criteria, Gold)")
        return found
    check(authority_period, ctx.profile, terms.starts_at, terms.ends_at)
    if not terms.place_ids or not set(terms.place_ids) <= {loc.id for loc in app.locations}:
        found.append("an authority names one or more of the Application's locations")
    check(categories_known, terms.categories)
    check(flags_known, terms.protected_inclusions)
    if terms.non_police_allowed:
        check(layers_known, terms.non_police_layers)
    check(minimum_threshold, ctx.profile, terms.min_threshold)
    gold = ctx.session.get(User, terms.gold_id) if terms.gold_id else None
    if gold is None or gold.disabled:
        found.append("the Gold named is not a user of FRT")
    else:
        check(command_rank, ctx.profile, CommandRole.GOLD.value, gold.rank_enum, urgent=urgent)
    return found


@action("lfr.authority.issue", roles=[Role.AUTHORISING_OFFICER], touches="lfr_authority")
def _issue(
    ctx: Ctx,
    app: Application,
    entry: AoDecision,
    terms: Terms,
    *,
    urgent: bool,
    verbal: bool,
    parent: Authority | None = None,
) -> Authority:
    _check_terms(ctx, app, terms, urgent=urgent)
    authority = Authority(
        reference=authority_reference(ctx.session, app),
        application_id=app.id,
        decision_id=entry.id,
        parent_id=parent.id if parent else None,
        purpose=(terms.purpose or app.legitimate_aim).strip(),
        authorising_officer_id=ctx.user.id,
        gold_id=terms.gold_id,
        starts_at=terms.starts_at,
        ends_at=terms.ends_at,
        place_ids=sorted(terms.place_ids),
        categories=sorted(set(terms.categories)),
        protected_inclusions=sorted(set(terms.protected_inclusions)),
        non_police_allowed=terms.non_police_allowed,
        non_police_layers=sorted(set(terms.non_police_layers)) if terms.non_police_allowed else [],
        min_threshold=terms.min_threshold,
        conditions=terms.conditions.strip(),
        urgent=urgent,
        urgency_grounds=app.urgency_grounds if urgent else "",
        verbal=verbal,
        issued_at=ctx.now,
        written_recorded_at=None if verbal else ctx.now,
    )
    ctx.session.add(authority)
    ctx.session.flush()
    windows: list[Window] = []
    if parent is None:
        windows = terms.windows or [
            Window(p, terms.starts_at, terms.ends_at) for p in terms.place_ids
        ]
        for w in windows:
            ctx.session.add(
                Deployment(
                    authority_id=authority.id,
                    location_id=w.location_id,
                    starts_at=w.starts_at,
                    ends_at=w.ends_at,
                    camera_count=app.camera_count or 1,
                    styles=list(app.deployment_styles),
                )
            )
        ctx.session.add(
            CommandAppointment(
                authority_id=authority.id,
                role=CommandRole.GOLD.value,
                user_id=terms.gold_id,
                appointed_by=ctx.user.id,
                appointed_at=ctx.now,
            )
        )
    ctx.session.flush()
    ctx.note(
        application_id=app.id,
        deployments=len(windows),
        categories=authority.categories,
        min_threshold=authority.min_threshold,
        urgent=urgent,
        verbal=verbal,
        parent_id=authority.parent_id,
    )
    return authority


def _within_horizon(ctx: Ctx, **times: datetime | None) -> None:
    """INPUT-DATE: each time the AO enters lies within the horizon (year 9999 is a typing error)."""
    for name, value in times.items():
        if value is not None:
            if not isinstance(value, datetime) or value.tzinfo is None:
                raise InputError(
                    f"{name.replace('_', ' ')} must be a date and time with its time zone"
                )
            require_input(within_horizon(name.replace("_", " "), value, ctx.now))


def _check_terms(ctx: Ctx, app: Application, terms: Terms, *, urgent: bool) -> None:
    _within_horizon(ctx, starts_at=terms.starts_at, ends_at=terms.ends_at)
    for w in terms.windows:
        _within_horizon(ctx, window_starts_at=w.starts_at, window_ends_at=w.ends_at)
    require(authority_period(ctx.profile, terms.starts_at, terms.ends_at))
    known = {loc.id for loc in app.locations}
    if not terms.place_ids or not set(terms.place_ids) <= known:
        raise InputError("an authority names one or more of the Application's locations")
    for w in terms.windows:
        if w.location_id not in terms.place_ids:
            raise InputError("each Deployment must be at an authorised place")
        require(deployment_window(terms.starts_at, terms.ends_at, w.starts_at, w.ends_at))
    windows = terms.windows or [Window(p, terms.starts_at, terms.ends_at) for p in terms.place_ids]
    days = {w.starts_at.date() for w in windows} | {w.ends_at.date() for w in windows}
    require(series_period(ctx.profile, days))
    require(categories_known(terms.categories))
    require(flags_known(terms.protected_inclusions))
    if terms.protected_inclusions:
        latest = latest_documents(app)
        advice = ctx.profile.governance.protected_advice_documents.value
        require(
            advice_before_inclusion(
                ctx.profile, [DocumentKind(k).label for k in advice if k not in latest]
            )
        )
    if terms.non_police_allowed:
        require(layers_known(terms.non_police_layers))
    require(minimum_threshold(ctx.profile, terms.min_threshold))
    gold = ctx.session.get(User, terms.gold_id)
    if gold is None or gold.disabled:
        raise InputError("the Gold named is not a user of FRT")
    require(command_rank(ctx.profile, CommandRole.GOLD.value, gold.rank_enum, urgent=urgent))


@action(
    "lfr.authority.review_urgent",
    roles=[Role.AUTHORISING_OFFICER],
    touches="lfr_authority",
    key="authority_id",
    guard=access.independent_ao,
)
def review_urgent(
    ctx: Ctx,
    authority_id: str,
    outcome: str,
    note: str,
    *,
    new_ends_at: datetime | None = None,
    new_gold_id: str | None = None,
) -> Authority:
    """GOV-04: a Superintendent+ continues, amends or stops an urgent authority (000 §4.11)."""
    require(may_review_urgent_authority(ctx.profile, ctx.user.rank_enum))
    authority = ctx.get(Authority, authority_id)
    if not authority.awaiting_urgent_review:
        raise InputError("this authority is not awaiting an urgency review")
    outcome = choice(UrgentReviewOutcome, outcome, "outcome").value
    if not note.strip():
        raise InputError("the review needs its reasons")
    if outcome == UrgentReviewOutcome.STOP.value:
        authority.status = AuthorityStatus.STOPPED.value
        for dep in authority.deployments:
            if not DeploymentState(dep.state).finished:
                dep.state, dep.finished_at = DeploymentState.TERMINATED.value, ctx.now
                dep.state_reason = "urgent authority stopped on review (000 §4.11)"
    else:
        if outcome == UrgentReviewOutcome.AMEND.value and new_ends_at is not None:
            _within_horizon(ctx, new_ends_at=new_ends_at)
            require(authority_period(ctx.profile, authority.starts_at, new_ends_at))
            authority.ends_at = new_ends_at
        _revert_gold(ctx, authority, new_gold_id)
    authority.urgent_reviewed_by, authority.urgent_reviewed_at = ctx.user.id, ctx.now
    authority.urgent_review_outcome, authority.urgent_review_note = outcome, note.strip()
    ctx.note(outcome=outcome, citation="000 §4.11")
    return authority


def _revert_gold(ctx: Ctx, authority: Authority, new_gold_id: str | None) -> None:
    """000 §10.1 fn 11: an Inspector Gold reverts to Superintendent+ once reviewed."""
    gold = ctx.session.get(User, new_gold_id or authority.gold_id)
    if gold is None:
        raise InputError("the Gold named is not a user of FRT")
    require(
        gold_reverts(
            command_rank(ctx.profile, CommandRole.GOLD.value, gold.rank_enum),
            ctx.profile.command.gold_min_rank.value.label,
        )
    )
    if gold.id != authority.gold_id:
        _end_appointments(ctx, authority.id, CommandRole.GOLD.value)
        authority.gold_id = gold.id
        ctx.session.add(
            CommandAppointment(
                authority_id=authority.id,
                role=CommandRole.GOLD.value,
                user_id=gold.id,
                appointed_by=ctx.user.id,
                appointed_at=ctx.now,
            )
        )


def _end_appointments(ctx: Ctx, authority_id: str, role: str) -> None:
    for appt in ctx.session.scalars(
        select(CommandAppointment).where(
            CommandAppointment.authority_id == authority_id,
            CommandAppointment.role == role,
            CommandAppointment.ended_at.is_(None),
        )
    ):
        appt.ended_at = ctx.now


@action(
    "lfr.authority.record_written",
    roles=[Role.AUTHORISING_OFFICER],
    touches="lfr_authority",
    key="authority_id",
)
def record_written(ctx: Ctx, authority_id: str) -> Authority:
    """GOV-05: the AO records a verbal authority in writing (000 §4.7)."""
    authority = ctx.get(Authority, authority_id)
    require(written_by_same_ao(authority.authorising_officer_id == ctx.user.id))
    if not authority.awaiting_written_record:
        raise InputError("this authority has no verbal authority awaiting writing")
    authority.written_recorded_at = ctx.now
    ctx.note(citation="000 §4.7")
    return authority


@action(
    "lfr.authority.further_purpose",
    roles=[Role.AUTHORISING_OFFICER],
    touches="lfr_authority",
    key="authority_id",
    guard=access.independent_ao,
)
def grant_further_purpose(
    ctx: Ctx, authority_id: str, purpose: str, reasons: dict[str, str]
) -> Authority:
    """GOV-08: a further law-enforcement purpose needs a further authority (000 §4.8)."""
    require(may_authorise(ctx.profile, ctx.user.rank_enum, urgent=False))
    parent = ctx.get(Authority, authority_id)
    if not purpose.strip():
        raise InputError("name the further purpose")
    require(further_purpose_reasons(reasons))
    app = ctx.get(Application, parent.application_id)
    entry = AoDecision(
        application_id=app.id,
        officer_id=ctx.user.id,
        outcome=DecisionOutcome.AUTHORISE.value,
        reasons=reasons,
        round=app.round,
        at=ctx.now,
    )
    ctx.session.add(entry)
    ctx.session.flush()
    terms = Terms(
        parent.starts_at,
        parent.ends_at,
        parent.place_ids,
        parent.categories,
        parent.min_threshold,
        parent.gold_id,
        protected_inclusions=parent.protected_inclusions,
        non_police_allowed=parent.non_police_allowed,
        non_police_layers=parent.non_police_layers,
        purpose=purpose,
    )
    return _issue(ctx, app, entry, terms, urgent=False, verbal=False, parent=parent)


@action(
    "lfr.authority.read",
    roles=LFR_ROLES,
    touches="lfr_authority",
    key="authority_id",
    reads=True,
    guard=access.reads_authority,
)
def read_authority(ctx: Ctx, authority_id: str) -> Authority:
    """An Authority as its page and the API show it, to those who may read it (hardening item
    2): those who decide, oversight, its applicant, its command team, the people rostered."""
    return ctx.get(Authority, authority_id)


def purposes(ctx: Ctx, authority_id: str) -> list[str]:
    authority = ctx.get(Authority, authority_id)
    further = ctx.session.scalars(
        select(Authority.purpose).where(
            Authority.parent_id == authority.id, Authority.status == AuthorityStatus.IN_FORCE.value
        )
    )
    return [authority.purpose, *further]


def may_process_for(ctx: Ctx, authority_id: str, purpose: str) -> Decision:
    """GOV-08: processing for a purpose is permissible only under an authority for it."""
    wanted = purpose.strip().casefold()
    return purpose_authorised(
        any(p.strip().casefold() == wanted for p in purposes(ctx, authority_id))
    )
