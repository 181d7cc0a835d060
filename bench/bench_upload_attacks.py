"""The server's peak memory under the upload attacks of the hardening issue (item 1).

    .venv/bin/python bench/bench_upload_attacks.py [--src OTHER/src] [--cap-gb 6] [--json OUT]

Seeds a demo installation in a temporary folder, starts `frt serve --insecure-localhost` as a
child process (its address space capped at `--cap-gb`, so an attack that would take the machine
down kills only the child), and measures the child's peak resident memory (VmHWM, reset between
attacks through /proc/PID/clear_refs) while it is:

1. sent six anonymous 200 MB POSTs to /api/session at once;
2. given, by the demo's Silver, a Watchlist bundle holding a 7 KB blank PNG of 7000 x 7000;
3. given a 1.5 MB bundle whose image inflates to 1.5 GB;
4. given a bundle holding a 20-megapixel photo with no face in it.

`--src` serves another checkout's code (e.g. the commit before the fix) beside this one's seeding,
for the before/after figures in bench/RESULTS.md.
"""

from __future__ import annotations

import argparse
import io
import json
import os
import socket
import subprocess
import sys
import tempfile
import threading
import time
import zipfile
from pathlib import Path

import httpx
from PIL import Image

PASSWORD = "bench-attack-password-1"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--src", type=Path, help="serve this source tree instead (before/after)")
    parser.add_argument("--cap-gb", type=float, default=6.0)
    parser.add_argument("--json", type=Path)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        data_dir = Path(tmp)
        dep_id = seed(data_dir)
        port = free_port()
        server = start_server(data_dir, port, args.src, int(args.cap_gb * 1024**3))
        try:
            results = run_attacks(server, port, dep_id)
        finally:
            server.kill()
            server.wait()
    report = {"source": str(args.src or "this checkout"), "cap_gb": args.cap_gb, **results}
    print(json.dumps(report, indent=2))
    if args.json:
        args.json.write_text(json.dumps(report, indent=2))


def seed(data_dir: Path) -> str:
    os.environ["FRT_DATA_DIR"] = str(data_dir)
    os.environ.pop("FRT_DATABASE_URL", None)
    from frt import demo
    from frt.app import open_store
    from frt.audit import Actor
    from frt.people.service import require_user, set_password

    store = open_store()
    scenario = demo.seed(store, data_dir)
    with store.session() as session:
        set_password(session, Actor.system("bench"), require_user(session, "silver"), PASSWORD)
    store.dispose()
    return scenario.deployment_id


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_server(data_dir: Path, port: int, src: Path | None, cap: int) -> subprocess.Popen:
    env = dict(os.environ, FRT_DATA_DIR=str(data_dir))
    if src is not None:
        env["PYTHONPATH"] = str(src.resolve())

    def limit() -> None:
        import resource

        resource.setrlimit(resource.RLIMIT_AS, (cap, cap))

    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "frt.cli",
            "serve",
            "--insecure-localhost",
            "--port",
            str(port),
            "--purge-every",
            "0",
        ],
        env=env,
        preexec_fn=limit,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    for _ in range(240):
        try:
            httpx.get(f"http://127.0.0.1:{port}/api/health", timeout=1)
            return proc
        except httpx.TransportError:
            time.sleep(0.5)
    proc.kill()
    raise RuntimeError("the server did not start")


def status_kb(pid: int, field: str) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1])
    return 0


def measure(server: subprocess.Popen, attack) -> dict:
    """Run `attack()`; the server's peak RSS during it, and whether the server survived."""
    Path(f"/proc/{server.pid}/clear_refs").write_text("5")  # reset VmHWM to the current RSS
    before = status_kb(server.pid, "VmRSS")
    started = time.monotonic()
    outcome = attack()
    alive = server.poll() is None
    peak = status_kb(server.pid, "VmHWM") if alive else None
    return {
        "rss_before_mb": round(before / 1024),
        "peak_mb": peak and round(peak / 1024),
        "server_alive": alive,
        "seconds": round(time.monotonic() - started, 1),
        **outcome,
    }


def run_attacks(server, port: int, dep_id: str) -> dict:
    base = f"http://127.0.0.1:{port}"
    results = {"baseline_rss_mb": round(status_kb(server.pid, "VmRSS") / 1024)}
    results["anonymous_200mb_posts_x6"] = measure(server, lambda: big_posts(port, 6, 200))
    client = signed_in(base)
    attacks = {
        "bundle_blank_png_7000x7000": bundle_of(blank_png(7000, 7000)),
        "bundle_zip_bomb_1_5gb": zip_bomb(),
        "bundle_20mp_photo_without_face": bundle_of(blank_png(5000, 4000, noise=True)),
    }
    for name, (bundle, key) in attacks.items():
        if server.poll() is not None:
            results[name] = {"server_alive": False, "skipped": "server already dead"}
            continue
        results[name] = measure(server, lambda b=bundle, k=key: upload(client, dep_id, b, k))
    return results


