"""The Unresolved Crime Cache (RFR-10; 003 §6, §7.1(b)(iv)A).

A completed search that gave no Viable Match — or only a match to an image of an unknown person
— may be offered to the cache by its searcher (`request`), naming the §8.3 grounds that still
apply; an officer of the profile's rank approves (`decide`). Its tier is its offence's (Annex C,
from the profile), and its review falls due 3, 6 or 9 months after the Form 3's submission (then
after each review) for Tiers 3, 2 and 1.

When images are enrolled into a library the Form 3 lists, `run` searches each active cached
probe against the templates created since it was last searched — the new images, never the whole
library again — and every candidate scoring at least the profile's threshold becomes a step of
the search with its candidates, pending, for the owner to adjudicate as any other (it appears on
their work list). A probe whose review is overdue is not re-searched until it is reviewed. The
owner removes a probe with the reason (resolved by other means); retention then deletes it.

`run(store)` is called at the end of every import (`frt.rfr.enrol`) and by the scheduled jobs.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

import numpy as np
from sqlalchemy import func, select

from frt.core.actions import acting, action
from frt.core.context import Ctx
from frt.core.errors import InputError, NotFound
from frt.engine.compare import Gallery
from frt.engine.template import Template
from frt.people.roles import Role
from frt.policy import Decision, require
from frt.policy import rfr_cache_rules as rules
from frt.policy.access import object_access
from frt.rfr import libraries
from frt.rfr.enums import SearchStatus, StepOutcome
from frt.rfr.models import (
    RfrCacheEntry,
    RfrCandidate,
    RfrLibrary,
    RfrLibraryImage,
    RfrProbeFace,
    RfrSearch,
    RfrSearchStep,
    RfrTemplate,
)
from frt.rfr.searches import TRAINING, searcher_only, selected_faces, steps_of
from frt.store.base import utcnow

COMPONENT = "rfr.cache"
REQUESTED, ACTIVE, REFUSED, REMOVED = "requested", "active", "refused", "removed"
OPEN = (REQUESTED, ACTIVE)


def entry_of(session, search_id: str) -> RfrCacheEntry | None:
    """The search's cache entry now requested or active, if any."""
    return session.scalar(
        select(RfrCacheEntry).where(
            RfrCacheEntry.search_id == search_id, RfrCacheEntry.status.in_(OPEN)
        )
    )


def entries_of(session, search_id: str) -> list[RfrCacheEntry]:
    return list(
        session.scalars(
            select(RfrCacheEntry)
            .where(RfrCacheEntry.search_id == search_id)
            .order_by(RfrCacheEntry.requested_at)
        )
    )


def _entry(ctx: Ctx, entry_id: str) -> RfrCacheEntry:
    entry = ctx.session.get(RfrCacheEntry, entry_id)
    if entry is None:
        raise NotFound(f"no Unresolved Crime Cache entry '{entry_id}'")
    return entry


def _owner(ctx: Ctx, arguments: dict) -> Decision:
    entry = _entry(ctx, arguments["entry_id"])
    return object_access(
        entry.owner_id == ctx.user.id, "only the probe's owner acts on its cache entry", "003 §6"
    )


def _not_owner(ctx: Ctx, arguments: dict) -> Decision:
    entry = _entry(ctx, arguments["entry_id"])
    return rules.cache_approver(ctx.user.rank_enum, entry.owner_id == ctx.user.id, ctx.profile)


