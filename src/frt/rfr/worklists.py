"""What waits for each RFR role: the home page's work lists and `frt rfr worklist` (read only).

- the RFR user: their searches in progress; new candidates from the Unresolved Crime Cache to
  adjudicate and cached probes' reviews due (003 §6, §7.1(b)(iv)A);
- an RFR Approving Officer: Form 3s to approve; probes offered to the Unresolved Crime Cache; Form 2s to decide (Superintendent rank), urgent
  approvals to continue, vary or stop (§5.10), verbal approvals to write up (§5.9), reviews due;
- the SRO for RFR: Form 1s to decide, substantive reviews due;
- the Operational Lead for FR: reviews recorded, to cite to the FRT Board, and overdue reviews
  (their libraries unsearchable meanwhile; §5.7(f)(v), §7.1(b)(ii));
- the FR Team: technical advice asked for (§4.7), approved libraries with nothing enrolled.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import func, select

from frt.people.models import User
from frt.people.roles import Role
from frt.policy import load_profile
from frt.policy import rfr_rules as rules
from frt.rfr.enums import LibraryStatus, SearchStatus
from frt.rfr.models import (
    RfrLibrary,
    RfrLibraryDecision,
    RfrLibraryImage,
    RfrSearch,
    RfrSearchStep,
    RfrTechnicalAdvice,
)

REVIEW_NOTICE = timedelta(days=14)
IN_FORCE = (LibraryStatus.APPROVED.value, LibraryStatus.URGENT_APPROVED.value)


@dataclass(frozen=True)
class WorkItem:
    label: str
    href: str
    detail: str = ""


def _lib(lib: RfrLibrary, label: str, detail: str = "") -> WorkItem:
    return WorkItem(f"{label}: {lib.reference} {lib.name}", f"/rfr/libraries/{lib.id}", detail)


def _reviews_due(session, kind: str, now: datetime) -> list[WorkItem]:
    rows = session.scalars(
        select(RfrLibrary)
        .where(
            RfrLibrary.kind == kind,
            RfrLibrary.status.in_(IN_FORCE),
            RfrLibrary.review_due <= now + REVIEW_NOTICE,
        )
        .order_by(RfrLibrary.review_due)
    )
    return [_lib(lib, "Review due", _due(lib, now)) for lib in rows]


def _due(lib: RfrLibrary, now: datetime) -> str:
    if lib.review_due is None:
        return "no review date set"
    if lib.review_due <= now:
        return f"overdue since {lib.review_due:%d %b %Y}: unsearchable until reviewed"
    return f"by {lib.review_due:%d %b %Y}"


def _written(session, user: User) -> list[WorkItem]:
    rows = session.scalars(
        select(RfrLibrary).where(
            RfrLibrary.written_rationale_due.is_(True), RfrLibrary.approved_by == user.id
        )
    )
    return [
        _lib(lib, "Record the written rationale of your verbal approval", "003 §5.9")
        for lib in rows
    ]


def sro_items(session, user: User, now: datetime) -> list[WorkItem]:
    applied = session.scalars(
        select(RfrLibrary)
        .where(RfrLibrary.kind == "substantive", RfrLibrary.status == LibraryStatus.APPLIED.value)
        .order_by(RfrLibrary.applied_at)
    )
    return (
        [_lib(lib, "Form 1 to decide") for lib in applied]
        + _reviews_due(session, "substantive", now)
        + _written(session, user)
    )


def approver_items(session, user: User, now: datetime, profile=None) -> list[WorkItem]:
    profile = profile or load_profile("mps")
    rank = user.rank_enum
    items = _written(session, user)
    if rank.at_least(profile.rfr.temporary_library_min_rank.value):
        for lib in session.scalars(
            select(RfrLibrary)
            .where(
                RfrLibrary.kind == "temporary",
                RfrLibrary.status.in_(
                    [LibraryStatus.APPLIED.value, LibraryStatus.URGENT_APPROVED.value]
                ),
            )
            .order_by(RfrLibrary.applied_at)
        ):
            items.append(
                _lib(
                    lib,
                    "Form 2 to decide"
                    if lib.status == "applied"
                    else "Urgent approval: continue, vary or stop",
                    "003 §5.10" if lib.status != "applied" else "",
                )
            )
        items += _reviews_due(session, "temporary", now)
    if rank.at_least(profile.rfr.cache_approver_min_rank.value):
        items += _cache_requests(session, user)
    if rules.approver_rank(rank, profile):
        for search in session.scalars(
            select(RfrSearch)
            .where(
                RfrSearch.status == SearchStatus.AWAITING_APPROVAL.value,
                RfrSearch.searcher_id != user.id,
            )
            .order_by(RfrSearch.submitted_at)
        ):
            items.append(
                WorkItem(
                    f"Form 3 to approve: {search.reference}",
                    f"/rfr/searches/{search.id}",
                    "; ".join(n["key"].split(":")[0].replace("_", " ") for n in search.needs),
                )
            )
    return items


def _cache_requests(session, user: User) -> list[WorkItem]:
    from frt.rfr import cache

    out = []
    for entry in cache.requested_entries(session):
        if entry.owner_id == user.id:
            continue
        search = session.get(RfrSearch, entry.search_id)
        out.append(
            WorkItem(
                f"Unresolved Crime Cache: add {search.reference}?",
                f"/rfr/searches/{search.id}#cache",
                f"Tier {entry.tier}; 003 §6.2",
            )
        )
    return out


def _cache_items(session, user: User, now: datetime) -> list[WorkItem]:
    from frt.rfr import cache

    items = [
        WorkItem(
            f"New candidates from the Unresolved Crime Cache: {search.reference}",
            f"/rfr/searches/{search.id}#candidates",
            f"{step.candidates} to adjudicate (003 §6.1)",
        )
        for search, step in cache.pending_steps(session, user.id)
    ]
    for entry in cache.active_entries(session, user.id):
        if entry.review_due is not None and entry.review_due <= now + REVIEW_NOTICE:
            search = session.get(RfrSearch, entry.search_id)
            when = (
                f"overdue since {entry.review_due:%d %b %Y}: not re-searched until reviewed"
                if entry.review_due <= now
                else f"by {entry.review_due:%d %b %Y}"
            )
            items.append(
                WorkItem(
                    f"Cache review due (Tier {entry.tier}): {search.reference}",
                    f"/rfr/searches/{search.id}#cache",
                    when,
                )
            )
    return items


def lead_items(session, user: User, now: datetime) -> list[WorkItem]:
    items = []
    for row, lib in session.execute(
        select(RfrLibraryDecision, RfrLibrary)
        .join(RfrLibrary, RfrLibrary.id == RfrLibraryDecision.library_id)
        .where(RfrLibraryDecision.kind == "review", RfrLibraryDecision.noted_at.is_(None))
        .order_by(RfrLibraryDecision.decided_at)
    ):
        items.append(
            WorkItem(
                f"Review recorded: {lib.reference} {lib.name}",
                f"/rfr/libraries/{lib.id}",
                f"{row.decided_at:%d %b %Y}: note it for the FRT Board",
            )
        )
    for lib in session.scalars(
        select(RfrLibrary)
        .where(RfrLibrary.status.in_(IN_FORCE), RfrLibrary.review_due <= now)
        .order_by(RfrLibrary.review_due)
    ):
        items.append(_lib(lib, "Review overdue", _due(lib, now)))
    return items


def searcher_items(session, user: User, now: datetime) -> list[WorkItem]:
    items = _cache_items(session, user, now)
    for search in session.scalars(
        select(RfrSearch)
        .where(
            RfrSearch.searcher_id == user.id,
            RfrSearch.status.in_(
                [s.value for s in SearchStatus if s.value not in ("completed", "refused")]
            ),
        )
        .order_by(RfrSearch.created_at.desc())
    ):
        pending = session.scalar(
            select(func.count())
            .select_from(RfrSearchStep)
            .where(RfrSearchStep.search_id == search.id, RfrSearchStep.outcome == "pending")
        )
        detail = {
            "draft": "probe and Form 3 in progress",
            "awaiting_approval": "waiting for an approving officer",
            "ready": "approved: search the first level",
            "searching": "adjudicate the candidates" if pending else "search the next level",
        }[search.status]
        items.append(
            WorkItem(
                f"{search.reference} (case {search.case_reference})",
                f"/rfr/searches/{search.id}",
                detail,
            )
        )
    return items


def frteam_items(session, user: User, now: datetime) -> list[WorkItem]:
    advised = select(RfrTechnicalAdvice.search_id)
    items = []
    for search in session.scalars(
        select(RfrSearch)
        .where(
            RfrSearch.status == SearchStatus.AWAITING_APPROVAL.value, RfrSearch.id.not_in(advised)
        )
        .order_by(RfrSearch.submitted_at)
    ):
        if any(n.get("advice") for n in search.needs or []):
            items.append(
                WorkItem(
                    f"Technical advice asked: {search.reference}",
                    f"/rfr/searches/{search.id}",
                    "003 §4.7",
                )
            )
    enrolled = select(RfrLibraryImage.library_id).where(RfrLibraryImage.status == "enrolled")
    for lib in session.scalars(
        select(RfrLibrary).where(RfrLibrary.status.in_(IN_FORCE), RfrLibrary.id.not_in(enrolled))
    ):
        items.append(
            _lib(
                lib,
                "Approved, nothing enrolled yet",
                f"frt rfr library import {lib.reference} FOLDER|CSV",
            )
        )
    return items


FOR_ROLE = {
    Role.RFR_USER: searcher_items,
    Role.RFR_APPROVING_OFFICER: approver_items,
    Role.SRO: sro_items,
    Role.FR_OPERATIONAL_LEAD: lead_items,
    Role.FR_TEAM: frteam_items,
}
