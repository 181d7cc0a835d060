"""A Watchlist bundle's contents are input like any other: a damaged photo, text that is not text
and impossible dates are clear refusals naming the entry and image, and nothing is imported
(hardening item 7; WL-04).

The attack: a full-length JPEG whose scan header is broken, sealed into a valid bundle, made
Pillow raise OSError deep inside the import — a server error. Now the engine's decoder names it
(ImageError) and the import refuses that entry's image, through the API as through the domain.
"""

from __future__ import annotations

import hashlib
import io
import json
import os
import zipfile
from datetime import timedelta

import numpy as np
import pytest
from PIL import Image
from skimage import data
from sqlalchemy import func, select

from frt.governance import bundle as bundles
from frt.governance import watchlists
from frt.governance.bundle import installation_key
from frt.governance.watchlist_models import Watchlist
from frt.governance.watchlists import FaceEngine, WatchlistImportError
from tests.governance.conftest import (  # noqa: F401 (fixtures)
    NOW,
    PASSWORD,
    act,
    authority,
    entry,
    make_bundle,
    password_hash,
    people,
    submitted,
)
from tests.web.conftest import sign_in

pytestmark = pytest.mark.req("WL-04", "DATA-05")


def broken_jpeg() -> bytes:
    """The astronaut as a full-length JPEG whose scan header is overwritten (Pillow: OSError)."""
    out = io.BytesIO()
    Image.fromarray(np.ascontiguousarray(data.astronaut())).save(out, "JPEG")
    jpeg = bytearray(out.getvalue())
    sos = jpeg.find(b"\xff\xda")
    jpeg[sos + 2 : sos + 40] = b"\xff" * 38
    return bytes(jpeg)


def watchlists_count(store) -> int:
    with store.session() as db:
        return db.scalar(select(func.count()).select_from(Watchlist))


def sealed_manifest(key: bytes, manifest: str, files: dict[str, bytes]) -> bytes:
    """A bundle whose manifest is raw JSON text: what an attacker's own packer would write."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_STORED) as zf:
        zf.writestr("manifest.json", manifest)
        for name, blob in files.items():
            zf.writestr(name, blob)
    kid, nonce = bundles.key_id(key), os.urandom(12)
    from cryptography.hazmat.primitives.ciphers.aead import AESGCM

    return (
        bundles.MAGIC
        + kid
        + nonce
        + AESGCM(key).encrypt(nonce, out.getvalue(), bundles.MAGIC + kid)
    )


def raw_manifest(reference: str, captured_on: str, blob: bytes) -> str:
    image = {
        "file": "images/1000-1.jpg",
        "sha256": hashlib.sha256(blob).hexdigest(),
        "captured_on": captured_on,
    }
    return json.dumps(
        {
            "format": bundles.FORMAT,
            "version": 1,
            "created_at": "2026-11-01T00:00:00Z",
            "entries": [
                {
                    "reference": reference,
                    "category": "wanted_by_courts",
                    "image_source": "police_custody",
                    "legal_basis": "PACE",
                    "images": [image],
                }
            ],
        }
    )


def test_a_broken_jpeg_in_a_bundle_is_refused_by_the_real_engine_and_nothing_is_imported(
    act, authority, store
):  # noqa: F811
    _, dep_id = authority()
    with act("silver") as ctx:
        bundle = make_bundle(
            installation_key(ctx.cipher),
            entry("W-1", photos={"broken": broken_jpeg()}, images=[("broken", None, "")]),
        )
    with (
        pytest.raises(WatchlistImportError, match=r"entry 1, image 1: corrupt image"),
        act("silver") as ctx,
    ):
        watchlists.import_bundle(
            ctx, dep_id, bundle, intelligence_reconfirmed=True, engine=FaceEngine()
        )
    assert watchlists_count(store) == 0


def test_a_broken_jpeg_in_a_bundle_is_a_400_through_the_api(
    act, authority, store, client, monkeypatch
):  # noqa: F811
    _, dep_id = authority()
    monkeypatch.setattr("frt.core.actions.utcnow", lambda: NOW)  # inside the import window
    with act("silver") as ctx:
        bundle = make_bundle(
            installation_key(ctx.cipher),
            entry("W-1", photos={"broken": broken_jpeg()}, images=[("broken", None, "")]),
        )
    signed = sign_in(client, "silver", PASSWORD)
    assert signed.status_code == 200, signed.text
    response = client.post(
        f"/api/lfr/deployments/{dep_id}/watchlist",
        files={"bundle": ("w.frtwl", bundle)},
        data={"intelligence_reconfirmed": "true"},
        headers={"X-CSRF-Token": signed.json()["csrf_token"]},
    )
    assert response.status_code == 400, response.text
    assert "entry 1, image 1" in response.text and "corrupt image" in response.text
    assert watchlists_count(store) == 0


@pytest.mark.parametrize(
    "reference, captured_on, refused",
    [
        # a lone surrogate in the reference: pydantic's JSON parser refuses it before FRT's rule
        ("W-\ud800", "2025-06-01", "INPUT-TEXT|invalid at : Invalid JSON"),
        ("W-\x00-1", "2025-06-01", "INPUT-TEXT"),
        ("W-\x1b[2J", "2025-06-01", "INPUT-TEXT"),
        ("W-1", "1850-01-01", "INPUT-PHOTO-DATE"),
        ("W-1", "9999-12-31", "INPUT-PHOTO-DATE"),
    ],
)
def test_a_manifest_with_text_or_dates_past_their_bounds_is_refused(
    act, authority, store, reference, captured_on, refused
):  # noqa: F811
    _, dep_id = authority()
    blob = b"never decoded"
    with act("silver") as ctx:
        key = installation_key(ctx.cipher)
    data_ = sealed_manifest(
        key, raw_manifest(reference, captured_on, blob), {"images/1000-1.jpg": blob}
    )
    with pytest.raises(WatchlistImportError, match=refused), act("silver") as ctx:
        watchlists.import_bundle(
            ctx, dep_id, data_, intelligence_reconfirmed=True, engine=FaceEngine()
        )
    assert watchlists_count(store) == 0


def test_a_future_capture_date_names_the_entry_and_the_rule(act, authority, store):  # noqa: F811
    _, dep_id = authority()
    later = (NOW + timedelta(days=3)).date().isoformat()
    blob = b"never decoded"
    with act("silver") as ctx:
        key = installation_key(ctx.cipher)
    data_ = sealed_manifest(key, raw_manifest("W-1", later, blob), {"images/1000-1.jpg": blob})
    refused = r"entry 1, image 1: .*future.*INPUT-PHOTO-DATE"
    with pytest.raises(WatchlistImportError, match=refused), act("silver") as ctx:
        watchlists.import_bundle(
            ctx, dep_id, data_, intelligence_reconfirmed=True, engine=FaceEngine()
        )