# ---------------------------------------------------------------- adding, deciding
@action(
    "rfr.cache.request",
    roles=[Role.RFR_USER],
    touches="rfr_search",
    key="search_id",
    guard=searcher_only,
    **TRAINING,
)
def request(
    ctx: Ctx, search_id: str, grounds: list[str], rationale: str, unknown_person: bool = False
) -> RfrCacheEntry:
    """Ask for the search's probe to be added to the cache (003 §6.1–6.2)."""
    search = ctx.get(RfrSearch, search_id)
    if entry_of(ctx.session, search.id) is not None:
        raise InputError(f"search {search.reference} is already in (or offered to) the cache")
    require(
        rules.cache_eligible(
            search.status == SearchStatus.COMPLETED.value, search.outcome, unknown_person
        )
    )
    require(rules.cache_grounds(grounds, rationale))
    if not any(f.template_sealed for f in selected_faces(ctx.session, search.id)):
        raise InputError("this search's probe is no longer held")
    tier, tier_cite = rules.offence_tier(search.offence, ctx.profile)
    entry = RfrCacheEntry(
        search_id=search.id,
        owner_id=search.searcher_id,
        status=REQUESTED,
        grounds=[g for g in grounds if g in rules.GROUNDS_8_3],
        rationale=rationale.strip(),
        unknown_person=unknown_person,
        offence=search.offence,
        tier=tier,
        requested_at=ctx.now,
    )
    ctx.session.add(entry)
    ctx.session.flush()
    ctx.note(entry=entry.id, tier=tier, tier_citation=tier_cite, citation="003 §6.2")
    return entry


@action(
    "rfr.cache.decide",
    roles=[Role.RFR_APPROVING_OFFICER],
    touches="rfr_cache_entry",
    key="entry_id",
    guard=_not_owner,
    **TRAINING,
)
def decide(ctx: Ctx, entry_id: str, approve: bool, note: str) -> RfrCacheEntry:
    """An officer of the profile's rank approves or refuses the addition, with reasons."""
    entry = _entry(ctx, entry_id)
    if entry.status != REQUESTED:
        raise InputError(f"this cache entry is {entry.status}, not awaiting a decision")
    if not note.strip():
        raise InputError("record the reasons for the decision")
    search = ctx.get(RfrSearch, entry.search_id)
    entry.decided_by, entry.decided_rank, entry.decided_at = ctx.user.id, ctx.user.rank, ctx.now
    entry.decision_note = note.strip()
    if approve:
        entry.status = ACTIVE
        entry.review_due = rules.review_due(entry.tier, search.submitted_at or ctx.now, ctx.profile)
        last = max((s.run_at for s in steps_of(ctx.session, search.id)), default=ctx.now)
        entry.searched_to = last  # what was enrolled since the last search is still to search
    else:
        entry.status = REFUSED
    ctx.note(
        approved=approve,
        tier=entry.tier,
        review_due=entry.review_due.isoformat() if entry.review_due else None,
        citation=ctx.profile.rfr.cache_approver_min_rank.cite,
    )
    return entry


@action(
    "rfr.cache.review",
    roles=[Role.RFR_USER],
    touches="rfr_cache_entry",
    key="entry_id",
    guard=_owner,
    **TRAINING,
)
def review(
    ctx: Ctx, entry_id: str, continue_use: bool, note: str, grounds: list[str] | None = None
) -> RfrCacheEntry:
    """The owner's review of the continuing need (003 §7.1(b)(iv)A): kept, with the grounds that
    still apply, until the next review; or removed."""
    entry = _entry(ctx, entry_id)
    if entry.status != ACTIVE:
        raise InputError(f"this cache entry is {entry.status}: nothing to review")
    if not continue_use:
        require(rules.removal_reason(note))
        return _remove(ctx, entry, note)
    grounds = entry.grounds if grounds is None else grounds
    require(rules.cache_grounds(grounds, note))
    entry.grounds = [g for g in grounds if g in rules.GROUNDS_8_3]
    entry.reviews, entry.reviewed_at = entry.reviews + 1, ctx.now
    entry.review_due = rules.review_due(entry.tier, ctx.now, ctx.profile)
    ctx.note(reviews=entry.reviews, review_due=entry.review_due.isoformat(), citation="003 §7.1")
    return entry


def _remover(ctx: Ctx, arguments: dict) -> Decision:
    entry = _entry(ctx, arguments["entry_id"])
    allowed = entry.owner_id == ctx.user.id or ctx.user.has_role(Role.RFR_APPROVING_OFFICER)
    return object_access(allowed, "only the probe's owner or an approving officer removes it")


