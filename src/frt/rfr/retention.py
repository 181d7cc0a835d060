"""RFR data retention (RFR-02, RFR-11, DATA-03; 003 §7.1).

What is deleted, and when (each deadline read from the force profile):

- a library whose approval has ended (003 §7.1(b)(ii)): unsearchable at once (`rfr_rules.
  library_searchable`); its images, templates and image metadata deleted — a stopped library at
  the next run ("as soon as possible"), a library whose review is overdue once the profile's
  period (31 days) has passed since the review date, for a late review may still renew it;
- a library image older than the age/MOPI table allows (§7.1(b)(i); `rfr.library_retention_
  years`, each cell cited; an unknown age band or MOPI group takes the most cautious cell);
- a search's Probe Image, its faces' crops and templates: within `rfr.probe_retention_days` of
  the search that gave a Viable Match (§7.1(b)(iii)) or of the completed search without one
  (§7.1(b)(iv)B); a probe offered to or in the Unresolved Crime Cache is kept, and deleted at
  the next run once removed from it (§7.1(b)(iv)A).

A hold recorded by the DPO (DPA 2018, MOPI, CPIA; complaints or conduct: §7.1(a)) keeps an item
past its deadline until released. The Form 3, the steps, the counts and the audit stay.

`purge(store)` is the job (scheduled with the other retention jobs, `frt.jobs`); each deletion
is one audit record with its counts. `overdue_in(...)` lists anything kept past its deadline
without a hold: after the job it is empty.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import UTC, datetime, time, timedelta
from enum import Enum

from sqlalchemy import delete, or_, select, text

from frt.core.actions import acting, action
from frt.core.context import Ctx, choice
from frt.core.errors import InputError
from frt.people.roles import Role
from frt.policy import require
from frt.policy import rfr_cache_rules as rules
from frt.policy.retention_rules import hold_reason
from frt.rfr.enums import LibraryStatus, SearchStatus, StepOutcome
from frt.rfr.models import (
    RfrCacheEntry,
    RfrHold,
    RfrLibrary,
    RfrLibraryDecision,
    RfrLibraryImage,
    RfrProbeFace,
    RfrProbeImage,
    RfrSearch,
    RfrSearchStep,
    RfrTemplate,
)
from frt.store.base import utcnow

COMPONENT = "retention"
# "In any case within" the period: the job deletes an hour early, as for Alerts (its runs are
# minutes apart), so it is always inside the limit.
MARGIN = timedelta(hours=1)


class HoldGround(str, Enum):  # the values of frt.retention.alerts.HoldGround
    DPA_MOPI_CPIA = "dpa_mopi_cpia"  # 003 §7.1(a)(i)
    COMPLAINT_CONDUCT = "complaint_conduct"  # 003 §7.1(a)(ii)

    @property
    def label(self) -> str:
        return {
            "dpa_mopi_cpia": "DPA 2018, MOPI, CPIA (003 §7.1(a)(i))",
            "complaint_conduct": "complaints or conduct investigation (003 §7.1(a)(ii))",
        }[self.value]


HOLD_CITE = "003 §7.1(a)"
KINDS = {"rfr_search": "Probe Image", "rfr_library": "library", "rfr_library_image": "image"}
ENDED = (LibraryStatus.STOPPED.value, LibraryStatus.REFUSED.value)
IN_FORCE = (LibraryStatus.APPROVED.value, LibraryStatus.URGENT_APPROVED.value)


# ---------------------------------------------------------------- holds
@action("retention.rfr.hold", roles=[Role.DPO], touches="retention_rfr_hold", key="object_id")
def place_hold(ctx: Ctx, object_type: str, object_id: str, ground: str, reason: str) -> RfrHold:
    """The DPO records why an RFR item must be kept past its period (003 §7.1(a))."""
    if object_type not in KINDS:
        raise InputError(f"a hold is on one of: {', '.join(KINDS)}")
    model = {
        "rfr_search": RfrSearch,
        "rfr_library": RfrLibrary,
        "rfr_library_image": RfrLibraryImage,
    }
    ctx.get(model[object_type], object_id)
    ground = choice(HoldGround, ground, "ground")
    require(hold_reason(reason, HOLD_CITE))
    hold = RfrHold(
        object_type=object_type,
        object_id=object_id,
        ground=ground.value,
        reason=reason.strip(),
        placed_by=ctx.user.id,
        placed_at=ctx.now,
    )
    ctx.session.add(hold)
    ctx.session.flush()
    ctx.note(hold=hold.id, object_type=object_type, ground=ground.value, citation=HOLD_CITE)
    return hold


@action("retention.rfr.release", roles=[Role.DPO], touches="retention_rfr_hold", key="hold_id")
def release_hold(ctx: Ctx, hold_id: str) -> RfrHold:
    """The hold ends; the next run deletes the item if its deadline has passed."""
    hold = ctx.get(RfrHold, hold_id)
    if hold.released_at is not None:
        raise InputError("this hold was already released")
    hold.released_by, hold.released_at = ctx.user.id, ctx.now
    ctx.note(object_type=hold.object_type, object_id=hold.object_id)
    return hold


def _held(session) -> dict[str, list[RfrHold]]:
    out: dict[str, list[RfrHold]] = defaultdict(list)
    for hold in session.scalars(select(RfrHold).order_by(RfrHold.placed_at)):
        out[hold.object_id].append(hold)
    return out


# ---------------------------------------------------------------- what is kept, until when
@dataclass(frozen=True)
class Kept:
    """An RFR item still holding personal data: what, when it goes and why, and its holds."""

    kind: str  # rfr_search | rfr_library | rfr_library_image
    object_id: str
    label: str  # a reference: RFR-S-0001, RFR-L-0002, or an image's library and number
    deadline: datetime | None  # None: no deadline yet (in use)
    cite: str
    why: str
    at_once: bool = False  # delete at the next run (stopped library, removed cached probe)
    holds: list[RfrHold] = field(default_factory=list)

    @property
    def held(self) -> bool:
        return any(h.released_at is None for h in self.holds)


def _library_ended(session, lib: RfrLibrary, now: datetime) -> tuple[datetime, bool] | None:
    """When the library's approval ended, and whether it ended for good (stopped, refused)."""
    if lib.status in ENDED:
        last = session.scalar(
            select(RfrLibraryDecision.decided_at)
            .where(RfrLibraryDecision.library_id == lib.id)
            .order_by(RfrLibraryDecision.decided_at.desc())
            .limit(1)
        )
        return (last or lib.applied_at), True
    if lib.status in IN_FORCE and lib.review_due is not None and lib.review_due <= now:
        return lib.review_due, False
    return None


