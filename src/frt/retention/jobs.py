"""The retention jobs, run together every few minutes by APScheduler (`frt serve`, and
`frt deploy purge --every`): the Watchlist and working data of finished Deployments (DATA-02,
DATA-08; `frt.lfr.purge`) and the camera faces of Alerts past their period (DATA-01;
`frt.retention.alerts`). Each writes its own counts to the audit log (DATA-03)."""

from __future__ import annotations

import logging

from frt.lfr import purge as deployments
from frt.retention import alerts
from frt.store.base import utcnow

logger = logging.getLogger(__name__)


def run_all(store) -> tuple[list, dict[str, int]]:
    """One run of every job: (Deployments wiped, Alert camera faces deleted per Deployment)."""
    return deployments.purge(store), alerts.purge(store)


def schedule(store, every_minutes: float = 10.0, *, background: bool = False):
    """An APScheduler running `run_all` now and every `every_minutes`: blocking (Ctrl-C stops)
    or in a background thread (for `frt serve`)."""
    from apscheduler.schedulers.background import BackgroundScheduler
    from apscheduler.schedulers.blocking import BlockingScheduler

    scheduler = (BackgroundScheduler if background else BlockingScheduler)(timezone="UTC")
    scheduler.add_job(run_all, "interval", args=[store], minutes=every_minutes,
                      next_run_time=utcnow(), id="retention", max_instances=1, coalesce=True)
    return scheduler
