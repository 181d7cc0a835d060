"""`/api/lfr/deployments/{id}/watchlist` and `/api/lfr/watchlist-images/…`: importing a sealed
Watchlist bundle (WL-05), reading its composition and per-image quality (WL-04, WL-07), and
raising one image's Threshold (WL-09). Counts and positions only: no personal data.
Models: `frt.web.schemas.lfr_deployments`."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, File, Form, HTTPException, Request, UploadFile

from frt.core.errors import InputError
from frt.governance import outside_policy, watchlists
from frt.governance.bundle import MAX_BUNDLE_BYTES, BundleError, parse_key
from frt.governance.outside_policy import Scope
from frt.people.roles import Role
from frt.policy import PolicyRefusal
from frt.web.auth import Principal, require_role
from frt.web.lfr_shared import ANY, refused
from frt.web.limits import MULTIPART_MARGIN
from frt.web.schemas.lfr_deployments import (
    ImageThresholdOut,
    ThresholdIn,
    WatchlistImportIn,
    WatchlistOut,
)
from frt.web.units import unit

router = APIRouter(prefix="/api/lfr", tags=["lfr watchlists"])
IMPORTERS = require_role(Role.GOLD, Role.SILVER, Role.BRONZE, Role.SYSTEM_ENGINEER)


def watchlist_out(ctx, watchlist_id: str) -> WatchlistOut:
    return WatchlistOut.model_validate(
        {
            "id": watchlist_id,
            "composition": watchlists.composition(ctx.session, watchlist_id),
            "images": watchlists.image_warnings(ctx.session, watchlist_id),
        }
    )


async def read_key(key_file: UploadFile | None) -> bytes | None:
    """The uploaded key file, if any, checked (a 400 names what is wrong with it)."""
    if key_file is None or not key_file.filename:
        return None
    try:
        return parse_key(await key_file.read(), source="the uploaded key file")
    except BundleError as exc:
        raise HTTPException(400, str(exc)) from None


@router.post(
    "/deployments/{dep_id}/watchlist",
    name="api.lfr.deployment.watchlist",
    max_body_size=MAX_BUNDLE_BYTES + MULTIPART_MARGIN,
    response_model=WatchlistOut,
)
async def import_watchlist(
    dep_id: str,
    request: Request,
    form: Annotated[WatchlistImportIn, Form()],
    bundle: UploadFile = File(...),
    key_file: UploadFile | None = File(None),
    who: Principal = Depends(IMPORTERS),
):
    data, key = await bundle.read(), await read_key(key_file)
    try:
        with unit(request, who) as ctx:
            wl = watchlists.import_bundle(
                ctx,
                dep_id,
                data,
                key=key,
                replace=form.replace,
                intelligence_reconfirmed=form.intelligence_reconfirmed,
                exception_id=form.exception_id or None,
            )
            return watchlist_out(ctx, wl.id)
    except PolicyRefusal as exc:
        return refused(request, who, Scope(outside_policy.WATCHLIST_IMPORT, dep_id), exc.decision)


@router.get("/deployments/{dep_id}/watchlist", name="api.lfr.deployment.watchlist.read")
def read_watchlist(dep_id: str, request: Request, who: Principal = Depends(ANY)) -> WatchlistOut:
    with unit(request, who) as ctx:
        summary = watchlists.read_summary(ctx, dep_id)  # the same rule as the Deployment's page
        if summary is None:
            raise InputError("no Watchlist has been imported for this Deployment")
        return WatchlistOut.model_validate(summary)


@router.post("/watchlist-images/{image_id}/threshold", name="api.lfr.watchlist.threshold")
def raise_threshold(
    image_id: str,
    body: ThresholdIn,
    request: Request,
    who: Principal = Depends(require_role(Role.LFR_OPERATOR, Role.SYSTEM_ENGINEER)),
) -> ImageThresholdOut:
    """WL-09: raise one image's Threshold, with the reason (000 §6.2(3)); never lowered."""
    with unit(request, who) as ctx:
        image = watchlists.raise_image_threshold(ctx, image_id, body.threshold, body.reason)
        return ImageThresholdOut(
            id=image.id, threshold=image.threshold, reason=image.threshold_reason
        )
