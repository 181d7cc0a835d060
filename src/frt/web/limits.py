"""Bounds on request bodies: FastAPI refuses a body past its route's bound with 413 while it
streams in (a declared Content-Length at once), before any route, login or CSRF check reads it.

The app's default (`DEFAULT_BODY_BYTES`) covers forms and JSON documents; a route that takes an
upload declares its own with `max_body_size=` (hardening issue, item 1).
"""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict

# Forms and JSON documents: the longest narrative a person types, with room to spare.
DEFAULT_BODY_BYTES = 256 * 1024
# Multipart framing and the small fields beside a file upload.
MULTIPART_MARGIN = 64 * 1024
# The longest text a person types into one field (a narrative, an intelligence case summary).
MAX_TEXT_CHARS = 20_000
# The most items a person picks from one list (categories, places, flags): more than any list offers.
MAX_CHOICES = 50


class Input(BaseModel):
    """Base of every API request body: no text field longer than `MAX_TEXT_CHARS`."""

    model_config = ConfigDict(str_max_length=MAX_TEXT_CHARS)
