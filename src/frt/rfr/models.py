"""Retrospective Facial Recognition's records (003): Image Reference Libraries and their
approvals, enrolled images and templates, search requests (Form 3), probes and their faces, the
progressive search's steps, candidates, Match Reports and disseminations.

Images and templates are sealed (AES-256-GCM, DATA-07) with their table, column and row as
context. The per-image metadata the retention rules need (003 §7.1(b)(i): capture date, age band
at capture, MOPI group) and the searches' times and outcomes (§7.1(b)(iii)–(iv)) are kept now
for the later retention and Unresolved Crime Cache work.
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import (
    JSON,
    Boolean,
    Date,
    Float,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from frt.store.base import Base, UTCDateTime, new_id, utcnow

_ID = String(32)
_USER = "users.id"


def _fk(target: str, **kw):
    return mapped_column(ForeignKey(target), **kw)


class RfrLibrary(Base):
    """An Image Reference Library: its Form 1/2 (003 §5.7(a)–(e)) and its approval in force
    (§5.7(f)); the decisions themselves are `RfrLibraryDecision` rows."""

    __tablename__ = "rfr_libraries"
    id: Mapped[str] = mapped_column(_ID, primary_key=True, default=new_id)
    reference: Mapped[str] = mapped_column(String(20), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    kind: Mapped[str] = mapped_column(String(16))  # LibraryKind
    status: Mapped[str] = mapped_column(String(20))  # LibraryStatus
    # Form 1 / Form 2 (§5.7(a)–(e))
    legal_basis: Mapped[str] = mapped_column(Text, default="")  # (a)
    provenance: Mapped[str] = mapped_column(Text, default="")  # (b) how obtained, privacy
    composition: Mapped[str] = mapped_column(Text, default="")  # (c)(i) nature, quality
    elevated_considerations: Mapped[str] = mapped_column(Text, default="")  # (c)(ii)
    necessity: Mapped[str] = mapped_column(Text, default="")  # (d)
    monitoring: Mapped[str] = mapped_column(Text, default="")  # (e)
    investigation: Mapped[str] = mapped_column(String(200), default="")  # temporary: which case
    applicant_id: Mapped[str] = _fk(_USER)
    applied_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # The approval in force (§5.7(f)); None until approved
    image_level: Mapped[int | None] = mapped_column(Integer, nullable=True)
    access_all: Mapped[bool] = mapped_column(Boolean, default=False)  # every trained RFR user
    access_user_ids: Mapped[list[str]] = mapped_column(JSON, default=list)
    conditions: Mapped[str] = mapped_column(Text, default="")
    approved_by: Mapped[str | None] = _fk(_USER, nullable=True)
    approved_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    review_due: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    reviews: Mapped[int] = mapped_column(Integer, default=0)
    written_rationale_due: Mapped[bool] = mapped_column(Boolean, default=False)  # §5.9
    # Later work: deletion within 31 days of expiry (§7.1(b)(ii)), usage reports (§9.1)
    deleted_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)


class RfrLibraryDecision(Base):
    """One decision on a library: approval, refusal, urgent approval and its follow-up, review,
    a verbal approval's written rationale (003 §5.7(f), §5.9–5.10)."""

    __tablename__ = "rfr_library_decisions"
    id: Mapped[str] = mapped_column(_ID, primary_key=True, default=new_id)
    library_id: Mapped[str] = _fk("rfr_libraries.id", index=True)
    kind: Mapped[str] = mapped_column(String(20))  # LibraryDecisionKind
    decided_by: Mapped[str] = _fk(_USER)
    rank: Mapped[str] = mapped_column(String(40))
    decided_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    rationale: Mapped[str] = mapped_column(Text, default="")
    image_level: Mapped[int | None] = mapped_column(Integer, nullable=True)
    access_all: Mapped[bool] = mapped_column(Boolean, default=False)
    access_user_ids: Mapped[list[str]] = mapped_column(JSON, default=list)
    conditions: Mapped[str] = mapped_column(Text, default="")
    review_due: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    verbal: Mapped[bool] = mapped_column(Boolean, default=False)
    urgent: Mapped[bool] = mapped_column(Boolean, default=False)
    # Reviews go to the Operational Lead for FR, who cites them to the FRT Board (§5.7(f)(v))
    noted_by: Mapped[str | None] = _fk(_USER, nullable=True)
    noted_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)


