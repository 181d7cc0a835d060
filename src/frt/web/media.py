"""Personal images sent to a browser or device: typed, never cached, 404 once deleted."""

from __future__ import annotations

from fastapi import HTTPException
from starlette.responses import Response


def image_type(data: bytes) -> str:
    if data.startswith(b"\x89PNG"):
        return "image/png"
    if data.startswith(b"\xff\xd8"):
        return "image/jpeg"
    return "application/octet-stream"


def image_response(data: bytes | None, what: str, gone_because: str) -> Response:
    """`data` as an image, or 404 saying it is no longer held and under which rule it went."""
    if data is None:
        raise HTTPException(404, f"the {what} is no longer held (deleted under {gone_because})")
    return Response(data, media_type=image_type(data))
