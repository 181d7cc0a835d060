"""Face detection behind one small interface, with detectors registered by name.

- ``hog``: dlib's HOG detector — fast, for live video (optionally on a downscaled frame).
- ``cnn``: dlib's MMOD CNN detector — slow on a CPU, finds turned and small faces.
- ``thorough``: HOG with upsampling first, the CNN only when HOG finds nothing — for enrolment
  and retrospective searches, where a missed face costs more than a second of CPU.

Every detector returns faces largest first, at most ``max_faces`` of them (so a crowd of 50 is a
defined result), each with 5 landmarks (eye corners and nose) used for quality and alignment.
"""

from __future__ import annotations

import logging
import math
import threading
from dataclasses import dataclass, field
from enum import Enum
from typing import Callable, Protocol, runtime_checkable

import numpy as np

from frt.engine import models
from frt.engine.errors import ImageError, UnknownName

logger = logging.getLogger(__name__)

MAX_FACES = 100  # per image, unless a caller (e.g. a camera's faces-per-frame limit) sets fewer
# Detectors look at a copy scaled down to these sizes (boxes are mapped back, landmarks and
# templates come from the full image), so their memory is bounded whatever image they are given:
# HOG ~220 MB at 4 MP upsampled once; dlib's CNN ~1 GB per megapixel it looks at.
HOG_MAX_PIXELS = 4_000_000
CNN_MAX_PIXELS = 1_000_000  # counted after its upsampling
_CNN_LOCK = threading.Lock()  # one CNN pass at a time per process: its memory is the bound


@dataclass(frozen=True, eq=False)
class Face:
    """A face found in an image: box in image pixels, 5 landmarks (x, y) or None, confidence."""

    x0: int
    y0: int
    x1: int
    y1: int
    confidence: float = 1.0
    landmarks: np.ndarray | None = field(default=None, repr=False)
    detector: str = ""

    @property
    def box(self) -> tuple[int, int, int, int]:
        return (self.x0, self.y0, self.x1, self.y1)

    @property
    def width(self) -> int:
        return self.x1 - self.x0

    @property
    def height(self) -> int:
        return self.y1 - self.y0

    @property
    def area(self) -> int:
        return max(0, self.width) * max(0, self.height)


@runtime_checkable
class Detector(Protocol):
    name: str

    def detect(self, rgb: np.ndarray) -> list[Face]: ...


class DetectorName(str, Enum):
    HOG = "hog"
    CNN = "cnn"
    THOROUGH = "thorough"


def check_rgb(rgb: np.ndarray) -> np.ndarray:
    """The engine's one image contract: H x W x 3 uint8, C-contiguous (dlib needs it)."""
    if not isinstance(rgb, np.ndarray) or rgb.ndim != 3 or rgb.shape[2] != 3:
        raise ImageError("expected an RGB image array of shape (height, width, 3)")
    if rgb.dtype != np.uint8:
        raise ImageError(f"expected 8-bit pixels, got {rgb.dtype}")
    if rgb.shape[0] < 8 or rgb.shape[1] < 8:
        raise ImageError("image too small to hold a face")
    return np.ascontiguousarray(rgb)


def landmarks_5(rgb: np.ndarray, box: tuple[int, int, int, int]) -> np.ndarray:
    """dlib's 5 landmarks for a box: rows are eye corners (2 per eye), then the nose base."""
    import dlib

    shape = models.shape_predictor_5()(rgb, dlib.rectangle(*box))
    return np.array([[p.x, p.y] for p in shape.parts()], dtype=np.float32)


def _finish(rgb, found, max_faces: int, name: str) -> list[Face]:
    """Clip boxes to the image, keep the largest `max_faces`, add landmarks."""
    h, w = rgb.shape[:2]
    boxes = []
    for (x0, y0, x1, y1), conf in found:
        x0, y0, x1, y1 = max(0, x0), max(0, y0), min(w, x1), min(h, y1)
        if x1 - x0 >= 4 and y1 - y0 >= 4:
            boxes.append(((int(x0), int(y0), int(x1), int(y1)), float(conf)))
    boxes.sort(key=lambda b: (b[0][2] - b[0][0]) * (b[0][3] - b[0][1]), reverse=True)
    if len(boxes) > max_faces:
        logger.info("%d faces found; keeping the largest %d", len(boxes), max_faces)
        boxes = boxes[:max_faces]
    return [
        Face(*box, confidence=conf, landmarks=landmarks_5(rgb, box), detector=name)
        for box, conf in boxes
    ]


class HogDetector:
    """dlib HOG + linear SVM. `scale` < 1 runs it on a smaller copy (live video speed)."""

    name = DetectorName.HOG.value

    def __init__(
        self,
        upsample: int = 0,
        scale: float = 1.0,
        max_faces: int = MAX_FACES,
        min_confidence: float = 0.0,
        max_pixels: int = HOG_MAX_PIXELS,
    ):
        self.upsample, self.scale, self.max_faces = upsample, scale, max_faces
        self.min_confidence, self.max_pixels = min_confidence, max_pixels

    def detect(self, rgb: np.ndarray) -> list[Face]:
        rgb = check_rgb(rgb)
        scale = min(self.scale, bounded_scale(rgb, self.max_pixels))
        small = _resize(rgb, scale)
        rects, scores, _ = models.hog_detector().run(small, self.upsample, self.min_confidence)
        s = 1.0 / scale
        found = [
            (
                (
                    round(r.left() * s),
                    round(r.top() * s),
                    round((r.right() + 1) * s),
                    round((r.bottom() + 1) * s),
                ),
                c,
            )
            for r, c in zip(rects, scores)
        ]
        return _finish(rgb, found, self.max_faces, self.name)


