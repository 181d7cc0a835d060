"""One composition root (frt.app): what a process runs with is wired once and passed in, so
nothing depends on which modules were imported first; scheduled jobs run in one process at once."""

from __future__ import annotations

import json
import subprocess
import sys
import threading

import pytest

from frt import jobs
from frt.lfr import records
from frt.lfr.pipeline import Alert
from frt.lfr.watchlist import Match
from tests.lfr.live_fixtures import *  # noqa: F401,F403 (fixtures)
from tests.lfr.live_fixtures import RUN_AT, set_state

PROVIDERS = """
import json, sys
for name in sys.argv[1:]:
    __import__(name)
import frt.app
print(json.dumps([p.name for p in frt.app.services().metrics_providers]))
"""


def _providers_after_importing(*modules: str) -> list[str]:
    out = subprocess.run(
        [sys.executable, "-c", PROVIDERS, *modules], capture_output=True, text=True, check=True
    ).stdout
    return json.loads(out)


@pytest.mark.req("GOV-12")
def test_the_report_providers_are_the_same_whichever_modules_were_imported_first():
    first = _providers_after_importing("frt.governance.reports")
    second = _providers_after_importing("frt.lfr.report", "frt.web.app", "frt.governance.reports")
    assert first == second == ["governance", "lfr"]


@pytest.mark.req("GOV-12", "LIVE-08")
def test_the_cancellation_report_counts_the_alerts_without_anyone_registering_providers(
    store, act, live
):
    """The report a Gold prepares counts live Alerts through the wired store alone."""
    import numpy as np

    from frt.governance import reports

    auth_id, dep_id = live()
    match = Match("img-1", "entry-1", 0.99, 0.97, "suspect", ())
    probe = np.full((150, 150, 3), 90, np.uint8)
    records.persist_alert(
        store, dep_id, Alert("cam-1", 7, match, False, 12, 0.4, 0.9, 480.0, RUN_AT, probe)
    )
    set_state(act, dep_id, "terminated")
    with act("gold", now=RUN_AT.replace(hour=23)) as ctx:
        report = reports.prepare(ctx, auth_id)
        assert report.metrics[dep_id]["alerts"] == 1


@pytest.mark.req("DATA-01", "DATA-02")
def test_a_job_runs_in_one_process_at_a_time(store):
    started, release, results = threading.Event(), threading.Event(), []

    def slow(_store):
        started.set()
        release.wait(10)
        return "done"

    holder = threading.Thread(target=lambda: results.append(jobs.run_once(store, "t", slow)))
    holder.start()
    assert started.wait(10)
    assert jobs.run_once(store, "t", lambda _s: "second") is None  # another holds the lock
    release.set()
    holder.join(10)
    assert results == ["done"]
    assert jobs.run_once(store, "t", lambda _s: "again") == "again"