def kept_libraries(session, profile, now: datetime, holds) -> list[Kept]:
    days = profile.rfr.expired_library_deletion_days
    out = []
    for lib in session.scalars(
        select(RfrLibrary).where(RfrLibrary.deleted_at.is_(None)).order_by(RfrLibrary.reference)
    ):
        ended = _library_ended(session, lib, now)
        if ended is None:
            continue
        when, final = ended
        why = "approval stopped" if final else "review overdue: approval expired"
        out.append(
            Kept(
                "rfr_library",
                lib.id,
                lib.reference,
                when + timedelta(days=days.value),
                days.cite,
                why,
                final,
                holds.get(lib.id, []),
            )
        )
    return out


WINDOW = timedelta(days=366)
BATCH = (
    1000  # library images deleted per transaction  # the DPO's page shows images due within a year
)


def _may_be_due(profile, now: datetime):
    """A SQL condition no image due within the window fails, so the job and the page read only
    those rows (a library may hold millions): captured before the shortest period's cut-off, or
    enrolled before it where the capture date is unknown, or in a cell 'not in scope'."""
    table = profile.rfr.library_retention_years.value
    periods = [c.value for cells in table.values() for c in cells.values() if c.value is not None]
    horizon = (now + WINDOW).date()
    cutoff = rules.image_expires(horizon, now, -min(periods)) if periods else horizon
    image = RfrLibraryImage
    conditions = [
        image.captured_on <= cutoff,
        image.captured_on.is_(None)
        & (image.created_at <= datetime.combine(cutoff, time(), tzinfo=UTC)),
    ]
    for band, cells in table.items():
        if all(c.value is None for c in cells.values()):
            conditions.append(image.age_band == band)
            continue
        for group, cell in cells.items():
            if cell.value is None:
                conditions.append((image.age_band == band) & (image.mopi_group == int(group[-1])))
    return or_(*conditions)