class CnnDetector:
    """dlib MMOD CNN (shipped weights). Slow on a CPU: seconds per 640x480 frame."""

    name = DetectorName.CNN.value

    def __init__(
        self,
        upsample: int = 0,
        max_faces: int = MAX_FACES,
        min_confidence: float = 0.0,
        max_pixels: int = CNN_MAX_PIXELS,
    ):
        self.upsample, self.max_faces, self.min_confidence = upsample, max_faces, min_confidence
        self.max_pixels = max_pixels

    def detect(self, rgb: np.ndarray) -> list[Face]:
        rgb = check_rgb(rgb)
        # The bound counts the pixels the network sees, after its upsampling (x4 per step).
        scale = bounded_scale(rgb, self.max_pixels / 4**self.upsample)
        small = _resize(rgb, scale)
        with _CNN_LOCK:
            dets = models.cnn_detector()(small, self.upsample)
        s = 1.0 / scale
        found = [
            (
                (
                    round(d.rect.left() * s),
                    round(d.rect.top() * s),
                    round((d.rect.right() + 1) * s),
                    round((d.rect.bottom() + 1) * s),
                ),
                d.confidence,
            )
            for d in dets
            if d.confidence >= self.min_confidence
        ]
        return _finish(rgb, found, self.max_faces, self.name)


class ThoroughDetector:
    """HOG (upsampled once) first; the CNN only for images where HOG finds no face.

    Small images (under `small_pixels`, e.g. 92x112 archive photos) are upsampled once more for
    the CNN, whose smallest face is about 80 pixels.
    """

    name = DetectorName.THOROUGH.value

    def __init__(self, max_faces: int = MAX_FACES, small_pixels: int = 400_000):
        self.max_faces, self.small_pixels = max_faces, small_pixels
        self._hog = HogDetector(upsample=1, max_faces=max_faces)

    def detect(self, rgb: np.ndarray) -> list[Face]:
        faces = self._hog.detect(rgb)
        if faces:
            return faces
        upsample = 1 if rgb.shape[0] * rgb.shape[1] < self.small_pixels else 0
        return CnnDetector(upsample=upsample, max_faces=self.max_faces).detect(rgb)


def bounded_scale(rgb: np.ndarray, max_pixels: float) -> float:
    """The scale (at most 1) at which `rgb` has no more than `max_pixels` pixels."""
    pixels = rgb.shape[0] * rgb.shape[1]
    return 1.0 if pixels <= max_pixels else math.sqrt(max_pixels / pixels)


def _resize(rgb: np.ndarray, scale: float) -> np.ndarray:
    if scale == 1.0:
        return rgb
    import cv2

    h, w = rgb.shape[:2]
    size = (max(8, round(w * scale)), max(8, round(h * scale)))
    return np.ascontiguousarray(cv2.resize(rgb, size, interpolation=cv2.INTER_AREA))


_REGISTRY: dict[str, Callable[..., Detector]] = {
    DetectorName.HOG.value: HogDetector,
    DetectorName.CNN.value: CnnDetector,
    DetectorName.THOROUGH.value: ThoroughDetector,
}


def register_detector(name: str, factory: Callable[..., Detector]) -> None:
    """Make a detector available by name (a force's own detector, for example)."""
    _REGISTRY[name] = factory


# Detectors in modules of their own, registered when first asked for (their imports are heavier).
_LAZY = {"mtcnn": "frt.engine.detect_fast"}


def get_detector(name: str = DetectorName.HOG.value, **options) -> Detector:
    """A detector by registered name; `options` go to its constructor (e.g. ``max_faces``)."""
    key = str(getattr(name, "value", name))
    if key not in _REGISTRY and key in _LAZY:
        import importlib

        importlib.import_module(_LAZY[key])
    try:
        factory = _REGISTRY[key]
    except KeyError:
        raise UnknownName(f"no detector named {name!r}; known: {detector_names()}") from None
    return factory(**options)


def detector_names() -> list[str]:
    return sorted(set(_REGISTRY) | set(_LAZY))


def crop(rgb: np.ndarray, face: Face, margin: float = 0.25) -> np.ndarray:
    """The face box enlarged by `margin` on each side, clipped to the image (for display)."""
    h, w = rgb.shape[:2]
    mx, my = round(face.width * margin), round(face.height * margin)
    x0, y0 = max(0, face.x0 - mx), max(0, face.y0 - my)
    x1, y1 = min(w, face.x1 + mx), min(h, face.y1 + my)
    return rgb[y0:y1, x0:x1].copy()
