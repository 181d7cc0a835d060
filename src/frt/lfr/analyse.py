"""The per-frame work of a recognition worker: detect, locate landmarks, check zone and quality,
cut the aligned face chip — and, on request, template chips.

This is what runs in the worker processes (`frt.lfr.workers`), so it takes and returns plain
picklable values: a frame's regions in (`AnalyseJob`), its `Observation`s out. A chip is cut only
for a face inside the Zone of Recognition, within the faces-per-frame limit and good enough to
template; every other face leaves a box (for tracking) and a count, nothing else (LIVE-03).

Kept here rather than in `frt.engine` because it is live-specific (regions at a chosen scale,
zone rules); `detect_regions` is a candidate to move into the engine later.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field, replace

import numpy as np

from frt.engine import models
from frt.engine.detect import Face, landmarks_5
from frt.engine.quality import QualityThresholds, assess
from frt.engine.template import aligned_chips
from frt.lfr.zone import HOG_MIN_BOX, Zone

CHIP_SIZE = 150  # dlib ResNet's input
DUPLICATE_IOU = 0.4  # two detections from overlapping regions this alike are one face
# A HOG-like box is 2.1-2.8 times the inter-eye distance (zone.py); one under this many times the
# Zone's minimum cannot pass, and is refused without landmarks or measures.
MIN_BOX_PER_IED = 1.8
SETTLED_IOU = 0.5  # a face this much over a settled track's last box is that track's
MTCNN_MARGIN = 0.8  # MTCNN's smallest face asked for, as a share of the smallest face wanted


@dataclass(eq=False)
class Crop:
    """Pixels sent to a worker: `bgr` starts at frame position (x, y); detection covers the inner
    rectangle `inner` (crop coordinates) at `scale`; the margin around it serves the chips."""

    bgr: np.ndarray
    x: int
    y: int
    inner: tuple[int, int, int, int]
    scale: float
    hints: tuple = ()  # tracked faces' last boxes, crop coordinates (see `frt.lfr.regions`)


@dataclass(eq=False)
class AnalyseJob:
    frame_index: int
    crops: list[Crop]
    zone: Zone
    thresholds: QualityThresholds
    detector: str = "hog"  # "mtcnn" (frt.engine.detect_fast) where its package is installed
    # Boxes (frame pixels) of tracks that will take no more templates (alerted, or at their
    # limit): their faces are followed but not measured or cut again.
    settled: tuple = ()


@dataclass(eq=False)
class Observation:
    box: tuple[int, int, int, int]  # frame pixels
    in_zone: bool
    quality: float = 0.0
    inter_eye_px: float = 0.0
    ok: bool = False  # in zone, within the limit and good enough: `chip` is set
    chip: np.ndarray | None = field(default=None, repr=False)
    refused: bool = False  # found too small or too poor to template
    too_small: bool = False  # ... because its eyes are closer than the Zone's minimum


@dataclass(eq=False)
class AnalyseResult:
    frame_index: int
    observations: list[Observation]
    over_limit: int = 0
    timings: dict = field(default_factory=dict)


def analyse(job: AnalyseJob) -> AnalyseResult:
    import cv2

    t0 = time.perf_counter()
    found: list[tuple[Face, int]] = []  # (face in crop coordinates, crop number)
    rgbs = []
    for n, crop in enumerate(job.crops):
        rgb = np.ascontiguousarray(cv2.cvtColor(crop.bgr, cv2.COLOR_BGR2RGB))
        rgbs.append(rgb)
        found += [
            (f, n) for f in detect_region(rgb, crop.inner, crop.scale, job.detector, crop.hints)
        ]
    found = _unique(found, job.crops)
    t1 = time.perf_counter()
    observations, over = _observe(found, job, rgbs)
    for pixels in [c.bgr for c in job.crops] + rgbs:  # the job's own copies (LIVE-03)
        pixels.fill(0)
    t2 = time.perf_counter()
    return AnalyseResult(
        job.frame_index,
        observations,
        over,
        {"detect": (t1 - t0) * 1e3, "quality_align": (t2 - t1) * 1e3},
    )


def default_detector() -> str:
    """MTCNN where its shipped networks are installed (several times faster than HOG at the same
    smallest face, bench/RESULTS.md), else dlib's HOG."""
    from frt.engine import detect_fast

    return detect_fast.NAME if detect_fast.available() else "hog"


