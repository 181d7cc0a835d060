"""RFR searches: the Form 3, its probe and faces, approvals, and the progressive search
(RFR-04..07; 003 §4, §8.2–8.24, §5.14–5.17).

The path: `create` (case reference) → `upload` (faces found: boxes and quality, no template) →
`select_faces` (only the chosen faces' crops are kept) → `fill` the Form 3 → `submit` (the rules
refuse what may never be searched and list what needs an Inspector's approval) → `advise` (the FR
Team, where §4.7 asks) → `decide` (the approving officer) → `run_step` (the selected faces are
templated now, and the libraries of the lowest Image Level not yet searched are searched) →
`record_no_match` to move to the next level. Candidates and results: `frt.rfr.results`.
"""

from __future__ import annotations

from typing import TypedDict

from sqlalchemy import func, select

from frt.core.actions import action
from frt.core.context import Ctx, choice
from frt.core.errors import InputError, NotFound
from frt.engine.images import decode_image
from frt.governance.references import next_value
from frt.people.roles import Role
from frt.policy import Decision, require
from frt.policy import rfr_rules as rules
from frt.policy.access import object_access
from frt.rfr import faces as probe_faces
from frt.rfr import libraries, search_index
from frt.rfr.enums import (
    AgeBand,
    Ground,
    PreCheck,
    Purpose,
    SearchStatus,
    StepOutcome,
    SubjectStatus,
)
from frt.rfr.models import (
    RfrCandidate,
    RfrLibrary,
    RfrProbeFace,
    RfrProbeImage,
    RfrSearch,
    RfrSearchApproval,
    RfrSearchStep,
    RfrTechnicalAdvice,
)


class _Training(TypedDict):
    training: str
    training_cite: str


TRAINING: _Training = {"training": "rfr", "training_cite": "003 §10.3"}
VIEW_CITE = "003 §8.25"


# ---------------------------------------------------------------- who may see a search
def _search(ctx: Ctx, search_id: str) -> RfrSearch:
    search = ctx.session.get(RfrSearch, search_id)
    if search is None:
        raise NotFound(f"no search '{search_id}'")
    return search


def is_approver(ctx: Ctx, search: RfrSearch) -> bool:
    """The user decided on this Form 3, or may decide it now (an approving officer of rank)."""
    decided = ctx.session.scalar(
        select(RfrSearchApproval.id).where(
            RfrSearchApproval.search_id == search.id, RfrSearchApproval.decided_by == ctx.user.id
        )
    )
    if decided:
        return True
    if search.status == SearchStatus.COMPLETED.value and _cache_decider(ctx, search):
        return True
    return (
        search.status == SearchStatus.AWAITING_APPROVAL.value
        and ctx.user.has_role(Role.RFR_APPROVING_OFFICER)
        and bool(rules.approver_rank(ctx.user.rank_enum, ctx.profile))
    )


def _cache_decider(ctx: Ctx, search: RfrSearch) -> bool:
    """The search is offered to the Unresolved Crime Cache (or was decided by this user), and the
    user is an approving officer of the rank that decides it (003 §6.2)."""
    from frt.rfr.models import RfrCacheEntry

    entry = ctx.session.scalar(
        select(RfrCacheEntry).where(
            RfrCacheEntry.search_id == search.id,
            (RfrCacheEntry.status == "requested") | (RfrCacheEntry.decided_by == ctx.user.id),
        )
    )
    return (
        entry is not None
        and ctx.user.has_role(Role.RFR_APPROVING_OFFICER)
        and ctx.user.rank_enum.at_least(ctx.profile.rfr.cache_approver_min_rank.value)
    )


def is_adviser(ctx: Ctx, search: RfrSearch) -> bool:
    return ctx.user.has_role(Role.FR_TEAM, Role.FR_OPERATIONAL_LEAD) and any(
        n.get("advice") for n in search.needs or []
    )


