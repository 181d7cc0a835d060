"""New Alerts pushed to the consoles and handhelds open on this server process (issue 9 item 7;
issue 14).

One `Hub` per database per process listens for every Alert and hands each to the open streams
of its Deployment; an open console no longer polls the database.

- PostgreSQL: the worker's transaction that stores an Alert also runs `pg_notify('frt_alerts',
  …)`, which PostgreSQL delivers only when that transaction commits — an Alert is announced
  after it is stored, never before, and every `frt serve` process behind a proxy that LISTENs
  hears it. If the listening connection drops, the Hub reconnects and asks every stream to catch
  up from the database (`RESYNC`), so a notice lost in between loses no Alert.
- SQLite (the embedded default): a worker in the same process announces to the Hub directly;
  workers in other processes are found by the Hub's one poll of the Alerts table (every
  `POLL_S`, for all open streams of the process together).

Deployment states (suspended, ended…) are looked up by the Hub once a second for the
Deployments someone is watching, again once for all streams.
"""

from __future__ import annotations

import asyncio
import logging
import threading
import time
import weakref
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy import select, text
from sqlalchemy.orm import Session

logger = logging.getLogger(__name__)

CHANNEL = "frt_alerts"
POLL_S = 0.3  # SQLite only: the Hub's one poll for Alerts committed by other processes
STATE_S = 1.0  # how often watched Deployments' states are looked up
LOOKBACK = timedelta(seconds=60)
RESYNC = "resync"  # a notice to catch up from the database (the listener reconnected)


def notify_in_transaction(session: Session, deployment_id: str, alert_id: str, blue: bool) -> None:
    """Queue the notice in the Alert's own transaction (PostgreSQL sends it at commit)."""
    if session.get_bind().dialect.name == "postgresql":
        session.execute(
            text("SELECT pg_notify(:c, :p)"),
            {"c": CHANNEL, "p": f"{deployment_id} {alert_id} {int(blue)}"},
        )


def announce(store, deployment_id: str, alert_id: str, blue: bool) -> None:
    """After the commit: tell this process's Hub directly (SQLite; PostgreSQL has notified)."""
    if store.engine.dialect.name == "postgresql":
        return
    for hub in list(_HUBS):
        if hub.key == _key(store):
            hub.publish(deployment_id, alert_id, blue)


@dataclass(eq=False)
class Subscription:
    """One open stream: Alert ids (or RESYNC) and Deployment states, delivered on its loop."""

    hub: Hub
    deployment_id: str
    blue: bool | None
    loop: asyncio.AbstractEventLoop
    queue: asyncio.Queue = field(default_factory=asyncio.Queue)

    async def next(self, timeout: float) -> tuple[str, str] | None:
        """("alert", id) | ("state", state) | ("resync", "") — or None after `timeout` s."""
        if not self.queue.empty():
            return self.queue.get_nowait()
        try:
            async with asyncio.timeout(timeout):  # no task per wait, unlike wait_for
                return await self.queue.get()
        except TimeoutError:
            return None

    def ready(self) -> list[tuple[str, str]]:
        """Whatever else is already queued (taken without waiting)."""
        items = []
        while not self.queue.empty():
            items.append(self.queue.get_nowait())
        return items

    def close(self) -> None:
        self.hub.unsubscribe(self)


