"""`frt worker` (camera workers that claim cameras through leases) and `frt deploy camera …`
(the cameras a Deployment's workers run). Issue 14; see `frt.lfr.fleet`."""

from __future__ import annotations

from typing import Annotated, Optional

import typer
from rich.console import Console
from rich.table import Table

console = Console()
err = Console(stderr=True)
camera_app = typer.Typer(
    help="The cameras of a Deployment, run by `frt worker`.", no_args_is_help=True
)


def worker(
    capacity: Annotated[int, typer.Option(help="cameras this worker runs at once")] = 4,
    heartbeat: Annotated[float, typer.Option(help="seconds between heartbeats")] = 2.0,
    timeout: Annotated[
        float, typer.Option(help="seconds without a heartbeat before a lease is taken over")
    ] = 15.0,
    processes: Annotated[
        Optional[int],
        typer.Option(
            help="recognition processes per camera (default: cores ÷ capacity; 0: inline)"
        ),
    ] = None,
) -> None:
    """Claim cameras of active Deployments and run them until stopped (Ctrl-C / SIGTERM release
    them; a killed worker's cameras are taken over after `timeout`)."""
    import signal
    import threading

    from frt.app import build
    from frt.lfr.fleet import CameraWorker

    store = build().store
    stop = threading.Event()
    for sig in (signal.SIGINT, signal.SIGTERM):
        signal.signal(sig, lambda *_: stop.set())
    camera_worker = CameraWorker(
        store,
        capacity=capacity,
        heartbeat_s=heartbeat,
        timeout_s=timeout,
        pool_workers=processes,
    )
    err.print(f"worker [cyan]{camera_worker.name}[/] claiming up to {capacity} cameras")
    camera_worker.run(stop)


@camera_app.command("add")
def camera_add(
    deployment: Annotated[str, typer.Argument(help="Deployment id")],
    source: Annotated[str, typer.Argument(help="file, rtsp:// URL, camera number or replay:N:R")],
    as_user: Annotated[str, typer.Option("--as", help="the System Engineer or Silver adding it")],
    name: Annotated[str, typer.Option(help="display name (default: from the source)")] = "",
) -> None:
    """Add a camera to a Deployment; a worker claims it while the Deployment is active."""
    from sqlalchemy import select

    from frt.app import build
    from frt.core.actions import perform
    from frt.lfr.leases import add_camera
    from frt.people.models import User

    store = build().store
    with store.read() as s:
        user_id = s.scalar(select(User.id).where(User.username == as_user))
    if user_id is None:
        err.print(f"no user {as_user!r}")
        raise typer.Exit(2)
    row = perform(store, user_id, add_camera, deployment, source, name)
    console.print(f"camera [cyan]{row.name}[/] added ({row.id})")


@camera_app.command("list")
def camera_list(deployment: Annotated[Optional[str], typer.Argument()] = None) -> None:
    """Cameras, their lease holder and last heartbeat."""
    from frt.app import build
    from frt.lfr.leases import cameras_of

    store = build().store
    table = Table("deployment", "camera", "state", "worker", "epoch", "heartbeat", box=None)
    with store.read() as s:
        for c in cameras_of(s, deployment):
            beat = c.heartbeat_at.isoformat(timespec="seconds") if c.heartbeat_at else "-"
            table.add_row(c.deployment_id, c.name, c.state, c.worker or "-", str(c.epoch), beat)
    console.print(table)


def register(app: typer.Typer, deploy_app: typer.Typer) -> None:
    app.command("worker")(worker)
    deploy_app.add_typer(camera_app, name="camera")
