"""Form 1 Part 1: drafting and submitting an LFR Application with its documents (GOV-01, GOV-02).

An applicant drafts the Application, adds locations (each with the reason it was chosen and its
privacy sensitivities and mitigations, 000 §5.2–5.6) and attaches the intelligence case and the
assessments as versioned documents (text or an uploaded file, sealed at rest). Submission is
refused until nothing is missing; the refusal lists every missing item by name.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import func, select

from frt.core.actions import action
from frt.core.context import Ctx
from frt.core.errors import InputError
from frt.core.text import require_input
from frt.governance import access
from frt.governance.enums import (
    ApplicationStatus,
    DeploymentStyle,
    DocumentKind,
    ReviewStatus,
    Sensitivity,
    UseCase,
)
from frt.governance.models import Application, Document, Location
from frt.governance.references import application_reference
from frt.people.roles import LFR_ROLES, Role
from frt.policy import Decision, require
from frt.policy.access import object_access
from frt.policy.decision_rules import submission_complete
from frt.policy.input_rules import (
    application_times,
    camera_count,
    echr_articles,
    number_in_range,
    within_horizon,
)
from frt.policy.lfr_rules import missing_documents
from frt.policy.vocabulary import Category, SubjectFlag

MAX_DOCUMENT_BYTES = 20 * 1024 * 1024  # an assessment is a document, not a video
# Who reads an Application's documents: its applicant, those who decide on it, the DPO, its Gold.
DOCUMENT_READERS = (
    Role.APPLICANT,
    Role.AUTHORISING_OFFICER,
    Role.NPCC_OFFICER,
    Role.DPO,
    Role.GOLD,
)

# Form 1 Part 1 fields a submission needs, with the names the applicant sees (GOV-01).
REQUIRED_FIELDS = {
    "title": "title",
    "use_case": "use case",
    "deployment_styles": "deployment style",
    "camera_count": "number of cameras",
    "starts_at": "start date and time",
    "ends_at": "end date and time",
    "legal_basis": "legal basis",
    "legitimate_aim": "legitimate aim",
    "echr_articles": "ECHR articles engaged",
    "dpa_schedule8_grounds": "DPA Schedule 8 grounds",
    "necessity": "necessity",
    "alternatives_considered": "proportionality: alternatives considered",
    "awareness_measures": "proportionality: awareness measures",
    "watchlist_criteria": "proposed Watchlist criteria",
    "proposed_categories": "proposed Watchlist categories",
    "proposed_composition": "proposed Watchlist composition",
    "proposed_threshold": "proposed Threshold",
    "resources": "resources",
}
EDITABLE = set(REQUIRED_FIELDS) | {
    "proposed_flags",
    "non_police_images_proposed",
    "urgent",
    "urgency_grounds",
}
_ENUM_LISTS = {
    "deployment_styles": DeploymentStyle,
    "proposed_categories": Category,
    "proposed_flags": SubjectFlag,
}


def _own_application(ctx: Ctx, arguments: dict) -> Decision:
    """An applicant changes only their own Application (hardening item 2)."""
    app = ctx.get(Application, arguments["application_id"])
    return object_access(
        app.applicant_id == ctx.user.id,
        "only the applicant who drafted this Application changes it",
    )


def _may_read_document(ctx: Ctx, arguments: dict) -> Decision:
    """Who reads an Application's documents: its applicant, those who decide on it (AO, NPCC
    officer, DPO), and the Gold named in one of its authorities (hardening item 2)."""
    from frt.governance.models import Authority

    doc = ctx.get(Document, arguments["document_id"])
    app = ctx.get(Application, doc.application_id)
    deciders = {Role.AUTHORISING_OFFICER.value, Role.NPCC_OFFICER.value, Role.DPO.value}
    gold = ctx.session.scalar(
        select(Authority.id)
        .where(Authority.application_id == app.id, Authority.gold_id == ctx.user.id)
        .limit(1)
    )
    return object_access(
        app.applicant_id == ctx.user.id
        or bool(deciders & set(ctx.user.roles_json))
        or gold is not None,
        "only this Application's applicant, those who decide on it and its Gold read its documents",
    )


@action("lfr.application.create", roles=[Role.APPLICANT], touches="lfr_application")
def create(ctx: Ctx, title: str, **fields) -> Application:
    app = Application(
        reference=application_reference(ctx.session, ctx.now.year),
        title=title.strip(),
        applicant_id=ctx.user.id,
    )
    ctx.session.add(app)
    _apply(ctx, app, fields)
    ctx.session.flush()
    return app


@action(
    "lfr.application.update",
    roles=[Role.APPLICANT],
    touches="lfr_application",
    key="application_id",
    guard=_own_application,
)
def update(ctx: Ctx, application_id: str, **fields) -> Application:
    app = _editable(ctx, application_id)
    if "title" in fields:
        title = fields.pop("title")
        if not isinstance(title, str) or not title.strip():
            raise InputError("an Application needs a title")
        app.title = title.strip()
    _apply(ctx, app, fields)
    ctx.note(fields=sorted(fields))
    return app


def _apply(ctx: Ctx, app: Application, fields: dict) -> None:
    """Set Form 1 fields, each within its bound (hardening items 7, 10): known choices, Convention
    articles, a Threshold, a number of cameras, times within the horizon and in order."""
    unknown = set(fields) - EDITABLE
    if unknown:
        raise InputError(f"unknown Application field(s): {', '.join(sorted(unknown))}")
    for key, value in fields.items():
        if key in _ENUM_LISTS:
            value = sorted({_enum(_ENUM_LISTS[key], v, key) for v in _listed(value, key)})
        elif key == "use_case" and value is not None:
            value = _enum(UseCase, value, key)
        elif key == "echr_articles":
            value = _listed(value, key)
            require_input(echr_articles(value))
            value = sorted(set(value))
        elif key in ("starts_at", "ends_at") and value is not None:
            value = _aware(value, key)
            require_input(within_horizon(REQUIRED_FIELDS[key], value, ctx.now))
        elif key == "proposed_threshold" and value is not None:
            require_input(
                number_in_range(
                    "a Threshold",
                    value,
                    0,
                    1,
                    low_open=True,
                    citation="000 §6.2(3)",
                    rule="GOV-APP-THRESHOLD",
                )
            )
        elif key == "camera_count" and value is not None:
            require_input(camera_count(value))
            value = int(value)
        setattr(app, key, value)
    if app.starts_at is not None and app.ends_at is not None:
        require_input(application_times(app.starts_at, app.ends_at))


def _listed(value, key: str) -> list:
    if value is None:
        return []
    if isinstance(value, str) or not isinstance(value, list | tuple | set):
        raise InputError(f"{key} is a list")
    return list(value)


def _enum(kind, value, key):
    try:
        return kind(value).value
    except ValueError:
        raise InputError(
            f"{key}: '{value}' is not one of {', '.join(k.value for k in kind)}"
        ) from None


def _aware(value: datetime, key: str) -> datetime:
    if not isinstance(value, datetime) or value.tzinfo is None:
        raise InputError(f"{key} must be a date and time with its time zone")
    return value


def _editable(ctx: Ctx, application_id: str) -> Application:
    app = ctx.get(Application, application_id)
    if app.status not in (
        ApplicationStatus.DRAFT.value,
        ApplicationStatus.AMENDMENTS_REQUIRED.value,
    ):
        raise InputError(f"the Application is {app.status.replace('_', ' ')}: no changes")
    return app


@action(
    "lfr.application.add_location",
    roles=[Role.APPLICANT],
    touches="lfr_application",
    key="application_id",
    guard=_own_application,
)
def add_location(
    ctx: Ctx,
    application_id: str,
    *,
    name: str,
    locality: str,
    reason: str,
    sensitivities: Sequence[str] = (),
    mitigations: str = "",
) -> Location:
    """A location with its reason, reviewable by an objective third person (000 §5.2)."""
    app = _editable(ctx, application_id)
    if not reason.strip():
        raise InputError("each location needs the reason it was chosen (000 §5.2)")
    flags = sorted({_enum(Sensitivity, s, "sensitivities") for s in sensitivities})
    if flags and not mitigations.strip():
        raise InputError(
            "a location with greater privacy expectations needs its mitigations (000 §5.6)"
        )
    loc = Location(
        application_id=app.id,
        name=name.strip(),
        locality=locality.strip() or name,
        reason=reason.strip(),
        sensitivities=flags,
        mitigations=mitigations.strip(),
    )
    ctx.session.add(loc)
    ctx.session.flush()
    ctx.note(location_id=loc.id, sensitivities=flags)
    return loc


@action(
    "lfr.application.attach_document",
    roles=[Role.APPLICANT],
    touches="lfr_application",
    key="application_id",
    guard=_own_application,
    long_text={"text": MAX_DOCUMENT_BYTES},
)
def attach_document(
    ctx: Ctx,
    application_id: str,
    kind: str,
    *,
    title: str,
    text: str | None = None,
    data: bytes | None = None,
    filename: str | None = None,
    content_type: str | None = None,
) -> Document:
    """A new version of a document: structured text or an uploaded file, sealed at rest."""
    app = _editable(ctx, application_id)
    kind = _enum(DocumentKind, kind, "kind")
    if (text is None) == (data is None):
        raise InputError("give the document as text or as a file, not both or neither")
    body = text.encode("utf-8") if text is not None else data or b""
    if not body.strip():
        raise InputError("the document is empty")
    if len(body) > MAX_DOCUMENT_BYTES:
        raise InputError(
            f"the document is {len(body):,} bytes; the limit is {MAX_DOCUMENT_BYTES:,}"
        )
    version = 1 + (
        ctx.session.scalar(
            select(func.max(Document.version)).where(
                Document.application_id == app.id, Document.kind == kind
            )
        )
        or 0
    )
    doc = Document(
        application_id=app.id,
        kind=kind,
        version=version,
        title=title.strip(),
        filename=filename,
        size=len(body),
        sha256=hashlib.sha256(body).hexdigest(),
        content_type=content_type
        or ("text/plain" if text is not None else "application/octet-stream"),
        added_by=ctx.user.id,
        body_sealed=b"",
    )
    ctx.session.add(doc)
    ctx.session.flush()
    doc.body_sealed = Document.BODY.seal(ctx.cipher, doc.id, body)
    ctx.note(document_id=doc.id, kind=kind, version=version, size=len(body))
    return doc


@action(
    "lfr.document.read",
    roles=DOCUMENT_READERS,
    touches="lfr_document",
    key="document_id",
    reads=True,
    guard=_may_read_document,
)
def read_document(ctx: Ctx, document_id: str) -> bytes:
    doc = ctx.get(Document, document_id)
    return Document.BODY.open(ctx.cipher, doc.id, doc.body_sealed)


@action(
    "lfr.document.review",
    roles=[Role.AUTHORISING_OFFICER, Role.DPO],
    touches="lfr_document",
    key="document_id",
    guard=access.independent_ao,
)
def review_document(ctx: Ctx, document_id: str, status: str, note: str = "") -> Document:
    """The AO (or the DPO for the DPIA) reviews a document version (GOV-02, 001 stage 3)."""
    doc = ctx.get(Document, document_id)
    doc.review_status = _enum(ReviewStatus, status, "status")
    doc.reviewed_by, doc.reviewed_at, doc.review_note = ctx.user.id, ctx.now, note.strip()
    ctx.note(status=doc.review_status, citation="000 §7.1")
    return doc


@action(
    "lfr.application.read",
    roles=LFR_ROLES,
    touches="lfr_application",
    key="application_id",
    reads=True,
    guard=access.reads_application,
)
def read(ctx: Ctx, application_id: str) -> Application:
    """An Application as its page and the API show it, to those who may read it (hardening
    item 2: its applicant, those who decide on it, oversight, its command team)."""
    return ctx.get(Application, application_id)


def latest_documents(app: Application) -> dict[str, Document]:
    """The latest version of each kind of document."""
    latest: dict[str, Document] = {}
    for doc in app.documents:
        if doc.kind not in latest or doc.version > latest[doc.kind].version:
            latest[doc.kind] = doc
    return latest


def missing_items(ctx: Ctx, app: Application) -> list[str]:
    """Everything a submission still lacks, by name (GOV-01, GOV-02)."""
    missing = [
        label for key, label in REQUIRED_FIELDS.items() if getattr(app, key) in (None, "", [], 0)
    ]
    if not app.locations:
        missing.append("at least one location")
    if app.urgent and not app.urgency_grounds.strip():
        missing.append("urgency grounds (000 §4.10)")
    docs = missing_documents(ctx.profile, latest_documents(app))
    missing += [DocumentKind(d).label for d in docs]
    if app.proposed_flags:  # 000 §6.7: advice before seeking authorisation
        advice = missing_documents_for(
            ctx, app, ctx.profile.governance.protected_advice_documents.value
        )
        missing += [DocumentKind(d).label + " (Watchlist holds flagged persons)" for d in advice]
    return missing


def missing_documents_for(ctx: Ctx, app: Application, kinds: list[str]) -> list[str]:
    have = latest_documents(app)
    return [k for k in kinds if k not in have]


@action(
    "lfr.application.submit",
    roles=[Role.APPLICANT],
    touches="lfr_application",
    key="application_id",
    guard=_own_application,
)
def submit(ctx: Ctx, application_id: str) -> Application:
    app = _editable(ctx, application_id)
    missing = missing_items(ctx, app)
    documents = any(DocumentKind(d).label in missing for d in DocumentKind)
    require(submission_complete(ctx.profile, missing, documents))
    app.status, app.submitted_at = ApplicationStatus.SUBMITTED.value, ctx.now
    ctx.note(round=app.round)
    return app
