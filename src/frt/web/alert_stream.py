"""The SSE body shared by the console and the handheld device: the Deployment's Alerts so far,
then each new one as this process's Hub announces it (`frt.lfr.push`) — no database poll per
open page. `render(session, alert)` turns an Alert into the event's data (a card, or JSON)."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable

from sqlalchemy.orm import Session
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request

from frt.lfr import events, push
from frt.lfr.models import LiveAlert

WAKE_S = 1.0  # how often a quiet stream checks that its client is still there


async def alert_events(
    request: Request,
    store,
    deployment_id: str,
    blue: bool,
    render: Callable[[Session, LiveAlert], str],
    states: bool = True,
) -> AsyncIterator[dict]:
    feed = events.AlertFeed(deployment_id, blue)
    subscription = push.hub_for(store).subscribe(deployment_id, blue)

    def catch_up() -> list[str]:
        with store.read() as db:
            return [render(db, a) for a in feed.poll(db)]

    def one(alert_id: str) -> list[str]:
        with store.read() as db:
            alert = feed.take(db, alert_id)
            return [render(db, alert)] if alert is not None else []

    try:
        pending = await run_in_threadpool(catch_up)
        while True:
            for data in pending:
                yield {"event": "alert", "data": data}
            pending = []
            if await request.is_disconnected():
                return
            item = await subscription.next(WAKE_S)
            if item is None:
                continue
            kind, value = item
            if kind == "alert":
                pending = await run_in_threadpool(one, value)
            elif kind == push.RESYNC:
                pending = await run_in_threadpool(catch_up)
            elif kind == "state" and states:
                yield {"event": "state", "data": value}
    finally:
        subscription.close()