def detect_region(
    rgb: np.ndarray,
    inner: tuple[int, int, int, int],
    scale: float,
    detector: str = "hog",
    hints: tuple = (),
) -> list[Face]:
    """Faces in `inner` of `rgb` at least as large as `scale` makes detectable (a face box of
    `HOG_MIN_BOX / scale` pixels); HOG-like boxes in `rgb`'s coordinates. With MTCNN, tracked
    faces (`hints`) are followed from their last boxes and the region searched only if one of
    them is lost."""
    if detector == "mtcnn":
        if hints:
            faces = _mtcnn_follow(rgb, hints)
            if faces is not None:
                return faces
        return _mtcnn_region(rgb, inner, scale)
    return _hog_region(rgb, inner, scale)


def _mtcnn_follow(rgb, hints) -> list[Face] | None:
    """The tracked faces where O-Net finds them now, or None if any is lost."""
    from frt.engine import detect_fast

    boxes, _ = detect_fast.refine(rgb, hints)
    if not len(boxes) or (boxes[:, 4] <= 0).any():
        return None
    faces = [_hog_face(rgb, b, 0, 0) for b in boxes]
    return [f for f in faces if f is not None]


def _hog_face(rgb, b, x0: int, y0: int) -> Face | None:
    from frt.engine import detect_fast

    bx0, by0, bx1, by1 = detect_fast.to_hog_box(b)
    box = (
        max(0, bx0 + x0),
        max(0, by0 + y0),
        min(rgb.shape[1], bx1 + x0),
        min(rgb.shape[0], by1 + y0),
    )
    if box[2] - box[0] < 8 or box[3] - box[1] < 8:
        return None
    return Face(*box, confidence=float(b[4]), detector="mtcnn")


def _mtcnn_region(rgb, inner, scale) -> list[Face]:
    from frt.engine import detect_fast

    x0, y0, x1, y1 = inner
    part = np.ascontiguousarray(rgb[y0:y1, x0:x1])
    if part.shape[0] < 12 or part.shape[1] < 12:
        return []
    # MTCNN's box is larger than HOG's (HOG_SIDE); a margin keeps faces at the limit found.
    min_face = HOG_MIN_BOX / scale / detect_fast.HOG_SIDE * MTCNN_MARGIN
    boxes, _ = detect_fast.detect_boxes(part, min_face)
    faces = [_hog_face(rgb, b, x0, y0) for b in boxes]
    return [f for f in faces if f is not None]


def _hog_region(rgb, inner, scale) -> list[Face]:
    import cv2

    x0, y0, x1, y1 = inner
    part = rgb[y0:y1, x0:x1]
    if scale != 1.0:
        size = (max(1, round(part.shape[1] * scale)), max(1, round(part.shape[0] * scale)))
        method = cv2.INTER_LINEAR if scale > 1 else cv2.INTER_AREA
        part = cv2.resize(part, size, interpolation=method)
    if part.shape[0] < 40 or part.shape[1] < 40:
        return []
    rects, scores, _ = models.hog_detector().run(np.ascontiguousarray(part), 0, 0.0)
    faces = []
    for r, c in zip(rects, scores):
        box = (
            round(r.left() / scale) + x0,
            round(r.top() / scale) + y0,
            round((r.right() + 1) / scale) + x0,
            round((r.bottom() + 1) / scale) + y0,
        )
        box = (max(0, box[0]), max(0, box[1]), min(rgb.shape[1], box[2]), min(rgb.shape[0], box[3]))
        if box[2] - box[0] >= 8 and box[3] - box[1] >= 8:
            faces.append(Face(*box, confidence=float(c), detector="hog"))
    return faces


