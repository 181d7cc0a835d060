"""Image Reference Libraries and their approvals (RFR-01, RFR-02; 003 §5.5–5.13, §7.1(b)(ii)).

A library is applied for on a Form 1 (substantive: approved by the SRO for RFR) or a Form 2
(temporary: a Superintendent; in urgency an Inspector, who must then inform a Superintendent,
who continues, varies or stops it — §5.10). A verbal approval in urgency leaves the approver a
work item for the written rationale (§5.9). Every approval records §5.7(f): rationale, access
restrictions, Image Level, conditions and the review date; reviews go to the Operational Lead
for FR (§5.7(f)(v)). Past its review date without a review continuing it, a library is
unsearchable at once (§7.1(b)(ii)).
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import func, select

from frt.core.actions import action
from frt.core.context import Ctx, choice
from frt.core.errors import InputError, NotFound
from frt.governance.references import next_value
from frt.people.models import User
from frt.people.roles import Role
from frt.policy import Decision, require
from frt.policy import rfr_rules as rules
from frt.policy.access import object_access
from frt.rfr.enums import LibraryDecisionKind, LibraryKind, LibraryStatus
from frt.rfr.models import RfrLibrary, RfrLibraryDecision, RfrLibraryImage

APPLICANTS = (
    Role.RFR_USER,
    Role.RFR_APPROVING_OFFICER,
    Role.FR_TEAM,
    Role.FR_OPERATIONAL_LEAD,
    Role.SRO,
)
DECIDERS = (Role.SRO, Role.RFR_APPROVING_OFFICER)
FORM_FIELDS = {  # 003 §5.7(a)–(e)
    "legal_basis": "(a) the legal basis and the provisions under which the images are held",
    "provenance": "(b) how the images were obtained and the expectations of privacy",
    "composition": "(c)(i) the library's nature, composition and image quality",
    "elevated_considerations": "(c)(ii) whether elevated privacy or human rights "
    "considerations arise",
    "necessity": "(d) necessity and proportionality",
    "monitoring": "(e) how its use will be monitored and assured",
}
ACCESS_CITE = "003 §5.7(f)(ii)"


# ---------------------------------------------------------------- facts
def find(session, ref: str) -> RfrLibrary:
    """A library by id or reference (RFR-L-0001)."""
    lib = session.get(RfrLibrary, ref) or session.scalar(
        select(RfrLibrary).where(RfrLibrary.reference == ref.strip().upper())
    )
    if lib is None:
        raise NotFound(f"no library '{ref}'")
    return lib


def searchable(lib: RfrLibrary, now: datetime) -> Decision:
    return rules.library_searchable(lib.status, lib.review_due, now)


def within_access(lib: RfrLibrary, user: User) -> bool:
    """The user is within the library's access restrictions (§5.7(f)(ii))."""
    if lib.access_all:
        return user.has_role(Role.RFR_USER)
    return user.id in (lib.access_user_ids or [])


def access(lib: RfrLibrary, user: User) -> Decision:
    return object_access(
        within_access(lib, user),
        f"you are outside the access restrictions of library {lib.reference}",
        ACCESS_CITE,
    )


def image_count(session, library_id: str) -> int:
    return (
        session.scalar(
            select(func.count())
            .select_from(RfrLibraryImage)
            .where(RfrLibraryImage.library_id == library_id, RfrLibraryImage.status == "enrolled")
        )
        or 0
    )


def _reference(session) -> str:
    existing = session.scalar(select(func.count()).select_from(RfrLibrary)) or 0
    return f"RFR-L-{next_value(session, 'rfr_library', existing=existing):04d}"


def _users_exist(session, ids: list[str]) -> list[str]:
    ids = sorted({i for i in ids if i})
    found = set(session.scalars(select(User.id).where(User.id.in_(ids)))) if ids else set()
    missing = [i for i in ids if i not in found]
    if missing:
        raise InputError(f"no user with id {missing[0]} (access restrictions name users)")
    return ids