def searcher_only(ctx: Ctx, arguments: dict) -> Decision:
    search = _search(ctx, arguments["search_id"])
    return object_access(
        search.searcher_id == ctx.user.id, f"search {search.reference} is another user's", VIEW_CITE
    )


def searcher_or_approver(ctx: Ctx, arguments: dict) -> Decision:
    search = _search(ctx, arguments["search_id"])
    allowed = (
        search.searcher_id == ctx.user.id or is_approver(ctx, search) or is_adviser(ctx, search)
    )
    return object_access(
        allowed,
        f"search {search.reference} is shown only to its searcher and its approver",
        VIEW_CITE,
    )


def _draft(search: RfrSearch) -> None:
    if search.status != SearchStatus.DRAFT.value:
        raise InputError(
            f"search {search.reference} has been submitted ({search.status}): its "
            "probe and Form 3 no longer change"
        )


# ---------------------------------------------------------------- create and probe
@action("rfr.search.create", roles=[Role.RFR_USER], touches="rfr_search", **TRAINING)
def create(ctx: Ctx, case_reference: str) -> RfrSearch:
    """Open a search request for a case (003 §8.17)."""
    case_reference = case_reference.strip()
    if not case_reference:
        raise InputError("a search names its case reference")
    existing = ctx.session.scalar(select(func.count()).select_from(RfrSearch)) or 0
    number = next_value(ctx.session, "rfr_search", existing=existing)
    search = RfrSearch(
        reference=f"RFR-S-{number:04d}",
        case_reference=case_reference[:100],
        searcher_id=ctx.user.id,
        created_at=ctx.now,
        status=SearchStatus.DRAFT.value,
        library_ids=[],
        purposes=[],
        grounds=[],
        pre_checks=[],
        needs=[],
        approved_keys=[],
    )
    ctx.session.add(search)
    ctx.session.flush()
    ctx.note(reference=search.reference)
    return search


@action(
    "rfr.search.upload",
    roles=[Role.RFR_USER],
    touches="rfr_search",
    key="search_id",
    guard=searcher_only,
    **TRAINING,
)
def upload(ctx: Ctx, search_id: str, data: bytes) -> list[RfrProbeImage]:
    """Add a probe — a still or a short clip — and find its faces: boxes and quality only; no
    template and no crop of any face is made (003 §1.10(3), §8.24)."""
    import hashlib

    search = _search(ctx, search_id)
    _draft(search)
    if not data:
        raise InputError("the upload is empty")
    if probe_faces.is_image(data):
        frames, read, kind = [probe_faces.detect_still(data)], None, "still"
    else:
        frames, read = probe_faces.detect_clip(data)
        kind = "video_frame"
    digest = hashlib.sha256(data).hexdigest()
    numbered = (
        ctx.session.scalar(
            select(func.count())
            .select_from(RfrProbeFace)
            .where(RfrProbeFace.search_id == search.id)
        )
        or 0
    )
    made = []
    for frame in frames:
        image = RfrProbeImage(
            search_id=search.id,
            kind=kind,
            upload_sha256=digest,
            upload_bytes=len(data),
            frame_index=frame.frame_index,
            frames_read=read,
            width=frame.rgb.shape[1],
            height=frame.rgb.shape[0],
            uploaded_by=ctx.user.id,
            created_at=ctx.now,
        )
        ctx.session.add(image)
        ctx.session.flush()
        sealed_bytes = data if kind == "still" else probe_faces.png(frame.rgb)
        image.image_sealed = ctx.cipher.seal(sealed_bytes, context=_probe_ctx(image.id))
        for found in frame.faces:
            numbered += 1
            ctx.session.add(
                RfrProbeFace(
                    probe_image_id=image.id,
                    search_id=search.id,
                    number=numbered,
                    x0=found.box[0],
                    y0=found.box[1],
                    x1=found.box[2],
                    y1=found.box[3],
                    confidence=found.confidence,
                    quality=found.quality,
                    quality_reasons=list(found.reasons),
                    track=found.track,
                    track_frames=found.track_frames,
                )
            )
        frame.rgb.fill(0)
        made.append(image)
    ctx.note(
        kind=kind,
        probe_images=len(made),
        faces=sum(len(f.faces) for f in frames),
        frames_read=read,
        citation="003 §8.24",
    )
    return made


