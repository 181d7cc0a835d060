"""Pages that need no login: the public transparency pages (`/public/…`) and the API reference.

The transparency pages (deployment records, the register) are filled in by governance later.
"""

from __future__ import annotations

from fastapi import APIRouter, Request

from frt.web.templating import render

router = APIRouter(include_in_schema=False)


@router.get("/public/", name="public.index")
def transparency(request: Request, format: str | None = None):
    """The published figures per Deployment (GOV-14); `?format=json|csv` for the data."""
    from frt.web.pages.governance import public_transparency

    return public_transparency(request, format)


@router.get("/api/docs", name="api.docs")
def api_docs(request: Request):
    """A plain list of the API's operations, built from the OpenAPI schema (no CDN assets)."""
    schema = request.app.openapi()
    operations = [
        (method.upper(), path, op.get("summary", ""), op.get("tags", []))
        for path, methods in schema.get("paths", {}).items()
        for method, op in methods.items()
    ]
    return render(request, "api_docs.html", operations=operations, info=schema.get("info", {}))
