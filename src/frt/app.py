"""The composition root: the one place that builds what an FRT process runs with.

    app = build()                   # settings from the environment (or given)
    app.store                       # the database and cipher, guarded: no change without audit
    app.profile                     # the force's policy profile
    app.web()                       # the FastAPI app (site, panels, routers) over this store
    app.scheduler(background=True)  # the scheduled jobs, each run by one process at a time

The web app, the `frt` command, the jobs and the tests all start here, so the extension points
(the cancellation report's providers, the jobs, the web site) are wired once and passed in —
nothing depends on which modules happened to be imported first.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from frt.audit import attach
from frt.core.invariant import guard_store
from frt.core.services import Services
from frt.policy import Profile, load_profile
from frt.settings import Settings, load_settings
from frt.store import db as store_db
from frt.store.db import Store

if TYPE_CHECKING:
    from fastapi import FastAPI


@dataclass
class App:
    settings: Settings
    store: Store
    profile: Profile

    def web(self) -> FastAPI:
        from frt.web.app import create_app

        return create_app(self.store, self.profile)

    def scheduler(self, *, background: bool = True, purge_every_minutes: float = 10.0):
        from frt.jobs import scheduler

        return scheduler(self.store, purge_every_minutes, background=background)


def services() -> Services:
    """The domain's extension points, in the order they apply."""
    from frt.engine.cluster import ray_address
    from frt.engine.index import SHARD_SIZE
    from frt.governance.reports import GovernanceRecords
    from frt.lfr.report import LiveRecords
    from frt.rfr.search_index import LibraryIndexes

    # With a Ray cluster, a library past one shard is held by actors, not this process.
    indexes = LibraryIndexes(shard_above=SHARD_SIZE if ray_address() else None)
    return Services(metrics_providers=(GovernanceRecords(), LiveRecords()), library_indexes=indexes)


def wire(store: Store) -> Store:
    """Give `store` the audit log's keys, guard it (no change without an audit record) and give
    it the domain's services. Idempotent."""
    attach(store)
    guard_store(store)
    store.services = services()
    return store


def open_store(settings: Settings | None = None, *, migrate: bool | None = None) -> Store:
    """The configured store, wired: what every FRT process and test opens."""
    return wire(store_db.open_store(settings or load_settings(), migrate=migrate))


def build(settings: Settings | None = None, *, migrate: bool | None = None) -> App:
    settings = settings or load_settings()
    profile = load_profile(settings.policy_profile)  # a bad profile stops the process here
    return App(settings, open_store(settings, migrate=migrate), profile)
