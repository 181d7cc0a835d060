"""The SSE body shared by the console and the handheld device: the Deployment's Alerts so far,
then each new one as this process's Hub announces it (`frt.lfr.push`) — no database poll per
open page. `render(session, alert)` turns an Alert into the event's data (a card, or JSON).

A new Alert is rendered once per kind of viewer (`audience`: the roles a card is drawn for), not
once per open page: the first stream to need it renders it, the others on the same server wait
for that and reuse it (`bench/RESULTS.md`: 200 consoles).
"""

from __future__ import annotations

import asyncio
from collections import OrderedDict
from collections.abc import AsyncIterator, Callable
from functools import partial

from sqlalchemy.orm import Session
from sse_starlette.sse import ServerSentEvent
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
    audience: str = "",
) -> AsyncIterator[dict | bytes]:
    feed = events.AlertFeed(deployment_id, blue)
    subscription = push.hub_for(store).subscribe(deployment_id, blue)

    def catch_up() -> list[str]:
        with store.read() as db:
            return [render(db, a) for a in feed.poll(db)]

    def one(alert_id: str) -> bytes:
        with store.read() as db:
            alert = feed.take(db, alert_id)
            return _alert_event(render(db, alert)) if alert is not None else b""

    try:
        pending = [_alert_event(d) for d in await run_in_threadpool(catch_up)]
        while True:
            for event in pending:
                yield event
            pending = []
            if await request.is_disconnected():
                return
            item = await subscription.next(WAKE_S)
            if item is None:
                continue
            fresh: list[str] = []
            for kind, value in [item, *subscription.ready()]:
                if kind == "alert" and not feed.sent(value) and value not in fresh:
                    fresh.append(value)
                elif kind == push.RESYNC:
                    pending += [_alert_event(d) for d in await run_in_threadpool(catch_up)]
                elif kind == "state" and states:
                    yield {"event": "state", "data": value}
            # Alerts queued together are rendered side by side (and once per server: _rendered),
            # so a slow database read delays a burst once, not once per Alert in turn.
            fresh = [a for a in fresh if not feed.sent(a)]  # a catch-up above may have sent it
            keys = [(a, deployment_id, blue, audience) for a in fresh]
            if all(k in _CACHE for k in keys):  # the usual case: another stream rendered it
                cards = [_CACHE[k] for k in keys]
            else:
                cards = await asyncio.gather(*(_rendered(k, partial(one, k[0])) for k in keys))
            for alert_id in fresh:
                feed.mark(alert_id)
            pending += [c for c in cards if c]
    finally:
        subscription.close()


def _alert_event(data: str) -> bytes:
    """The SSE event, encoded once: a new Alert's bytes are the same for every stream."""
    return ServerSentEvent(data=data, event="alert").encode()


_CACHE: OrderedDict[tuple, bytes] = OrderedDict()  # newest Alerts' encoded events per audience
_CACHE_SIZE = 512
_INFLIGHT: dict[tuple, asyncio.Future] = {}


async def _rendered(key: tuple, make: Callable[[], bytes]) -> bytes:
    """`make()` run once per key however many streams ask at once (in the server's loop)."""
    if key in _CACHE:
        return _CACHE[key]
    loop = asyncio.get_running_loop()
    flight = (id(loop), key)  # a future belongs to one event loop (one per server process)
    waiting = _INFLIGHT.get(flight)
    if waiting is not None:
        return await asyncio.shield(waiting)
    future: asyncio.Future = loop.create_future()
    _INFLIGHT[flight] = future
    try:
        data = await run_in_threadpool(make)
    except BaseException as exc:
        future.set_exception(exc)
        future.exception()  # retrieved: the waiters re-raise it
        raise
    finally:
        _INFLIGHT.pop(flight, None)
    if data:  # b"" (not found) is not kept: another stream looks for itself
        _CACHE[key] = data
    while len(_CACHE) > _CACHE_SIZE:
        _CACHE.popitem(last=False)
    future.set_result(data)
    return data