class RfrEnrolmentJob(Base):
    """One bulk enrolment: an import from a folder or CSV, or a re-enrolment from the originals
    under another algorithm version (RFR-03). A killed job leaves `running`; the next run of the
    same import carries on from what was committed."""

    __tablename__ = "rfr_enrolment_jobs"
    id: Mapped[str] = mapped_column(_ID, primary_key=True, default=new_id)
    library_id: Mapped[str] = _fk("rfr_libraries.id", index=True)
    kind: Mapped[str] = mapped_column(String(12))  # import | reenrol
    source: Mapped[str] = mapped_column(String(500), default="")
    algorithm: Mapped[str] = mapped_column(String(40))
    version: Mapped[str] = mapped_column(String(80))
    status: Mapped[str] = mapped_column(String(12), default="running")
    started_by: Mapped[str] = _fk(_USER)
    started_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    total: Mapped[int] = mapped_column(Integer, default=0)
    enrolled: Mapped[int] = mapped_column(Integer, default=0)
    refused: Mapped[int] = mapped_column(Integer, default=0)
    skipped: Mapped[int] = mapped_column(Integer, default=0)  # already there (a resumed run)
    reasons: Mapped[dict] = mapped_column(JSON, default=dict)  # refusal reason -> count


class RfrLibraryImage(Base):
    """An enrolled (or refused) image: the original sealed, and what retention will need."""

    __tablename__ = "rfr_library_images"
    __table_args__ = (
        UniqueConstraint("library_id", "item_key"),
        Index("ix_rfr_library_images_sha", "library_id", "sha256"),
        # a search's stamp reads deletions from the index alone (frt.rfr.search_index)
        Index("ix_rfr_library_images_deleted", "library_id", "deleted_at"),
    )
    id: Mapped[str] = mapped_column(_ID, primary_key=True, default=new_id)
    library_id: Mapped[str] = _fk("rfr_libraries.id", index=True)
    item_key: Mapped[str] = mapped_column(String(500))  # the file's path in the import
    sha256: Mapped[str] = mapped_column(String(64))
    image_sealed: Mapped[bytes | None] = mapped_column(LargeBinary, nullable=True)
    status: Mapped[str] = mapped_column(String(10))  # enrolled | refused
    reason: Mapped[str] = mapped_column(String(300), default="")
    faces_found: Mapped[int] = mapped_column(Integer, default=0)
    quality: Mapped[float | None] = mapped_column(Float, nullable=True)
    # 003 §7.1(b)(i): retention by age band at capture and MOPI group, from the capture date
    captured_on: Mapped[date | None] = mapped_column(Date, nullable=True)
    age_band: Mapped[str | None] = mapped_column(String(8), nullable=True)  # under_13 … over_18
    mopi_group: Mapped[int | None] = mapped_column(Integer, nullable=True)
    source_reference: Mapped[str] = mapped_column(String(200), default="")  # e.g. custody record
    job_id: Mapped[str | None] = _fk("rfr_enrolment_jobs.id", nullable=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    deleted_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)