# ---------------------------------------------------------------- Form 1 / Form 2
@action("rfr.library.apply", roles=APPLICANTS, touches="rfr_library")
def apply(
    ctx: Ctx,
    kind: str,
    name: str,
    *,
    legal_basis: str = "",
    provenance: str = "",
    composition: str = "",
    elevated_considerations: str = "",
    necessity: str = "",
    monitoring: str = "",
    investigation: str = "",
) -> RfrLibrary:
    """Complete a Form 1 (substantive) or Form 2 (temporary) for a decision (§5.6)."""
    kind = choice(LibraryKind, kind, "library kind")
    if not name.strip():
        raise InputError("a library needs a name")
    if kind is LibraryKind.TEMPORARY and not investigation.strip():
        raise InputError(
            "a temporary library names the investigation or operation it serves (003 §5.5(b)(i))"
        )
    lib = RfrLibrary(
        reference=_reference(ctx.session),
        name=name.strip(),
        kind=kind.value,
        status=LibraryStatus.APPLIED.value,
        legal_basis=legal_basis,
        provenance=provenance,
        composition=composition,
        elevated_considerations=elevated_considerations,
        necessity=necessity,
        monitoring=monitoring,
        investigation=investigation.strip(),
        applicant_id=ctx.user.id,
        applied_at=ctx.now,
        access_user_ids=[],
    )
    ctx.session.add(lib)
    ctx.session.flush()
    ctx.note(
        reference=lib.reference,
        kind=kind.value,
        form="Form 1" if kind.value == "substantive" else "Form 2",
        citation="003 §5.6",
    )
    return lib


def missing_fields(lib: RfrLibrary) -> list[str]:
    return [label for key, label in FORM_FIELDS.items() if not getattr(lib, key).strip()]


@action("rfr.library.decide", roles=DECIDERS, touches="rfr_library", key="library_id")
def decide(
    ctx: Ctx,
    library_id: str,
    approve: bool,
    rationale: str,
    *,
    image_level: int | None = None,
    access_all: bool = False,
    access_user_ids: list[str] | None = None,
    conditions: str = "",
    review_due: datetime | None = None,
    urgent: bool = False,
    verbal: bool = False,
) -> RfrLibraryDecision:
    """The RFR Approving Officer's decision on a Form 1 / Form 2 (§5.5, §5.7(f), §5.9–5.10)."""
    lib = ctx.get(RfrLibrary, library_id)
    if lib.status != LibraryStatus.APPLIED.value:
        raise InputError(f"library {lib.reference} is {lib.status}, not awaiting a decision")
    rank = ctx.user.rank_enum
    require(
        rules.library_approver(
            lib.kind,
            is_sro=ctx.user.has_role(Role.SRO),
            is_approving_officer=ctx.user.has_role(Role.RFR_APPROVING_OFFICER),
            rank=rank,
            urgent=urgent,
            profile=ctx.profile,
        )
    )
    if verbal and not urgent:
        require(
            Decision.refuse(
                "a verbal approval is given only in urgency", "003 §5.9", "RFR-LIB-VERBAL"
            )
        )
    if not approve:
        if not rationale.strip():
            raise InputError("a refusal records its reasons")
        lib.status = LibraryStatus.REFUSED.value
        return _decision(ctx, lib, LibraryDecisionKind.REFUSE, rationale, urgent=urgent)
    require(
        rules.form_complete(
            missing_fields(lib), "Form 1" if lib.kind == "substantive" else "Form 2"
        )
    )
    users = _users_exist(ctx.session, access_user_ids or [])
    require(rules.approval_terms(rationale, image_level, access_all, users))
    if review_due is None:
        raise InputError("an approval sets the date it falls for review (003 §5.7(f)(v))")
    require(rules.review_period(lib.kind, True, ctx.now, review_due, ctx.profile))
    normal_rank = ctx.profile.rfr.temporary_library_min_rank.value
    by_inspector = (
        lib.kind == "temporary"
        and not rank.at_least(normal_rank)
        and not ctx.user.has_role(Role.SRO)
    )
    _set_terms(lib, image_level, access_all, users, conditions, review_due)
    lib.status = (LibraryStatus.URGENT_APPROVED if by_inspector else LibraryStatus.APPROVED).value
    lib.approved_by, lib.approved_at = ctx.user.id, ctx.now
    lib.written_rationale_due = verbal
    kind = LibraryDecisionKind.URGENT_APPROVE if urgent else LibraryDecisionKind.APPROVE
    return _decision(ctx, lib, kind, rationale, urgent=urgent, verbal=verbal)


