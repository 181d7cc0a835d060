"""Every input has a bound that fits its purpose, checked before the work (hardening, item 1).

The attacks that took the server down: a 7 KB blank PNG of 7000 x 7000 pixels inside a Watchlist
bundle (23 GB), a 1.5 MB bundle that inflates to 1.5 GB, and anonymous 200 MB POSTs. The memory
tests run the engine and the bundle reader in a child process with its address space capped, so
a regression is an out-of-memory failure there rather than a killed test run.
"""

from __future__ import annotations

import asyncio
import io
import json
import subprocess
import sys
import textwrap
import zipfile

import pytest
from PIL import Image

from frt.governance import bundle as bundles
from frt.web.limits import DEFAULT_BODY_BYTES

pytestmark = pytest.mark.req("WL-04", "DATA-05")

MEMORY_CAP = 3 * 1024**3  # address space of the child: the engine, its imports and ~1.5 GB


def blank_png(width: int, height: int) -> bytes:
    out = io.BytesIO()
    Image.new("1", (width, height)).save(out, "PNG", optimize=True)
    return out.getvalue()


def run_capped(code: str) -> dict:
    """Run `code` in a child capped at MEMORY_CAP; it prints one JSON line as its result."""
    prelude = textwrap.dedent(f"""
        import json, resource, sys
        resource.setrlimit(resource.RLIMIT_AS, ({MEMORY_CAP}, {MEMORY_CAP}))
    """)
    proc = subprocess.run(
        [sys.executable, "-c", prelude + textwrap.dedent(code)],
        capture_output=True,
        text=True,
        timeout=240,
    )
    assert proc.returncode == 0, proc.stderr[-2000:]
    return json.loads(proc.stdout.strip().splitlines()[-1])


def test_a_7kb_blank_png_of_49_megapixels_is_refused_before_decoding(tmp_path):
    png = blank_png(7000, 7000)
    assert len(png) < 16_000
    (tmp_path / "bomb.png").write_bytes(png)
    result = run_capped(f"""
        from frt.governance.watchlists import FaceEngine, WatchlistImportError
        try:
            FaceEngine().analyse(open({str(tmp_path / "bomb.png")!r}, "rb").read())
            print(json.dumps({{"refused": None}}))
        except WatchlistImportError as exc:
            print(json.dumps({{"refused": str(exc)}}))
    """)
    assert "exceeds the limit" in result["refused"]


def test_a_large_photo_without_a_face_is_searched_in_bounded_memory(tmp_path):
    """20 MP passes the decode bound; the detectors look at scaled copies, so no face is found
    (and nothing is killed) under the cap that the unscaled CNN would need 20 GB to pass."""
    (tmp_path / "blank.png").write_bytes(blank_png(5000, 4000))
    result = run_capped(f"""
        from frt.governance.watchlists import FaceEngine, WatchlistImportError
        try:
            FaceEngine().analyse(open({str(tmp_path / "blank.png")!r}, "rb").read())
            print(json.dumps({{"refused": None}}))
        except WatchlistImportError as exc:
            print(json.dumps({{"refused": str(exc)}}))
    """)
    assert result["refused"] == "no face found"


def test_a_face_in_a_photo_larger_than_the_detectors_look_at_is_still_found():
    """Scaling down for detection maps boxes back: the face is found where it is, full size."""
    import numpy as np
    from skimage import data

    from frt.engine.detect import get_detector

    astronaut = data.astronaut()  # 512 x 512, one face
    canvas = np.full((3000, 3000, 3), 200, np.uint8)
    canvas[1000:2536, 1200:2736] = np.kron(astronaut, np.ones((3, 3, 1), np.uint8))
    faces = get_detector("thorough", max_faces=5).detect(canvas)
    assert faces, "the face was lost by scaling down"
    face = faces[0]
    assert 1200 <= face.x0 < face.x1 <= 2736 and 1000 <= face.y0 < face.y1 <= 2536
    assert face.width > 150  # full-image pixels, not the scaled copy's


def _sealed(archive: bytes, key: bytes) -> bytes:
    import os

    from cryptography.hazmat.primitives.ciphers.aead import AESGCM

    kid, nonce = bundles.key_id(key), os.urandom(12)
    return bundles.MAGIC + kid + nonce + AESGCM(key).encrypt(nonce, archive, bundles.MAGIC + kid)


def _manifest(files: list[str]) -> bytes:
    entry = {
        "reference": "R1",
        "category": "suspect",
        "image_source": "police_custody",
        "legal_basis": "PACE",
        "images": [{"file": f, "sha256": "0" * 64, "captured_on": "2025-01-01"} for f in files],
    }
    return json.dumps(
        {
            "format": bundles.FORMAT,
            "version": 1,
            "created_at": "2026-01-01T00:00:00Z",
            "entries": [entry],
        }
    ).encode()


