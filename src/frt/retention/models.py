"""Holds that keep an Alert's personal data past its retention period (000 §13.2(a)–(b))."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from frt.store.base import Base, UTCDateTime, new_id, utcnow

_ID = String(32)


class AlertHold(Base):
    """A recorded reason to keep one Alert's camera face beyond the profile's alert period."""

    __tablename__ = "retention_alert_holds"
    id: Mapped[str] = mapped_column(_ID, primary_key=True, default=new_id)
    alert_id: Mapped[str] = mapped_column(ForeignKey("lfr_alerts.id"), index=True)
    ground: Mapped[str] = mapped_column(String(24))  # HoldGround
    reason: Mapped[str] = mapped_column(Text)
    placed_by: Mapped[str] = mapped_column(ForeignKey("users.id"))
    placed_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    released_by: Mapped[str | None] = mapped_column(ForeignKey("users.id"), nullable=True)
    released_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