class RfrTemplate(Base):
    """A library image's template under one algorithm and version (003 §3.1 'Template')."""

    __tablename__ = "rfr_templates"
    __table_args__ = (
        UniqueConstraint("image_id", "algorithm", "version"),
        # with created_at, a search's stamp (count, newest) is read from the index alone
        Index("ix_rfr_templates_kind", "library_id", "algorithm", "version", "created_at"),
    )
    id: Mapped[str] = mapped_column(_ID, primary_key=True, default=new_id)
    image_id: Mapped[str] = _fk("rfr_library_images.id")
    library_id: Mapped[str] = _fk("rfr_libraries.id")
    algorithm: Mapped[str] = mapped_column(String(40))
    version: Mapped[str] = mapped_column(String(80))
    template_sealed: Mapped[bytes] = mapped_column(LargeBinary)
    job_id: Mapped[str | None] = _fk("rfr_enrolment_jobs.id", nullable=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class RfrSearch(Base):
    """A search request: the MPS RFR Form 3 (003 §8.17), its approvals and its progress."""

    __tablename__ = "rfr_searches"
    id: Mapped[str] = mapped_column(_ID, primary_key=True, default=new_id)
    reference: Mapped[str] = mapped_column(String(20), unique=True)
    case_reference: Mapped[str] = mapped_column(String(100))
    searcher_id: Mapped[str] = _fk(_USER, index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    status: Mapped[str] = mapped_column(String(20))  # SearchStatus
    # Form 3
    purposes: Mapped[list[str]] = mapped_column(JSON, default=list)  # §8.2
    grounds: Mapped[list[str]] = mapped_column(JSON, default=list)  # §8.3
    subject_status: Mapped[str] = mapped_column(String(20), default="suspect")
    status_rationale: Mapped[str] = mapped_column(Text, default="")  # §8.11
    probe_level: Mapped[int | None] = mapped_column(Integer, nullable=True)  # §4.5
    source: Mapped[str] = mapped_column(Text, default="")  # §4.1(c)
    legal_basis: Mapped[str] = mapped_column(Text, default="")  # §4.1(b)
    pre_checks: Mapped[list[str]] = mapped_column(JSON, default=list)  # §8.16
    pre_checks_note: Mapped[str] = mapped_column(Text, default="")
    urgent: Mapped[bool] = mapped_column(Boolean, default=False)
    urgency_rationale: Mapped[str] = mapped_column(Text, default="")
    necessity: Mapped[str] = mapped_column(Text, default="")
    proportionality: Mapped[str] = mapped_column(Text, default="")
    age_band: Mapped[str] = mapped_column(String(10), default="unknown")  # perceived, §4.7
    disability: Mapped[bool] = mapped_column(Boolean, default=False)
    # §4.7: the probe may pre-date a gender reassignment (a flag, as LFR's 000 §6.6 flags are)
    pre_reassignment_image: Mapped[bool] = mapped_column(Boolean, default=False)
    collection: Mapped[bool] = mapped_column(Boolean, default=False)  # §8.18
    offence: Mapped[str | None] = mapped_column(String(120), nullable=True)
    offence_recordable: Mapped[bool | None] = mapped_column(Boolean, nullable=True)
    library_ids: Mapped[list[str]] = mapped_column(JSON, default=list)  # candidate libraries
    search_all: Mapped[bool] = mapped_column(Boolean, default=False)  # §5.17
    search_all_rationale: Mapped[str] = mapped_column(Text, default="")
    submitted_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    needs: Mapped[list[dict]] = mapped_column(JSON, default=list)  # approvals the rules require
    approved_keys: Mapped[list[str]] = mapped_column(JSON, default=list)
    # Results: outcome and times, for retention (§7.1(b)(iii)–(iv)) and the later cache
    algorithm: Mapped[str | None] = mapped_column(String(40), nullable=True)
    version: Mapped[str | None] = mapped_column(String(80), nullable=True)
    outcome: Mapped[str | None] = mapped_column(String(20), nullable=True)  # StepOutcome
    completed_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)


class RfrSearchApproval(Base):
    """An approving officer's decision on a Form 3, evidenced on it (003 §8.21)."""

    __tablename__ = "rfr_search_approvals"
    id: Mapped[str] = mapped_column(_ID, primary_key=True, default=new_id)
    search_id: Mapped[str] = _fk("rfr_searches.id", index=True)
    decided_by: Mapped[str] = _fk(_USER)
    rank: Mapped[str] = mapped_column(String(40))
    decided_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    approved: Mapped[bool] = mapped_column(Boolean)
    keys: Mapped[list[str]] = mapped_column(JSON, default=list)  # the Needs decided
    note: Mapped[str] = mapped_column(Text, default="")


class RfrTechnicalAdvice(Base):
    """The FRT team's technical advice on a disability or gender-reassignment search (§4.7)."""

    __tablename__ = "rfr_technical_advice"
    id: Mapped[str] = mapped_column(_ID, primary_key=True, default=new_id)
    search_id: Mapped[str] = _fk("rfr_searches.id", index=True)
    given_by: Mapped[str] = _fk(_USER)
    given_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    advice: Mapped[str] = mapped_column(Text)


class RfrProbeImage(Base):
    """A Probe Image: an uploaded still, or one frame of an uploaded clip (a track's best view).
    A clip itself is not kept: its frames were read, bounded, and only these remain."""

    __tablename__ = "rfr_probe_images"
    id: Mapped[str] = mapped_column(_ID, primary_key=True, default=new_id)
    search_id: Mapped[str] = _fk("rfr_searches.id", index=True)
    kind: Mapped[str] = mapped_column(String(12))  # still | video_frame
    upload_sha256: Mapped[str] = mapped_column(String(64))
    upload_bytes: Mapped[int] = mapped_column(Integer)
    frame_index: Mapped[int | None] = mapped_column(Integer, nullable=True)
    frames_read: Mapped[int | None] = mapped_column(Integer, nullable=True)
    width: Mapped[int] = mapped_column(Integer)
    height: Mapped[int] = mapped_column(Integer)
    image_sealed: Mapped[bytes | None] = mapped_column(LargeBinary, nullable=True)
    uploaded_by: Mapped[str] = _fk(_USER)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    deleted_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)


