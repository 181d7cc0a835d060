"""A user's in-app inbox: messages FRT delivers to named people (scheduled reports, 003 §9.1).

A message holds a subject, a plain-text body and at most one attachment (a CSV or JSON report);
it carries counts, never personal data. `deliver` is called inside an action (it writes).
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, LargeBinary, String, Text, select
from sqlalchemy.orm import Mapped, mapped_column

from frt.store.base import Base, UTCDateTime, new_id, utcnow


class InboxMessage(Base):
    __tablename__ = "inbox_messages"
    id: Mapped[str] = mapped_column(String(32), primary_key=True, default=new_id)
    user_id: Mapped[str] = mapped_column(ForeignKey("users.id"), index=True)
    subject: Mapped[str] = mapped_column(String(300))
    body: Mapped[str] = mapped_column(Text, default="")
    attachment_name: Mapped[str] = mapped_column(String(200), default="")
    attachment_type: Mapped[str] = mapped_column(String(80), default="")
    attachment: Mapped[bytes | None] = mapped_column(LargeBinary, nullable=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    read_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)


def deliver(
    session,
    user_id: str,
    subject: str,
    body: str,
    now: datetime,
    attachment: tuple[str, str, bytes] | None = None,
) -> InboxMessage:
    """Put a message in `user_id`'s inbox (call inside an action: it writes)."""
    name, kind, data = attachment or ("", "", None)
    message = InboxMessage(
        user_id=user_id,
        subject=subject[:300],
        body=body,
        attachment_name=name,
        attachment_type=kind,
        attachment=data,
        created_at=now,
    )
    session.add(message)
    session.flush()
    return message


def messages_of(session, user_id: str, limit: int = 100) -> list[InboxMessage]:
    return list(
        session.scalars(
            select(InboxMessage)
            .where(InboxMessage.user_id == user_id)
            .order_by(InboxMessage.created_at.desc())
            .limit(limit)
        )
    )
