"""Camera leases: which `frt worker` runs which camera of which Deployment (issue 14).

A Deployment's cameras are rows (`DeploymentCamera`, source sealed). A worker *claims* cameras
whose lease is free or whose holder's heartbeat is older than the timeout — on PostgreSQL with
`SELECT … FOR UPDATE SKIP LOCKED`, so many workers claim at once without waiting on each other or
taking the same camera; on SQLite the write lock taken at BEGIN serialises claims. Each claim
bumps the camera's `epoch`: the heartbeat of a worker that was presumed dead (paused, cut off)
finds the epoch moved on and stops its copy of the camera. A worker *releases* a camera when its
Deployment may not run (suspended, terminated, ended, outside its window: LIVE-10) or when its
source ended (a recorded file), and the release is audited; heartbeats are bookkeeping
(`frt.core.invariant.EXEMPT`).
"""

from __future__ import annotations

import socket
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from frt.core.actions import action
from frt.core.context import Ctx
from frt.core.errors import InputError
from frt.governance.enums import DeploymentState
from frt.governance.models import Deployment
from frt.lfr.enums import CameraState
from frt.lfr.models import DeploymentCamera, LiveWorker
from frt.lfr.sources import _display_name
from frt.people.roles import Role
from frt.store.base import utcnow

HEARTBEAT_TIMEOUT = timedelta(seconds=15)  # a lease this long without a heartbeat is free


@dataclass(frozen=True)
class Lease:
    """A camera this worker holds, as the worker needs it (the source opened, never stored)."""

    camera_id: str
    deployment_id: str
    name: str
    source: str
    epoch: int
    position: int


@action(
    "lfr.camera.add",
    roles=[Role.SYSTEM_ENGINEER, Role.SILVER],
    touches="lfr_deployment",
    key="deployment_id",
)
def add_camera(ctx: Ctx, deployment_id: str, source: str, name: str = "") -> DeploymentCamera:
    """A camera for the Deployment's workers to run (its source sealed: a URL may carry a
    password)."""
    dep = ctx.get(Deployment, deployment_id)
    if DeploymentState(dep.state).finished:
        raise InputError("the Deployment has finished: no camera can be added")
    source = source.strip()
    if not source:
        raise InputError("give the camera's source: a file, an rtsp:// URL or a camera number")
    name = (name.strip() or _display_name(source))[:120]
    taken = ctx.session.scalar(
        select(DeploymentCamera.id).where(
            DeploymentCamera.deployment_id == deployment_id, DeploymentCamera.name == name
        )
    )
    if taken:
        raise InputError(f"the Deployment already has a camera named {name!r}")
    row = DeploymentCamera(
        deployment_id=deployment_id,
        name=name,
        source_sealed=b"",
        added_by=ctx.user.id if ctx.user else None,
        state=CameraState.IDLE.value,
        epoch=0,
        position=0,
    )
    ctx.session.add(row)
    ctx.session.flush()
    row.source_sealed = DeploymentCamera.SOURCE.seal(ctx.cipher, row.id, source.encode())
    ctx.note(camera_id=row.id, camera=name)
    return row


def claimable(
    session: Session,
    now: datetime,
    timeout: timedelta = HEARTBEAT_TIMEOUT,
    exclude: Sequence[str] = (),
):
    """The query for cameras of active Deployments no live worker holds (but `exclude`)."""
    q = (
        select(DeploymentCamera)
        .join(Deployment, Deployment.id == DeploymentCamera.deployment_id)
        .where(
            Deployment.state == DeploymentState.ACTIVE.value,
            Deployment.starts_at <= now,
            Deployment.ends_at > now,
            DeploymentCamera.state != CameraState.FINISHED.value,
            or_(
                DeploymentCamera.worker.is_(None),
                DeploymentCamera.heartbeat_at < now - timeout,
            ),
        )
        .order_by(DeploymentCamera.heartbeat_at.is_not(None), DeploymentCamera.added_at)
    )
    return q.where(DeploymentCamera.id.not_in(list(exclude))) if exclude else q


def any_claimable(
    store, now: datetime, timeout: timedelta = HEARTBEAT_TIMEOUT, exclude: Sequence[str] = ()
) -> bool:
    """A cheap look before claiming (a claim is audited; an empty poll should not be)."""
    with store.read() as session:
        q = claimable(session, now, timeout, exclude).limit(1)
        return session.scalar(q) is not None