def kept_images(session, profile, now: datetime, holds) -> list[Kept]:
    """Library images whose age/MOPI period ends within a year (or has ended), soonest first."""
    out = []
    image = RfrLibraryImage
    rows = session.execute(
        select(image.id, image.age_band, image.mopi_group, image.captured_on, image.created_at)
        .add_columns(RfrLibrary.reference)
        .join(RfrLibrary, RfrLibrary.id == image.library_id)
        .where(
            image.deleted_at.is_(None),
            RfrLibrary.deleted_at.is_(None),
            _may_be_due(profile, now),
        )
    ).all()
    for image_id, band, group, captured, created, ref in rows:
        cell, cautious = rules.retention_cell(band, group, profile)
        ends = rules.image_expires(captured, created, cell.value)
        deadline = datetime.combine(ends, time(), tzinfo=UTC)
        if deadline > now + WINDOW:
            continue
        why = "most cautious cell (age band or MOPI group unknown)" if cautious else "age/MOPI"
        out.append(
            Kept(
                "rfr_library_image",
                image_id,
                f"{ref} image {image_id[:8]}",
                deadline,
                cell.cite,
                why,
                holds=holds.get(image_id, []),
            )
        )
    return sorted(out, key=lambda k: k.deadline or now)


def _probe_deadline(session, search: RfrSearch, profile) -> tuple[datetime | None, str, str, bool]:
    """(deadline, citation, why, at once) of a search's probe."""
    days = profile.rfr.probe_retention_days
    entries = list(
        session.scalars(
            select(RfrCacheEntry)
            .where(RfrCacheEntry.search_id == search.id)
            .order_by(RfrCacheEntry.requested_at.desc())
        )
    )
    if any(e.status in ("requested", "active") for e in entries):
        return None, "003 §6", "in the Unresolved Crime Cache", False
    removed = [e for e in entries if e.status == "removed"]
    if removed:
        return removed[0].removed_at, "003 §7.1(b)(iv)(A)", "removed from the cache", True
    viable = session.scalar(
        select(RfrSearchStep.outcome_at)
        .where(
            RfrSearchStep.search_id == search.id,
            RfrSearchStep.outcome == StepOutcome.VIABLE_MATCH.value,
        )
        .order_by(RfrSearchStep.outcome_at)
        .limit(1)
    )
    if viable is not None:
        return viable + timedelta(days=days.value), days.cite, "Viable Match", False
    if search.status == SearchStatus.COMPLETED.value and search.completed_at:
        return (
            search.completed_at + timedelta(days=days.value),
            "003 §7.1(b)(iv)(B)",
            "no Viable Match; no further search",
            False,
        )
    return None, "", "search in progress", False


def kept_probes(session, profile, now: datetime, holds) -> list[Kept]:
    held_probe = select(RfrProbeImage.search_id).where(RfrProbeImage.image_sealed.is_not(None))
    held_face = select(RfrProbeFace.search_id).where(
        RfrProbeFace.crop_sealed.is_not(None) | RfrProbeFace.template_sealed.is_not(None)
    )
    out = []
    for search in session.scalars(
        select(RfrSearch)
        .where(RfrSearch.id.in_(held_probe) | RfrSearch.id.in_(held_face))
        .order_by(RfrSearch.reference)
    ):
        deadline, cite, why, at_once = _probe_deadline(session, search, profile)
        out.append(
            Kept(
                "rfr_search",
                search.id,
                search.reference,
                deadline,
                cite,
                why,
                at_once,
                holds.get(search.id, []),
            )
        )
    return out


def kept(session, profile, now: datetime) -> list[Kept]:
    """Everything RFR still holds with a deadline in view, for the DPO's page."""
    holds = _held(session)
    return (
        kept_libraries(session, profile, now, holds)
        + kept_probes(session, profile, now, holds)
        + kept_images(session, profile, now, holds)
    )


def _due(item: Kept, now: datetime, margin: timedelta) -> bool:
    if item.held or item.deadline is None:
        return False
    return item.at_once or item.deadline - margin <= now


def overdue_in(session, profile, now: datetime) -> list[Kept]:
    """DATA-03: every RFR item kept past its deadline without a hold (should be none)."""
    return [
        k
        for k in kept(session, profile, now)
        if not k.held and k.deadline is not None and k.deadline <= now
    ]