def _set_terms(lib, image_level, access_all, users, conditions, review_due) -> None:
    lib.image_level, lib.access_all, lib.access_user_ids = image_level, access_all, users
    lib.conditions, lib.review_due = conditions.strip(), review_due


def _decision(
    ctx: Ctx,
    lib: RfrLibrary,
    kind: LibraryDecisionKind,
    rationale: str,
    *,
    urgent: bool = False,
    verbal: bool = False,
) -> RfrLibraryDecision:
    row = RfrLibraryDecision(
        library_id=lib.id,
        kind=kind.value,
        decided_by=ctx.user.id,
        rank=ctx.user.rank,
        decided_at=ctx.now,
        rationale=rationale.strip(),
        image_level=lib.image_level,
        access_all=lib.access_all,
        access_user_ids=list(lib.access_user_ids or []),
        conditions=lib.conditions,
        review_due=lib.review_due,
        urgent=urgent,
        verbal=verbal,
    )
    ctx.session.add(row)
    ctx.session.flush()
    ctx.note(
        decision=kind.value,
        decision_id=row.id,
        status=lib.status,
        image_level=lib.image_level,
        review_due=lib.review_due.isoformat() if lib.review_due else None,
        citation="003 §5.7(f)",
    )
    return row


@action("rfr.library.written_rationale", roles=DECIDERS, touches="rfr_library", key="library_id")
def written_rationale(ctx: Ctx, library_id: str, rationale: str) -> RfrLibraryDecision:
    """The approver who approved verbally records the rationale in writing (§5.9)."""
    lib = ctx.get(RfrLibrary, library_id)
    if not lib.written_rationale_due:
        raise InputError(f"library {lib.reference} has no verbal approval awaiting its rationale")
    if lib.approved_by != ctx.user.id:
        require(
            object_access(
                False, "the officer who approved verbally records the rationale", "003 §5.9"
            )
        )
    if not rationale.strip():
        raise InputError("record the rationale")
    lib.written_rationale_due = False
    return _decision(ctx, lib, LibraryDecisionKind.WRITTEN_RATIONALE, rationale)


@action(
    "rfr.library.follow_up",
    roles=[Role.RFR_APPROVING_OFFICER, Role.SRO],
    touches="rfr_library",
    key="library_id",
)
def follow_up(
    ctx: Ctx,
    library_id: str,
    outcome: str,
    rationale: str,
    *,
    image_level: int | None = None,
    access_all: bool | None = None,
    access_user_ids: list[str] | None = None,
    conditions: str | None = None,
    review_due: datetime | None = None,
) -> RfrLibraryDecision:
    """A Superintendent continues, varies or stops an Inspector's urgent approval (§5.10)."""
    lib = ctx.get(RfrLibrary, library_id)
    if lib.status != LibraryStatus.URGENT_APPROVED.value:
        raise InputError(f"library {lib.reference} has no urgent approval to follow up")
    require(rules.superintendent_follow_up(ctx.user.rank_enum, ctx.profile))
    kind = choice(LibraryDecisionKind, outcome, "outcome")
    if kind not in (
        LibraryDecisionKind.CONTINUE,
        LibraryDecisionKind.VARY,
        LibraryDecisionKind.STOP,
    ):
        raise InputError("the outcome is continue, vary or stop (003 §5.10)")
    if not rationale.strip():
        raise InputError("record the reasons")
    if kind is LibraryDecisionKind.STOP:
        lib.status = LibraryStatus.STOPPED.value
        return _decision(ctx, lib, kind, rationale)
    if kind is LibraryDecisionKind.VARY:
        users = _users_exist(
            ctx.session, access_user_ids if access_user_ids is not None else lib.access_user_ids
        )
        level = image_level if image_level is not None else lib.image_level
        every = lib.access_all if access_all is None else access_all
        require(rules.approval_terms(rationale, level, every, users))
        due = review_due or lib.review_due
        require(
            rules.review_period(
                lib.kind, True, lib.approved_at or ctx.now, due or ctx.now, ctx.profile
            )
        )
        _set_terms(
            lib, level, every, users, lib.conditions if conditions is None else conditions, due
        )
    lib.status = LibraryStatus.APPROVED.value
    return _decision(ctx, lib, kind, rationale)