def _probe_ctx(image_id: str) -> bytes:
    return f"rfr_probe_images.image:{image_id}".encode()


def _face_ctx(face_id: str, what: str) -> bytes:
    return f"rfr_probe_faces.{what}:{face_id}".encode()


def open_probe(cipher, image: RfrProbeImage):
    """The probe image's pixels (RGB)."""
    if image.image_sealed is None:
        raise NotFound("this probe image is no longer held")
    import numpy as np

    return np.array(decode_image(cipher.open(image.image_sealed, context=_probe_ctx(image.id))))


@action(
    "rfr.search.select_faces",
    roles=[Role.RFR_USER],
    touches="rfr_search",
    key="search_id",
    guard=searcher_only,
    **TRAINING,
)
def select_faces(ctx: Ctx, search_id: str, face_ids: list[str]) -> list[RfrProbeFace]:
    """The user selects the face(s) relevant to the search (003 §1.10(4)). Only their crops are
    kept; a face no longer selected loses its crop. No template is made yet."""
    search = _search(ctx, search_id)
    _draft(search)
    faces = {f.id: f for f in all_faces(ctx.session, search.id)}
    unknown = [i for i in face_ids if i not in faces]
    if unknown:
        raise InputError(f"face '{unknown[0]}' is not a face of this search's probe")
    if not face_ids:
        raise InputError("select at least one face")
    images = {}
    for face in faces.values():
        chosen = face.id in face_ids
        if chosen and face.crop_sealed is None:
            if face.probe_image_id not in images:
                images[face.probe_image_id] = open_probe(
                    ctx.cipher, ctx.get(RfrProbeImage, face.probe_image_id)
                )
            rgb = images[face.probe_image_id]
            crop = probe_faces.face_crop(rgb, (face.x0, face.y0, face.x1, face.y1))
            face.crop_sealed = ctx.cipher.seal(
                probe_faces.png(crop), context=_face_ctx(face.id, "crop")
            )
            crop.fill(0)
            face.selected_at = ctx.now
        elif not chosen:
            face.crop_sealed, face.selected_at = None, None
        face.selected = chosen
    for rgb in images.values():
        rgb.fill(0)
    ctx.note(selected=len(face_ids), of=len(faces), citation="003 §1.10(4)")
    return [faces[i] for i in face_ids]


def all_faces(session, search_id: str) -> list[RfrProbeFace]:
    return list(
        session.scalars(
            select(RfrProbeFace)
            .where(RfrProbeFace.search_id == search_id)
            .order_by(RfrProbeFace.number)
        )
    )


def selected_faces(session, search_id: str) -> list[RfrProbeFace]:
    return [f for f in all_faces(session, search_id) if f.selected]


# ---------------------------------------------------------------- the Form 3
FORM_TEXT = (
    "status_rationale",
    "source",
    "legal_basis",
    "pre_checks_note",
    "urgency_rationale",
    "necessity",
    "proportionality",
    "search_all_rationale",
)


