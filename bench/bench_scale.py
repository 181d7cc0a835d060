"""Camera workers and pushed Alerts at scale, on PostgreSQL (issue 14).

Two measurements, each in a fresh database made for the run (and dropped after):

1. **Workers.** 1, 2, 4, 8 `frt worker` processes, two replayed cameras each (`replay:` sources:
   recorded recognitions fed straight to the Alert path, so what is measured is the lease, the
   commit with its audit record and sealed probe, and the notice — not two cores' worth of
   detection). Per run: Alerts committed per second, p95 from the Alert's time to its arrival at
   a listener (`frt.lfr.push.Hub`, what each `frt serve` process runs), and Alerts lost
   (committed but never announced, or a gap in a camera's track keys) or duplicated (two Alerts
   for one camera and track).
2. **Consoles.** One server process (uvicorn, the FRT app) with `--consoles` operator consoles
   connected by SSE while one worker raises Alerts at `--rate` a second: p95 delivery (Alert
   time → card received) and the server's resident memory before and after.

    .venv/bin/python bench/bench_scale.py --url postgresql+psycopg://postgres@127.0.0.1:5432/test
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import platform
import re
import signal
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from datetime import timedelta
from pathlib import Path

HERE = Path(__file__).resolve().parent
PASSWORD = "amber kettle violin 7 harbour"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--url", default=os.environ.get("FRT_DATABASE_URL", ""))
    parser.add_argument("--workers", type=int, nargs="+", default=[1, 2, 4, 8])
    parser.add_argument("--cameras-per-worker", type=int, default=2)
    parser.add_argument("--seconds", type=float, default=8.0, help="measured seconds per run")
    parser.add_argument("--consoles", type=int, default=200)
    parser.add_argument("--rate", type=float, default=10.0, help="Alerts a second to consoles")
    parser.add_argument("--console-seconds", type=float, default=15.0)
    parser.add_argument("--skip", choices=["workers", "consoles"], action="append", default=[])
    parser.add_argument("--json", type=Path)
    parser.add_argument("--serve", type=int, help=argparse.SUPPRESS)  # internal: the server
    args = parser.parse_args()
    if args.serve:
        _serve(args.serve)
        return
    if not args.url.startswith("postgresql"):
        parser.error("give a PostgreSQL URL (--url or FRT_DATABASE_URL)")
    with bench_database(args.url) as (settings, store, env):
        t = time.monotonic()
        with contextlib.redirect_stdout(sys.stderr):  # the demo's printed guide
            dep_a, dep_b, operator = prepare(store)
        print(f"prepared in {time.monotonic() - t:.0f} s", file=sys.stderr)
        out: dict = {
            "machine": f"{platform.node()}, {os.cpu_count()} cores",
            "date": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()),
        }
        if "workers" not in args.skip:
            out["workers"] = [
                run_workers(store, env, dep_a, n, args.cameras_per_worker, args.seconds)
                for n in args.workers
            ]
        if "consoles" not in args.skip:
            out["consoles"] = run_consoles(store, env, dep_b, args)
    report(out)
    if args.json:
        args.json.write_text(json.dumps(out, indent=2))


# ------------------------------------------------------------------ the database
class bench_database:
    def __init__(self, url: str):
        self.url = url

    def __enter__(self):
        from sqlalchemy import create_engine, text
        from sqlalchemy.engine import make_url

        from frt.app import open_store
        from frt.settings import Settings

        self.name = f"frt_scale_{uuid.uuid4().hex[:8]}"
        self.admin = create_engine(self.url, isolation_level="AUTOCOMMIT")
        with self.admin.connect() as conn:
            conn.execute(text(f'CREATE DATABASE "{self.name}"'))
        db_url = make_url(self.url).set(database=self.name).render_as_string(hide_password=False)
        self.tmp = tempfile.TemporaryDirectory()
        data_dir = Path(self.tmp.name) / "var"
        settings = Settings(data_dir, db_url, "mps", None)
        self.store = open_store(settings, migrate=True)
        env = {
            **os.environ,
            "FRT_DATABASE_URL": db_url,
            "FRT_DATA_DIR": str(data_dir),
            "FRT_POLICY_PROFILE": "mps",
            "PYTHONPATH": str(HERE.parent / "src"),
        }
        return settings, self.store, env

    def __exit__(self, *exc):
        from sqlalchemy import text

        from frt.lfr import push

        push.hub_for(self.store).stop()
        self.store.dispose()
        with self.admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{self.name}" WITH (FORCE)'))
        self.admin.dispose()
        self.tmp.cleanup()


def prepare(store) -> tuple[str, str, str]:
    """Two active Deployments of the demo kind (through the same actions as a person's), and an
    operator rostered on both: (Deployment for workers, Deployment for consoles, operator id)."""
    from sqlalchemy import select

    from frt import demo
    from frt.audit import Actor, record
    from frt.core.actions import acting
    from frt.governance import deployments
    from frt.governance.oversight_models import RosterEntry
    from frt.people.models import User
    from frt.people.roles import Role
    from frt.people.service import create_user
    from frt.policy.ranks import Rank
    from frt.store.base import utcnow

    folder = Path(store.settings.data_dir)
    demo.seed(store, folder)
    with store.read() as s:
        ids = {u.username: u.id for u in s.scalars(select(User))}
    now = utcnow()
    _, dep_b, _ = demo._authorised_demo(store, ids, "BENCH consoles", now)
    with store.read() as s:
        from frt.governance.models import Deployment

        deps = [d.id for d in s.scalars(select(Deployment))]
    dep_a = next(d for d in deps if d != dep_b)
    for dep in (dep_a, dep_b):
        with acting(store, ids["silver"], now=now + timedelta(minutes=1)) as ctx:
            deployments.set_state(ctx, dep, "active")
    with store.session() as s:
        op = create_user(
            s,
            Actor.system("bench"),
            username="bench-operator",
            display_name="Bench Operator",
            rank=Rank.POLICE_CONSTABLE,
            roles={Role.LFR_OPERATOR},
            password=PASSWORD,
        )
        for dep in (dep_a, dep_b):
            s.add(
                RosterEntry(
                    deployment_id=dep,
                    user_id=op.id,
                    duty="lfr_operator",
                    rostered_by=ids["silver"],
                    rostered_at=now,
                )
            )
        record(s, Actor.system("bench"), "bench.setup")
        return dep_a, dep_b, op.id


def add_cameras(store, dep_id: str, names: list[str], source: str) -> list[str]:
    from sqlalchemy import select

    from frt.core.actions import perform
    from frt.lfr.leases import add_camera
    from frt.people.models import User

    with store.read() as s:
        silver = s.scalar(select(User.id).where(User.username == "silver"))
    return [perform(store, silver, add_camera, dep_id, source, n).id for n in names]


def finish(store, cams: list[str]) -> None:
    """Retire a run's cameras, so the next run's workers claim only their own."""
    from frt.audit import Actor, record
    from frt.lfr.models import DeploymentCamera

    with store.session() as s:
        for cam in cams:
            s.get(DeploymentCamera, cam).state = "finished"
        record(s, Actor.system("bench"), "bench.cameras.finished")


def wait_claimed(store, cams: list[str], timeout: float = 120) -> None:
    from sqlalchemy import func, select

    from frt.lfr.models import DeploymentCamera

    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with store.read() as s:
            n = s.scalar(
                select(func.count())
                .select_from(DeploymentCamera)
                .where(DeploymentCamera.id.in_(cams), DeploymentCamera.worker.is_not(None))
            )
        if n == len(cams):
            return
        time.sleep(0.2)
    raise RuntimeError("the workers did not claim every camera")


def start_workers(env: dict, n: int, capacity: int) -> list[subprocess.Popen]:
    cmd = [sys.executable, "-m", "frt.cli", "worker", "--capacity", str(capacity)]
    cmd += ["--heartbeat", "1", "--timeout", "10", "--processes", "0"]
    return [
        subprocess.Popen(cmd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        for _ in range(n)
    ]


def stop_all(procs: list[subprocess.Popen]) -> None:
    for p in procs:
        p.send_signal(signal.SIGTERM)
    for p in procs:
        try:
            p.wait(timeout=30)
        except subprocess.TimeoutExpired:
            p.kill()


# ------------------------------------------------------------------ 1. workers
class Listener:
    """A Hub subscription in a thread of its own, recording when each Alert id arrived."""

    def __init__(self, store, dep_id: str):
        self.arrived: dict[str, float] = {}
        self.repeats = 0
        self._stop = threading.Event()
        self._ready = threading.Event()
        self._thread = threading.Thread(target=self._run, args=(store, dep_id), daemon=True)
        self._thread.start()
        self._ready.wait(10)

    def _run(self, store, dep_id: str) -> None:
        from frt.lfr import push

        async def listen():
            sub = push.hub_for(store).subscribe(dep_id, None)
            await asyncio.sleep(1.0)  # LISTEN in place
            self._ready.set()
            while not self._stop.is_set():
                item = await sub.next(0.5)
                if item and item[0] == "alert":
                    if item[1] in self.arrived:
                        self.repeats += 1
                    else:
                        self.arrived[item[1]] = time.time()
            sub.close()

        asyncio.run(listen())

    def stop(self) -> None:
        self._stop.set()
        self._thread.join(timeout=5)


def run_workers(store, env, dep_id: str, n: int, per_worker: int, seconds: float) -> dict:
    from sqlalchemy import func, select

    from frt.lfr.models import LiveAlert

    names = [f"w{n}-cam{i}" for i in range(n * per_worker)]
    cams = add_cameras(store, dep_id, names, "replay:10000000:2000")
    listener = Listener(store, dep_id)
    procs = start_workers(env, n, per_worker)

    def count() -> int:
        with store.read() as s:
            return s.scalar(
                select(func.count()).select_from(LiveAlert).where(LiveAlert.camera.in_(names))
            )

    wait_claimed(store, cams)
    time.sleep(1.0)  # every camera's first commits done
    t0, c0 = time.monotonic(), count()
    time.sleep(seconds)
    t1, c1 = time.monotonic(), count()
    stop_all(procs)
    finish(store, cams)
    time.sleep(2.0)  # the last notices arrive
    listener.stop()
    with store.read() as s:
        rows = s.execute(
            select(LiveAlert.id, LiveAlert.camera, LiveAlert.track_key, LiveAlert.raised_at).where(
                LiveAlert.camera.in_(names)
            )
        ).all()
    latencies = sorted(
        (listener.arrived[r.id] - r.raised_at.timestamp()) * 1e3
        for r in rows
        if r.id in listener.arrived
    )
    keys: dict[str, list[int]] = {}
    for r in rows:
        keys.setdefault(r.camera, []).append(int(r.track_key[1:]))
    gaps = sum(max(k) + 1 - len(set(k)) for k in keys.values())
    duplicated = sum(len(k) - len(set(k)) for k in keys.values())
    unannounced = sum(1 for r in rows if r.id not in listener.arrived)
    return {
        "workers": n,
        "cameras": len(cams),
        "alerts_per_second": round((c1 - c0) / (t1 - t0), 1),
        "alerts": len(rows),
        "p50_ms": _pct(latencies, 50),
        "p95_ms": _pct(latencies, 95),
        "lost": gaps + unannounced,
        "duplicated": duplicated,
        "notices_repeated": listener.repeats,
    }


# ------------------------------------------------------------------ 2. consoles
def _serve(port: int) -> None:
    import logging

    import uvicorn

    from frt.app import build
    from frt.web.app import create_app

    logging.basicConfig(level=logging.WARNING)
    app = create_app(build().store)
    uvicorn.run(app, host="127.0.0.1", port=port, log_level="warning", timeout_keep_alive=60)


def cpu_s(pid: int) -> float:
    """User + system CPU seconds the process has used."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return round(int(line.split()[1]) / 1024, 1)
    return 0.0


def run_consoles(store, env, dep_id: str, args) -> dict:
    import httpx
    from sqlalchemy import select

    from frt.lfr.models import LiveAlert

    port = 18000 + os.getpid() % 1000
    server = subprocess.Popen(
        [sys.executable, __file__, "--serve", str(port)],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        _wait_http(base)
        client = httpx.Client(base_url=base)
        token = client.get("/api/session").json()["csrf_token"]
        r = client.post(
            "/api/session",
            json={"username": "bench-operator", "password": PASSWORD},
            headers={"X-CSRF-Token": token},
        )
        r.raise_for_status()
        cookies = dict(client.cookies)
        before = rss_mb(server.pid)
        arrivals: list[dict[str, float]] = [{} for _ in range(args.consoles)]
        connected = threading.Event()
        done = threading.Event()
        thread = threading.Thread(
            target=lambda: asyncio.run(_consoles(base, cookies, dep_id, arrivals, connected, done)),
            daemon=True,
        )
        thread.start()
        connected.wait(120)
        time.sleep(2.0)
        with_consoles = rss_mb(server.pid)
        cams = add_cameras(store, dep_id, ["console-cam"], f"replay:100000:{args.rate:g}")
        procs = start_workers(env, 1, 1)
        wait_claimed(store, cams)
        server_cpu, client_cpu = cpu_s(server.pid), cpu_s(os.getpid())
        time.sleep(args.console_seconds)
        server_cpu = cpu_s(server.pid) - server_cpu
        client_cpu = cpu_s(os.getpid()) - client_cpu
        stop_all(procs)
        time.sleep(2.0)
        after = rss_mb(server.pid)
        done.set()
        thread.join(timeout=30)
        with store.read() as s:
            raised = {
                a.id: a.raised_at.timestamp()
                for a in s.scalars(select(LiveAlert).where(LiveAlert.deployment_id == dep_id))
            }
        latencies = sorted(
            (t - raised[i]) * 1e3 for got in arrivals for i, t in got.items() if i in raised
        )
        missing = sum(1 for got in arrivals for i in raised if i not in got)
        by_alert = sorted(raised.items(), key=lambda kv: kv[1])
        trace = [
            (
                round(t - by_alert[0][1], 1),
                _pct(sorted((g[i] - t) * 1e3 for g in arrivals if i in g), 50),
            )
            for i, t in by_alert[:: max(1, len(by_alert) // 15)]
        ]
        print(
            f"per-Alert median delivery over the run (s since first, ms): {trace}", file=sys.stderr
        )
        return {
            "consoles": args.consoles,
            "alerts": len(raised),
            "rate": args.rate,
            "deliveries": len(latencies),
            "missing_deliveries": missing,
            "p50_ms": _pct(latencies, 50),
            "p95_ms": _pct(latencies, 95),
            "rss_mb_before": before,
            "rss_mb_with_consoles": with_consoles,
            "rss_mb_after": after,
            "server_cpu_share": round(server_cpu / args.console_seconds, 2),
            "client_cpu_share": round(client_cpu / args.console_seconds, 2),
            "card_bytes": _card_bytes(store, dep_id),
        }
    finally:
        server.send_signal(signal.SIGTERM)
        try:
            server.wait(timeout=20)
        except subprocess.TimeoutExpired:
            server.kill()


CARD_ID = re.compile(rb'id="alert-([0-9a-f]{32})')


async def _consoles(base, cookies, dep_id, arrivals, connected, done) -> None:
    import httpx

    limits = httpx.Limits(max_connections=len(arrivals) + 10)
    async with httpx.AsyncClient(
        base_url=base, cookies=cookies, timeout=None, limits=limits
    ) as client:
        opened = 0

        async def one(i: int) -> None:
            nonlocal opened
            async with client.stream("GET", f"/live/deployments/{dep_id}/stream") as response:
                opened += 1
                if opened == len(arrivals):
                    connected.set()
                tail = b""
                async for chunk in response.aiter_raw():  # bytes searched, not parsed per line
                    now = time.time()
                    text = tail + chunk
                    for m in CARD_ID.finditer(text):
                        arrivals[i].setdefault(m.group(1).decode(), now)
                    tail = text[-64:]
                    if done.is_set():
                        return

        tasks = [asyncio.create_task(one(i)) for i in range(len(arrivals))]
        while not done.is_set():
            await asyncio.sleep(0.2)
        for t in tasks:
            t.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)


def _card_bytes(store, dep_id: str) -> int:
    """The size of one rendered console card (what each console is sent per Alert)."""
    from sqlalchemy import select

    from frt.lfr.models import LiveAlert
    from frt.people.roles import Role
    from frt.web.pages.lfr_live import card_html

    with store.read() as db:
        alert = db.scalars(select(LiveAlert).where(LiveAlert.deployment_id == dep_id)).first()
        return len(card_html(store, db, alert, {Role.LFR_OPERATOR}).encode()) if alert else 0


def _wait_http(base: str) -> None:
    import httpx

    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            httpx.get(f"{base}/api/session", timeout=2)
            return
        except httpx.HTTPError:
            time.sleep(0.3)
    raise RuntimeError("the server did not start")


# ------------------------------------------------------------------ report
def _pct(values: list[float], p: float) -> float | None:
    if not values:
        return None
    k = min(len(values) - 1, max(0, round(p / 100 * (len(values) - 1))))
    return round(values[k], 1)


def report(out: dict) -> None:
    print(f"# bench_scale: {out['machine']}, {out['date']}")
    if "workers" in out:
        one = out["workers"][0]["alerts_per_second"] or 1
        print("| workers | cameras | Alerts/s | × 1 worker | p50 ms | p95 ms | lost | duplicated |")
        print("|---:|---:|---:|---:|---:|---:|---:|---:|")
        for r in out["workers"]:
            print(
                f"| {r['workers']} | {r['cameras']} | {r['alerts_per_second']} | "
                f"{r['alerts_per_second'] / one:.2f} | {r['p50_ms']} | {r['p95_ms']} | "
                f"{r['lost']} | {r['duplicated']} |"
            )
    if "consoles" in out:
        c = out["consoles"]
        print(
            f"consoles {c['consoles']} at {c['rate']}/s: {c['alerts']} Alerts, "
            f"{c['deliveries']} deliveries, {c['missing_deliveries']} missing, p50 {c['p50_ms']} "
            f"ms, p95 {c['p95_ms']} ms; RSS {c['rss_mb_before']} MB before, "
            f"{c['rss_mb_with_consoles']} MB with consoles, {c['rss_mb_after']} MB after; "
            f"CPU: server {c['server_cpu_share']} cores, client {c['client_cpu_share']} cores; "
            f"card {c['card_bytes']} bytes"
        )


if __name__ == "__main__":
    main()
