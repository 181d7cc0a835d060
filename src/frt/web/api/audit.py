"""`/api/audit`: read and verify the audit log (DATA-04). Reading is itself audited.

Only AUDIT_READERS may read it (000 §12.1(d), §12.1(h)); `frt.audit` enforces that again.
"""

from __future__ import annotations

from datetime import datetime

from fastapi import APIRouter, Depends, Query, Request
from pydantic import BaseModel

from frt.audit import Verification, read, verify
from frt.audit.models import AuditRecord
from frt.people.roles import AUDIT_READERS, Role
from frt.web.auth import Principal, require_role, store_of

router = APIRouter(prefix="/api", tags=["audit"])

# A stable order, so the role an auditor acts in is predictable.
READERS = tuple(r for r in Role if r in AUDIT_READERS)


class AuditRecordOut(BaseModel):
    seq: int
    at: datetime
    user_id: str | None
    role: str
    action: str
    object_type: str | None
    object_id: str | None
    outcome: str
    detail: dict
    hash: str

    @classmethod
    def of(cls, entry: AuditRecord) -> AuditRecordOut:
        return cls(
            seq=entry.seq,
            at=entry.at,
            user_id=entry.user_id,
            role=entry.role,
            action=entry.action,
            object_type=entry.object_type,
            object_id=entry.object_id,
            outcome=entry.outcome,
            detail=entry.detail or {},
            hash=entry.hash,
        )


class VerificationOut(BaseModel):
    ok: bool
    records: int
    first_bad_seq: int | None
    problem: str | None
    summary: str

    @classmethod
    def of(cls, result: Verification) -> VerificationOut:
        return cls(
            ok=result.ok,
            records=result.records,
            first_bad_seq=result.first_bad_seq,
            problem=result.problem,
            summary=str(result),
        )


class AuditQuery(BaseModel):
    limit: int = 100
    action: str | None = None
    object_id: str | None = None


def audit_query(
    limit: int = Query(100, ge=1, le=1000),
    action: str | None = Query(None, max_length=80),
    object_id: str | None = Query(None, max_length=64),
) -> AuditQuery:
    return AuditQuery(limit=limit, action=action or None, object_id=object_id or None)


def records_read(request: Request, who: Principal, query: AuditQuery) -> list[AuditRecordOut]:
    with store_of(request).session() as db:
        entries = read(
            db, who.actor, limit=query.limit, action=query.action, object_id=query.object_id
        )
        return [AuditRecordOut.of(e) for e in entries]


def chain_verified(request: Request, who: Principal) -> VerificationOut:
    with store_of(request).session() as db:
        return VerificationOut.of(verify(db, who.actor))


@router.get("/audit", name="audit.read")
def audit_records(
    request: Request,
    query: AuditQuery = Depends(audit_query),
    who: Principal = Depends(require_role(*READERS)),
) -> list[AuditRecordOut]:
    return records_read(request, who, query)


@router.post("/audit/verify", name="audit.verify")
def audit_verify(
    request: Request, who: Principal = Depends(require_role(*READERS))
) -> VerificationOut:
    return chain_verified(request, who)