@action(
    "rfr.search.form",
    roles=[Role.RFR_USER],
    touches="rfr_search",
    key="search_id",
    guard=searcher_only,
    **TRAINING,
)
def fill(ctx: Ctx, search_id: str, **fields) -> RfrSearch:
    """Record the Form 3's answers (any subset; 003 §8.2–8.19)."""
    search = _search(ctx, search_id)
    _draft(search)
    for key, value in fields.items():
        if value is None:
            continue
        if key in FORM_TEXT:
            setattr(search, key, str(value).strip())
        elif key == "case_reference":
            if not str(value).strip():
                raise InputError("a search names its case reference")
            search.case_reference = str(value).strip()[:100]
        elif key == "purposes":
            search.purposes = [choice(Purpose, v, "purpose").value for v in value]
        elif key == "grounds":
            search.grounds = [choice(Ground, v, "ground").value for v in value]
        elif key == "pre_checks":
            search.pre_checks = [choice(PreCheck, v, "Pre-RFR Check").value for v in value]
        elif key == "subject_status":
            search.subject_status = choice(SubjectStatus, value, "subject status").value
        elif key == "age_band":
            search.age_band = choice(AgeBand, value, "perceived age band").value
        elif key == "probe_level":
            search.probe_level = _level(value)
        elif key == "probe_level_doubt":  # in doubt between levels: the higher (Annex A ¶2)
            levels = [_level(v) for v in value]
            if levels:
                search.probe_level = rules.level_in_doubt(levels + [search.probe_level or 1])
        elif key in ("urgent", "disability", "collection", "search_all"):
            setattr(search, key, bool(value))
        elif key == "gender_reassignment":  # the probe may pre-date one (§4.7)
            search.pre_reassignment_image = bool(value)
        elif key == "offence":
            _offence(ctx, search, str(value))
        elif key == "library_ids":
            search.library_ids = _libraries(ctx, list(value))
        else:
            raise InputError(f"the Form 3 has no field '{key}'")
    ctx.note(fields=sorted(k for k, v in fields.items() if v is not None))
    return search


def _level(value) -> int:
    try:
        level = int(value)
    except (TypeError, ValueError):
        raise InputError("an Image Level is a number from 1 to 5 (003 Annex A)") from None
    if level not in rules.LEVELS:
        raise InputError("an Image Level is a number from 1 to 5 (003 Annex A)")
    return level


def _offence(ctx: Ctx, search: RfrSearch, name: str) -> None:
    name = name.strip()
    if not name:
        search.offence, search.offence_recordable = None, None
        return
    known = {o.name.lower(): o for o in ctx.profile.rfr.offences.value}
    offence = known.get(name.lower())
    if offence is None:
        raise InputError(f"'{name}' is not in the force's list of offences")
    search.offence, search.offence_recordable = offence.name, offence.recordable


def _libraries(ctx: Ctx, refs: list[str]) -> list[str]:
    ids = []
    for ref in refs:
        lib = libraries.find(ctx.session, ref)
        if lib.id not in ids:
            ids.append(lib.id)
    return ids


def facts(ctx: Ctx, search: RfrSearch) -> rules.Form3Facts:
    libs = [ctx.get(RfrLibrary, i) for i in search.library_ids or []]
    uploads = (
        ctx.session.scalar(
            select(func.count(func.distinct(RfrProbeImage.upload_sha256))).where(
                RfrProbeImage.search_id == search.id
            )
        )
        or 0
    )
    return rules.Form3Facts(
        purposes=tuple(search.purposes or ()),
        grounds=tuple(search.grounds or ()),
        subject_status=search.subject_status,
        status_rationale=search.status_rationale,
        probe_level=search.probe_level,
        age_band=search.age_band,
        disability=search.disability,
        gender_reassignment=search.pre_reassignment_image,
        collection=search.collection or uploads > 1,
        offence=search.offence,
        offence_recordable=search.offence_recordable,
        pre_checks=tuple(search.pre_checks or ()),
        urgent=search.urgent,
        urgency_rationale=search.urgency_rationale,
        necessity=search.necessity,
        proportionality=search.proportionality,
        source=search.source,
        legal_basis=search.legal_basis,
        library_levels={lib.reference: lib.image_level or 5 for lib in libs},
        search_all=search.search_all,
        search_all_rationale=search.search_all_rationale,
    )


