"""The single path by which anything is written to, or read from, the audit log (DATA-04).

`record` writes a record with its own MAC in the caller's transaction, taking no lock: writers
commit side by side. The sequencer (`frt.audit.chain.link`) links committed records into the
chain; `verify` checks every record and link against the MAC key and against signed checkpoints
kept outside the database (`frt.audit.checkpoint`). The database refuses UPDATE and DELETE on both
tables (triggers; see migrations 0001 and 0009), and what an administrator who drops the triggers
can still do is caught by the MACs and the checkpoints (docs/security.md).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from enum import Enum

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from frt.audit import chain
from frt.audit.checkpoint import SIGNER_INFO, Checkpoint, CheckpointError
from frt.audit.models import AuditRecord
from frt.audit.verify import Verification, check
from frt.store.base import utcnow

GENESIS = chain.GENESIS


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

    rule = "DATA-AUDIT-READ"


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
    key = chain.key_of(session)
    entry = AuditRecord(
        seq=chain.next_seq(session),
        at=utcnow(),
        user_id=actor.user_id,
        role=actor.role,
        action=action,
        object_type=object_type,
        object_id=object_id,
        outcome=Outcome(outcome).value,
        detail=detail or {},
        prev_hash=None,
    )
    entry.hash = chain.record_mac(key, entry)
    session.add(entry)
    session.flush()
    return entry


def verify(
    session: Session,
    actor: Actor,
    *,
    checkpoints: Sequence[Checkpoint] = (),
    trusted_key: bytes | None = None,
) -> Verification:
    """Check every record and link, and the chain against the checkpoints given and the newest
    one kept by this installation; report the first problem. The check is itself audited.

    `trusted_key` is the auditor's copy of the checkpoint public key (raw 32 bytes); without it
    the installation's own is used.
    """
    _require_reader(session, actor, "audit.verify")
    signer = session.info.get(SIGNER_INFO)
    kept, unreadable = None, []
    if signer is not None:
        try:
            kept = signer.latest()
        except CheckpointError as exc:
            unreadable.append(f"the newest checkpoint kept here cannot be read: {exc}")
    trusted = trusted_key or (signer.public_key_bytes() if signer is not None else None)
    result = check(
        session,
        chain.key_of(session),
        [*checkpoints, *([kept] if kept else [])],
        trusted,
        signer.installation if signer is not None else None,
        unreadable,
    )
    record(
        session,
        actor,
        "audit.verify",
        outcome=Outcome.OK,
        detail={
            "records": result.records,
            "linked": result.linked,
            "intact": result.ok,
            "first_bad_seq": result.first_bad_seq,
            "checkpoints": result.checkpoints,
        },
    )
    return result


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
    from frt.policy.access import may_read_audit

    decision = may_read_audit(actor.role)
    if actor.user_id is None or decision.allowed:
        return
    # The caller's transaction rolls back with this exception; the web and CLI layers record
    # the refusal in a transaction of its own.
    raise AuditAccessDenied(f"{decision.reason} (DATA-04, {decision.citation})")
