"""Command team, roster, Silver reviews, overt use, notifications, loss reports, exceptions and
reference counters (tables)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, Boolean, ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from frt.store.base import Base, UTCDateTime, new_id, utcnow

_ID = String(32)


def _fk(target: str, nullable: bool = False):
    return mapped_column(ForeignKey(target), nullable=nullable, index=True)


class CommandAppointment(Base):
    """Gold, Silver, a Bronze or the Bronze Community of an Authority (GOV-09, 000 §10.1)."""

    __tablename__ = "lfr_command_appointments"
    id: Mapped[str] = mapped_column(_ID, primary_key=True, default=new_id)
    authority_id: Mapped[str] = _fk("lfr_authorities.id")
    role: Mapped[str] = mapped_column(String(20))
    user_id: Mapped[str] = _fk("users.id")
    appointed_by: Mapped[str] = _fk("users.id")
    appointed_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    ended_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)


class RosterEntry(Base):
    """A person rostered for a Deployment in a duty that needs in-date training (GOV-10)."""

    __tablename__ = "lfr_roster"
    id: Mapped[str] = mapped_column(_ID, primary_key=True, default=new_id)
    deployment_id: Mapped[str] = _fk("lfr_deployments.id")
    user_id: Mapped[str] = _fk("users.id")
    duty: Mapped[str] = mapped_column(String(24))
    rostered_by: Mapped[str] = _fk("users.id")
    rostered_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    exception_id: Mapped[str | None] = _fk("gov_policy_exceptions.id", nullable=True)


class SilverReview(Base):
    """Silver's review of a running Deployment (GOV-09, 004 §7.4, §7.6)."""

    __tablename__ = "lfr_silver_reviews"
    id: Mapped[str] = mapped_column(_ID, primary_key=True, default=new_id)
    deployment_id: Mapped[str] = _fk("lfr_deployments.id")
    reviewer_id: Mapped[str] = _fk("users.id")
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    lawfulness: Mapped[str] = mapped_column(Text)
    necessity: Mapped[str] = mapped_column(Text)
    proportionality: Mapped[str] = mapped_column(Text)
    system_performance: Mapped[str] = mapped_column(Text)
    engagements: Mapped[str] = mapped_column(Text)
    outcome: Mapped[str] = mapped_column(String(16))  # continue / suspend / terminate


class OvertUse(Base):
    """Advance notice (or the exception), signage and leaflets, contact point (GOV-11)."""

    __tablename__ = "lfr_overt_use"
    id: Mapped[str] = mapped_column(_ID, primary_key=True, default=new_id)
    authority_id: Mapped[str] = mapped_column(ForeignKey("lfr_authorities.id"), unique=True)
    notice_published: Mapped[bool] = mapped_column(Boolean, default=False)
    notice_published_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    notice_channels: Mapped[str] = mapped_column(Text, default="")
    notice_exception_reasons: Mapped[str] = mapped_column(Text, default="")
    signage: Mapped[bool] = mapped_column(Boolean, default=False)
    leaflets: Mapped[bool] = mapped_column(Boolean, default=False)
    measures_notes: Mapped[str] = mapped_column(Text, default="")
    contact_point: Mapped[str] = mapped_column(String(200), default="")
    recorded_by: Mapped[str] = _fk("users.id")
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class Notification(Base):
    """Something a person (or everyone in a role) must see in their work list."""

    __tablename__ = "gov_notifications"
    id: Mapped[str] = mapped_column(_ID, primary_key=True, default=new_id)
    recipient_id: Mapped[str | None] = _fk("users.id", nullable=True)
    recipient_role: Mapped[str | None] = mapped_column(String(40), nullable=True, index=True)
    kind: Mapped[str] = mapped_column(String(40))
    object_type: Mapped[str] = mapped_column(String(40))
    object_id: Mapped[str] = mapped_column(String(32))
    message: Mapped[str] = mapped_column(Text)  # no personal data: kinds, references, citations
    citation: Mapped[str] = mapped_column(String(60), default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    acknowledged_by: Mapped[str | None] = _fk("users.id", nullable=True)
    acknowledged_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)


class LossReport(Base):
    """Loss or theft of LFR hardware or data (GOV-15, 000 §13.5)."""

    __tablename__ = "lfr_loss_reports"
    id: Mapped[str] = mapped_column(_ID, primary_key=True, default=new_id)
    authority_id: Mapped[str] = _fk("lfr_authorities.id")
    item: Mapped[str] = mapped_column(String(24))
    encrypted: Mapped[bool] = mapped_column(Boolean, default=True)
    circumstances: Mapped[str] = mapped_column(Text)
    occurred_at: Mapped[datetime] = mapped_column(UTCDateTime)
    reported_by: Mapped[str] = _fk("users.id")
    reported_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class PolicyException(Base):
    """A decision outside policy: the refused rule, the rationale, legal advice, SRO review (GOV-16)."""

    __tablename__ = "gov_policy_exceptions"
    id: Mapped[str] = mapped_column(_ID, primary_key=True, default=new_id)
    object_type: Mapped[str] = mapped_column(String(40))
    object_id: Mapped[str] = mapped_column(String(32), index=True)
    rule: Mapped[str] = mapped_column(String(60))  # the citation of the rule set aside
    refused_reason: Mapped[str] = mapped_column(Text)
    rationale: Mapped[str] = mapped_column(Text)
    legal_advice: Mapped[str] = mapped_column(Text, default="")
    decided_by: Mapped[str] = _fk("users.id")
    decided_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    used: Mapped[bool] = mapped_column(Boolean, default=False)
    sro_reviewed_by: Mapped[str | None] = _fk("users.id", nullable=True)
    sro_reviewed_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    sro_note: Mapped[str] = mapped_column(Text, default="")
    sro_outcome: Mapped[str | None] = mapped_column(String(16), nullable=True)  # endorsed/disagreed
    extra: Mapped[dict] = mapped_column(JSON, default=dict)  # the action and its subject


class Counter(Base):
    """A named counter for references ("LFR-2026-0007"): bumped in the caller's transaction."""

    __tablename__ = "gov_counters"
    name: Mapped[str] = mapped_column(String(80), primary_key=True)
    value: Mapped[int] = mapped_column(Integer)
