"""One unit of work as the person behind a request — a signed-in user or an enrolled device's
Engagement Officer — for every page and API route that runs an action.

The actions inside audit themselves and record their own refusals (`frt.core.actions`); a wrong
input from a person (an `InputError`) becomes a 400 with its message, and a refusal
(`PolicyRefusal`) passes on to the app's error handler, which shows its rule (`frt.web.errors`).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import TypeVar

from fastapi import HTTPException, Request

from frt.core.actions import acting
from frt.core.context import Ctx
from frt.core.errors import InputError
from frt.web.auth import store_of

R = TypeVar("R")


@contextmanager
def unit(request: Request, who) -> Iterator[Ctx]:
    """`with unit(request, who) as ctx:` — `who` is anything with a `.user`."""
    try:
        with acting(store_of(request), who.user.id, profile=request.app.state.policy) as ctx:
            yield ctx
    except InputError as exc:
        raise HTTPException(400, str(exc)) from None


def run(request: Request, who, fn: Callable[[Ctx], R]) -> R:
    """`fn(ctx)` in one unit of work; returns what it returns (ids, not rows)."""
    with unit(request, who) as ctx:
        return fn(ctx)
