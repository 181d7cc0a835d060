"""Tables of the live system: Alerts, the operator's log, Engagements, performance concerns and
per-camera counters.

An Alert row holds ids, the score and the sealed camera face (the probe) — never a template.
Faces that raised no Alert have no row of any kind: only `CameraCounters` counts them (LIVE-03).
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import (
    Boolean,
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
from frt.store.sealed import SealedColumn

_ID = String(32)


class LiveAlert(Base):
    __tablename__ = "lfr_alerts"
    __table_args__ = (
        Index("uq_lfr_alerts_track_key", "deployment_id", "camera", "track_key", unique=True),
    )
    id: Mapped[str] = mapped_column(_ID, primary_key=True, default=new_id)
    deployment_id: Mapped[str] = mapped_column(ForeignKey("lfr_deployments.id"), index=True)
    camera: Mapped[str] = mapped_column(String(120))
    worker: Mapped[str] = mapped_column(String(120))
    track: Mapped[int] = mapped_column(Integer)
    # The watchlist image and entry are referenced by id only: the watchlist is deleted after the
    # Deployment (DATA-02) while the Alert record is kept for its own period (000 §13.2).
    image_id: Mapped[str] = mapped_column(String(32))
    entry_id: Mapped[str] = mapped_column(String(32))
    category: Mapped[str] = mapped_column(String(40), default="")
    blue: Mapped[bool] = mapped_column(Boolean, default=False)
    score: Mapped[float] = mapped_column(Float)
    threshold: Mapped[float] = mapped_column(Float)
    raised_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
    recognition_time_ms: Mapped[float] = mapped_column(Float)
    probe_sealed: Mapped[bytes | None] = mapped_column(LargeBinary, nullable=True)
    PROBE = SealedColumn("lfr_alerts.probe")
    probe_deleted_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    # Idempotency key of the track that raised it, unique per Deployment and camera: a camera
    # taken over by another worker replays from its last checkpoint and re-finds the same
    # tracks, which must not raise a second Alert (issue 14). None for `frt deploy run`.
    track_key: Mapped[str | None] = mapped_column(String(80), nullable=True)


class OperatorLog(Base):
    """The operator's assessment of an Alert and the decision to engage (000 §10.4–10.5)."""

    __tablename__ = "lfr_operator_logs"
    id: Mapped[str] = mapped_column(_ID, primary_key=True, default=new_id)
    alert_id: Mapped[str] = mapped_column(ForeignKey("lfr_alerts.id"), index=True)
    operator_id: Mapped[str] = mapped_column(ForeignKey("users.id"))
    assessment: Mapped[str] = mapped_column(String(20))
    recommend_engage: Mapped[bool] = mapped_column(Boolean)
    note: Mapped[str] = mapped_column(Text, default="")
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class Engagement(Base):
    """The Engagement Officer's own decision and its outcome (000 §10.8–10.12, §11.3(i))."""

    __tablename__ = "lfr_engagements"
    id: Mapped[str] = mapped_column(_ID, primary_key=True, default=new_id)
    deployment_id: Mapped[str] = mapped_column(ForeignKey("lfr_deployments.id"), index=True)
    alert_id: Mapped[str | None] = mapped_column(
        ForeignKey("lfr_alerts.id"), nullable=True, index=True
    )
    officer_id: Mapped[str] = mapped_column(ForeignKey("users.id"))
    decision: Mapped[str] = mapped_column(String(20))
    outcome: Mapped[str] = mapped_column(String(20))
    police_action: Mapped[str] = mapped_column(String(24), default="none")
    reason: Mapped[str] = mapped_column(Text, default="")  # for an Engagement without an Alert
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class PerformanceConcern(Base):
    """An operator's concern about system performance, for the Silver (000 §10.4)."""

    __tablename__ = "lfr_concerns"
    id: Mapped[str] = mapped_column(_ID, primary_key=True, default=new_id)
    deployment_id: Mapped[str] = mapped_column(ForeignKey("lfr_deployments.id"), index=True)
    raised_by: Mapped[str] = mapped_column(ForeignKey("users.id"))
    image_id: Mapped[str | None] = mapped_column(String(32), nullable=True)
    note: Mapped[str] = mapped_column(Text)
    raised_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class CameraCounters(Base):
    """One worker's counts for one camera of a Deployment (LIVE-08); counts only."""

    __tablename__ = "lfr_camera_counters"
    __table_args__ = (UniqueConstraint("deployment_id", "camera", "worker"),)
    id: Mapped[str] = mapped_column(_ID, primary_key=True, default=new_id)
    deployment_id: Mapped[str] = mapped_column(ForeignKey("lfr_deployments.id"), index=True)
    camera: Mapped[str] = mapped_column(String(120))
    worker: Mapped[str] = mapped_column(String(120))
    started_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    frames: Mapped[int] = mapped_column(Integer, default=0)
    dropped_frames: Mapped[int] = mapped_column(Integer, default=0)
    corrupt_frames: Mapped[int] = mapped_column(Integer, default=0)
    reconnects: Mapped[int] = mapped_column(Integer, default=0)
    faces_detected: Mapped[int] = mapped_column(Integer, default=0)
    tracks: Mapped[int] = mapped_column(Integer, default=0)
    templates: Mapped[int] = mapped_column(Integer, default=0)
    alerts: Mapped[int] = mapped_column(Integer, default=0)


