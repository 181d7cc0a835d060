"""The single path by which anything is written to, or read from, the audit log (DATA-04).

Each record carries the SHA-256 of its own content and of the record before it, so an edit, a
deletion or a reordering breaks the chain at a place `verify` reports. The database refuses
UPDATE and DELETE on the table (a trigger on both SQLite and PostgreSQL; see the migration).
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime
from enum import Enum

from sqlalchemy import func, select, text
from sqlalchemy.orm import Session

from frt.audit.models import AuditRecord
from frt.store.base import utcnow

GENESIS = "0" * 64
_PG_LOCK_KEY = 0x46525441  # "FRTA": serialises appends so the chain never forks


class Outcome(str, Enum):
    OK = "ok"
    REFUSED = "refused"
    FAILED = "failed"


@dataclass(frozen=True)
class Actor:
    """Who acts: a user (id and the role they act in) or the system itself (user_id None)."""

    user_id: str | None
    role: str

    @classmethod
    def system(cls, component: str = "system") -> Actor:
        return cls(None, component)


class AuditAccessDenied(PermissionError):
    """The actor's role may not read the audit log."""


def record(
    session: Session,
    actor: Actor,
    action: str,
    *,
    object_type: str | None = None,
    object_id: str | None = None,
    outcome: Outcome = Outcome.OK,
    detail: dict | None = None,
) -> AuditRecord:
    """Append one record in the caller's transaction (so it commits or rolls back with the change)."""
    _lock(session)
    last = session.execute(
        select(AuditRecord.seq, AuditRecord.hash).order_by(AuditRecord.seq.desc()).limit(1)
    ).first()
    entry = AuditRecord(
        seq=(last.seq + 1) if last else 1,
        at=utcnow(),
        user_id=actor.user_id,
        role=actor.role,
        action=action,
        object_type=object_type,
        object_id=object_id,
        outcome=Outcome(outcome).value,
        detail=detail or {},
        prev_hash=last.hash if last else GENESIS,
    )
    entry.hash = content_hash(entry)
    session.add(entry)
    session.flush()
    return entry


def _lock(session: Session) -> None:
    if session.get_bind().dialect.name == "postgresql":
        session.execute(text("SELECT pg_advisory_xact_lock(:k)"), {"k": _PG_LOCK_KEY})
    # SQLite: every FRT transaction begins IMMEDIATE (store.db), so writers are already serial.


def content_hash(entry: AuditRecord) -> str:
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


def _iso(at: datetime) -> str:
    return at.strftime("%Y-%m-%dT%H:%M:%S.%fZ")


@dataclass
class Verification:
    ok: bool
    records: int
    first_bad_seq: int | None = None
    problem: str | None = None
    details: list[str] = field(default_factory=list)

    def __str__(self) -> str:
        if self.ok:
            return f"audit chain intact: {self.records} records verified"
        return f"audit chain broken at record {self.first_bad_seq}: {self.problem}"


def verify(session: Session, actor: Actor) -> Verification:
    """Walk the chain from the first record; report the first place it breaks."""
    _require_reader(session, actor, "audit.verify")
    expected_seq, prev_hash, count = 1, GENESIS, 0
    result: Verification | None = None
    for entry in _all(session):
        count += 1
        problem = _check(entry, expected_seq, prev_hash)
        if problem and result is None:
            result = Verification(False, count, entry.seq, problem)
        expected_seq, prev_hash = entry.seq + 1, entry.hash
    result = result or Verification(True, count)
    record(
        session,
        actor,
        "audit.verify",
        outcome=Outcome.OK,
        detail={"records": count, "intact": result.ok, "first_bad_seq": result.first_bad_seq},
    )
    return result


def _check(entry: AuditRecord, expected_seq: int, prev_hash: str) -> str | None:
    if entry.seq > expected_seq:
        return f"records {expected_seq}–{entry.seq - 1} are missing (deleted)"
    if entry.hash != content_hash(entry):
        return "its content does not match its hash (edited)"
    if entry.prev_hash != prev_hash:
        return "it does not follow the record before it (reordered or a record was replaced)"
    return None


def _all(session: Session) -> Iterator[AuditRecord]:
    yield from session.scalars(
        select(AuditRecord).order_by(AuditRecord.seq).execution_options(yield_per=1000)
    )


def read(
    session: Session,
    actor: Actor,
    *,
    limit: int = 100,
    action: str | None = None,
    object_id: str | None = None,
) -> list[AuditRecord]:
    """Read recent records (newest first). The read itself is audited first."""
    _require_reader(session, actor, "audit.read")
    record(
        session,
        actor,
        "audit.read",
        detail={"limit": limit, "action": action, "object_id": object_id},
    )
    query = select(AuditRecord).order_by(AuditRecord.seq.desc()).limit(limit)
    if action:
        query = query.where(AuditRecord.action == action)
    if object_id:
        query = query.where(AuditRecord.object_id == object_id)
    return list(session.scalars(query))


def record_refusal(store, actor: Actor, action: str, reason: str, citation: str | None) -> None:
    """Record a refused action in its own transaction, so the refusal outlives the rollback."""
    with store.session() as session:
        record(
            session,
            actor,
            action,
            outcome=Outcome.REFUSED,
            detail={"reason": reason, "rule": citation},
        )


def count(session: Session) -> int:
    return session.scalar(select(func.count()).select_from(AuditRecord)) or 0


def _require_reader(session: Session, actor: Actor, action: str) -> None:
    from frt.people.roles import AUDIT_READERS  # local: audit must not depend on people at import

    if actor.user_id is None or actor.role in {r.value for r in AUDIT_READERS}:
        return
    # The caller's transaction rolls back with this exception; the web and CLI layers record
    # the refusal in a transaction of its own (frt.audit.log.record_refusal).
    raise AuditAccessDenied(
        f"role '{actor.role}' may not read the audit log; only auditor, DPO, SRO or "
        "administrator roles may (DATA-04, 000 §12.1(d))"
    )