@action("lfr.camera.claim", touches="lfr_worker", key="worker", system=True)
def claim(
    ctx: Ctx,
    worker: str,
    limit: int,
    timeout_s: float = HEARTBEAT_TIMEOUT.total_seconds(),
    exclude: Sequence[str] = (),
) -> list[Lease]:
    """Up to `limit` free cameras for `worker` (not those in `exclude`), each under a new
    epoch."""
    from frt.governance.deployments import may_run

    now = utcnow()
    q = claimable(ctx.session, now, timedelta(seconds=timeout_s), exclude).limit(limit)
    rows = ctx.session.scalars(q.with_for_update(skip_locked=True, of=DeploymentCamera)).all()
    leases = []
    for row in rows:
        if not may_run(ctx.session, row.deployment_id, now).allowed:  # e.g. authority stopped
            continue
        taken_from = row.worker
        row.worker, row.epoch, row.state = worker, row.epoch + 1, CameraState.RUNNING.value
        row.claimed_at = row.heartbeat_at = now
        source = DeploymentCamera.SOURCE.open(ctx.cipher, row.id, row.source_sealed).decode()
        leases.append(Lease(row.id, row.deployment_id, row.name, source, row.epoch, row.position))
        ctx.note(**{f"camera_{len(leases)}": row.id, f"from_{len(leases)}": taken_from or ""})
    return leases


@action("lfr.camera.release", touches="lfr_camera", key="camera_id", system=True)
def release(ctx: Ctx, camera_id: str, worker: str, epoch: int, finished: bool, why: str) -> bool:
    """Give the camera back (or mark its source finished); False if the lease was not ours."""
    row = ctx.get(DeploymentCamera, camera_id)
    ctx.note(reason=why[:200], finished=finished)
    if row.worker != worker or row.epoch != epoch:
        return False
    row.worker, row.heartbeat_at = None, None
    row.state = (CameraState.FINISHED if finished else CameraState.IDLE).value
    return True


def heartbeat(store, worker: str, capacity: int, held: dict[str, tuple[int, int]]) -> set[str]:
    """Record that `worker` is alive and where each held camera has got to (`held`: camera id →
    (epoch, position)); return the cameras it still holds (a lease taken over is dropped)."""
    now = utcnow()
    with store.session() as session:
        row = session.get(LiveWorker, worker)
        if row is None:
            row = LiveWorker(id=worker, host=socket.gethostname()[:80], capacity=capacity)
            session.add(row)
        row.heartbeat_at, row.stopped_at = now, None
        still: set[str] = set()
        if held:
            cameras = session.scalars(
                select(DeploymentCamera).where(DeploymentCamera.id.in_(list(held)))
            )
            for camera in cameras:
                epoch, position = held[camera.id]
                if camera.worker == worker and camera.epoch == epoch:
                    camera.heartbeat_at, camera.position = now, max(camera.position, position)
                    still.add(camera.id)
        return still


def stopped(store, worker: str) -> None:
    with store.session() as session:
        row = session.get(LiveWorker, worker)
        if row is not None:
            row.stopped_at = utcnow()


@dataclass(frozen=True)
class WorkerView:
    id: str
    host: str
    capacity: int
    started_at: datetime
    heartbeat_at: datetime
    alive: bool
    cameras: list[str]


def workers_view(session: Session, timeout: timedelta = HEARTBEAT_TIMEOUT) -> list[WorkerView]:
    """Workers seen in the last day, their cameras (by display name) and last heartbeat."""
    now = utcnow()
    workers = session.scalars(
        select(LiveWorker)
        .where(LiveWorker.heartbeat_at > now - timedelta(days=1))
        .order_by(LiveWorker.heartbeat_at.desc())
    ).all()
    held: dict[str, list[str]] = {}
    for camera in session.scalars(
        select(DeploymentCamera).where(DeploymentCamera.worker.is_not(None))
    ):
        held.setdefault(camera.worker or "", []).append(camera.name)
    return [
        WorkerView(
            w.id,
            w.host,
            w.capacity,
            w.started_at,
            w.heartbeat_at,
            w.stopped_at is None and w.heartbeat_at > now - timeout,
            sorted(held.get(w.id, [])),
        )
        for w in workers
    ]


def cameras_of(session: Session, deployment_id: str | None = None) -> list[DeploymentCamera]:
    q = select(DeploymentCamera).order_by(DeploymentCamera.deployment_id, DeploymentCamera.name)
    if deployment_id:
        q = q.where(DeploymentCamera.deployment_id == deployment_id)
    return list(session.scalars(q))