class CounterSample(Base):
    """A camera's running counts at one moment, so the metrics page can chart them over time
    (issue 12, item 12); counts only, written with the counts themselves (`save_counters`)."""

    __tablename__ = "lfr_counter_samples"
    id: Mapped[str] = mapped_column(_ID, primary_key=True, default=new_id)
    deployment_id: Mapped[str] = mapped_column(ForeignKey("lfr_deployments.id"), index=True)
    camera: Mapped[str] = mapped_column(String(120))
    worker: Mapped[str] = mapped_column(String(120))
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    frames: Mapped[int] = mapped_column(Integer, default=0)
    faces_detected: Mapped[int] = mapped_column(Integer, default=0)
    templates: Mapped[int] = mapped_column(Integer, default=0)
    alerts: Mapped[int] = mapped_column(Integer, default=0)


class HandheldDevice(Base):
    """An Engagement Officer's handheld device, enrolled with its own credential (DATA-06;
    000 §12.1(e)). Only a hash of the token is kept; the token is shown once, at enrolment."""

    __tablename__ = "lfr_devices"
    id: Mapped[str] = mapped_column(_ID, primary_key=True, default=new_id)
    deployment_id: Mapped[str] = mapped_column(ForeignKey("lfr_deployments.id"), index=True)
    officer_id: Mapped[str] = mapped_column(ForeignKey("users.id"))
    label: Mapped[str] = mapped_column(String(80))
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    enrolled_by: Mapped[str] = mapped_column(ForeignKey("users.id"))
    enrolled_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    last_seen_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)


class BlueMember(Base):
    """A consenting member of staff on the blue watchlist (WL-08; 004 §10.13, §14.3): consent
    recorded, template sealed, kept apart from the operational Watchlist."""

    __tablename__ = "lfr_blue_members"
    id: Mapped[str] = mapped_column(_ID, primary_key=True, default=new_id)
    deployment_id: Mapped[str] = mapped_column(ForeignKey("lfr_deployments.id"), index=True)
    enrolled_by: Mapped[str] = mapped_column(ForeignKey("users.id"))
    consent: Mapped[str] = mapped_column(Text)  # how and when consent was given (no identity)
    consent_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    algorithm: Mapped[str] = mapped_column(String(60))
    algorithm_version: Mapped[str] = mapped_column(String(80))
    template_sealed: Mapped[bytes] = mapped_column(LargeBinary)
    TEMPLATE = SealedColumn("lfr_blue_members.template")
    passes: Mapped[int] = mapped_column(Integer, default=0)  # walks through the zone (TRR)


class DeploymentWipe(Base):
    """After a Deployment: what was deleted, as counts (DATA-02, DATA-08; 000 §13.1(b))."""

    __tablename__ = "lfr_deployment_wipes"
    id: Mapped[str] = mapped_column(_ID, primary_key=True, default=new_id)
    deployment_id: Mapped[str] = mapped_column(ForeignKey("lfr_deployments.id"), unique=True)
    wiped_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    watchlist_individuals: Mapped[int] = mapped_column(Integer, default=0)
    watchlist_images: Mapped[int] = mapped_column(Integer, default=0)
    blue_members: Mapped[int] = mapped_column(Integer, default=0)
    devices_revoked: Mapped[int] = mapped_column(Integer, default=0)


class DeploymentCamera(Base):
    """A camera of a Deployment, run by whichever `frt worker` holds its lease (issue 14).

    The source (a file, or a stream URL that may carry credentials) is sealed; `name` is the
    display name without them. `worker`/`epoch`/`heartbeat_at` are the lease: a worker claims a
    camera whose lease is free or whose heartbeat is older than the timeout, and bumps `epoch`,
    so a worker that was presumed dead can tell it lost the camera. `position` is the source's
    checkpoint (frames or replayed tracks done), written with each heartbeat.
    """

    __tablename__ = "lfr_cameras"
    __table_args__ = (UniqueConstraint("deployment_id", "name"),)
    id: Mapped[str] = mapped_column(_ID, primary_key=True, default=new_id)
    deployment_id: Mapped[str] = mapped_column(ForeignKey("lfr_deployments.id"), index=True)
    name: Mapped[str] = mapped_column(String(120))
    source_sealed: Mapped[bytes] = mapped_column(LargeBinary)
    SOURCE = SealedColumn("lfr_cameras.source")
    added_by: Mapped[str | None] = mapped_column(ForeignKey("users.id"), nullable=True)
    added_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    state: Mapped[str] = mapped_column(String(12), default="idle", index=True)  # CameraState
    worker: Mapped[str | None] = mapped_column(String(120), nullable=True)
    epoch: Mapped[int] = mapped_column(Integer, default=0)
    claimed_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    heartbeat_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    position: Mapped[int] = mapped_column(Integer, default=0)


class LiveWorker(Base):
    """A running `frt worker` process and its last heartbeat (for the engineer's page)."""

    __tablename__ = "lfr_workers"
    id: Mapped[str] = mapped_column(String(120), primary_key=True)  # host:pid:random
    host: Mapped[str] = mapped_column(String(80))
    capacity: Mapped[int] = mapped_column(Integer, default=1)
    started_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    heartbeat_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    stopped_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
