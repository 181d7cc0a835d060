"""Facts about the store itself (not about people): the sealed key check."""

from __future__ import annotations

from sqlalchemy import LargeBinary, String
from sqlalchemy.orm import Mapped, mapped_column

from frt.store.base import Base

KEY_CHECK = "key_check"
KEY_CHECK_PLAINTEXT = b"FRT key check v1"


class StoreMeta(Base):
    __tablename__ = "store_meta"
    key: Mapped[str] = mapped_column(String(64), primary_key=True)
    value: Mapped[bytes] = mapped_column(LargeBinary)
