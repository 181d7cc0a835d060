"""Command groups of the live system: `frt bench live` (measurement) and `frt deploy` (running a
Deployment's recognition workers)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated, Optional

import typer
from rich.console import Console
from rich.table import Table

from frt.web.timefmt import count

console = Console()
err = Console(stderr=True)

bench_app = typer.Typer(help="Benchmarks of the live pipeline.", no_args_is_help=True)
deploy_app = typer.Typer(help="Run a Deployment's recognition worker(s).", no_args_is_help=True)


@bench_app.callback()
def _bench() -> None:
    """Benchmarks of the live pipeline (a group, so `live` stays a sub-command)."""


@bench_app.command("live")
def bench_live(
    video: Annotated[Path, typer.Option(help="video file; every frame is processed")],
    watchlist: Annotated[
        Path, typer.Option(help="folder of <identity>/<images>, enrolled for measurement only")
    ],
    evaluation: Annotated[
        Optional[Path],
        typer.Option(
            help="the JSON of `frt eval identify`: "
            "its scoring and the Threshold its "
            "rule gives for this watchlist's size"
        ),
    ] = None,
    cohort: Annotated[
        Optional[Path],
        typer.Option(help="the cohort folder the evaluation normalised its scores with"),
    ] = None,
    json_out: Annotated[
        Optional[Path], typer.Option("--json", help="write the results here")
    ] = None,
    threshold: Annotated[
        Optional[float],
        typer.Option(
            help="experiments only: alert at this score instead of the operating Threshold"
        ),
    ] = None,
    profile: Annotated[
        str, typer.Option(help="force policy profile whose Threshold rule applies")
    ] = "mps",
    min_ied: Annotated[
        float, typer.Option(help="Zone of Recognition minimum inter-eye distance, pixels")
    ] = 20.0,
    max_faces: Annotated[int, typer.Option(help="faces-per-frame limit")] = 10,
    workers: Annotated[
        Optional[int], typer.Option(help="worker processes (0: inline; default: one per core)")
    ] = None,
) -> None:
    """Run the live pipeline on a video against a folder watchlist, at the operating Threshold
    an evaluation gives for the watchlist's size, and report speed, tracks and alerts."""
    from frt.eval.cache import default_cache_dir
    from frt.lfr.bench import BenchRefused, run_live, write_json
    from frt.lfr.scoring import ScoringMismatch

    for path, what in ((video, "video file"), (evaluation, "evaluation JSON")):
        if path is not None and not path.is_file():
            err.print(f"[bold red]error:[/] no {what} at {path}")
            raise typer.Exit(1)
    for path, what in ((watchlist, "watchlist folder"), (cohort, "cohort folder")):
        if path is not None and not path.is_dir():
            err.print(f"[bold red]error:[/] no {what} at {path}")
            raise typer.Exit(1)
    if evaluation is None and threshold is None:
        err.print(
            "[bold red]error:[/] give --evaluation (the operating Threshold for this "
            "watchlist) or, for an experiment, --threshold"
        )
        raise typer.Exit(1)
    figures = json.loads(evaluation.read_text()) if evaluation else None
    try:
        summary = run_live(
            video,
            watchlist,
            threshold=threshold,
            evaluation=figures,
            cohort_dir=cohort,
            profile=profile,
            min_inter_eye_px=min_ied,
            max_faces=max_faces,
            workers=workers,
            cache_dir=default_cache_dir(),
        )
    except BenchRefused as refused:
        err.print(f"[bold red]refused:[/] {refused.args[0]}")
        raise typer.Exit(2) from None
    except ScoringMismatch as exc:
        err.print(f"[bold red]error:[/] {exc}")
        raise typer.Exit(1) from None
    _print_summary(summary)
    if json_out:
        write_json(summary, json_out)
        console.print(f"results written to {json_out}")