def _unique(found, crops) -> list[tuple[Face, int]]:
    """Drop a detection that repeats a more confident one from an overlapping region."""
    found = sorted(found, key=lambda fc: -fc[0].confidence)
    kept: list[tuple[Face, int]] = []
    for face, n in found:
        box = _to_frame(face.box, crops[n])
        if all(iou(box, _to_frame(k.box, crops[m])) < DUPLICATE_IOU for k, m in kept):
            kept.append((face, n))
    return kept


def _to_frame(box, crop: Crop) -> tuple[int, int, int, int]:
    return (box[0] + crop.x, box[1] + crop.y, box[2] + crop.x, box[3] + crop.y)


def _observe(found, job: AnalyseJob, rgbs) -> tuple[list[Observation], int]:
    zone = job.zone
    inside: list = []
    outside: list = []
    for face, n in found:
        box = _to_frame(face.box, job.crops[n])
        centre = ((box[0] + box[2]) / 2, (box[1] + box[3]) / 2)
        (inside if zone.contains(*centre) else outside).append((face, n, box))
    inside.sort(key=lambda item: -item[0].area)  # the limit keeps the largest (nearest) faces
    kept, over = inside[: zone.max_faces], inside[zone.max_faces :]
    out = [Observation(box, in_zone=False) for _, _, box in outside]
    out += [Observation(box, in_zone=True) for _, _, box in over]
    for face, n, box in kept:
        if any(iou(box, s) >= SETTLED_IOU for s in job.settled):
            out.append(Observation(box, True))
            continue
        if box[2] - box[0] < MIN_BOX_PER_IED * job.thresholds.min_inter_eye_px:
            out.append(Observation(box, True, refused=True, too_small=True))  # surely too small
            continue
        rgb = rgbs[n]
        face = replace(face, landmarks=landmarks_5(rgb, face.box))
        q = assess(rgb, face, job.thresholds)
        chip = aligned_chips(rgb, [face], CHIP_SIZE)[0] if q.ok else None
        out.append(
            Observation(
                box,
                True,
                q.score,
                q.inter_eye_px,
                q.ok,
                chip,
                refused=not q.ok,
                too_small=q.inter_eye_px < job.thresholds.min_inter_eye_px,
            )
        )
    return out, len(over)


def iou(a, b) -> float:
    ix = max(0, min(a[2], b[2]) - max(a[0], b[0]))
    iy = max(0, min(a[3], b[3]) - max(a[1], b[1]))
    inter = ix * iy
    union = (a[2] - a[0]) * (a[3] - a[1]) + (b[2] - b[0]) * (b[3] - b[1]) - inter
    return inter / union if union > 0 else 0.0


# ---------------------------------------------------------------- templating
_ALGORITHMS: dict = {}


def embed(
    chips: list[np.ndarray], algorithm: str, options: dict, wipe_chips: bool = False
) -> tuple[np.ndarray, float]:
    """Unit template vectors of aligned chips, and the milliseconds it took. `wipe_chips`: the
    chips are this process's own copies (a worker's, unpickled) and are zeroed once used; inline,
    they are the pipeline's, which wipes or keeps them after the comparison (LIVE-03)."""
    from frt.engine.template import get_algorithm

    key = (algorithm, tuple(sorted(options.items())))
    if key not in _ALGORITHMS:
        _ALGORITHMS[key] = get_algorithm(algorithm, **options)
    t0 = time.perf_counter()
    try:
        vectors = _ALGORITHMS[key].embed_chips(chips)
    finally:
        if wipe_chips:
            for chip in chips:
                chip.fill(0)
    return np.asarray(vectors, dtype=np.float32), (time.perf_counter() - t0) * 1e3


def warm_up(algorithm: str, options: dict) -> None:
    """Load the models in a worker before the first frame arrives."""
    from frt.engine import detect_fast

    models.hog_detector()
    models.shape_predictor_5()
    if detect_fast.available():
        detect_fast.warm_up()
    embed([np.zeros((CHIP_SIZE, CHIP_SIZE, 3), np.uint8)], algorithm, options)
