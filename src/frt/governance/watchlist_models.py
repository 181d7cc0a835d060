"""Watchlists, their entries (subjects) and images, and the cancellation report (tables).

Personal data (a subject's reference, warning markers, legal basis, rationale), images and
templates are sealed with the store's cipher; only what composition statistics need (category,
image source and layer, the 000 §6.6 flags) is kept in clear.
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import JSON, Boolean, Date, Float, ForeignKey, Integer, LargeBinary, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from frt.store.base import Base, UTCDateTime, new_id, utcnow
from frt.store.sealed import SealedColumn

_ID = String(32)


class Watchlist(Base):
    __tablename__ = "lfr_watchlists"
    id: Mapped[str] = mapped_column(_ID, primary_key=True, default=new_id)
    deployment_id: Mapped[str] = mapped_column(ForeignKey("lfr_deployments.id"), unique=True)
    imported_by: Mapped[str] = mapped_column(ForeignKey("users.id"))
    imported_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    bundle_sha256: Mapped[str] = mapped_column(String(64))
    intelligence_reconfirmed: Mapped[bool] = mapped_column(Boolean, default=False)
    algorithm: Mapped[str] = mapped_column(String(60))
    algorithm_version: Mapped[str] = mapped_column(String(80))
    exception_id: Mapped[str | None] = mapped_column(
        ForeignKey("gov_policy_exceptions.id"), nullable=True
    )

    entries: Mapped[list[WatchlistEntry]] = relationship(
        back_populates="watchlist", cascade="all, delete-orphan", order_by="WatchlistEntry.position"
    )


class WatchlistEntry(Base):
    """One subject: category and flags in clear, everything identifying sealed."""

    __tablename__ = "lfr_watchlist_entries"
    id: Mapped[str] = mapped_column(_ID, primary_key=True, default=new_id)
    watchlist_id: Mapped[str] = mapped_column(ForeignKey("lfr_watchlists.id"), index=True)
    position: Mapped[int] = mapped_column(Integer)
    category: Mapped[str] = mapped_column(String(40))
    image_source: Mapped[str] = mapped_column(String(24))
    image_layer: Mapped[str | None] = mapped_column(String(1), nullable=True)
    flags: Mapped[list] = mapped_column(JSON, default=list)
    details_sealed: Mapped[bytes] = mapped_column(LargeBinary)  # reference, markers, basis…
    DETAILS = SealedColumn("lfr_watchlist_entries")

    watchlist: Mapped[Watchlist] = relationship(back_populates="entries")
    images: Mapped[list[WatchlistImage]] = relationship(
        back_populates="entry", cascade="all, delete-orphan", order_by="WatchlistImage.position"
    )


class WatchlistImage(Base):
    __tablename__ = "lfr_watchlist_images"
    id: Mapped[str] = mapped_column(_ID, primary_key=True, default=new_id)
    entry_id: Mapped[str] = mapped_column(ForeignKey("lfr_watchlist_entries.id"), index=True)
    position: Mapped[int] = mapped_column(Integer)
    captured_on: Mapped[date] = mapped_column(Date)
    image_sealed: Mapped[bytes] = mapped_column(LargeBinary)
    template_sealed: Mapped[bytes] = mapped_column(LargeBinary)
    IMAGE = SealedColumn("lfr_watchlist_images.image")
    TEMPLATE = SealedColumn("lfr_watchlist_images.template")
    quality_score: Mapped[float] = mapped_column(Float)
    warnings: Mapped[list] = mapped_column(JSON, default=list)
    threshold: Mapped[float | None] = mapped_column(Float, nullable=True)  # raised (WL-09)
    threshold_reason: Mapped[str] = mapped_column(Text, default="")
    threshold_raised_by: Mapped[str | None] = mapped_column(ForeignKey("users.id"), nullable=True)
    threshold_raised_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)

    entry: Mapped[WatchlistEntry] = relationship(back_populates="images")


class CancellationReport(Base):
    """Form 1 Part 3: SOP 11.3 (a)–(i) per Deployment and Gold's evaluation (GOV-12)."""

    __tablename__ = "lfr_cancellation_reports"
    id: Mapped[str] = mapped_column(_ID, primary_key=True, default=new_id)
    authority_id: Mapped[str] = mapped_column(ForeignKey("lfr_authorities.id"), unique=True)
    status: Mapped[str] = mapped_column(String(16), default="draft")
    metrics: Mapped[dict] = mapped_column(JSON, default=dict)  # deployment id -> ReportMetrics
    evaluation: Mapped[str] = mapped_column(Text, default="")
    safeguards: Mapped[str] = mapped_column(Text, default="")
    learning: Mapped[str] = mapped_column(Text, default="")
    prepared_by: Mapped[str] = mapped_column(ForeignKey("users.id"))
    prepared_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    due_at: Mapped[datetime] = mapped_column(UTCDateTime)
    submitted_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