def _print_summary(s: dict) -> None:
    table = Table(title=f"live pipeline: {s['video']}", show_header=False)
    for key in (
        "frames",
        "seconds",
        "fps",
        "dropped_frames",
        "corrupt_frames",
        "faces_detected",
        "faces_poor_quality",
        "tracks",
        "templates",
        "template_ms_per_face",
        "recognition_time_ms_p50",
        "recognition_time_ms_p95",
        "workers",
        "detection_scale",
        "watchlist_size",
        "scoring",
        "threshold",
        "threshold_rule",
    ):
        table.add_row(key, str(s.get(key)))
    table.add_row("alerts", str(len(s["alerts"])))
    console.print(table)
    stages = Table(title="per-stage milliseconds")
    for col in ("stage", "ms per frame", "ms per call", "calls"):
        stages.add_column(col)
    for stage, v in s["stages_ms"].items():
        stages.add_row(stage, str(v["ms_per_frame"]), str(v["ms_per_call"]), str(v["calls"]))
    console.print(stages)
    if s["alerts"]:
        alerts = Table(title="alerts")
        for col in ("identity", "score", "first seen s", "alert s", "recognition ms"):
            alerts.add_column(col)
        for a in s["alerts"]:
            alerts.add_row(
                a["identity"],
                f"{a['score']:.3f}",
                str(a["first_seen_s"]),
                str(a["alert_s"]),
                str(a["recognition_time_ms"]),
            )
        console.print(alerts)
    if s.get("track_results"):
        tracks = Table(title="tracks templated: best candidate (alerted or not)")
        for col in ("track", "templates", "best candidate", "score"):
            tracks.add_column(col)
        for t in s["track_results"]:
            tracks.add_row(
                str(t["track"]), str(t["templates"]), str(t["best_candidate"]), str(t["best_score"])
            )
        console.print(tracks)


@deploy_app.command("run")
def deploy_run(
    deployment: Annotated[str, typer.Argument(help="Deployment id")],
    camera: Annotated[
        list[str],
        typer.Option(
            help="camera source: file, rtsp://, http://, or a camera number; repeat for several"
        ),
    ],
    min_ied: Annotated[float, typer.Option(help="Zone minimum inter-eye distance, pixels")] = 20.0,
    max_faces: Annotated[int, typer.Option(help="faces-per-frame limit")] = 10,
    workers: Annotated[
        Optional[int], typer.Option(help="worker processes (default: cores)")
    ] = None,
) -> None:
    """Run the recognition workers of a Deployment against the configured database, while its
    authority allows (stops when suspended, terminated or the window closes)."""
    from frt.app import build
    from frt.lfr.runner import Runner
    from frt.lfr.zone import Zone
    from frt.policy import PolicyRefusal

    built = build()
    store = built.store
    _show_threshold(store, built.profile, deployment)
    runner = Runner(
        store, deployment, camera, Zone(min_inter_eye_px=min_ied, max_faces=max_faces), workers
    )
    try:
        results = _with_progress(store, deployment, runner)
    except PolicyRefusal as refusal:
        err.print(f"[bold red]refused:[/] {refusal_text(refusal.decision)}")
        raise typer.Exit(2) from None
    for r in results:
        console.print(
            f"{r.camera}: {r.frames:,} frames, {r.counters.faces_detected:,} faces, "
            f"{count(r.counters.alerts, 'alert')}, {r.counters.dropped_frames:,} dropped"
        )


def refusal_text(decision) -> str:
    """A refusal once, as a person reads it: the reason, then its rule and paragraph."""
    rule = f", rule {decision.rule}" if decision.rule else ""
    return f"{decision.reason} ({decision.citation}){rule}"


def _show_threshold(store, profile, deployment_id: str) -> None:
    """The Threshold this run will alert at, and how it was set (small sample, training)."""
    from frt.governance.models import Deployment
    from frt.installation import training_minimum
    from frt.lfr.operating import operating_threshold

    with store.session() as session:
        dep = session.get(Deployment, deployment_id)
        if dep is None:
            return
        used = operating_threshold(
            session, profile, dep, training=training_minimum(store.settings, deployment_id)
        )
    if used is None or used.value is None:
        return
    console.print(f"Threshold: [bold]{used.value:.3f}[/] ({used.reason})")
    if used.small_sample:
        err.print(f"[bold yellow]warning:[/] the Threshold rests on a {used.small_sample}")


