"""A clock the tests move: actions and jobs are run at `clock.now`."""

from __future__ import annotations

from datetime import datetime, timedelta

from frt.store.base import utcnow


class Clock:
    def __init__(self, start: datetime | None = None) -> None:
        self.now = (start or utcnow()).replace(microsecond=0)

    def advance(self, **delta: float) -> datetime:
        self.now += timedelta(**delta)
        return self.now

    def __call__(self) -> datetime:
        return self.now