@action(
    "rfr.search.submit",
    roles=[Role.RFR_USER],
    touches="rfr_search",
    key="search_id",
    guard=searcher_only,
    **TRAINING,
)
def submit(ctx: Ctx, search_id: str) -> RfrSearch:
    """Submit the Form 3: refused outright where the policy forbids the search; otherwise it
    waits for the approvals the rules list, or is ready to search (003 §8.17–8.22)."""
    search = _search(ctx, search_id)
    _draft(search)
    if not all_faces(ctx.session, search.id):
        raise InputError("upload the probe first: no face was found to search")
    require(rules.faces_selected(len(selected_faces(ctx.session, search.id))))
    f = facts(ctx, search)
    for decision in rules.form3_complete(f):
        require(decision)
    if not search.library_ids:
        raise InputError("list the libraries to search (003 §5.14–5.15)")
    for lib_id in search.library_ids:
        lib = ctx.get(RfrLibrary, lib_id)
        require(libraries.searchable(lib, ctx.now).about(f"library {lib.reference}: "))
        require(libraries.access(lib, ctx.user))
    needs = rules.approvals_needed(f, ctx.profile)
    search.collection = f.collection
    search.needs = [
        {"key": n.key, "reason": n.reason, "cite": n.cite, "rule": n.rule, "advice": n.advice}
        for n in needs
    ]
    search.submitted_at = ctx.now
    search.status = (SearchStatus.AWAITING_APPROVAL if needs else SearchStatus.READY).value
    ctx.note(needs=[n.key for n in needs], status=search.status, citation="003 §8.21")
    return search


def needs_of(search: RfrSearch) -> list[rules.Need]:
    return [
        rules.Need(n["key"], n["reason"], n["cite"], n["rule"], n.get("advice", False))
        for n in search.needs or []
    ]


# ---------------------------------------------------------------- advice and approval
def _advice_wanted(ctx: Ctx, arguments: dict) -> Decision:
    search = _search(ctx, arguments["search_id"])
    return object_access(
        any(n.advice for n in needs_of(search)),
        f"search {search.reference} asks for no technical advice",
        "003 §4.7",
    )


@action(
    "rfr.search.advise",
    roles=[Role.FR_TEAM, Role.FR_OPERATIONAL_LEAD],
    touches="rfr_search",
    key="search_id",
    guard=_advice_wanted,
)
def advise(ctx: Ctx, search_id: str, advice: str) -> RfrTechnicalAdvice:
    """The FRT team's technical advice, for the approver's decision (003 §4.7)."""
    search = _search(ctx, search_id)
    if search.status != SearchStatus.AWAITING_APPROVAL.value:
        raise InputError(f"search {search.reference} is not awaiting approval")
    if not advice.strip():
        raise InputError("record the advice")
    row = RfrTechnicalAdvice(
        search_id=search.id, given_by=ctx.user.id, given_at=ctx.now, advice=advice.strip()
    )
    ctx.session.add(row)
    ctx.session.flush()
    ctx.note(citation="003 §4.7")
    return row


def advice_of(session, search_id: str) -> list[RfrTechnicalAdvice]:
    return list(
        session.scalars(
            select(RfrTechnicalAdvice)
            .where(RfrTechnicalAdvice.search_id == search_id)
            .order_by(RfrTechnicalAdvice.given_at)
        )
    )


def approvals_of(session, search_id: str) -> list[RfrSearchApproval]:
    return list(
        session.scalars(
            select(RfrSearchApproval)
            .where(RfrSearchApproval.search_id == search_id)
            .order_by(RfrSearchApproval.decided_at)
        )
    )


def _may_decide(ctx: Ctx, arguments: dict) -> Decision:
    rank = rules.approver_rank(ctx.user.rank_enum, ctx.profile)
    return searcher_or_approver(ctx, arguments) if rank else rank


