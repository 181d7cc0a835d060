"""Audited writes per second with 1, 4 and 16 concurrent writers on PostgreSQL (DATA-04).

Each writer is a process with its own connection, doing audited actions as FRT does them: a small
row change (its own user's session epoch) and its audit record, in one transaction. Reported per
tree and writer count: audited actions per second and the p95 commit latency (begin to commit).
At the end the chain is linked and verified. To compare before and after side by side, give the
tree to measure "before" (e.g. `git archive <commit> src | tar -x -C /tmp/frt-before`):

    .venv/bin/python bench/bench_audit.py --url postgresql+psycopg://postgres@127.0.0.1:5432/test \\
        --before /tmp/frt-before --seconds 10

Each tree runs in a fresh database made for the run (and dropped after), with its own migrations.
"""

from __future__ import annotations

import argparse
import json
import multiprocessing as mp
import os
import platform
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from pathlib import Path

HERE = Path(__file__).resolve().parent
TREE = HERE.parent


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--url",
        default=os.environ.get("FRT_DATABASE_URL", ""),
        help="PostgreSQL URL whose server the run databases are made on",
    )
    parser.add_argument("--writers", type=int, nargs="+", default=[1, 4, 16])
    parser.add_argument("--seconds", type=float, default=10.0)
    parser.add_argument("--before", type=Path, help="a tree (with src/) to measure as 'before'")
    parser.add_argument(
        "--rtt-ms",
        type=float,
        default=0.0,
        help="wait this long after each statement, as a database on another "
        "host would (round trip); 0: the local server as it is",
    )
    parser.add_argument(
        "--repeat", type=int, default=1, help="runs per tree (interleaved); the median is reported"
    )
    parser.add_argument("--json", type=Path, help="also write the figures here")
    parser.add_argument("--run", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if not args.url.startswith("postgresql"):
        parser.error("give a PostgreSQL URL (--url or FRT_DATABASE_URL)")
    if args.run:
        print(json.dumps(run_tree(args.url, args.writers, args.seconds, args.rtt_ms / 1000)))
        return
    trees = ([("before", args.before)] if args.before else []) + [("after", TREE)]
    runs: dict[str, list[list[dict]]] = {label: [] for label, _ in trees}
    for _ in range(args.repeat):  # trees interleaved, so a busy spell on the machine hits both
        for label, tree in trees:
            runs[label].append(_run_tree(tree, args))
    report({label: _median(r) for label, r in runs.items()}, args)


def _run_tree(tree: Path, args) -> list[dict]:
    env = {**os.environ, "PYTHONPATH": str(Path(tree) / "src")}
    out = subprocess.run(
        [
            sys.executable,
            __file__,
            "--run",
            "--url",
            args.url,
            "--seconds",
            str(args.seconds),
            "--rtt-ms",
            str(args.rtt_ms),
            "--writers",
            *map(str, args.writers),
        ],
        env=env,
        check=True,
        capture_output=True,
        text=True,
    )
    return json.loads(out.stdout.strip().splitlines()[-1])


def _median(repeats: list[list[dict]]) -> list[dict]:
    """Per writer count, the repeat with the median throughput."""
    chosen = []
    for i in range(len(repeats[0])):
        ranked = sorted((r[i] for r in repeats), key=lambda r: r["per_second"])
        chosen.append({**ranked[len(ranked) // 2], "repeats": len(ranked)})
    return chosen


def report(results: dict, args) -> None:
    print(
        f"# bench_audit: {platform.node()}, {os.cpu_count()} cores, "
        f"{time.strftime('%Y-%m-%d %H:%M')}, {args.seconds:g} s per run, "
        f"round trip added {args.rtt_ms:g} ms, median of {args.repeat}"
    )
    print("| tree | writers | audited actions/s | p95 commit (ms) | x one writer | chain |")
    print("|---|---:|---:|---:|---:|---|")
    for label, runs in results.items():
        one = runs[0]["per_second"]
        for r in runs:
            print(
                f"| {label} ({r['module']}) | {r['writers']} | {r['per_second']:.0f} | "
                f"{r['p95_ms']:.1f} | {r['per_second'] / one:.1f} | {r['chain']} |"
            )
    if args.json:
        args.json.write_text(json.dumps(results, indent=2))


# ------------------------------------------------------------------ one tree, in its own process
def run_tree(url: str, writer_counts: list[int], seconds: float, rtt: float) -> list[dict]:
    return [run_once(url, n, seconds, rtt) for n in writer_counts]


def run_once(url: str, writers: int, seconds: float, rtt: float) -> dict:
    from sqlalchemy import create_engine, text
    from sqlalchemy.engine import make_url

    import frt

    name = f"frt_bench_{uuid.uuid4().hex[:8]}"
    admin = create_engine(url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    db_url = make_url(url).set(database=name).render_as_string(hide_password=False)
    try:
        with tempfile.TemporaryDirectory() as data_dir:
            user_ids = _prepare(db_url, Path(data_dir), writers)
            result = _measure(db_url, Path(data_dir), user_ids, seconds, rtt)
            result.update(writers=writers, module=Path(frt.__file__).parent.parent.parent.name)
            return result
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def _settings(db_url: str, data_dir: Path):
    from frt.settings import Settings

    return Settings(data_dir, db_url, "mps", None)


def _prepare(db_url: str, data_dir: Path, writers: int) -> list[str]:
    from frt.app import open_store
    from frt.audit import Actor
    from frt.people.roles import Role
    from frt.people.service import create_user
    from frt.policy.ranks import Rank

    store = open_store(_settings(db_url, data_dir), migrate=True)
    ids = []
    with store.session() as s:
        for i in range(writers):
            user = create_user(
                s,
                Actor.system("bench"),
                username=f"bench{i}",
                display_name=f"Bench {i}",
                rank=Rank.SERGEANT,
                roles={Role.APPLICANT},
                password=f"bench writer {i} {uuid.uuid4()}",
            )
            ids.append(user.id)
    store.dispose()
    return ids


def _measure(db_url: str, data_dir: Path, user_ids: list[str], seconds: float, rtt: float) -> dict:
    ctx = mp.get_context("spawn")
    start = ctx.Barrier(len(user_ids) + 1)
    queue = ctx.Queue()
    procs = [
        ctx.Process(target=_writer, args=(db_url, str(data_dir), uid, seconds, rtt, start, queue))
        for uid in user_ids
    ]
    for p in procs:
        p.start()
    linker = _Linker(db_url, data_dir)
    start.wait()
    linker.start()
    latencies: list[float] = []
    for _ in procs:
        latencies.extend(queue.get())
    for p in procs:
        p.join()
    linker.stop()
    latencies.sort()
    p95 = latencies[int(0.95 * (len(latencies) - 1))] if latencies else float("nan")
    return {
        "actions": len(latencies),
        "per_second": len(latencies) / seconds,
        "p95_ms": p95 * 1000,
        "chain": _verify(db_url, data_dir),
    }


def _writer(db_url, data_dir, user_id, seconds, rtt, start, queue) -> None:
    from sqlalchemy import event, update

    from frt.app import open_store
    from frt.audit import Actor, record
    from frt.people.models import User

    store = open_store(_settings(db_url, Path(data_dir)), migrate=False)
    if rtt:
        for name in ("after_cursor_execute", "commit"):
            event.listen(store.engine, name, lambda *a, **k: time.sleep(rtt))
    actor = Actor(user_id, "applicant")
    with store.session() as s:  # connect before the clock starts
        s.get(User, user_id)
    start.wait()
    latencies = []
    deadline = time.perf_counter() + seconds
    while time.perf_counter() < deadline:
        began = time.perf_counter()
        with store.session() as s:  # as a unit of work does: read, audit, change, commit
            s.get(User, user_id, populate_existing=True)
            record(
                s,
                actor,
                "bench.action",
                object_type="user",
                object_id=user_id,
                detail={"n": len(latencies)},
            )
            s.execute(
                update(User).where(User.id == user_id).values(session_epoch=User.session_epoch + 1)
            )
        latencies.append(time.perf_counter() - began)
    queue.put(latencies)
    store.dispose()


class _Linker:
    """What `frt serve` runs beside the writers: a link pass every second (new code only)."""

    def __init__(self, db_url: str, data_dir: Path) -> None:
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, args=(db_url, data_dir), daemon=True)

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        self._thread.join()

    def _run(self, db_url: str, data_dir: Path) -> None:
        try:
            from frt.audit.jobs import link_all
        except ImportError:  # the tree before the sequencer: nothing to link
            return
        from frt.app import open_store

        store = open_store(_settings(db_url, data_dir), migrate=False)
        while not self._stop.wait(1.0):
            link_all(store)
        store.dispose()


def _verify(db_url: str, data_dir: Path) -> str:
    from frt.app import open_store
    from frt.audit import Actor, verify

    store = open_store(_settings(db_url, data_dir), migrate=False)
    try:
        from frt.audit.jobs import link_all

        link_all(store, full=True)
    except ImportError:
        pass
    with store.session() as s:
        result = verify(s, Actor.system("bench"))
    store.dispose()
    return f"intact ({result.records})" if result.ok else f"BROKEN: {result}"


if __name__ == "__main__":
    main()
