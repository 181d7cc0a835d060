"""Face quality: size (inter-eye distance), sharpness, pose and exposure, one score and reasons.

Used to refuse poor faces before templating (watchlist import, enrolment, probe selection) and to
pick the best frames of a live track. Every threshold is in `QualityThresholds`; `DEFAULT` is
what the engine applies unless a caller passes others (a camera's Zone of Recognition sets its own
minimum inter-eye distance, for example).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field

import numpy as np

from frt.engine.detect import Face, check_rgb, landmarks_5

logger = logging.getLogger(__name__)

CROP_SIZE = 96  # sharpness and exposure are measured on the face box resized to this square


@dataclass(frozen=True)
class QualityThresholds:
    min_inter_eye_px: float = 20.0  # below this a template is unreliable: refused
    good_inter_eye_px: float = 60.0  # ISO/IEC 19794-5 enrolment guidance: full size score
    min_sharpness: float = 0.08  # Laplacian energy relative to contrast; blur falls below
    good_sharpness: float = 0.40
    max_yaw_ratio: float = 0.45  # nose offset from the eye midpoint / inter-eye distance
    min_brightness: float = 40.0  # mean grey level of the face, 0..255
    max_brightness: float = 220.0
    max_clipped: float = 0.35  # share of face pixels that are black or white
    min_score: float = 0.25


DEFAULT = QualityThresholds()


@dataclass(frozen=True)
class Quality:
    score: float  # 0 (useless) .. 1 (ideal)
    ok: bool  # False: refuse to template; `reasons` says why
    reasons: list[str] = field(default_factory=list)
    inter_eye_px: float = 0.0
    sharpness: float = 0.0
    yaw_ratio: float = 0.0  # 0 = frontal; about 0.5 = turned well away
    roll_degrees: float = 0.0
    brightness: float = 0.0
    clipped: float = 0.0

    @property
    def exposure(self) -> float:
        """How well exposed the face is, 1 (mid-range, nothing clipped) .. 0."""
        return _exposure(DEFAULT, self.brightness, self.clipped)

    @property
    def frontal(self) -> float:
        """How frontal the face is, 1 (frontal) .. 0 (profile)."""
        return float(np.clip(1.0 - abs(self.yaw_ratio) / 0.6, 0.0, 1.0))


def assess(rgb: np.ndarray, face: Face, thresholds: QualityThresholds = DEFAULT) -> Quality:
    """Measure one face and decide whether it is good enough to template."""
    rgb = check_rgb(rgb)
    marks = face.landmarks if face.landmarks is not None else landmarks_5(rgb, face.box)
    ied, yaw, roll = _geometry(marks)
    grey = _face_grey(rgb, face)
    sharp = _sharpness(grey)
    bright = float(grey.mean())
    clipped = float(np.mean((grey <= 8) | (grey >= 247)))
    reasons = _reasons(thresholds, ied, sharp, yaw, bright, clipped)
    score = _score(thresholds, ied, sharp, yaw, bright, clipped)
    if score < thresholds.min_score:
        reasons.append(f"overall quality {score:.2f} below {thresholds.min_score:.2f}")
    return Quality(
        score=score,
        ok=not reasons,
        reasons=reasons,
        inter_eye_px=ied,
        sharpness=sharp,
        yaw_ratio=yaw,
        roll_degrees=roll,
        brightness=bright,
        clipped=clipped,
    )


def _geometry(marks: np.ndarray) -> tuple[float, float, float]:
    """Inter-eye distance, yaw proxy and roll from dlib's 5 points (eye corners, nose base)."""
    eye_a, eye_b, nose = marks[0:2].mean(axis=0), marks[2:4].mean(axis=0), marks[4]
    axis = eye_b - eye_a
    ied = float(np.hypot(*axis))
    if ied < 1e-6:
        return 0.0, 1.0, 0.0
    unit = axis / ied
    # Signed distance of the nose along the eye line from the midpoint, in inter-eye units.
    yaw = float(np.dot(nose - (eye_a + eye_b) / 2, unit) / ied)
    roll = float(np.degrees(np.arctan2(abs(axis[1]), abs(axis[0]))))
    return ied, yaw, roll


def _face_grey(rgb: np.ndarray, face: Face) -> np.ndarray:
    import cv2

    patch = rgb[face.y0 : face.y1, face.x0 : face.x1]
    grey = cv2.cvtColor(np.ascontiguousarray(patch), cv2.COLOR_RGB2GRAY)
    # Area averaging when shrinking; bilinear when enlarging, so a small face stays soft
    # (nearest-neighbour blocks would read as sharp edges).
    shrink = grey.shape[0] >= CROP_SIZE
    method = cv2.INTER_AREA if shrink else cv2.INTER_LINEAR
    return cv2.resize(grey, (CROP_SIZE, CROP_SIZE), interpolation=method).astype(np.float32)


def _sharpness(grey: np.ndarray) -> float:
    """High-frequency energy relative to contrast, so a dim face is not called blurred."""
    import cv2

    lap = cv2.Laplacian(grey, cv2.CV_32F, ksize=3)
    return float(lap.var() / (grey.var() + 1e-3))


def _reasons(t: QualityThresholds, ied, sharp, yaw, bright, clipped) -> list[str]:
    reasons = []
    if ied < t.min_inter_eye_px:
        reasons.append(
            f"face too small: inter-eye distance {ied:.0f} px, minimum {t.min_inter_eye_px:.0f} px"
        )
    if sharp < t.min_sharpness:
        reasons.append(f"face blurred: sharpness {sharp:.3f}, minimum {t.min_sharpness:.3f}")
    if abs(yaw) > t.max_yaw_ratio:
        reasons.append(f"face turned away: yaw ratio {abs(yaw):.2f}, maximum {t.max_yaw_ratio:.2f}")
    if bright < t.min_brightness:
        reasons.append(f"face too dark: brightness {bright:.0f}, minimum {t.min_brightness:.0f}")
    if bright > t.max_brightness:
        reasons.append(f"face too bright: brightness {bright:.0f}, maximum {t.max_brightness:.0f}")
    if clipped > t.max_clipped:
        reasons.append(f"face over- or under-exposed: {clipped:.0%} of pixels clipped")
    return reasons


def _score(t: QualityThresholds, ied, sharp, yaw, bright, clipped) -> float:
    """Geometric mean of four sub-scores in [0, 1], so one bad factor pulls the score down."""
    size = np.clip(
        (ied - t.min_inter_eye_px / 2) / (t.good_inter_eye_px - t.min_inter_eye_px / 2), 0, 1
    )
    sharpness = np.clip(sharp / t.good_sharpness, 0, 1)
    pose = np.clip(1 - abs(yaw) / (t.max_yaw_ratio * 1.5), 0, 1)
    parts = np.array([size, sharpness, pose, _exposure(t, bright, clipped)], dtype=np.float64)
    return float(np.prod(np.maximum(parts, 1e-6)) ** 0.25)


def _exposure(t: QualityThresholds, bright: float, clipped: float) -> float:
    """1 for a mid-range face with nothing clipped, falling towards the brightness limits."""
    mid = (t.min_brightness + t.max_brightness) / 2
    half = (t.max_brightness - t.min_brightness) / 2
    level = np.clip(1 - max(0.0, abs(bright - mid) - half * 0.5) / half, 0, 1)
    return float(level * np.clip(1 - clipped / (t.max_clipped * 2), 0, 1))