def _with_progress(store, deployment_id: str, runner):
    """Run `runner` in a thread and show frames, faces, Alerts and dropped frames as they are
    counted (the worker's counters in the database), as `frt eval` shows its progress."""
    import threading

    from rich.live import Live

    from frt.lfr.records import counter_totals

    outcome: dict = {}

    def work() -> None:
        try:
            outcome["results"] = runner.run()
        except BaseException as exc:  # noqa: BLE001 - re-raised in the caller's thread
            outcome["error"] = exc

    def line() -> str:
        with store.session() as session:
            t = counter_totals(session, deployment_id)
        return (
            f"frames {t['frames']:,} · faces {t['faces_detected']:,} · "
            f"{count(t['alerts'], 'alert')} · dropped {t['dropped_frames']:,}"
        )

    thread = threading.Thread(target=work, daemon=True)
    thread.start()
    with Live(line(), console=console, refresh_per_second=4, transient=True) as live:
        while thread.is_alive():
            thread.join(0.5)
            live.update(line())
    if "error" in outcome:
        raise outcome["error"]
    return outcome["results"]


@deploy_app.command("purge")
def deploy_purge(
    every: Annotated[
        Optional[float],
        typer.Option(help="keep running, every this many minutes (APScheduler); default: once"),
    ] = None,
) -> None:
    """Delete finished Deployments' Watchlists and working data (DATA-02, DATA-08) and Alerts'
    camera faces past their period unless held (DATA-01), each deletion logged as counts in the
    audit; ends Deployments whose window has closed."""
    from frt.app import build
    from frt.jobs import retention, run_once, scheduler

    store = build().store
    if every:
        console.print(f"purging every {every:g} minutes (Ctrl-C stops)")
        scheduler(store, every).start()
        return
    done = run_once(store, "retention", retention)
    if done is None:
        console.print("another process is running the retention jobs now; nothing done here")
        return
    wiped, faces = done
    for w in wiped:
        console.print(
            f"{w.deployment_id}: {w.watchlist_individuals} individuals, "
            f"{w.watchlist_images} images, {w.blue_members} blue members deleted; "
            f"{w.devices_revoked} devices revoked"
            + ("" if w.on_time else " [bold red](after the deadline)[/]")
        )
    for dep_id, n in faces.items():
        console.print(f"{dep_id}: the camera faces of {n} Alerts deleted (000 §13.2)")


@deploy_app.command("retention-report")
def deploy_retention_report() -> None:
    """List Watchlists held past their deletion deadline, or wiped late, and Alerts' camera faces
    kept past their period without a hold (DATA-03); exit 2 if any."""
    from frt.app import build
    from frt.lfr.purge import retention_report
    from frt.policy import load_profile
    from frt.retention.alerts import overdue
    from frt.rfr import retention as rfr_retention
    from frt.store.base import utcnow

    store = build().store
    late, faces = retention_report(store), overdue(store)
    with store.session() as session:
        rfr_late = rfr_retention.overdue_in(
            session, load_profile(store.settings.policy_profile), utcnow()
        )
    for kept in rfr_late:
        console.print(
            f"RFR {rfr_retention.KINDS[kept.kind]} {kept.label}: kept past "
            f"{kept.deadline:%Y-%m-%d %H:%M} UTC without a hold ({kept.cite})"
        )
    if rfr_late and not late and not faces:
        raise typer.Exit(2)
    if not late and not faces:
        console.print("nothing held past its retention limit")
        return
    for item in late:
        state = (
            f"wiped late at {item.wiped_at:%Y-%m-%d %H:%M}"
            if item.wiped_at
            else "[bold red]still held[/]"
        )
        console.print(f"{item.deployment_id}: deadline {item.deadline:%Y-%m-%d %H:%M} UTC, {state}")
    for face in faces:
        console.print(
            f"Alert {face.alert_id} ({face.deployment_id}): camera face kept past "
            f"{face.deadline:%Y-%m-%d %H:%M} UTC without a hold (000 §13.2)"
        )
    raise typer.Exit(2)
