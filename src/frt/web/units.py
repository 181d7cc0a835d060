"""One unit of work as the person behind a request — a signed-in user or an enrolled device's
Engagement Officer — for every page and API route that changes something.

A wrong input from a person (a `GovernanceError`) becomes a 400 with its message. Refusals
(`PolicyRefusal`) pass through to the app's error handler, which records them in the audit log
and shows their rule (`frt.web.errors`), so they are not recorded here as well.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from fastapi import HTTPException, Request

from frt.governance.context import Ctx, GovernanceError, acting
from frt.web.auth import store_of


@contextmanager
def unit(request: Request, who, action: str) -> Iterator[Ctx]:
    """`with unit(request, who, "lfr.alert.assess") as ctx:` — `who` is anything with a `.user`."""
    try:
        with acting(store_of(request), who.user.id, action, profile=request.app.state.policy,
                    record_refusals=False) as ctx:
            yield ctx
    except GovernanceError as exc:
        raise HTTPException(400, str(exc)) from None


def run(request: Request, who, action: str, fn):
    """`fn(ctx)` in one unit of work; returns what it returns (ids, not rows)."""
    with unit(request, who, action) as ctx:
        return fn(ctx)
