"""The audit log page and its "verify chain" button (DATA-04), for AUDIT_READERS only."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Request

from frt.web.api.audit import READERS, AuditQuery, audit_query, chain_verified, records_read
from frt.web.auth import Principal, require_role
from frt.web.templating import render

router = APIRouter(include_in_schema=False)


@router.get("/audit", name="audit.page")
def audit_page(
    request: Request,
    who: Principal = Depends(require_role(*READERS)),
    query: AuditQuery = Depends(audit_query),
):
    from frt.people.audit_names import who_did
    from frt.web.auth import store_of

    records = records_read(request, who, query)
    with store_of(request).session() as db:
        names = who_did(db, records)
    return render(request, "audit.html", records=records, query=query, names=names)


@router.post("/audit/verify", name="audit.verify.page")
def audit_verify(request: Request, who: Principal = Depends(require_role(*READERS))):
    result = chain_verified(request, who)
    return render(request, "partials/verification.html", result=result)