@action("rfr.library.review", roles=DECIDERS, touches="rfr_library", key="library_id")
def review(
    ctx: Ctx,
    library_id: str,
    continue_use: bool,
    rationale: str,
    review_due: datetime | None = None,
) -> RfrLibraryDecision:
    """A review of the approval (§5.7(f)(v)): continued use until the next review date, or the
    library's use stops. The record goes to the Operational Lead for FR."""
    lib = ctx.get(RfrLibrary, library_id)
    if lib.status not in (LibraryStatus.APPROVED.value, LibraryStatus.URGENT_APPROVED.value):
        raise InputError(f"library {lib.reference} is {lib.status}: nothing to review")
    if lib.deleted_at is not None:  # its approval lapsed and its images were deleted (§7.1(b)(ii))
        raise InputError(f"library {lib.reference} was deleted when its approval lapsed")
    require(
        rules.library_approver(
            lib.kind,
            is_sro=ctx.user.has_role(Role.SRO),
            is_approving_officer=ctx.user.has_role(Role.RFR_APPROVING_OFFICER),
            rank=ctx.user.rank_enum,
            urgent=False,
            profile=ctx.profile,
        )
    )
    if not rationale.strip():
        raise InputError("a review records its findings")
    if not continue_use:
        lib.status = LibraryStatus.STOPPED.value
        return _decision(ctx, lib, LibraryDecisionKind.REVIEW, rationale)
    if review_due is None:
        raise InputError("a review that supports continued use sets the next review date")
    require(rules.review_period(lib.kind, False, ctx.now, review_due, ctx.profile))
    lib.review_due, lib.reviews = review_due, (lib.reviews or 0) + 1
    return _decision(ctx, lib, LibraryDecisionKind.REVIEW, rationale)


@action(
    "rfr.library.review_noted",
    roles=[Role.FR_OPERATIONAL_LEAD],
    touches="rfr_library_decision",
    key="decision_id",
)
def note_review(ctx: Ctx, decision_id: str) -> RfrLibraryDecision:
    """The Operational Lead for FR receives a review, to cite to the FRT Board (§5.7(f)(v))."""
    row = ctx.get(RfrLibraryDecision, decision_id)
    if row.kind != LibraryDecisionKind.REVIEW.value:
        raise InputError("only reviews are noted by the Operational Lead")
    row.noted_by, row.noted_at = ctx.user.id, ctx.now
    ctx.note(library_id=row.library_id, citation="003 §5.7(f)(v)")
    return row


# ---------------------------------------------------------------- images (personal data)
def _may_see_images(ctx: Ctx, arguments: dict) -> Decision:
    image = ctx.session.get(RfrLibraryImage, arguments["image_id"])
    if image is None:
        raise NotFound(f"no library image '{arguments['image_id']}'")
    return access(ctx.get(RfrLibrary, image.library_id), ctx.user)


@action(
    "rfr.library.image_view",
    roles=[Role.RFR_USER],
    touches="rfr_library_image",
    key="image_id",
    training="rfr",
    training_cite="003 §10.3",
    guard=_may_see_images,
    reads=True,
)
def image_bytes(ctx: Ctx, image_id: str) -> bytes:
    """A library image's original, opened for someone within the library's access (DATA-04)."""
    image = ctx.get(RfrLibraryImage, image_id)
    if image.image_sealed is None:
        raise NotFound("this image is no longer held")
    ctx.note(library_id=image.library_id)
    return open_image(ctx.cipher, image)


def open_image(cipher, image: RfrLibraryImage) -> bytes:
    return cipher.open(image.image_sealed, context=f"rfr_library_images.image:{image.id}".encode())


def decisions_of(session, library_id: str) -> list[RfrLibraryDecision]:
    return list(
        session.scalars(
            select(RfrLibraryDecision)
            .where(RfrLibraryDecision.library_id == library_id)
            .order_by(RfrLibraryDecision.decided_at)
        )
    )


def all_libraries(session) -> list[RfrLibrary]:
    return list(session.scalars(select(RfrLibrary).order_by(RfrLibrary.reference)))
