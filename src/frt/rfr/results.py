"""Candidates, Adjudication, Match Reports and dissemination (RFR-08, RFR-09; 003 §8.25–8.29).

The ranked candidates of a search are shown only to its searcher and its approver, and every view
of the list and of a candidate's image is audited. The user adjudicates each candidate they
consider (Viable Match or not, with a note); a Viable Match gets a Match Report carrying the
force profile's standard caveat verbatim; each sharing is recorded with its recipient, legal
basis, what was shared and the caveat. No export carries a template (003 §8.28).
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import func, select

from frt.core.actions import action
from frt.core.context import Ctx
from frt.core.errors import InputError, NotFound
from frt.governance.references import next_value
from frt.people.roles import Role
from frt.policy import Decision, require
from frt.policy import rfr_rules as rules
from frt.policy.access import object_access
from frt.rfr import libraries
from frt.rfr.enums import Adjudication, SearchStatus, StepOutcome
from frt.rfr.models import (
    RfrCandidate,
    RfrDissemination,
    RfrLibrary,
    RfrLibraryImage,
    RfrMatchReport,
    RfrProbeFace,
    RfrSearch,
    RfrSearchStep,
)
from frt.rfr.searches import TRAINING, VIEW_CITE, is_approver, searcher_only

SHAREABLE = ("match_report", "probe_image", "candidate_image", "case_reference")


def _candidate(ctx: Ctx, candidate_id: str) -> RfrCandidate:
    cand = ctx.session.get(RfrCandidate, candidate_id)
    if cand is None:
        raise NotFound(f"no candidate '{candidate_id}'")
    return cand


def _report(ctx: Ctx, report_id: str) -> RfrMatchReport:
    report = ctx.session.get(RfrMatchReport, report_id)
    if report is None:
        raise NotFound(f"no Match Report '{report_id}'")
    return report


def _sees(ctx: Ctx, search: RfrSearch) -> Decision:
    """Results are shown only to the search's searcher and its approver (003 §8.25)."""
    return object_access(
        search.searcher_id == ctx.user.id or is_approver(ctx, search),
        f"the results of search {search.reference} are shown only to its searcher and its approver",
        VIEW_CITE,
    )


def _sees_search(ctx: Ctx, arguments: dict) -> Decision:
    search = ctx.session.get(RfrSearch, arguments["search_id"])
    if search is None:
        raise NotFound(f"no search '{arguments['search_id']}'")
    return _sees(ctx, search)


def _sees_candidate(ctx: Ctx, arguments: dict) -> Decision:
    cand = _candidate(ctx, arguments["candidate_id"])
    return _sees(ctx, ctx.get(RfrSearch, cand.search_id))


def _owns_candidate(ctx: Ctx, arguments: dict) -> Decision:
    cand = _candidate(ctx, arguments["candidate_id"])
    return searcher_only(ctx, {"search_id": cand.search_id})


def _sees_report(ctx: Ctx, arguments: dict) -> Decision:
    report = _report(ctx, arguments["report_id"])
    return _sees(ctx, ctx.get(RfrSearch, report.search_id))


def _owns_report(ctx: Ctx, arguments: dict) -> Decision:
    return searcher_only(ctx, {"search_id": _report(ctx, arguments["report_id"]).search_id})


@dataclass(frozen=True)
class CandidateRow:
    id: str
    step: int
    face_number: int
    rank: int
    score: float
    library_reference: str
    library_level: int | None
    image_id: str
    adjudication: str | None
    note: str


@action(
    "rfr.candidates.view",
    roles=[Role.RFR_USER, Role.RFR_APPROVING_OFFICER],
    touches="rfr_search",
    key="search_id",
    guard=_sees_search,
    reads=True,
)
def candidate_list(ctx: Ctx, search_id: str) -> list[CandidateRow]:
    """The ranked Potential Matches, lowest rank number first (003 §8.25)."""
    rows = ctx.session.execute(
        select(
            RfrCandidate,
            RfrSearchStep.number,
            RfrProbeFace.number,
            RfrLibrary.reference,
            RfrLibrary.image_level,
        )
        .join(RfrSearchStep, RfrSearchStep.id == RfrCandidate.step_id)
        .join(RfrProbeFace, RfrProbeFace.id == RfrCandidate.face_id)
        .join(RfrLibrary, RfrLibrary.id == RfrCandidate.library_id)
        .where(RfrCandidate.search_id == search_id)
        .order_by(RfrSearchStep.number, RfrProbeFace.number, RfrCandidate.rank)
    )
    out = [
        CandidateRow(
            c.id, step, face, c.rank, c.score, ref, level, c.image_id, c.adjudication, c.note
        )
        for c, step, face, ref, level in rows
    ]
    ctx.note(candidates=len(out), citation=VIEW_CITE)
    return out


@action(
    "rfr.candidate.image_view",
    roles=[Role.RFR_USER, Role.RFR_APPROVING_OFFICER],
    touches="rfr_candidate",
    key="candidate_id",
    guard=_sees_candidate,
    reads=True,
)
def candidate_image(ctx: Ctx, candidate_id: str) -> bytes:
    """A candidate's library image, opened for display (each view audited: 003 §9.3)."""
    cand = _candidate(ctx, candidate_id)
    image = ctx.get(RfrLibraryImage, cand.image_id)
    if image.image_sealed is None:
        raise NotFound("this library image is no longer held")
    ctx.note(search_id=cand.search_id, library_id=cand.library_id, rank=cand.rank)
    return libraries.open_image(ctx.cipher, image)


