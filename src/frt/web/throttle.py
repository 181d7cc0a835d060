"""Limits per client, checked before any audit write or password check (DATA-04, DATA-05;
000 §12.1(b) defence in depth, §12.1(d) access control; NIST SP 800-63B-4 §3.2.2).

- Sign-in and the change-password form: a client may fail `PER_ACCOUNT` times for one account
  and `PER_CLIENT` times in all within `LOGIN_WINDOW`; past either it is refused before the
  password is checked (401 for the account, 429 for the client). These are below the account's
  own lock (`people.service.MAX_FAILED_LOGINS`), so one client cannot lock anyone out.
  A success clears that client's count for that account; counts expire with the window.
- Anonymous refusals (a missing CSRF token, a forged device credential, a throttled sign-in): the
  first from a client in each `REFUSAL_WINDOW` is recorded as it is; the rest are counted and
  recorded as one record when the window ends ("web.refusals.repeated", counts by action, no
  client address: that would be personal data); past `REFUSALS_PER_WINDOW` the client gets 429.

A client is its address as the server sees it (no proxy is trusted, `web.server`); an IPv6
client is its /64. Counts are kept in this process's memory, bounded in size.
"""

from __future__ import annotations

import ipaddress
import logging
import threading
import time
from collections import deque
from collections.abc import Callable
from enum import Enum

from fastapi import Request

logger = logging.getLogger(__name__)

CITATION = "000 §12.1(b), §12.1(d)"
LOGIN_WINDOW = 15 * 60.0
PER_ACCOUNT = 5
PER_CLIENT = 30
REFUSAL_WINDOW = 60.0
REFUSALS_PER_WINDOW = 30
MAX_KEYS = 20_000  # memory bound: the oldest keys are forgotten first


class TooManyAttempts(Exception):
    """This client is refused for a while: answer 429 with Retry-After."""

    citation = CITATION

    def __init__(self, retry_after: float, what: str = "failed sign-ins") -> None:
        self.retry_after = max(1, int(retry_after + 0.999))
        minutes = max(1, round(self.retry_after / 60))
        self.reason = (
            f"too many {what} from this address; try again in about {minutes} "
            f"minute{'s' if minutes != 1 else ''}"
        )
        super().__init__(self.reason)


class Counter:
    """Events per key within a sliding window of `seconds`."""

    def __init__(self, limit: int, seconds: float, clock: Callable[[], float]) -> None:
        self.limit, self.seconds, self._clock = limit, seconds, clock
        self._events: dict[str, deque[float]] = {}

    def count(self, key: str) -> int:
        events = self._events.get(key)
        if not events:
            return 0
        horizon = self._clock() - self.seconds
        while events and events[0] <= horizon:
            events.popleft()
        if not events:
            del self._events[key]
            return 0
        return len(events)

    def over(self, key: str) -> bool:
        return self.count(key) >= self.limit

    def add(self, key: str) -> int:
        if key not in self._events and len(self._events) >= MAX_KEYS:
            del self._events[next(iter(self._events))]
        self._events.setdefault(key, deque()).append(self._clock())
        return len(self._events[key])

    def clear(self, key: str) -> None:
        self._events.pop(key, None)

    def retry_after(self, key: str) -> float:
        events = self._events.get(key)
        return (events[0] + self.seconds - self._clock()) if events else 0.0


class Verdict(str, Enum):
    RECORD = "record"  # record it as it is
    COUNT = "count"  # counted into the window's one record
    LIMIT = "limit"  # counted, and the client is answered 429


class Throttle:
    def __init__(self, clock: Callable[[], float] = time.monotonic) -> None:
        self._clock = clock
        self._lock = threading.Lock()
        self._account = Counter(PER_ACCOUNT, LOGIN_WINDOW, clock)
        self._client = Counter(PER_CLIENT, LOGIN_WINDOW, clock)
        self._refusals = Counter(REFUSALS_PER_WINDOW, REFUSAL_WINDOW, clock)
        self._counted: dict[str, tuple[float, dict[str, int]]] = {}  # client -> (since, by action)
        self._ended: list[dict[str, int]] = []

    # ---------------------------------------------------------------- passwords
    def before_password(self, client: str, username: str) -> None:
        """Raise before a password is checked if this client must wait."""
        with self._lock:
            if self._client.over(client):
                raise TooManyAttempts(self._client.retry_after(client))
            if self._account.over(_pair(client, username)):
                raise AccountThrottled()

    def password_failed(self, client: str, username: str) -> bool:
        """Count a wrong password; True once this client has used up its tries for the account."""
        with self._lock:
            self._client.add(client)
            return self._account.add(_pair(client, username)) >= PER_ACCOUNT

    def password_ok(self, client: str, username: str) -> None:
        with self._lock:
            self._account.clear(_pair(client, username))

    # ---------------------------------------------------------------- anonymous refusals
    def anonymous_refusal(self, client: str, action: str) -> Verdict:
        with self._lock:
            open_since = self._counted.get(client, (None,))[0]
            if open_since is not None and self._clock() - open_since >= REFUSAL_WINDOW:
                self._ended.append(self._counted.pop(client)[1])  # recorded by the next `due`
            seen = self._refusals.count(client)
            self._refusals.add(client)
            if seen == 0 and client not in self._counted:
                return Verdict.RECORD
            since, actions = self._counted.setdefault(client, (self._clock(), {}))
            actions[action[:80]] = actions.get(action[:80], 0) + 1
            return Verdict.LIMIT if seen >= REFUSALS_PER_WINDOW else Verdict.COUNT

    def due(self, *, everything: bool = False) -> list[dict[str, int]]:
        """Counts of windows that have ended (all of them with `everything`), taken out."""
        with self._lock:
            now = self._clock()
            ended = [
                c
                for c, (since, _) in self._counted.items()
                if everything or now - since >= REFUSAL_WINDOW
            ]
            windows, self._ended = self._ended, []
            return windows + [self._counted.pop(c)[1] for c in ended]


class AccountThrottled(Exception):
    """This client has used up its tries for this account: the usual sign-in refusal."""


def _pair(client: str, username: str) -> str:
    return f"{client}\n{username.strip().lower()[:64]}"


def client_of(request: Request) -> str:
    host = request.client.host if request.client else "unknown"
    try:
        address = ipaddress.ip_address(host)
    except ValueError:
        return host[:64]
    if address.version == 6:
        if address.ipv4_mapped:
            return str(address.ipv4_mapped)
        return str(ipaddress.ip_network(f"{address}/64", strict=False))
    return str(address)


def throttle_for(app) -> Throttle:
    """The app's one Throttle (made on first use)."""
    if not hasattr(app.state, "throttle"):
        app.state.throttle = Throttle()
    return app.state.throttle


def throttle_of(request: Request) -> Throttle:
    return throttle_for(request.app)


def record_counted(store, throttle: Throttle, *, everything: bool = False) -> int:
    """Write one record per ended window of counted anonymous refusals; returns how many."""
    from frt.audit import Actor, Outcome, record

    windows = throttle.due(everything=everything)
    if not windows:
        return 0
    try:
        with store.session() as session:
            for actions in windows:
                record(
                    session,
                    Actor.system("web"),
                    "web.refusals.repeated",
                    outcome=Outcome.REFUSED,
                    detail={
                        "count": sum(actions.values()),
                        "by_action": actions,
                        "window_seconds": int(REFUSAL_WINDOW),
                        "rule": CITATION,
                    },
                )
    except Exception:  # the refusals stood; say in the server log that their count was lost
        logger.exception("could not record %d counted refusal windows", len(windows))
    return len(windows)
