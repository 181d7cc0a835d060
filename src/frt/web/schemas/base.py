"""What every request model shares: the text bound of `frt.web.limits.Input`, and forms' habits.

A browser form sends "" for an empty number or date and nothing at all for an unticked box or an
empty multi-select. `FormInput` reads "" as "not given" for every field that is not text, so the
field's default applies (an empty Threshold is None, not an error), and a datetime-local value
(naive) is left naive for the page to read in the force's time zone.
"""

from __future__ import annotations

import types
import typing
from datetime import datetime

from pydantic import BaseModel, model_validator

from frt.web.limits import Input


def _is_text(annotation) -> bool:
    if annotation is str:
        return True
    if typing.get_origin(annotation) in (typing.Union, types.UnionType):
        args = [a for a in typing.get_args(annotation) if a is not type(None)]
        return bool(args) and all(a is str for a in args)
    return False


class FormInput(Input):
    """A request body that a page's form may also send."""

    @model_validator(mode="before")
    @classmethod
    def _empty_is_unset(cls, data):
        if not isinstance(data, dict):
            return data
        cleaned = {}
        for key, value in data.items():
            field = cls.model_fields.get(key)
            if value == "" and field is not None and not _is_text(field.annotation):
                continue  # the default applies
            cleaned[key] = value
        return cleaned


class Ref(BaseModel):
    """What a step returns: the object's id and the state it is now in."""

    id: str
    state: str


def aware(value: datetime | None, tz) -> datetime | None:
    """A datetime a person typed (naive: the force's local time) as an aware datetime."""
    if value is None or value.tzinfo is not None:
        return value
    return value.replace(tzinfo=tz)
