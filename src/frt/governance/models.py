"""Application, assessments, consultation, decision, Written Authority and Deployments (tables).

Form 1 Part 1 (the Application) with its locations and versioned documents; the NPCC
consultation; the AO's decision; the Authority it yields; the Deployments the Authority allows.
Document bodies are sealed with the store's cipher (context = table and row id).
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, Boolean, Float, ForeignKey, Integer, LargeBinary, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from frt.store.base import Base, UTCDateTime, new_id, utcnow
from frt.store.sealed import SealedColumn

_ID = String(32)


def _fk(target: str, nullable: bool = False):
    return mapped_column(ForeignKey(target), nullable=nullable, index=True)


class Application(Base):
    """Form 1 Part 1: what the applicant asks the AO to authorise (GOV-01)."""

    __tablename__ = "lfr_applications"
    id: Mapped[str] = mapped_column(_ID, primary_key=True, default=new_id)
    reference: Mapped[str] = mapped_column(String(32), unique=True)
    title: Mapped[str] = mapped_column(String(200))
    status: Mapped[str] = mapped_column(String(24), default="draft", index=True)
    applicant_id: Mapped[str] = _fk("users.id")
    use_case: Mapped[str | None] = mapped_column(String(24), nullable=True)
    deployment_styles: Mapped[list] = mapped_column(JSON, default=list)
    camera_count: Mapped[int | None] = mapped_column(Integer, nullable=True)
    starts_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    ends_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    legal_basis: Mapped[str] = mapped_column(Text, default="")
    legitimate_aim: Mapped[str] = mapped_column(Text, default="")
    echr_articles: Mapped[list] = mapped_column(JSON, default=list)
    dpa_schedule8_grounds: Mapped[str] = mapped_column(Text, default="")
    necessity: Mapped[str] = mapped_column(Text, default="")
    alternatives_considered: Mapped[str] = mapped_column(Text, default="")
    awareness_measures: Mapped[str] = mapped_column(Text, default="")
    watchlist_criteria: Mapped[str] = mapped_column(Text, default="")
    proposed_categories: Mapped[list] = mapped_column(JSON, default=list)
    proposed_composition: Mapped[str] = mapped_column(Text, default="")
    proposed_flags: Mapped[list] = mapped_column(JSON, default=list)
    non_police_images_proposed: Mapped[bool] = mapped_column(Boolean, default=False)
    proposed_threshold: Mapped[float | None] = mapped_column(Float, nullable=True)
    resources: Mapped[str] = mapped_column(Text, default="")
    urgent: Mapped[bool] = mapped_column(Boolean, default=False)
    urgency_grounds: Mapped[str] = mapped_column(Text, default="")
    round: Mapped[int] = mapped_column(Integer, default=1)  # +1 after each "amend" decision
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    submitted_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)

    locations: Mapped[list[Location]] = relationship(
        back_populates="application", cascade="all, delete-orphan", order_by="Location.created_at"
    )
    documents: Mapped[list[Document]] = relationship(
        back_populates="application",
        cascade="all, delete-orphan",
        order_by="(Document.kind, Document.version)",
    )


class Location(Base):
    """A proposed Deployment location, its reason and privacy sensitivities (000 §5.2–5.6)."""

    __tablename__ = "lfr_locations"
    id: Mapped[str] = mapped_column(_ID, primary_key=True, default=new_id)
    application_id: Mapped[str] = _fk("lfr_applications.id")
    name: Mapped[str] = mapped_column(String(200))
    locality: Mapped[str] = mapped_column(String(200))  # what the public is told (GOV-14)
    reason: Mapped[str] = mapped_column(Text)
    sensitivities: Mapped[list] = mapped_column(JSON, default=list)
    mitigations: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    application: Mapped[Application] = relationship(back_populates="locations")


class Document(Base):
    """One version of an assessment or the intelligence case (GOV-02), sealed at rest."""

    __tablename__ = "lfr_documents"
    id: Mapped[str] = mapped_column(_ID, primary_key=True, default=new_id)
    application_id: Mapped[str] = _fk("lfr_applications.id")
    kind: Mapped[str] = mapped_column(String(40))
    version: Mapped[int] = mapped_column(Integer)
    title: Mapped[str] = mapped_column(String(200))
    filename: Mapped[str | None] = mapped_column(String(200), nullable=True)
    content_type: Mapped[str] = mapped_column(String(100), default="text/plain")
    size: Mapped[int] = mapped_column(Integer, default=0)
    sha256: Mapped[str] = mapped_column(String(64))
    body_sealed: Mapped[bytes] = mapped_column(LargeBinary)
    BODY = SealedColumn("lfr_documents")
    added_by: Mapped[str] = _fk("users.id")
    added_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    review_status: Mapped[str] = mapped_column(String(20), default="not_reviewed")
    reviewed_by: Mapped[str | None] = _fk("users.id", nullable=True)
    reviewed_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    review_note: Mapped[str] = mapped_column(Text, default="")

    application: Mapped[Application] = relationship(back_populates="documents")


class Consultation(Base):
    """The NPCC consultation (GOV-03, 000 §4.6): support, mitigation requested, or veto."""

    __tablename__ = "lfr_consultations"
    id: Mapped[str] = mapped_column(_ID, primary_key=True, default=new_id)
    application_id: Mapped[str] = _fk("lfr_applications.id")
    officer_id: Mapped[str] = _fk("users.id")
    outcome: Mapped[str] = mapped_column(String(24))
    notes: Mapped[str] = mapped_column(Text, default="")
    round: Mapped[int] = mapped_column(Integer, default=1)
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class AoDecision(Base):
    """The AO's decision with reasons under the seven headings (GOV-06, 001 stage 3)."""

    __tablename__ = "lfr_decisions"
    id: Mapped[str] = mapped_column(_ID, primary_key=True, default=new_id)
    application_id: Mapped[str] = _fk("lfr_applications.id")
    officer_id: Mapped[str] = _fk("users.id")
    outcome: Mapped[str] = mapped_column(String(16))
    reasons: Mapped[dict] = mapped_column(JSON, default=dict)
    round: Mapped[int] = mapped_column(Integer, default=1)
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class Authority(Base):
    """The Written Authority (Form 1 Part 2): places, times, Watchlist criteria, Threshold, Gold."""

    __tablename__ = "lfr_authorities"
    id: Mapped[str] = mapped_column(_ID, primary_key=True, default=new_id)
    reference: Mapped[str] = mapped_column(String(40), unique=True)
    application_id: Mapped[str] = _fk("lfr_applications.id")
    decision_id: Mapped[str | None] = _fk("lfr_decisions.id", nullable=True)
    parent_id: Mapped[str | None] = _fk("lfr_authorities.id", nullable=True)  # further purpose
    purpose: Mapped[str] = mapped_column(Text)
    authorising_officer_id: Mapped[str] = _fk("users.id")
    gold_id: Mapped[str] = _fk("users.id")
    status: Mapped[str] = mapped_column(String(16), default="in_force")
    starts_at: Mapped[datetime] = mapped_column(UTCDateTime)
    ends_at: Mapped[datetime] = mapped_column(UTCDateTime)
    place_ids: Mapped[list] = mapped_column(JSON, default=list)
    categories: Mapped[list] = mapped_column(JSON, default=list)
    protected_inclusions: Mapped[list] = mapped_column(JSON, default=list)
    non_police_allowed: Mapped[bool] = mapped_column(Boolean, default=False)
    non_police_layers: Mapped[list] = mapped_column(JSON, default=list)
    min_threshold: Mapped[float] = mapped_column(Float)
    conditions: Mapped[str] = mapped_column(Text, default="")
    urgent: Mapped[bool] = mapped_column(Boolean, default=False)
    urgency_grounds: Mapped[str] = mapped_column(Text, default="")
    urgent_reviewed_by: Mapped[str | None] = _fk("users.id", nullable=True)
    urgent_reviewed_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    urgent_review_outcome: Mapped[str | None] = mapped_column(String(16), nullable=True)
    urgent_review_note: Mapped[str] = mapped_column(Text, default="")
    verbal: Mapped[bool] = mapped_column(Boolean, default=False)
    written_recorded_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    issued_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    deployments: Mapped[list[Deployment]] = relationship(
        back_populates="authority", order_by="Deployment.starts_at"
    )

    @property
    def awaiting_urgent_review(self) -> bool:
        return self.urgent and self.urgent_reviewed_at is None and self.status == "in_force"

    @property
    def awaiting_written_record(self) -> bool:
        return self.verbal and self.written_recorded_at is None


class Deployment(Base):
    """One window at one authorised place; the live runtime runs it (state machine below)."""

    __tablename__ = "lfr_deployments"
    id: Mapped[str] = mapped_column(_ID, primary_key=True, default=new_id)
    authority_id: Mapped[str] = _fk("lfr_authorities.id")
    location_id: Mapped[str] = _fk("lfr_locations.id")
    starts_at: Mapped[datetime] = mapped_column(UTCDateTime)
    ends_at: Mapped[datetime] = mapped_column(UTCDateTime)
    state: Mapped[str] = mapped_column(String(16), default="planned", index=True)
    camera_count: Mapped[int] = mapped_column(Integer, default=1)
    styles: Mapped[list] = mapped_column(JSON, default=list)
    review_interval_hours: Mapped[float | None] = mapped_column(
        Float, nullable=True
    )  # tactical plan
    started_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    state_reason: Mapped[str] = mapped_column(Text, default="")

    authority: Mapped[Authority] = relationship(back_populates="deployments")
    location: Mapped[Location] = relationship()
