"""RFR demo data (embedded default only): a small approved library and a probe to search.

Made once, through the same actions and audit log as a person's steps: the SRO approves a
substantive library ("DEMO custody images", Image Level 1, every trained RFR user may search it)
and the FR lead enrols into it package-shipped photos — scikit-image's astronaut and matplotlib's
Grace Hopper, several views of each. The probe, `<data dir>/demo/rfr/probe.png`, shows both side
by side: the RFR user picks one face and searches.
"""

from __future__ import annotations

import io
from datetime import timedelta
from pathlib import Path
from typing import Any

import numpy as np
from sqlalchemy import select

from frt.core.actions import perform
from frt.people.models import User
from frt.rfr import libraries
from frt.rfr.models import RfrLibrary
from frt.store.base import utcnow

NAME = "DEMO custody images"
FORM: dict[str, Any] = dict(
    legal_basis="PACE s.64A; held under MOPI (demo)",
    provenance="Custody photographs of compliant subjects (demo: package-shipped photos)",
    composition="Frontal head-and-shoulders images, good quality (demo)",
    elevated_considerations="None identified (demo)",
    necessity="Identifying suspects in investigations (demo)",
    monitoring="Monthly usage report to the FRT Board (demo)",
)


def seed(store, folder: Path) -> str:
    """Create the demo library and probe once; print (and return) how to walk the RFR path."""
    text = _seed(store, folder)
    from rich.console import Console

    Console().print(text)
    return text


def _seed(store, folder: Path) -> str:
    with store.session() as s:
        ids = {u.username: u.id for u in s.scalars(select(User))}
        existing = s.scalar(select(RfrLibrary.id).where(RfrLibrary.name == NAME))
    probe = Path(folder) / "demo" / "rfr" / "probe.png"
    if existing is None and {"sro", "frlead", "rfr"} <= set(ids):
        try:
            images = _write_library(Path(folder) / "demo" / "rfr" / "library")
            _write_probe(probe)
        except ImportError:
            return "RFR demo: scikit-image is not installed (pip install scikit-image)."
        lib = perform(store, ids["sro"], libraries.apply, "substantive", NAME, **FORM)
        perform(
            store,
            ids["sro"],
            libraries.decide,
            lib.id,
            True,
            "Demo: custody images are the first library searched (003 §5.5(a)(ii))",
            image_level=1,
            access_all=True,
            review_due=utcnow() + timedelta(days=360),
        )
        from frt.rfr.enrol import run_import

        run_import(store, ids["frlead"], lib.id, images, workers=1)
    return guide(probe)


def guide(probe: Path) -> str:
    return (
        "RFR demo: library 'DEMO custody images' (Image Level 1) is approved and enrolled.\n"
        "  1. Sign in as [cyan]rfr[/], open RFR, start a search, upload "
        f"[bold]{probe}[/] and tick the face you want (the other is never templated).\n"
        "  2. Complete the Form 3 and list the library; add a level-4 library or tick "
        "'disability' to see the Inspector's approval ([cyan]rfrinspector[/]; the FR Team's "
        "advice: [cyan]frlead[/]).\n"
        "  3. Search Image Level 1, adjudicate a candidate as a Viable Match, open the Match "
        "Report and download its PDF. [cyan]sro[/] and [cyan]frlead[/] see libraries and reviews."
    )


def _heads():
    from frt.lfr import synthetic

    return synthetic.head("astronaut"), synthetic.head("grace_hopper")


def _write_library(folder: Path) -> Path:
    import cv2
    from PIL import Image

    folder.mkdir(parents=True, exist_ok=True)
    for name, head in zip(("astronaut", "hopper"), _heads()):
        views = [
            head,
            np.ascontiguousarray(head[:, ::-1]),
            cv2.convertScaleAbs(head, alpha=1.1, beta=-12),
            cv2.resize(head, None, fx=0.7, fy=0.7, interpolation=cv2.INTER_AREA),
        ]
        for n, rgb in enumerate(views):
            Image.fromarray(rgb).save(folder / f"{name}-{n}.png")
    return folder


def _write_probe(path: Path) -> None:
    import cv2
    from PIL import Image

    tiles = []
    for head in _heads():
        f = 260 / head.shape[0]
        tiles.append(cv2.resize(head, None, fx=f, fy=f, interpolation=cv2.INTER_AREA))
    wall = np.full((340, sum(t.shape[1] for t in tiles) + 120, 3), 180, np.uint8)
    x = 40
    for t in tiles:
        wall[40 : 40 + t.shape[0], x : x + t.shape[1]] = t
        x += t.shape[1] + 40
    path.parent.mkdir(parents=True, exist_ok=True)
    buf = io.BytesIO()
    Image.fromarray(wall).save(buf, "PNG")
    path.write_bytes(buf.getvalue())