@action(
    "rfr.cache.remove",
    roles=[Role.RFR_USER, Role.RFR_APPROVING_OFFICER],
    touches="rfr_cache_entry",
    key="entry_id",
    guard=_remover,
)
def remove(ctx: Ctx, entry_id: str, reason: str) -> RfrCacheEntry:
    """Take the probe out of the cache with the reason (resolved by other means, or no longer
    needed); retention deletes it (003 §7.1(b)(iv)A)."""
    entry = _entry(ctx, entry_id)
    if entry.status not in OPEN:
        raise InputError(f"this cache entry is already {entry.status}")
    require(rules.removal_reason(reason))
    return _remove(ctx, entry, reason)


def _remove(ctx: Ctx, entry: RfrCacheEntry, reason: str) -> RfrCacheEntry:
    entry.status, entry.removed_by, entry.removed_at = REMOVED, ctx.user.id, ctx.now
    entry.removal_reason = reason.strip()
    ctx.note(removed=True, citation="003 §7.1(b)(iv)(A)")
    return entry


# ---------------------------------------------------------------- re-searching
@dataclass
class RunSummary:
    searched: int = 0  # cached probes re-searched
    overdue: int = 0  # skipped: review overdue
    hits: int = 0  # candidates at or above the threshold
    entries_with_hits: list[str] = field(default_factory=list)


def _new_templates(session, library_ids: list[str], algorithm: str, version: str, after):
    query = (
        select(RfrTemplate.id, RfrTemplate.image_id, RfrTemplate.library_id)
        .add_columns(RfrTemplate.template_sealed, RfrTemplate.created_at)
        .join(RfrLibraryImage, RfrLibraryImage.id == RfrTemplate.image_id)
        .where(
            RfrTemplate.library_id.in_(library_ids),
            RfrTemplate.algorithm == algorithm,
            RfrTemplate.version == version,
            RfrLibraryImage.deleted_at.is_(None),
        )
    )
    if after is not None:
        query = query.where(RfrTemplate.created_at > after)
    return session.execute(query).all()


def _libraries_now(ctx: Ctx, search: RfrSearch, owner) -> list[RfrLibrary]:
    """The Form 3's libraries that may be searched now by the owner (approval in force, access)."""
    out = []
    for lib_id in search.library_ids or []:
        lib = ctx.get(RfrLibrary, lib_id)
        if libraries.searchable(lib, ctx.now) and libraries.within_access(lib, owner):
            out.append(lib)
    return out


@action("rfr.cache.research", touches="rfr_cache_entry", key="entry_id", system=True)
def research(ctx: Ctx, entry_id: str) -> int:
    """Search one cached probe against the images enrolled since it was last searched; the
    candidates at or above the profile's threshold become a pending step for the owner (§6.1)."""
    from frt.people.models import User

    entry = _entry(ctx, entry_id)
    require(rules.cache_research(entry.status, entry.review_due, ctx.now))
    search = ctx.get(RfrSearch, entry.search_id)
    owner = ctx.session.get(User, entry.owner_id)
    libs = _libraries_now(ctx, search, owner)
    faces = [
        f
        for f in ctx.session.scalars(
            select(RfrProbeFace).where(
                RfrProbeFace.search_id == search.id, RfrProbeFace.selected.is_(True)
            )
        )
        if f.template_sealed is not None
    ]
    algorithm, version = search.algorithm, search.version
    rows = (
        _new_templates(ctx.session, [lib.id for lib in libs], algorithm, version, entry.searched_to)
        if libs and faces and algorithm
        else []
    )
    entry.research_runs += 1
    hits = _search_rows(ctx, entry, search, libs, faces, rows) if rows else 0
    if rows:
        entry.searched_to = max(r.created_at for r in rows)
    ctx.note(
        libraries=len(libs),
        new_templates=len(rows),
        hits=hits,
        threshold=ctx.profile.rfr.cache_match_threshold.value,
        citation="003 §6.1",
    )
    return hits