# ---------------------------------------------------------------- the job
def purge(store, now: datetime | None = None, profile=None) -> dict[str, int]:
    """Delete what is due; the counts: libraries, images (by age/MOPI), probes."""
    from frt.policy import load_profile

    now = now or utcnow()
    profile = profile or load_profile(store.settings.policy_profile)
    counts = {"libraries": 0, "images": 0, "probes": 0}
    with store.session() as s:
        due = [k for k in kept(s, profile, now) if _due(k, now, MARGIN)]
    images = [k.object_id for k in due if k.kind == "rfr_library_image"]
    for item in due:
        if item.kind == "rfr_library_image":
            continue
        with acting(store, None, profile=profile, now=now, component=COMPONENT) as ctx:
            _secure_delete(ctx)
            if item.kind == "rfr_library":
                delete_library(ctx, item.object_id)
                counts["libraries"] += 1
            else:
                delete_probe(ctx, item.object_id, item.cite)
                counts["probes"] += 1
    by_library: dict[str, list[str]] = defaultdict(list)
    with store.session() as s:
        for start in range(0, len(images), BATCH):
            for image_id, library_id in s.execute(
                select(RfrLibraryImage.id, RfrLibraryImage.library_id).where(
                    RfrLibraryImage.id.in_(images[start : start + BATCH])
                )
            ):
                by_library[library_id].append(image_id)
    for library_id, image_ids in sorted(by_library.items()):
        for start in range(0, len(image_ids), BATCH):  # one transaction and record per batch
            with acting(store, None, profile=profile, now=now, component=COMPONENT) as ctx:
                _secure_delete(ctx)
                counts["images"] += delete_images(ctx, library_id, image_ids[start : start + BATCH])
    return counts


def _secure_delete(ctx: Ctx) -> None:
    if ctx.session.get_bind().dialect.name == "sqlite":
        ctx.session.execute(text("PRAGMA secure_delete=ON"))  # overwrite freed pages


def _scrub(ctx: Ctx, images: list[RfrLibraryImage]) -> int:
    ids = [i.id for i in images]
    templates = 0
    if ids:
        deleted = ctx.session.execute(delete(RfrTemplate).where(RfrTemplate.image_id.in_(ids)))
        templates = deleted.rowcount  # type: ignore[attr-defined]  # a CursorResult
    for image in images:
        image.image_sealed, image.deleted_at = None, ctx.now
        image.item_key, image.sha256, image.source_reference = f"deleted/{image.id}", "", ""
        image.captured_on, image.age_band, image.mopi_group = None, None, None
    return templates or 0


@action("retention.rfr_library.delete", touches="rfr_library", key="library_id", system=True)
def delete_library(ctx: Ctx, library_id: str) -> int:
    """RFR-02: an ended library's images, templates and image metadata go; the counts stay."""
    lib = ctx.get(RfrLibrary, library_id)
    images = list(
        ctx.session.scalars(
            select(RfrLibraryImage).where(
                RfrLibraryImage.library_id == lib.id, RfrLibraryImage.deleted_at.is_(None)
            )
        )
    )
    templates = _scrub(ctx, images)
    lib.deleted_at = ctx.now
    ctx.note(
        images=len(images),
        templates=templates,
        citation=ctx.profile.rfr.expired_library_deletion_days.cite,
    )
    return len(images)


@action("retention.rfr_images.delete", touches="rfr_library", key="library_id", system=True)
def delete_images(ctx: Ctx, library_id: str, image_ids: list[str]) -> int:
    """RFR-11: library images past their age/MOPI period go, with their templates."""
    images = list(
        ctx.session.scalars(
            select(RfrLibraryImage).where(
                RfrLibraryImage.id.in_(image_ids), RfrLibraryImage.library_id == library_id
            )
        )
    )
    templates = _scrub(ctx, images)
    ctx.note(images=len(images), templates=templates, citation="003 §7.1(b)(i)")
    return len(images)


@action("retention.rfr_probe.delete", touches="rfr_search", key="search_id", system=True)
def delete_probe(ctx: Ctx, search_id: str, cite: str) -> int:
    """RFR-11: a search's Probe Image(s), face crops and templates go; the Form 3 stays."""
    images = list(
        ctx.session.scalars(select(RfrProbeImage).where(RfrProbeImage.search_id == search_id))
    )
    for image in images:
        image.image_sealed = None
        image.deleted_at = image.deleted_at or ctx.now
    faces = list(
        ctx.session.scalars(select(RfrProbeFace).where(RfrProbeFace.search_id == search_id))
    )
    for face in faces:
        face.crop_sealed, face.template_sealed = None, None
    ctx.note(probe_images=len(images), faces=len(faces), citation=cite)
    return len(images)