class Hub:
    """This process's one listener for one database."""

    def __init__(self, store):
        self.store, self.key = store, _key(store)
        self._subs: dict[str, set[Subscription]] = {}
        self._states: dict[str, str | None] = {}
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self.delivered = 0  # notices handed to streams (for the benchmark and tests)

    # ------------------------------------------------------------ streams
    def subscribe(self, deployment_id: str, blue: bool | None = False) -> Subscription:
        sub = Subscription(self, deployment_id, blue, asyncio.get_running_loop())
        with self._lock:
            self._subs.setdefault(deployment_id, set()).add(sub)
            self._states.pop(deployment_id, None)  # every stream of it is sent the state again
        self._start()
        return sub

    def unsubscribe(self, sub: Subscription) -> None:
        with self._lock:
            subs = self._subs.get(sub.deployment_id)
            if subs is not None:
                subs.discard(sub)
                if not subs:
                    del self._subs[sub.deployment_id]
                    self._states.pop(sub.deployment_id, None)

    def watching(self) -> int:
        with self._lock:
            return sum(len(s) for s in self._subs.values())

    def publish(self, deployment_id: str, alert_id: str, blue: bool) -> None:
        with self._lock:
            subs = [
                s for s in self._subs.get(deployment_id, ()) if s.blue is None or s.blue == blue
            ]
        self.delivered += len(subs)
        _fan_out(subs, ("alert", alert_id))

    def _resync_all(self) -> None:
        with self._lock:
            subs = [s for group in self._subs.values() for s in group]
        _fan_out(subs, (RESYNC, ""))

    # ------------------------------------------------------------ the listener
    def _start(self) -> None:
        with self._lock:
            if self._thread is not None:
                return
            self._stop.clear()
            self._thread = threading.Thread(target=self._listen, name="frt-alert-hub", daemon=True)
            self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        thread = self._thread
        if thread is not None:
            thread.join(timeout=5)

    def _idle(self) -> bool:
        """No stream is open: the listener ends (the next subscriber starts it again)."""
        with self._lock:
            if self._subs and not self._stop.is_set():
                return False
            self._thread = None
            return True

    def _listen(self) -> None:
        postgres = self.store.engine.dialect.name == "postgresql"
        while not self._idle():
            try:
                if postgres:
                    self._listen_postgres()
                else:
                    self._poll_sqlite()
            except Exception:  # noqa: BLE001 - keep listening; streams catch up on RESYNC
                logger.exception("alert listener failed; reconnecting")
                self._resync_all()
                self._stop.wait(1.0)

    def _listen_postgres(self) -> None:
        import psycopg

        url = self.store.engine.url.set(drivername="postgresql")
        dsn = url.render_as_string(hide_password=False)
        with psycopg.connect(dsn, autocommit=True) as conn:
            conn.execute(f"LISTEN {CHANNEL}")
            self._resync_all()  # anything committed before LISTEN took effect
            last_state = 0.0
            while not self._stop.is_set() and self.watching():
                for notice in conn.notifies(timeout=STATE_S / 2, stop_after=500):
                    self._on_payload(notice.payload)
                if time.monotonic() - last_state >= STATE_S:
                    self._check_states()
                    last_state = time.monotonic()

    def _on_payload(self, payload: str) -> None:
        try:
            dep, alert_id, blue = payload.split(" ")
        except ValueError:
            logger.warning("ignored a malformed alert notice")
            return
        self.publish(dep, alert_id, blue == "1")

    def _poll_sqlite(self) -> None:
        from frt.lfr.models import LiveAlert

        seen: set[str] = set()
        newest: datetime | None = None
        last_state = 0.0
        while not self._stop.is_set() and self.watching():
            with self._lock:
                watched = list(self._subs)
            if watched:
                with self.store.read() as session:
                    q = select(LiveAlert.id, LiveAlert.deployment_id, LiveAlert.blue).where(
                        LiveAlert.deployment_id.in_(watched)
                    )
                    if newest is not None:
                        q = q.where(LiveAlert.raised_at >= newest - LOOKBACK)
                    rows = session.execute(q).all()
                    stamp = session.scalar(
                        select(LiveAlert.raised_at).order_by(LiveAlert.raised_at.desc()).limit(1)
                    )
                fresh = [r for r in rows if r.id not in seen]
                for r in fresh:  # streams skip what they sent already (AlertFeed.take)
                    self.publish(r.deployment_id, r.id, r.blue)
                seen.update(r.id for r in fresh)
                newest = stamp or newest
            if time.monotonic() - last_state >= STATE_S:
                self._check_states()
                last_state = time.monotonic()
            self._stop.wait(POLL_S)

    def _check_states(self) -> None:
        from frt.governance.models import Deployment

        with self._lock:
            watched = list(self._subs)
        if not watched:
            return
        with self.store.read() as session:
            states = dict(
                session.execute(
                    select(Deployment.id, Deployment.state).where(Deployment.id.in_(watched))
                ).all()
            )
        for dep_id in watched:
            state = states.get(dep_id)
            if self._states.get(dep_id, "?") != state:
                self._states[dep_id] = state
                with self._lock:
                    subs = list(self._subs.get(dep_id, ()))
                _fan_out(subs, ("state", state or "unknown"))


def _fan_out(subs: list[Subscription], item: tuple[str, str]) -> None:
    """Hand `item` to every stream: one wake-up of each event loop, not one per stream (a server
    with 200 consoles open is woken once per Alert)."""
    by_loop: dict[asyncio.AbstractEventLoop, list[Subscription]] = {}
    for sub in subs:
        by_loop.setdefault(sub.loop, []).append(sub)
    for loop, group in by_loop.items():
        try:
            loop.call_soon_threadsafe(_put_all, group, item)
        except RuntimeError:  # that event loop has closed: its streams are gone
            for sub in group:
                sub.hub.unsubscribe(sub)


def _put_all(subs: list[Subscription], item: tuple[str, str]) -> None:
    for sub in subs:
        sub.queue.put_nowait(item)


_HUBS: weakref.WeakSet[Hub] = weakref.WeakSet()  # every Hub of this process
_HUBS_LOCK = threading.Lock()


def _key(store) -> str:
    return store.engine.url.render_as_string(hide_password=True)


def hub_for(store) -> Hub:
    """The store's Hub (one per server process: its app has one store), made on first use."""
    with _HUBS_LOCK:
        hub = getattr(store, "_alert_hub", None)
        if hub is None:
            hub = store._alert_hub = Hub(store)
            _HUBS.add(hub)
        return hub