def _search_rows(ctx: Ctx, entry, search, libs, faces, rows) -> int:
    ids = [r.image_id for r in rows]
    owners = {r.image_id: r.library_id for r in rows}
    matrix = np.stack(
        [
            np.frombuffer(
                ctx.cipher.open(
                    r.template_sealed, context=f"rfr_templates.template:{r.id}".encode()
                ),
                dtype="<f4",
            )
            for r in rows
        ]
    )
    threshold = ctx.profile.rfr.cache_match_threshold.value
    k = ctx.profile.rfr.candidate_list_length.value
    found: list[tuple[RfrProbeFace, object]] = []
    try:
        gallery = Gallery(ids, matrix, search.algorithm, search.version)
        for face in faces:
            data = ctx.cipher.open(
                face.template_sealed, context=f"rfr_probe_faces.template:{face.id}".encode()
            )
            probe = Template.from_bytes(data, face.algorithm, face.version)
            found += [(face, c) for c in gallery.search(probe, k) if c.score >= threshold]
    finally:
        matrix.fill(0)
    if not found:
        return 0
    levels = {lib.id: lib.image_level or 5 for lib in libs}
    step = RfrSearchStep(
        search_id=search.id,
        number=len(steps_of(ctx.session, search.id)) + 1,
        levels=sorted({levels[owners[c.id]] for _, c in found}),
        library_ids=sorted({owners[c.id] for _, c in found}),
        run_by=entry.owner_id,
        run_at=ctx.now,
        algorithm=search.algorithm,
        version=search.version,
        templates_searched=len(rows),
        candidates=len(found),
        outcome=StepOutcome.PENDING.value,
        note="Unresolved Crime Cache: new images enrolled",
        cache_entry_id=entry.id,
    )
    ctx.session.add(step)
    ctx.session.flush()
    for face, c in found:
        ctx.session.add(
            RfrCandidate(
                search_id=search.id,
                step_id=step.id,
                face_id=face.id,
                rank=c.rank,
                score=round(c.score, 4),
                library_id=owners[c.id],
                image_id=c.id,
            )
        )
    entry.research_hits += len(found)
    return len(found)


def run(store, now: datetime | None = None, profile=None) -> RunSummary:
    """Re-search every active cached probe against the images enrolled since its last search;
    those whose review is overdue are skipped (and counted)."""
    from frt.policy import load_profile

    now = now or utcnow()
    profile = profile or load_profile(store.settings.policy_profile)
    summary = RunSummary()
    with store.session() as s:
        entries = list(
            s.execute(
                select(RfrCacheEntry.id, RfrCacheEntry.review_due).where(
                    RfrCacheEntry.status == ACTIVE
                )
            )
        )
        newest = s.scalar(select(func.max(RfrTemplate.created_at)))
    for entry_id, due in entries:
        if due is not None and due <= now:
            summary.overdue += 1
            continue
        with acting(store, None, profile=profile, now=now, component=COMPONENT) as ctx:
            entry = ctx.session.get(RfrCacheEntry, entry_id)
            if newest is None or (entry.searched_to is not None and newest <= entry.searched_to):
                continue  # nothing enrolled since its last search: no audit record needed
            hits = research(ctx, entry_id)
        summary.searched += 1
        summary.hits += hits
        if hits:
            summary.entries_with_hits.append(entry_id)
    return summary


def pending_steps(session, owner_id: str) -> list[tuple[RfrSearch, RfrSearchStep]]:
    """The owner's cache re-search steps waiting for Adjudication (their work list)."""
    return list(
        session.execute(
            select(RfrSearch, RfrSearchStep)
            .join(RfrSearchStep, RfrSearchStep.search_id == RfrSearch.id)
            .where(
                RfrSearch.searcher_id == owner_id,
                RfrSearchStep.cache_entry_id.is_not(None),
                RfrSearchStep.outcome == StepOutcome.PENDING.value,
            )
            .order_by(RfrSearchStep.run_at)
        ).all()
    )


def active_entries(session, owner_id: str | None = None) -> list[RfrCacheEntry]:
    query = select(RfrCacheEntry).where(RfrCacheEntry.status == ACTIVE)
    if owner_id:
        query = query.where(RfrCacheEntry.owner_id == owner_id)
    return list(session.scalars(query.order_by(RfrCacheEntry.review_due)))


def requested_entries(session) -> list[RfrCacheEntry]:
    return list(
        session.scalars(
            select(RfrCacheEntry)
            .where(RfrCacheEntry.status == REQUESTED)
            .order_by(RfrCacheEntry.requested_at)
        )
    )
