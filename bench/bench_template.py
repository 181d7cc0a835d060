"""Template cost per face (single, batched, flip) and bulk enrolment images/s vs the reference.

    .venv/bin/python bench/bench_template.py DATA_DIR [--n 200] [--json OUT]

Per-face figures use the astronaut photo (package-shipped), with the network run by dlib and by
onnxruntime (`frt.engine.dlib_onnx`) in the same process. Bulk enrolment reads the first N
images (sorted) of DATA_DIR and runs, in the same process tree and minutes:
- reference: face_recognition.load_image_file + face_encodings, one process (its usual loop);
- FRT `template_many` with every core (thorough detector, flip-averaged templates), no cache;
- FRT `template_many`, one process, for the per-core rate.
"""

from __future__ import annotations

import argparse
import json
import statistics
import time
from pathlib import Path


def _median_ms(fn, repeat=7) -> float:
    fn()
    times = []
    for _ in range(repeat):
        t = time.perf_counter()
        fn()
        times.append((time.perf_counter() - t) * 1000)
    return round(statistics.median(times), 1)


def per_face() -> dict:
    from skimage import data

    from frt.engine.detect import get_detector
    from frt.engine.template import aligned_chips, get_algorithm

    rgb = data.astronaut()
    faces = get_detector("hog").detect(rgb)[:1]
    chips = aligned_chips(rgb, faces * 8, 150)
    out = {"align_chip_ms": _median_ms(lambda: aligned_chips(rgb, faces, 150))}
    # The same descriptor two ways, side by side in this process (tests hold them equal).
    for runtime in ("dlib", "onnxruntime"):
        plain = get_algorithm("dlib-resnet", flip=False, runtime=runtime)
        flip = get_algorithm("dlib-resnet", flip=True, runtime=runtime)
        out[runtime] = {
            "template_single_ms": _median_ms(lambda: plain.embed(rgb, faces)),
            "template_flip_ms": _median_ms(lambda: flip.embed(rgb, faces)),
            "template_batched8_ms_per_face": round(
                _median_ms(lambda: plain.embed_chips(chips), 3) / 8, 1
            ),
        }
    out["single_ratio_dlib_over_onnxruntime"] = round(
        out["dlib"]["template_single_ms"] / out["onnxruntime"]["template_single_ms"], 1
    )
    return out


def bulk(paths: list[Path]) -> dict:
    from frt.engine.enrol import EngineSpec, template_many

    out = {"images": len(paths)}
    items = [(str(p), p) for p in paths]
    for label, workers in (("frt_all_cores", None), ("frt_one_process", 1)):
        t = time.perf_counter()
        made = sum(
            r.template is not None for r in template_many(items, EngineSpec(), workers=workers)
        )
        dt = time.perf_counter() - t
        out[f"{label}_images_per_s"] = round(len(paths) / dt, 2)
        out[f"{label}_templated"] = made
    try:
        import face_recognition
    except ImportError:
        return out
    t = time.perf_counter()
    made = 0
    for p in paths:
        made += bool(face_recognition.face_encodings(face_recognition.load_image_file(str(p))))
    dt = time.perf_counter() - t
    out["reference_images_per_s"] = round(len(paths) / dt, 2)
    out["reference_templated"] = made
    return out


if __name__ == "__main__":
    p = argparse.ArgumentParser()
    p.add_argument("data_dir", type=Path)
    p.add_argument("--n", type=int, default=200)
    p.add_argument("--json")
    args = p.parse_args()
    files = sorted(
        f for d in sorted(args.data_dir.iterdir()) if d.is_dir() for f in sorted(d.iterdir())
    )
    step = max(1, len(files) // args.n)
    result = {"per_face": per_face(), "bulk": bulk(files[::step][: args.n])}
    print(json.dumps(result, indent=2))
    if args.json:
        Path(args.json).write_text(json.dumps(result, indent=2))