class RfrProbeFace(Base):
    """A face found in a Probe Image: a box and its quality — no template, no crop — until the
    user selects it (003 §1.10(3–5), §8.24)."""

    __tablename__ = "rfr_probe_faces"
    id: Mapped[str] = mapped_column(_ID, primary_key=True, default=new_id)
    probe_image_id: Mapped[str] = _fk("rfr_probe_images.id", index=True)
    search_id: Mapped[str] = _fk("rfr_searches.id", index=True)
    number: Mapped[int] = mapped_column(Integer)  # "Face 3" on the page
    x0: Mapped[int] = mapped_column(Integer)
    y0: Mapped[int] = mapped_column(Integer)
    x1: Mapped[int] = mapped_column(Integer)
    y1: Mapped[int] = mapped_column(Integer)
    confidence: Mapped[float] = mapped_column(Float, default=1.0)
    quality: Mapped[float] = mapped_column(Float, default=0.0)
    quality_reasons: Mapped[list[str]] = mapped_column(JSON, default=list)
    track: Mapped[int | None] = mapped_column(Integer, nullable=True)  # a clip's face track
    track_frames: Mapped[int] = mapped_column(Integer, default=1)
    selected: Mapped[bool] = mapped_column(Boolean, default=False)
    selected_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    crop_sealed: Mapped[bytes | None] = mapped_column(LargeBinary, nullable=True)  # chosen only
    template_sealed: Mapped[bytes | None] = mapped_column(LargeBinary, nullable=True)  # chosen
    algorithm: Mapped[str | None] = mapped_column(String(40), nullable=True)
    version: Mapped[str | None] = mapped_column(String(80), nullable=True)


class RfrSearchStep(Base):
    """One step of the progressive search: the libraries of one Image Level (or, in urgency, all
    of them) searched, and the user's record of its outcome (003 §5.16–5.17)."""

    __tablename__ = "rfr_search_steps"
    id: Mapped[str] = mapped_column(_ID, primary_key=True, default=new_id)
    search_id: Mapped[str] = _fk("rfr_searches.id", index=True)
    number: Mapped[int] = mapped_column(Integer)
    levels: Mapped[list[int]] = mapped_column(JSON, default=list)
    library_ids: Mapped[list[str]] = mapped_column(JSON, default=list)
    search_all: Mapped[bool] = mapped_column(Boolean, default=False)
    run_by: Mapped[str] = _fk(_USER)
    run_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    algorithm: Mapped[str] = mapped_column(String(40))
    version: Mapped[str] = mapped_column(String(80))
    templates_searched: Mapped[int] = mapped_column(Integer, default=0)
    candidates: Mapped[int] = mapped_column(Integer, default=0)
    outcome: Mapped[str] = mapped_column(String(20), default="pending")  # StepOutcome
    outcome_by: Mapped[str | None] = _fk(_USER, nullable=True)
    outcome_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    note: Mapped[str] = mapped_column(Text, default="")
    # A re-search of the Unresolved Crime Cache against newly enrolled images (003 §6.1)
    cache_entry_id: Mapped[str | None] = _fk("rfr_cache_entries.id", nullable=True, index=True)


class RfrCandidate(Base):
    """A Potential Match: rank, score, library and image, and the user's Adjudication (§8.25)."""

    __tablename__ = "rfr_candidates"
    id: Mapped[str] = mapped_column(_ID, primary_key=True, default=new_id)
    search_id: Mapped[str] = _fk("rfr_searches.id", index=True)
    step_id: Mapped[str] = _fk("rfr_search_steps.id", index=True)
    face_id: Mapped[str] = _fk("rfr_probe_faces.id")
    rank: Mapped[int] = mapped_column(Integer)
    score: Mapped[float] = mapped_column(Float)
    library_id: Mapped[str] = _fk("rfr_libraries.id")
    image_id: Mapped[str] = _fk("rfr_library_images.id")
    adjudication: Mapped[str | None] = mapped_column(String(20), nullable=True)
    adjudicated_by: Mapped[str | None] = _fk(_USER, nullable=True)
    adjudicated_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    note: Mapped[str] = mapped_column(Text, default="")


class RfrMatchReport(Base):
    """The Match Report saved to the case for a Viable Match (003 §8.26), with its caveat."""

    __tablename__ = "rfr_match_reports"
    id: Mapped[str] = mapped_column(_ID, primary_key=True, default=new_id)
    reference: Mapped[str] = mapped_column(String(20), unique=True)
    search_id: Mapped[str] = _fk("rfr_searches.id", index=True)
    candidate_id: Mapped[str] = _fk("rfr_candidates.id")
    made_by: Mapped[str] = _fk(_USER)
    made_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    caveat: Mapped[str] = mapped_column(Text)
    caveat_cite: Mapped[str] = mapped_column(String(40))


