"""The audit record (who did what to which object, when, with what outcome) and the chain's links.

A record carries its own MAC (`hash`: HMAC-SHA256 of its content under the installation's audit
key) from the moment it is written. The sequencer (`frt.audit.chain.link`) later gives each
committed record a position in the chain: a link that binds the position, the record's number and
MAC, and the link before it under the same key. Writers never wait for one another; only linking
is serial. Both tables are append-only (triggers; see migrations 0001 and 0009).
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, BigInteger, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from frt.store.base import Base, UTCDateTime

# BIGINT on PostgreSQL (an identity column since 0009), INTEGER (the rowid alias) on SQLite.
SeqType = BigInteger().with_variant(Integer(), "sqlite")


class AuditRecord(Base):
    __tablename__ = "audit_records"
    seq: Mapped[int] = mapped_column(SeqType, primary_key=True, autoincrement=False)
    at: Mapped[datetime] = mapped_column(UTCDateTime)
    user_id: Mapped[str | None] = mapped_column(String(32), nullable=True)
    role: Mapped[str] = mapped_column(String(40))
    action: Mapped[str] = mapped_column(String(80), index=True)
    object_type: Mapped[str | None] = mapped_column(String(60), nullable=True)
    object_id: Mapped[str | None] = mapped_column(String(64), nullable=True, index=True)
    outcome: Mapped[str] = mapped_column(String(20))
    detail: Mapped[dict] = mapped_column(
        JSON, default=dict
    )  # ids, counts, citations: never personal data
    # Records written before 0009 were chained by plain SHA-256: prev_hash is set only on those.
    prev_hash: Mapped[str | None] = mapped_column(String(64), unique=True, nullable=True)
    # The record's MAC (frt.audit.chain.record_mac); a plain SHA-256 on records before 0009.
    hash: Mapped[str] = mapped_column(String(64), unique=True)

    @property
    def legacy(self) -> bool:
        return self.prev_hash is not None


class AuditLink(Base):
    """Position `pos` of the chain: record `record_seq`, whose MAC was `record_mac`."""

    __tablename__ = "audit_links"
    pos: Mapped[int] = mapped_column(SeqType, primary_key=True, autoincrement=False)
    record_seq: Mapped[int] = mapped_column(SeqType, unique=True)
    record_mac: Mapped[str] = mapped_column(String(64))
    mac: Mapped[str] = mapped_column(
        String(64), unique=True
    )  # HMAC(prev mac, pos, seq, record_mac)
    linked_at: Mapped[datetime] = mapped_column(UTCDateTime)
