"""Pages that need no login: the public transparency page (`/public/`) and the API reference."""

from __future__ import annotations

from fastapi import APIRouter, Request
from starlette.responses import JSONResponse, Response

from frt.governance import transparency as published
from frt.web.auth import store_of
from frt.web.templating import render

router = APIRouter(include_in_schema=False)


@router.get("/public/", name="public.index")
def transparency(request: Request, format: str | None = None):
    """GOV-14 (004 §9.6–9.7): the published figures per Deployment, as a page, JSON or CSV."""
    with store_of(request).session() as db:
        if format == "json":
            return JSONResponse(published.public_json(db))
        if format == "rfr-json":  # the RFR section's counts (003 §9.1): no personal data
            from frt.rfr.usage import public_figures

            return JSONResponse(public_figures(db))
        if format == "csv":
            return Response(
                published.public_csv(db),
                media_type="text/csv",
                headers={"Content-Disposition": 'attachment; filename="lfr-deployments.csv"'},
            )
        rows = published.public_deployments(db)
        from frt.rfr.usage import public_figures

        rfr = public_figures(db)
    return render(
        request, "governance/public.html", rows=rows, contact=public_contact(request), rfr=rfr
    )


def public_contact(request: Request) -> str | None:
    """The force's public contact, as chosen when the installation was set up (issue 12,
    item 5); the profile's own contact only where the installation chose that profile."""
    from frt.installation import read_installation

    chosen = read_installation(store_of(request).settings)
    if chosen is None:
        return None
    return chosen.contact or request.app.state.policy.governance.contact_point.value


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