class RfrDissemination(Base):
    """One sharing of a result: recipient, legal basis, what, with the caveat (003 §8.27–8.29)."""

    __tablename__ = "rfr_disseminations"
    id: Mapped[str] = mapped_column(_ID, primary_key=True, default=new_id)
    search_id: Mapped[str] = _fk("rfr_searches.id", index=True)
    report_id: Mapped[str | None] = _fk("rfr_match_reports.id", nullable=True)
    recipient: Mapped[str] = mapped_column(String(300))
    legal_basis: Mapped[str] = mapped_column(Text)
    shared: Mapped[list[str]] = mapped_column(JSON, default=list)
    caveat_attached: Mapped[bool] = mapped_column(Boolean)
    outside_force: Mapped[bool] = mapped_column(Boolean, default=False)
    safeguards_obliged: Mapped[bool] = mapped_column(Boolean, default=False)  # §8.29
    shared_by: Mapped[str] = _fk(_USER)
    shared_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class RfrCacheEntry(Base):
    """A Probe Image in the Unresolved Crime Cache (003 §6): asked for by the searcher while a
    ground of §8.3 still applies, approved by an officer of the profile's rank, re-searched
    against images enrolled after `searched_to`, reviewed by its tier's period (§7.1(b)(iv)A) and
    removed, with the reason, when resolved by other means."""

    __tablename__ = "rfr_cache_entries"
    id: Mapped[str] = mapped_column(_ID, primary_key=True, default=new_id)
    search_id: Mapped[str] = _fk("rfr_searches.id", index=True)
    owner_id: Mapped[str] = _fk(_USER, index=True)
    status: Mapped[str] = mapped_column(String(12))  # requested | active | refused | removed
    grounds: Mapped[list[str]] = mapped_column(JSON, default=list)  # §8.3 grounds still applying
    rationale: Mapped[str] = mapped_column(Text, default="")
    unknown_person: Mapped[bool] = mapped_column(Boolean, default=False)  # §6.1(b)
    offence: Mapped[str | None] = mapped_column(String(120), nullable=True)
    tier: Mapped[int] = mapped_column(Integer)  # Annex C
    requested_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    decided_by: Mapped[str | None] = _fk(_USER, nullable=True)
    decided_rank: Mapped[str] = mapped_column(String(40), default="")
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    decision_note: Mapped[str] = mapped_column(Text, default="")
    review_due: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    reviews: Mapped[int] = mapped_column(Integer, default=0)
    reviewed_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    # Templates created up to this moment have been searched with this probe
    searched_to: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    research_runs: Mapped[int] = mapped_column(Integer, default=0)
    research_hits: Mapped[int] = mapped_column(Integer, default=0)
    removed_by: Mapped[str | None] = _fk(_USER, nullable=True)
    removed_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    removal_reason: Mapped[str] = mapped_column(Text, default="")


class RfrReportSchedule(Base):
    """A usage report delivered on a period to named administrators (003 §9.1)."""

    __tablename__ = "rfr_report_schedules"
    id: Mapped[str] = mapped_column(_ID, primary_key=True, default=new_id)
    name: Mapped[str] = mapped_column(String(200))
    frequency: Mapped[str] = mapped_column(String(8))  # hourly | daily | monthly
    recipient_ids: Mapped[list[str]] = mapped_column(JSON, default=list)
    emails: Mapped[dict[str, str]] = mapped_column(JSON, default=dict)  # user id -> address
    created_by: Mapped[str] = _fk(_USER)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    next_due: Mapped[datetime] = mapped_column(UTCDateTime)
    last_sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    sent: Mapped[int] = mapped_column(Integer, default=0)
    active: Mapped[bool] = mapped_column(Boolean, default=True)


class RfrHold(Base):
    """A recorded reason to keep an RFR item past its retention period (003 §7.1(a)): a
    search's Probe Image, a library, or one library image."""

    __tablename__ = "retention_rfr_holds"
    id: Mapped[str] = mapped_column(_ID, primary_key=True, default=new_id)
    object_type: Mapped[str] = mapped_column(String(24))  # rfr_search | rfr_library | rfr_image
    object_id: Mapped[str] = mapped_column(_ID, index=True)
    ground: Mapped[str] = mapped_column(String(24))  # HoldGround
    reason: Mapped[str] = mapped_column(Text)
    placed_by: Mapped[str] = _fk(_USER)
    placed_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    released_by: Mapped[str | None] = _fk(_USER, nullable=True)
    released_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
