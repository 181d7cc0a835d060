"""The scheduled jobs, run by APScheduler in `frt serve` (and `frt deploy purge --every`), each
by exactly one process at a time however many processes schedule it.

- retention: the Watchlist and working data of finished Deployments (DATA-02, DATA-08;
  `frt.lfr.purge`) and the camera faces of Alerts past their period (DATA-01;
  `frt.retention.alerts`). Each writes its own counts to the audit log (DATA-03).
- rfr: RFR retention (ended libraries, images by age/MOPI, probes; `frt.retention.rfr`), the
  Unresolved Crime Cache's re-search of new images (`frt.rfr.cache`) and the scheduled usage
  reports due (`frt.rfr.usage`).

Several `frt serve` processes behind a proxy all schedule the same jobs; a run first takes the
job's lock — a PostgreSQL advisory lock, or on the embedded SQLite default a lock file beside the
database — and a process that cannot take it skips that run (another is doing it).
"""

from __future__ import annotations

import fcntl
import logging
import zlib
from collections.abc import Callable, Iterator
from contextlib import contextmanager

from sqlalchemy import text

from frt.lfr import purge as deployments
from frt.retention import alerts
from frt.store.base import utcnow

logger = logging.getLogger(__name__)


def retention(store) -> tuple[list, dict[str, int]]:
    """One run of the retention jobs: (Deployments wiped, Alert camera faces deleted per
    Deployment)."""
    return deployments.purge(store), alerts.purge(store)


def rfr(store) -> dict:
    """One run of the RFR jobs: retention first, then the cache, then the reports due."""
    from frt.rfr import cache, usage
    from frt.rfr import retention as rfr_retention

    return {
        "retention": rfr_retention.purge(store),
        "cache": cache.run(store),
        "reports": usage.deliver_due(store),
    }


def run_once(store, name: str, job: Callable):
    """`job(store)` if no other process is running the job `name` now; else None."""
    with leader(store, name) as leading:
        if not leading:
            logger.info("job %s is running in another process; skipped here", name)
            return None
        return job(store)


@contextmanager
def leader(store, name: str) -> Iterator[bool]:
    """Hold the job's lock for the block: True if this process holds it, False if another does."""
    if store.engine.dialect.name == "postgresql":
        key = zlib.crc32(f"frt.job.{name}".encode())
        with store.engine.connect() as conn:
            held = conn.execute(text("SELECT pg_try_advisory_lock(:k)"), {"k": key}).scalar()
            try:
                yield bool(held)
            finally:
                if held:
                    conn.execute(text("SELECT pg_advisory_unlock(:k)"), {"k": key})
        return
    path = store.settings.data_dir / f".job-{name}.lock"
    with open(path, "a") as handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            yield False
            return
        try:
            yield True
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def scheduler(store, every_minutes: float = 10.0, *, background: bool = False):
    """An APScheduler running the jobs now and every `every_minutes`: blocking (Ctrl-C stops)
    or in a background thread (for `frt serve`)."""
    from apscheduler.schedulers.background import BackgroundScheduler
    from apscheduler.schedulers.blocking import BlockingScheduler

    chosen = (BackgroundScheduler if background else BlockingScheduler)(timezone="UTC")
    chosen.add_job(
        run_once,
        "interval",
        args=[store, "retention", retention],
        minutes=every_minutes,
        next_run_time=utcnow(),
        id="retention",
        max_instances=1,
        coalesce=True,
    )
    chosen.add_job(
        run_once,
        "interval",
        args=[store, "rfr", rfr],
        minutes=every_minutes,
        next_run_time=utcnow(),
        id="rfr",
        max_instances=1,
        coalesce=True,
    )
    return chosen
