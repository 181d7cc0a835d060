"""Detection time per frame size and face count, on frames composed of package-shipped photos.

    .venv/bin/python bench/bench_detect.py [--json OUT]

Frames: a wall-coloured canvas of 640x480, 1280x720 and 1920x1080 with 4 (2x2) or 10 (5x2) head
crops of the astronaut and Grace Hopper (face height about H/5). Reports median ms and how many of
the placed faces each detector found. The CNN runs on 640x480 only (seconds per frame).
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import time

import numpy as np


def frames() -> dict[str, tuple[np.ndarray, int]]:
    import cv2
    import matplotlib
    from skimage import data

    from frt.engine.images import load_image

    heads = [
        data.astronaut()[20:260, 100:340],
        load_image(os.path.join(matplotlib.get_data_path(), "sample_data", "grace_hopper.jpg"))[
            40:400, 60:420
        ],
    ]
    out = {}
    for w, h in ((640, 480), (1280, 720), (1920, 1080)):
        for cols, rows in ((2, 2), (5, 2)):
            canvas = np.full((h, w, 3), (200, 190, 170), np.uint8)
            size = min(int(h / 5 * 1.8), w // cols - 4, h // rows - 4)
            for i in range(cols * rows):
                head = cv2.resize(heads[i % 2], (size, size), interpolation=cv2.INTER_AREA)
                x, y = (i % cols) * (w // cols) + 2, (i // cols) * (h // rows) + 2
                canvas[y : y + size, x : x + size] = head
            out[f"{w}x{h}/{cols * rows}"] = (canvas, cols * rows)
    return out


def time_ms(fn, budget_s=4.0, max_runs=15) -> tuple[float, int]:
    fn()
    times, start = [], time.perf_counter()
    while len(times) < 3 or (len(times) < max_runs and time.perf_counter() - start < budget_s):
        t = time.perf_counter()
        fn()
        times.append((time.perf_counter() - t) * 1000)
    return round(statistics.median(times), 1), len(times)


if __name__ == "__main__":
    from frt.engine.detect import get_detector

    p = argparse.ArgumentParser()
    p.add_argument("--json")
    args = p.parse_args()
    detectors = {
        "hog": get_detector("hog"),
        "hog_half_scale": get_detector("hog", scale=0.5),
        "hog_upsample1 (reference default)": get_detector("hog", upsample=1),
        "thorough": get_detector("thorough"),
        "cnn": get_detector("cnn"),
    }
    rows = []
    for frame_name, (frame, placed) in frames().items():
        for name, det in detectors.items():
            if name == "cnn" and not frame_name.startswith("640"):
                continue
            ms, runs = time_ms(lambda: det.detect(frame))
            rows.append(
                {
                    "frame": frame_name,
                    "detector": name,
                    "median_ms": ms,
                    "runs": runs,
                    "found": len(det.detect(frame)),
                    "placed": placed,
                }
            )
            print(json.dumps(rows[-1]), flush=True)
    if args.json:
        open(args.json, "w").write(json.dumps(rows, indent=2))