def big_posts(port: int, count: int, megabytes: int) -> dict:
    statuses: list[str] = []

    def one() -> None:
        sock = socket.create_connection(("127.0.0.1", port), timeout=120)
        total = megabytes * 1024 * 1024
        sock.sendall(
            b"POST /api/session HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
            + f"Content-Length: {total}\r\n\r\n".encode()
        )
        chunk, sent = b"x" * (1024 * 1024), 0
        try:
            while sent < total:
                sock.sendall(chunk)
                sent += len(chunk)
        except OSError:
            pass  # the server answered and closed: the rest was never read
        try:
            statuses.append(sock.recv(64).split(b"\r\n")[0].decode(errors="replace"))
        except OSError as exc:
            statuses.append(type(exc).__name__)
        sock.close()

    threads = [threading.Thread(target=one) for _ in range(count)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return {"responses": statuses}


def signed_in(base: str) -> httpx.Client:
    client = httpx.Client(base_url=base, timeout=600)
    token = client.get("/api/session").json()["csrf_token"]
    response = client.post(
        "/api/session",
        json={"username": "silver", "password": PASSWORD},
        headers={"X-CSRF-Token": token},
    )
    response.raise_for_status()
    client.headers["X-CSRF-Token"] = response.json()["csrf_token"]
    return client


def upload(client: httpx.Client, dep_id: str, bundle: bytes, key: bytes) -> dict:
    import base64

    try:
        response = client.post(
            f"/api/lfr/deployments/{dep_id}/watchlist",
            files={"bundle": ("w.frtwl", bundle), "key_file": ("k", base64.b64encode(key))},
            data={"intelligence_reconfirmed": "true", "replace": "true"},
        )
        return {"status": response.status_code, "detail": response.text[:200]}
    except httpx.HTTPError as exc:
        return {"status": None, "detail": type(exc).__name__}


def blank_png(width: int, height: int, noise: bool = False) -> bytes:
    out = io.BytesIO()
    if noise:  # a plausible photo's size on the wire, still no face
        import numpy as np

        pixels = np.random.default_rng(0).integers(0, 255, (height // 8, width // 8, 3), np.uint8)
        Image.fromarray(pixels).resize((width, height)).save(out, "JPEG", quality=70)
    else:
        Image.new("1", (width, height)).save(out, "PNG", optimize=True)
    return out.getvalue()


def manifest(image_file: str, digest: str) -> bytes:
    entry = {
        "reference": "BENCH-1",
        "category": "wanted_by_courts",
        "image_source": "police_custody",
        "legal_basis": "bench",
        "rationale": "bench",
        "images": [{"file": image_file, "sha256": digest, "captured_on": "2025-01-01"}],
    }
    return json.dumps(
        {
            "format": "frt-watchlist-bundle",
            "version": 1,
            "created_at": "2026-01-01T00:00:00Z",
            "entries": [entry],
        }
    ).encode()


def seal(archive: bytes) -> tuple[bytes, bytes]:
    from cryptography.hazmat.primitives.ciphers.aead import AESGCM

    from frt.governance import bundle as bundles

    key = bundles.generate_key()
    kid, nonce = bundles.key_id(key), os.urandom(12)
    return bundles.MAGIC + kid + nonce + AESGCM(key).encrypt(
        nonce, archive, bundles.MAGIC + kid
    ), key


def bundle_of(image: bytes) -> tuple[bytes, bytes]:
    import hashlib

    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_STORED) as zf:
        zf.writestr(
            "manifest.json", manifest("images/0001-1.png", hashlib.sha256(image).hexdigest())
        )
        zf.writestr("images/0001-1.png", image)
    return seal(out.getvalue())


def zip_bomb() -> tuple[bytes, bytes]:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as zf:
        zf.writestr("manifest.json", manifest("images/0001-1.png", "0" * 64))
        with zf.open("images/0001-1.png", "w", force_zip64=True) as member:
            zeros = b"\0" * (16 * 1024 * 1024)
            for _ in range(96):
                member.write(zeros)
    return seal(out.getvalue())


if __name__ == "__main__":
    main()