@action(
    "rfr.search.decide",
    roles=[Role.RFR_APPROVING_OFFICER],
    touches="rfr_search",
    key="search_id",
    guard=_may_decide,
    **TRAINING,
)
def decide(ctx: Ctx, search_id: str, approve: bool, note: str) -> RfrSearchApproval:
    """An officer of the profile's rank approves or refuses the Form 3's listed needs, in writing
    on the form (003 §4.7, §8.18, §8.21–8.22)."""
    search = _search(ctx, search_id)
    if search.status != SearchStatus.AWAITING_APPROVAL.value:
        raise InputError(f"search {search.reference} is not awaiting approval")
    require(rules.approver_rank(ctx.user.rank_enum, ctx.profile))
    require(rules.not_own_request(ctx.user.id, search.searcher_id))
    needs = needs_of(search)
    if approve:
        require(rules.technical_advice(needs, bool(advice_of(ctx.session, search.id))))
    if not note.strip():
        raise InputError("record the reasons for the decision on the Form 3")
    row = RfrSearchApproval(
        search_id=search.id,
        decided_by=ctx.user.id,
        rank=ctx.user.rank,
        decided_at=ctx.now,
        approved=approve,
        keys=[n.key for n in needs],
        note=note.strip(),
    )
    ctx.session.add(row)
    if approve:
        search.approved_keys = [n.key for n in needs]
        search.status = SearchStatus.READY.value
    else:
        search.status = SearchStatus.REFUSED.value
    ctx.session.flush()
    ctx.note(approved=approve, keys=row.keys, rules=[n.rule for n in needs], citation="003 §8.21")
    return row


# ---------------------------------------------------------------- the progressive search
def steps_of(session, search_id: str) -> list[RfrSearchStep]:
    return list(
        session.scalars(
            select(RfrSearchStep)
            .where(RfrSearchStep.search_id == search_id)
            .order_by(RfrSearchStep.number)
        )
    )


def next_levels(ctx: Ctx, search: RfrSearch) -> tuple[Decision, int | None]:
    """Whether a further level may be searched now, and which (003 §5.16)."""
    steps = steps_of(ctx.session, search.id)
    levels = {ctx.get(RfrLibrary, i).image_level or 5 for i in search.library_ids}
    searched = {lv for s in steps for lv in s.levels}
    pending = any(s.outcome == StepOutcome.PENDING.value for s in steps)
    viable = any(s.outcome == StepOutcome.VIABLE_MATCH.value for s in steps)
    decision = rules.next_level(levels, searched, pending, viable)
    remaining = sorted(levels - searched)
    return decision, (remaining[0] if remaining else None)


@action(
    "rfr.search.run",
    roles=[Role.RFR_USER],
    touches="rfr_search",
    key="search_id",
    guard=searcher_only,
    **TRAINING,
)
def run_step(ctx: Ctx, search_id: str, search_all: bool = False) -> RfrSearchStep:
    """Search the next Image Level of the listed libraries — or, in urgency with its recorded
    rationale, all of them at once (003 §5.16–5.17). The selected faces are templated here, and
    only they (003 §1.10(5))."""
    search = _search(ctx, search_id)
    chosen = selected_faces(ctx.session, search.id)
    require(rules.faces_selected(len(chosen)))
    if search.status in (SearchStatus.DRAFT.value, SearchStatus.AWAITING_APPROVAL.value):
        require(rules.approved(needs_of(search), set(search.approved_keys or []), False))
        raise InputError(f"submit the Form 3 of search {search.reference} first")
    if search.status == SearchStatus.REFUSED.value:
        require(rules.approved([], set(), True))
    require(rules.approved(needs_of(search), set(search.approved_keys or []), False))
    if search_all:
        _search_all_allowed(ctx, search)
    decision, level = next_levels(ctx, search)
    require(decision)
    libs = [ctx.get(RfrLibrary, i) for i in search.library_ids]
    if search_all:
        libs = [
            lib
            for lib in libs
            if (lib.image_level or 5)
            not in {lv for s in steps_of(ctx.session, search.id) for lv in s.levels}
        ]
    else:
        libs = [lib for lib in libs if (lib.image_level or 5) == level]
    for lib in libs:  # at the moment of searching: approval in force, user within access
        require(libraries.searchable(lib, ctx.now).about(f"library {lib.reference}: "))
        require(libraries.access(lib, ctx.user))
    algo = probe_faces.algorithm()
    templates = [(face, _template(ctx, face, algo)) for face in chosen]
    library_ids = [lib.id for lib in libs]
    k = ctx.profile.rfr.candidate_list_length.value
    step = RfrSearchStep(
        search_id=search.id,
        number=len(steps_of(ctx.session, search.id)) + 1,
        levels=sorted({lib.image_level or 5 for lib in libs}),
        library_ids=library_ids,
        search_all=search_all,
        run_by=ctx.user.id,
        run_at=ctx.now,
        algorithm=algo.name,
        version=algo.version,
        templates_searched=search_index.template_count(
            ctx.session, library_ids, algo.name, algo.version
        ),
    )
    ctx.session.add(step)
    ctx.session.flush()
    found = 0
    for face, template in templates:
        for c in search_index.candidates(
            ctx.session, ctx.cipher, library_ids, template, k, ctx.services.library_indexes
        ):
            ctx.session.add(
                RfrCandidate(
                    search_id=search.id,
                    step_id=step.id,
                    face_id=face.id,
                    rank=c.rank,
                    score=round(c.score, 4),
                    library_id=c.library_id,
                    image_id=c.image_id,
                )
            )
            found += 1
    step.candidates = found
    search.status = SearchStatus.SEARCHING.value
    search.algorithm, search.version = algo.name, algo.version
    ctx.note(
        step=step.number,
        levels=step.levels,
        libraries=len(library_ids),
        faces=len(chosen),
        templates_searched=step.templates_searched,
        candidates=found,
        search_all=search_all,
        citation="003 §5.17" if search_all else "003 §5.16",
    )
    return step


