"""The Zone of Recognition of one camera: where faces may be templated, and how small they may be.

A Zone is a polygon in frame pixels, a minimum inter-eye distance and a faces-per-frame limit
(LIVE-01; Cumbria 13.1, 13.5, 13.7). Faces whose centre lies outside the polygon, or whose eyes
are closer than the minimum, are never templated. The minimum inter-eye distance also fixes the
scale at which the detector runs: it need only find faces that could pass the zone, so a camera
set for large faces is searched on a smaller frame (much faster) and one set for small faces on a
larger one.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

# dlib's HOG window finds faces down to about this box size (pixels, at the scale it runs).
HOG_MIN_BOX = 72.0
# The face box dlib's HOG draws is 2.1-2.8 times the 5-point inter-eye distance (measured on the
# package photos); the smaller ratio keeps every face that could pass the zone detectable.
BOX_PER_IED = 2.1
MIN_SCALE, MAX_SCALE = 0.25, 2.5


@dataclass(frozen=True)
class Zone:
    """Polygon (x, y) vertices in frame pixels, or None for the whole frame."""

    polygon: tuple[tuple[float, float], ...] | None = None
    min_inter_eye_px: float = 20.0
    max_faces: int = 10

    def __post_init__(self):
        if self.polygon is not None and len(self.polygon) < 3:
            raise ValueError("a Zone of Recognition polygon needs at least three points")
        if self.min_inter_eye_px <= 0 or self.max_faces < 1:
            raise ValueError(
                "minimum inter-eye distance and faces-per-frame limit must be positive"
            )

    @property
    def detection_scale(self) -> float:
        """Scale at which the smallest face the zone accepts is just large enough for HOG."""
        scale = HOG_MIN_BOX / (BOX_PER_IED * self.min_inter_eye_px)
        return float(np.clip(scale, MIN_SCALE, MAX_SCALE))

    def contains(self, x: float, y: float) -> bool:
        if self.polygon is None:
            return True
        return _inside(self.polygon, x, y)

    def bounds(self, width: int, height: int) -> tuple[int, int, int, int]:
        """The polygon's bounding box clipped to the frame (the only area worth searching)."""
        if self.polygon is None:
            return (0, 0, width, height)
        xs, ys = zip(*self.polygon)
        x0, y0 = max(0, int(min(xs))), max(0, int(min(ys)))
        x1, y1 = min(width, int(np.ceil(max(xs)))), min(height, int(np.ceil(max(ys))))
        return (x0, y0, max(x0, x1), max(y0, y1))

    def to_dict(self) -> dict:
        return {
            "polygon": [list(p) for p in self.polygon] if self.polygon else None,
            "min_inter_eye_px": self.min_inter_eye_px,
            "max_faces": self.max_faces,
        }

    @classmethod
    def from_dict(cls, data: dict | None) -> "Zone":
        data = data or {}
        poly = data.get("polygon")
        return cls(
            polygon=tuple((float(p[0]), float(p[1])) for p in poly) if poly else None,
            min_inter_eye_px=float(data.get("min_inter_eye_px", 20.0)),
            max_faces=int(data.get("max_faces", 10)),
        )


def _inside(polygon, x: float, y: float) -> bool:
    """Even-odd ray casting: is (x, y) inside the polygon?"""
    inside = False
    n = len(polygon)
    for i in range(n):
        (xa, ya), (xb, yb) = polygon[i], polygon[(i + 1) % n]
        if (ya > y) != (yb > y):
            cross = xa + (y - ya) * (xb - xa) / (yb - ya)
            if x < cross:
                inside = not inside
    return inside


def gated(zone: Zone, profile) -> tuple[Zone, float, str]:
    """The Zone with the profile's face-size floor applied, the profile's minimum face quality,
    and why: a camera's Zone may ask for larger faces than the profile, never smaller ones,
    because smaller faces cannot be matched reliably at the operating Threshold (LIVE-02)."""
    from dataclasses import replace

    rule = profile.recognition
    floor, quality = rule.min_inter_eye_px, rule.min_face_quality
    note = (
        f"faces under {floor.value:g} px between the eyes ({floor.cite}) or of quality under "
        f"{quality.value:g} ({quality.cite}) are counted, not templated"
    )
    if zone.min_inter_eye_px < floor.value:
        zone = replace(zone, min_inter_eye_px=float(floor.value))
        note += f"; the Zone's minimum was raised to {floor.value:g} px"
    return zone, float(quality.value), note
