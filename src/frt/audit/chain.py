"""The keyed chain (DATA-04; 000 §12.1(h)): record MACs, the links that order them, the sequencer.

The MAC key is derived from the installation's data key (`BlobCipher.derive_secret(b"audit-chain")`)
and so is never in the database: whoever can write the database but does not hold the key cannot
make a record, a link or a re-hashed chain that verifies. Deriving it (rather than a second key
file) means there is nothing more to back up or lose, and the key FRT already refuses to run
without is the one that keeps the audit log honest.

Writers compute their record's MAC and insert it, with no lock: the database numbers records.
The sequencer (`link`) then appends links in the order it finds committed records, holding a lock
only while it links (PostgreSQL advisory lock; on SQLite writers are serial anyway). `frt serve`
runs it every few seconds; verify and checkpoint run it first.
"""

from __future__ import annotations

import hashlib
import hmac
import json
from datetime import datetime

from sqlalchemy import exists, func, select, text
from sqlalchemy.orm import Session

from frt.audit.models import AuditLink, AuditRecord
from frt.store.base import utcnow

GENESIS = "0" * 64
KEY_INFO = "frt.audit_key"  # where a Store's sessions carry the MAC key (Session.info)
PURPOSE = b"audit-chain"
_LINK_LOCK = 0x46525441  # "FRTA": one sequencer at a time
WINDOW = 10_000  # a routine pass looks this far below the last linked record for late commits
BATCH = 5_000


class AuditKeyMissing(RuntimeError):
    """An audit record was written or checked in a session that does not carry the MAC key."""


def key_of(session: Session) -> bytes:
    key = session.info.get(KEY_INFO)
    if not key:
        raise AuditKeyMissing(
            "this database session carries no audit key: open sessions through "
            "frt.store.db.Store, which derives it from the installation's key (DATA-04)"
        )
    return key


def record_mac(key: bytes, entry: AuditRecord) -> str:
    """HMAC-SHA256 of a record's content, its number included (so renumbering shows)."""
    body = {
        "seq": entry.seq,
        "at": _iso(entry.at),
        "user_id": entry.user_id,
        "role": entry.role,
        "action": entry.action,
        "object_type": entry.object_type,
        "object_id": entry.object_id,
        "outcome": entry.outcome,
        "detail": entry.detail or {},
    }
    canonical = json.dumps(body, sort_keys=True, separators=(",", ":"), default=str)
    return _mac(key, b"frt-audit-record/1\n" + canonical.encode("utf-8"))


def link_mac(key: bytes, pos: int, record_seq: int, rec_mac: str, prev: str) -> str:
    return _mac(key, f"frt-audit-link/1\n{pos}\n{record_seq}\n{rec_mac}\n{prev}".encode("ascii"))


def legacy_hash(entry: AuditRecord) -> str:
    """The plain SHA-256 that records written before migration 0009 carry (kept to read them)."""
    body = {
        "seq": entry.seq,
        "at": _iso(entry.at),
        "user_id": entry.user_id,
        "role": entry.role,
        "action": entry.action,
        "object_type": entry.object_type,
        "object_id": entry.object_id,
        "outcome": entry.outcome,
        "detail": entry.detail or {},
        "prev_hash": entry.prev_hash,
    }
    canonical = json.dumps(body, sort_keys=True, separators=(",", ":"), default=str)
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


def _mac(key: bytes, message: bytes) -> str:
    return hmac.new(key, message, hashlib.sha256).hexdigest()


def _iso(at: datetime) -> str:
    return at.strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def next_seq(session: Session) -> int:
    """The new record's number, taken without a lock (a gap is left if its transaction rolls back)."""
    if session.get_bind().dialect.name == "postgresql":
        return session.scalar(
            text("SELECT nextval(pg_get_serial_sequence('audit_records', 'seq'))")
        )
    # SQLite: every FRT write transaction begins IMMEDIATE (store.db), so this is serial already.
    return (session.scalar(select(func.max(AuditRecord.seq))) or 0) + 1


def head(session: Session) -> tuple[int, str]:
    """(chain length, MAC of its last link): what a checkpoint signs."""
    last = session.execute(
        select(AuditLink.pos, AuditLink.mac).order_by(AuditLink.pos.desc()).limit(1)
    ).first()
    return (last.pos, last.mac) if last else (0, GENESIS)


def link(session: Session, *, full: bool = False) -> int:
    """Append links for committed records not yet linked; returns how many were linked.

    A routine pass looks only `WINDOW` records below the last linked one (a record whose
    transaction stayed open longer is linked by the next full pass: verify and checkpoint).
    Records written before 0009 (plain SHA-256) are adopted only by the pass that makes the very
    first link; after that a record without a valid MAC is never linked, and verify names it.
    """
    key = key_of(session)
    if session.get_bind().dialect.name == "postgresql":
        session.execute(text("SELECT pg_advisory_xact_lock(:k)"), {"k": _LINK_LOCK})
    pos, prev = head(session)
    adopting = pos == 0
    last = None if full else session.scalar(select(func.max(AuditLink.record_seq)))
    after = None if last is None else last - WINDOW
    linked = 0
    while True:
        query = (
            select(AuditRecord)
            .where(~exists().where(AuditLink.record_seq == AuditRecord.seq))
            .order_by(AuditRecord.seq)
            .limit(BATCH)
        )
        if after is not None:
            query = query.where(AuditRecord.seq > after)
        batch = list(session.scalars(query))
        now = utcnow()
        for entry in batch:
            rec_mac = _linkable_mac(key, entry, adopting)
            if rec_mac is None:
                continue  # forged, or edited before it was linked: left out, verify names it
            pos += 1
            prev = link_mac(key, pos, entry.seq, rec_mac, prev)
            session.add(
                AuditLink(
                    pos=pos, record_seq=entry.seq, record_mac=rec_mac, mac=prev, linked_at=now
                )
            )
            linked += 1
        session.flush()
        if len(batch) < BATCH:
            return linked
        after = batch[-1].seq


def _linkable_mac(key: bytes, entry: AuditRecord, adopting: bool) -> str | None:
    if entry.legacy:
        ok = adopting and entry.hash == legacy_hash(entry)
        return record_mac(key, entry) if ok else None
    expected = record_mac(key, entry)
    return expected if hmac.compare_digest(expected, entry.hash) else None