def _search_all_allowed(ctx: Ctx, search: RfrSearch) -> None:
    """'Search all' in urgency (§5.17), or by a decision outside policy recorded for this search
    (003 §12.3; `frt.rfr.outside_policy`), used once here."""
    from frt.rfr import outside_policy

    decision = rules.search_all(True, search.urgent, search.search_all_rationale)
    if decision.allowed:
        return
    exc = outside_policy.unused(ctx.session, search.id, decision.rule)
    if exc is None:
        require(decision)  # refused: no decision outside policy sets the rule aside
    else:
        outside_policy.use(ctx, exc)


def _template(ctx: Ctx, face: RfrProbeFace, algo):
    """The selected face's template: made once, from its probe image, and kept sealed."""
    from frt.engine.template import Template

    if face.template_sealed is not None and (face.algorithm, face.version) == (
        algo.name,
        algo.version,
    ):
        data = ctx.cipher.open(face.template_sealed, context=_face_ctx(face.id, "template"))
        return Template.from_bytes(data, algo.name, algo.version)
    require(rules.faces_selected(1 if face.selected else 0))
    rgb = open_probe(ctx.cipher, ctx.get(RfrProbeImage, face.probe_image_id))
    try:
        template = probe_faces.template_face(rgb, (face.x0, face.y0, face.x1, face.y1), algo)
    finally:
        rgb.fill(0)
    face.template_sealed = ctx.cipher.seal(
        template.to_bytes(), context=_face_ctx(face.id, "template")
    )
    face.algorithm, face.version = template.algorithm, template.version
    return template


@action(
    "rfr.search.no_viable_match",
    roles=[Role.RFR_USER],
    touches="rfr_search",
    key="search_id",
    guard=searcher_only,
    **TRAINING,
)
def record_no_match(ctx: Ctx, search_id: str, note: str = "") -> RfrSearchStep:
    """The user records that the level searched gave no Viable Match: the next level may be
    searched (003 §5.16); after the last, the search is complete without one."""
    search = _search(ctx, search_id)
    steps = steps_of(ctx.session, search.id)
    pending = [s for s in steps if s.outcome == StepOutcome.PENDING.value]
    if not pending:
        raise InputError("no searched level is waiting for its outcome")
    step = pending[-1]
    viable = ctx.session.scalar(
        select(RfrCandidate.id).where(
            RfrCandidate.step_id == step.id, RfrCandidate.adjudication == "viable_match"
        )
    )
    if viable:
        raise InputError("a candidate of this level was adjudicated a Viable Match")
    step.outcome, step.outcome_by, step.outcome_at = (
        StepOutcome.NO_VIABLE_MATCH.value,
        ctx.user.id,
        ctx.now,
    )
    step.note = note.strip()
    _, level = next_levels(ctx, search)
    if level is None:
        search.status, search.outcome = SearchStatus.COMPLETED.value, step.outcome
        search.completed_at = ctx.now
    ctx.note(step=step.number, outcome=step.outcome, next_level=level, citation="003 §5.16")
    return step


