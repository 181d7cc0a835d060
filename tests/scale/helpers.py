"""Shared set-up of the scale tests: an active Deployment whose window is now (real time, as a
worker in another process sees it), and its cameras."""

from __future__ import annotations

import time
from datetime import timedelta

from sqlalchemy import func, select

from frt.core.actions import perform
from frt.governance.models import Deployment
from frt.lfr import leases
from frt.lfr.models import DeploymentCamera, LiveAlert
from frt.people.models import User
from frt.store.base import utcnow
from tests.conftest import setup_session


def open_now(store, dep_id: str) -> None:
    """Move the Deployment's window around the real clock (workers use real time)."""
    with setup_session(store) as s:
        dep = s.get(Deployment, dep_id)
        dep.starts_at, dep.ends_at = utcnow() - timedelta(hours=1), utcnow() + timedelta(hours=1)


def add_camera(store, dep_id: str, source: str, name: str = "") -> str:
    with store.read() as s:
        silver = s.scalar(select(User.id).where(User.username == "silver"))
    return perform(store, silver, leases.add_camera, dep_id, source, name).id


def alert_keys(store, dep_id: str) -> list[str]:
    with store.read() as s:
        return list(s.scalars(select(LiveAlert.track_key).where(LiveAlert.deployment_id == dep_id)))


def alert_count(store, dep_id: str) -> int:
    with store.read() as s:
        return s.scalar(
            select(func.count()).select_from(LiveAlert).where(LiveAlert.deployment_id == dep_id)
        )


def camera(store, camera_id: str) -> DeploymentCamera:
    with store.read() as s:
        return s.get(DeploymentCamera, camera_id)


def wait_for(predicate, timeout: float = 20.0, step: float = 0.05) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(step)
    return False
