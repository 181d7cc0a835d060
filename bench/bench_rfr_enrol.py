"""RFR library enrolment throughput: `frt rfr library import`'s whole path (detect with quality
reasons, template, seal the original and the template, one transaction and audit record per
batch) on every core, beside the reference loop in the same run.

    .venv/bin/python bench/bench_rfr_enrol.py ../shared/testdata/faces --n 200 [--workers 2]

The reference is the loop a Python user writes with ageitgey's `face_recognition` defaults
(`load_image_file` + `face_encodings`: HOG upsampled once, one jitter), one process, templates
kept in memory — no database, no encryption, no audit. Install it for this benchmark only:
`.venv/bin/pip install --no-deps face_recognition`. The images are read where they are (a
temporary folder of symbolic links); nothing of them is copied into the project.
"""

from __future__ import annotations

import argparse
import json
import os
import tempfile
import time
import warnings
from datetime import timedelta
from pathlib import Path

warnings.filterwarnings("ignore", category=UserWarning)


def pick(folder: Path, n: int) -> list[Path]:
    paths = sorted(p for p in folder.rglob("*") if p.suffix.lower() in (".jpg", ".jpeg", ".png"))
    step = max(1, len(paths) // n)
    return paths[::step][:n]


def reference(paths: list[Path]) -> dict:
    import face_recognition as fr

    start, made = time.perf_counter(), 0
    for p in paths:
        made += bool(fr.face_encodings(fr.load_image_file(str(p))))
    seconds = time.perf_counter() - start
    return {
        "images": len(paths),
        "templated": made,
        "seconds": round(seconds, 2),
        "images_per_s": round(len(paths) / seconds, 2),
    }


def frt_import(paths: list[Path], workers: int) -> dict:
    from frt.app import open_store
    from frt.audit import Actor
    from frt.core.actions import perform
    from frt.core.invariant import guard_store
    from frt.people.roles import Role
    from frt.people.service import create_user
    from frt.policy.ranks import Rank
    from frt.rfr import enrol, libraries
    from frt.settings import Settings
    from frt.store.base import utcnow

    with tempfile.TemporaryDirectory(prefix="frt-bench-rfr-") as tmp:
        tmp = Path(tmp)
        links = tmp / "images"
        links.mkdir()
        for k, p in enumerate(paths):
            (links / f"{k:05d}{p.suffix}").symlink_to(p.resolve())
        data = tmp / "var"
        store = open_store(
            Settings(data, f"sqlite:///{data / 'frt.sqlite3'}", "mps", None), migrate=True
        )
        guard_store(store)
        with store.session() as s:
            ids = {
                name: create_user(
                    s,
                    Actor.system("bench"),
                    username=name,
                    display_name=name,
                    rank=rank,
                    roles={role},
                    password="bench-password-long-enough",
                ).id
                for name, rank, role in (
                    ("sro", Rank.ASSISTANT_COMMISSIONER, Role.SRO),
                    ("team", Rank.STAFF_BAND_D, Role.FR_TEAM),
                )
            }
        form = {k: "bench" for k in libraries.FORM_FIELDS}
        lib = perform(store, ids["sro"], libraries.apply, "substantive", "bench", **form)
        perform(
            store,
            ids["sro"],
            libraries.decide,
            lib.id,
            True,
            "bench",
            image_level=1,
            access_all=True,
            review_due=utcnow() + timedelta(days=300),
        )
        start = time.perf_counter()
        summary = enrol.run_import(store, ids["team"], lib.id, links, workers=workers)
        seconds = time.perf_counter() - start
        store.dispose()
    return {
        "images": summary.total,
        "templated": summary.enrolled,
        "refused": summary.refused,
        "reasons": dict(summary.reasons),
        "seconds": round(seconds, 2),
        "images_per_s": round(summary.total / seconds, 2),
        "workers": workers,
    }


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("folder", type=Path)
    ap.add_argument("--n", type=int, default=200)
    ap.add_argument("--workers", type=int, default=len(os.sched_getaffinity(0)))
    ap.add_argument("--json", type=Path)
    args = ap.parse_args()
    paths = pick(args.folder, args.n)
    out = {
        "reference_loop_1_process": reference(paths),
        "frt_rfr_import": frt_import(paths, args.workers),
        "load_before": os.getloadavg()[0],
    }
    out["speedup"] = round(
        out["frt_rfr_import"]["images_per_s"] / out["reference_loop_1_process"]["images_per_s"], 2
    )
    print(json.dumps(out, indent=2))
    if args.json:
        args.json.write_text(json.dumps(out, indent=2))


if __name__ == "__main__":
    main()