# ---------------------------------------------------------------- reading
@action(
    "rfr.search.view",
    roles=[Role.RFR_USER, Role.RFR_APPROVING_OFFICER, Role.FR_TEAM, Role.FR_OPERATIONAL_LEAD],
    touches="rfr_search",
    key="search_id",
    guard=searcher_or_approver,
    reads=True,
)
def view(ctx: Ctx, search_id: str) -> RfrSearch:
    """The Form 3 and its probe's faces, for the searcher, the approver and, where advice is
    asked, the FR Team (a view of personal data: audited)."""
    return _search(ctx, search_id)


@action(
    "rfr.probe.view",
    roles=[Role.RFR_USER, Role.RFR_APPROVING_OFFICER, Role.FR_TEAM, Role.FR_OPERATIONAL_LEAD],
    touches="rfr_probe_image",
    key="probe_image_id",
    guard=lambda ctx, a: searcher_or_approver(
        ctx, {"search_id": _probe_search(ctx, a["probe_image_id"])}
    ),
    reads=True,
)
def probe_bytes(ctx: Ctx, probe_image_id: str) -> tuple[bytes, str]:
    """A probe image as uploaded (a still) or as read from the clip (a PNG frame)."""
    image = ctx.get(RfrProbeImage, probe_image_id)
    if image.image_sealed is None:
        raise NotFound("this probe image is no longer held")
    data = ctx.cipher.open(image.image_sealed, context=_probe_ctx(image.id))
    ctx.note(search_id=image.search_id)
    return data, _media_type(data)


def _probe_search(ctx: Ctx, probe_image_id: str) -> str:
    image = ctx.session.get(RfrProbeImage, probe_image_id)
    if image is None:
        raise NotFound(f"no probe image '{probe_image_id}'")
    return image.search_id


def _media_type(data: bytes) -> str:
    if data.startswith(b"\x89PNG"):
        return "image/png"
    if data.startswith(b"\xff\xd8"):
        return "image/jpeg"
    return "application/octet-stream"


@action(
    "rfr.probe.face_view",
    roles=[Role.RFR_USER, Role.RFR_APPROVING_OFFICER],
    touches="rfr_probe_face",
    key="face_id",
    guard=lambda ctx, a: searcher_or_approver(ctx, {"search_id": _face_search(ctx, a["face_id"])}),
    reads=True,
)
def face_png(ctx: Ctx, face_id: str) -> bytes:
    """One face of a probe, cut out for display: the kept crop of a selected face, or — for
    choosing — a crop made in memory from the probe and never stored."""
    face = ctx.get(RfrProbeFace, face_id)
    if face.crop_sealed is not None:
        return ctx.cipher.open(face.crop_sealed, context=_face_ctx(face.id, "crop"))
    rgb = open_probe(ctx.cipher, ctx.get(RfrProbeImage, face.probe_image_id))
    try:
        return probe_faces.png(probe_faces.face_crop(rgb, (face.x0, face.y0, face.x1, face.y1)))
    finally:
        rgb.fill(0)


def _face_search(ctx: Ctx, face_id: str) -> str:
    face = ctx.session.get(RfrProbeFace, face_id)
    if face is None:
        raise NotFound(f"no face '{face_id}'")
    return face.search_id


def probe_images(session, search_id: str) -> list[RfrProbeImage]:
    return list(
        session.scalars(
            select(RfrProbeImage)
            .where(RfrProbeImage.search_id == search_id)
            .order_by(RfrProbeImage.created_at, RfrProbeImage.frame_index)
        )
    )