def test_a_zip_bomb_bundle_is_refused_from_its_declared_sizes(tmp_path):
    """1.5 MB on the wire, 1.5 GB inflated: refused before a member is inflated."""
    key = bundles.generate_key()
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as zf:
        zf.writestr("manifest.json", _manifest(["images/0001-1.png"]))
        with zf.open("images/0001-1.png", "w", force_zip64=True) as member:
            chunk = b"\0" * (16 * 1024 * 1024)
            for _ in range(96):  # 1.5 GiB of zeros
                member.write(chunk)
    sealed = _sealed(out.getvalue(), key)
    assert len(sealed) < 2 * 1024 * 1024
    (tmp_path / "bomb.frtwl").write_bytes(sealed)
    (tmp_path / "key").write_bytes(key)
    result = run_capped(f"""
        from frt.governance.bundle import BundleError, open_bundle
        data = open({str(tmp_path / "bomb.frtwl")!r}, "rb").read()
        key = open({str(tmp_path / "key")!r}, "rb").read()
        try:
            open_bundle(data, key)
            print(json.dumps({{"refused": None}}))
        except BundleError as exc:
            print(json.dumps({{"refused": str(exc)}}))
    """)
    assert "limit" in result["refused"]


def test_a_member_that_lies_about_its_size_is_cut_off_while_inflating():
    key = bundles.generate_key()
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("manifest.json", _manifest(["images/0001-1.png"]))
        zf.writestr("images/0001-1.png", b"\0" * (bundles.MAX_IMAGE_BYTES + 1024))
    archive = bytearray(out.getvalue())
    # Rewrite the declared (uncompressed) size of the image in its central directory record.
    cd = archive.rfind(b"PK\x01\x02")
    archive[cd + 24 : cd + 28] = (1000).to_bytes(4, "little")
    with pytest.raises(bundles.BundleError):
        bundles.open_bundle(_sealed(bytes(archive), key), key)


def test_a_bundle_past_its_bound_is_refused_before_decryption():
    key = bundles.generate_key()
    with pytest.raises(bundles.BundleError, match="limit"):
        bundles.open_bundle(bundles.MAGIC + b"\0" * 100, key, max_bytes=50)


def test_a_corrupt_jpeg_inside_a_bundle_is_a_clear_refusal_not_a_server_error():
    from frt.engine.errors import ImageError
    from frt.engine.images import decode_image

    out = io.BytesIO()
    Image.new("RGB", (64, 64), (120, 80, 60)).save(out, "JPEG")
    jpeg = bytearray(out.getvalue())
    sos = jpeg.find(b"\xff\xda")
    jpeg[sos + 2 : sos + 40] = b"\xff" * 38  # a broken segment header inside the scan
    with pytest.raises(ImageError):
        decode_image(bytes(jpeg)[: len(jpeg) // 2])


async def _post_streaming(
    app, path: str, total: int, chunk: int = 1024 * 1024, declare_length: bool = True
) -> tuple[int, int]:
    """POST `total` bytes in chunks straight into the ASGI app; returns (status, bytes it read)."""
    sent, status = 0, None
    headers = [(b"content-type", b"application/json")]
    if declare_length:
        headers.append((b"content-length", str(total).encode()))
    scope = {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": "POST",
        "scheme": "http",
        "path": path,
        "raw_path": path.encode(),
        "query_string": b"",
        "root_path": "",
        "headers": headers,
        "client": ("127.0.0.1", 5000),
        "server": ("testserver", 80),
    }

    async def receive():
        nonlocal sent
        if sent >= total:
            return {"type": "http.disconnect"}
        size = min(chunk, total - sent)
        sent += size
        return {"type": "http.request", "body": b"x" * size, "more_body": sent < total}

    async def send(message):
        nonlocal status
        if message["type"] == "http.response.start":
            status = message["status"]

    await app(scope, receive, send)
    return status, sent


@pytest.mark.parametrize("declare_length", [True, False])
def test_an_anonymous_200mb_post_is_refused_while_it_streams(app, declare_length):
    total = 200 * 1024 * 1024
    status, read = asyncio.run(
        _post_streaming(app, "/api/session", total, declare_length=declare_length)
    )
    assert status == 413
    # Refused at once when the length is declared; otherwise after one chunk past the bound.
    assert read <= (0 if declare_length else DEFAULT_BODY_BYTES + 1024 * 1024)


def test_an_upload_route_declares_a_bound_of_its_own(app):
    """A Watchlist bundle may be larger than a form; the refusal then is not the body's size."""
    status, _ = asyncio.run(_post_streaming(app, "/api/lfr/deployments/x/watchlist", 2 * 1024**2))
    assert status != 413
    status, _ = asyncio.run(
        _post_streaming(
            app, "/api/lfr/deployments/x/watchlist", bundles.MAX_BUNDLE_BYTES + 2 * 1024**2
        )
    )
    assert status == 413


def test_a_text_field_longer_than_any_person_types_is_refused(client, store):
    from frt.audit import Actor
    from frt.people.roles import Role
    from frt.people.service import create_user
    from frt.policy.ranks import Rank
    from frt.web.limits import MAX_TEXT_CHARS
    from tests.web.conftest import PASSWORD, csrf_of, sign_in

    with store.session() as db:
        create_user(
            db,
            Actor.system("test"),
            username="applicant",
            display_name="Applicant",
            rank=Rank.INSPECTOR,
            roles={Role.APPLICANT},
            password=PASSWORD,
        )
    assert sign_in(client, "applicant").status_code == 200
    response = client.post(
        "/api/lfr/applications",
        json={"title": "x" * (MAX_TEXT_CHARS + 1)},
        headers={"X-CSRF-Token": csrf_of(client)},
    )
    assert response.status_code == 422