@action(
    "rfr.candidate.adjudicate",
    roles=[Role.RFR_USER],
    touches="rfr_candidate",
    key="candidate_id",
    guard=_owns_candidate,
    **TRAINING,
)
def adjudicate(ctx: Ctx, candidate_id: str, viable: bool, note: str) -> RfrCandidate:
    """The user's Adjudication of one candidate: a Viable Match or not, with a note (§8.25)."""
    cand = _candidate(ctx, candidate_id)
    search = ctx.get(RfrSearch, cand.search_id)
    if search.status == SearchStatus.REFUSED.value:
        raise InputError("this search was refused")
    if not note.strip():
        raise InputError("an Adjudication records a note of what was compared")
    step = ctx.get(RfrSearchStep, cand.step_id)
    if viable and step.outcome == StepOutcome.NO_VIABLE_MATCH.value:
        raise InputError("this level's outcome was recorded as no Viable Match")
    cand.adjudication = (Adjudication.VIABLE if viable else Adjudication.NOT_VIABLE).value
    cand.adjudicated_by, cand.adjudicated_at, cand.note = ctx.user.id, ctx.now, note.strip()
    if viable:
        step.outcome, step.outcome_by, step.outcome_at = (
            StepOutcome.VIABLE_MATCH.value,
            ctx.user.id,
            ctx.now,
        )
        search.status, search.outcome = SearchStatus.COMPLETED.value, "viable_match"
        search.completed_at = search.completed_at or ctx.now
    ctx.note(
        search_id=search.id, rank=cand.rank, adjudication=cand.adjudication, citation="003 §8.25"
    )
    return cand


@action(
    "rfr.match_report.make",
    roles=[Role.RFR_USER],
    touches="rfr_match_report",
    guard=_owns_candidate,
    **TRAINING,
)
def make_report(ctx: Ctx, candidate_id: str) -> RfrMatchReport:
    """Save a Match Report to the case for a Viable Match, with the standard caveat (§8.26–8.27)."""
    cand = _candidate(ctx, candidate_id)
    require(rules.match_report(cand.adjudication == Adjudication.VIABLE.value))
    existing = ctx.session.scalar(
        select(RfrMatchReport).where(RfrMatchReport.candidate_id == cand.id)
    )
    if existing is not None:
        ctx.note(reference=existing.reference, existing=True)
        return existing
    caveat = ctx.profile.rfr.match_report_caveat
    count = ctx.session.scalar(select(func.count()).select_from(RfrMatchReport)) or 0
    report = RfrMatchReport(
        reference=f"RFR-M-{next_value(ctx.session, 'rfr_match_report', existing=count):04d}",
        search_id=cand.search_id,
        candidate_id=cand.id,
        made_by=ctx.user.id,
        made_at=ctx.now,
        caveat=caveat.value,
        caveat_cite=caveat.cite,
    )
    ctx.session.add(report)
    ctx.session.flush()
    ctx.note(reference=report.reference, search_id=cand.search_id, citation="003 §8.26")
    return report


@action(
    "rfr.match_report.view",
    roles=[Role.RFR_USER, Role.RFR_APPROVING_OFFICER],
    touches="rfr_match_report",
    key="report_id",
    guard=_sees_report,
    reads=True,
)
def view_report(ctx: Ctx, report_id: str, fmt: str = "html") -> RfrMatchReport:
    """Open a Match Report (page or PDF): a view of personal data, audited."""
    ctx.note(format=fmt)
    return _report(ctx, report_id)


def reports_of(session, search_id: str) -> list[RfrMatchReport]:
    return list(
        session.scalars(
            select(RfrMatchReport)
            .where(RfrMatchReport.search_id == search_id)
            .order_by(RfrMatchReport.made_at)
        )
    )


@action(
    "rfr.dissemination.record",
    roles=[Role.RFR_USER],
    touches="rfr_dissemination",
    guard=_owns_report,
    **TRAINING,
)
def disseminate(
    ctx: Ctx,
    report_id: str,
    recipient: str,
    legal_basis: str,
    shared: list[str],
    caveat_attached: bool,
    outside_force: bool = False,
    safeguards_obliged: bool = False,
) -> RfrDissemination:
    """Record one sharing of a Match Report: recipient, legal basis, what, the caveat with it;
    beyond the force only with the recipient obliged to equivalent safeguards (§8.27–8.29).
    Templates are never shared (§8.28)."""
    report = _report(ctx, report_id)
    require(rules.dissemination(legal_basis, caveat_attached, recipient))
    unknown = [s for s in shared if s not in SHAREABLE]
    if unknown or not shared:
        raise InputError(
            f"what is shared is one or more of: {', '.join(SHAREABLE)} (templates "
            "are never shared, 003 §8.28)"
        )
    if outside_force and not safeguards_obliged:
        require(
            Decision.refuse(
                "a recipient beyond the force is obliged to apply equivalent "
                "safeguards, including on retention",
                "003 §8.29",
                "RFR-DISSEMINATION-SAFEGUARDS",
            )
        )
    row = RfrDissemination(
        search_id=report.search_id,
        report_id=report.id,
        recipient=recipient.strip()[:300],
        legal_basis=legal_basis.strip(),
        shared=sorted(set(shared)),
        caveat_attached=caveat_attached,
        outside_force=outside_force,
        safeguards_obliged=safeguards_obliged,
        shared_by=ctx.user.id,
        shared_at=ctx.now,
    )
    ctx.session.add(row)
    ctx.session.flush()
    ctx.note(
        report=report.reference,
        shared=row.shared,
        outside_force=outside_force,
        citation="003 §8.27–8.29",
    )
    return row


def disseminations_of(session, search_id: str) -> list[RfrDissemination]:
    return list(
        session.scalars(
            select(RfrDissemination)
            .where(RfrDissemination.search_id == search_id)
            .order_by(RfrDissemination.shared_at)
        )
    )
