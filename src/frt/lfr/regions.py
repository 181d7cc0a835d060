"""Where to look in a frame: motion, the tracks already followed, and a regular full search.

Detection is the cost paid on every frame, so the detector runs only on *regions*: areas that
moved since the previous frame (a person walking in), the neighbourhood of every face being
tracked (a person standing still), and — every `full_every` frames and on the first — the whole
Zone of Recognition, so a face that arrives without moving is found within a fraction of a second.
This is how Frigate spends its detector on motion; every frame is still processed.

Each region carries the scale to detect at: the Zone's scale for new faces, and for a tracked
face one that makes it comfortably detectable (so large faces are searched on fewer pixels).
A tracked face's region also carries the face's last box as a *hint*: a detector that can follow
a face from its last box (MTCNN's O-Net, `frt.engine.detect_fast.refine`) does that instead of
searching the region, and searches it only if the face is no longer there.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from frt.lfr.zone import HOG_MIN_BOX, MAX_SCALE, MIN_SCALE, Zone

MOTION_WIDTH = 160  # motion is measured on a copy this wide: cheap and enough for people
MOTION_THRESHOLD = 18  # grey-level change that counts as movement
FULL_AREA_SHARE = 0.75  # regions covering more than this share of the zone: search all of it
TRACK_PAD = 0.45  # a tracked face's region: its box grown by this share on every side
TRACKED_FACE_BOX = 92.0  # a tracked face is searched at a scale that makes it about this big
EXPLAINED_AREA = 4.0  # a moving area up to this many times a tracked face's region is that person


@dataclass(frozen=True)
class Region:
    x0: int
    y0: int
    x1: int
    y1: int
    scale: float
    hints: tuple = ()  # boxes of the tracked faces this region is around (frame pixels)

    @property
    def area(self) -> int:
        return max(0, self.x1 - self.x0) * max(0, self.y1 - self.y0)


class MotionDetector:
    """Moving areas of a frame, from the difference with the previous one (grey, downscaled)."""

    def __init__(self, width: int = MOTION_WIDTH, threshold: int = MOTION_THRESHOLD):
        self.width, self.threshold = width, threshold
        self._previous: np.ndarray | None = None

    def boxes(self, bgr: np.ndarray) -> list[tuple[int, int, int, int]] | None:
        """Boxes in frame pixels; None on the first frame (nothing to compare with)."""
        import cv2

        h, w = bgr.shape[:2]
        f = self.width / w
        small = cv2.resize(bgr, (self.width, max(8, round(h * f))), interpolation=cv2.INTER_AREA)
        grey = cv2.GaussianBlur(cv2.cvtColor(small, cv2.COLOR_BGR2GRAY), (5, 5), 0)
        previous, self._previous = self._previous, grey
        if previous is None or previous.shape != grey.shape:
            return None
        moved = cv2.threshold(cv2.absdiff(grey, previous), self.threshold, 255, cv2.THRESH_BINARY)[
            1
        ]
        moved = cv2.dilate(moved, None, iterations=3)  # type: ignore[call-overload]  # None: 3x3
        contours, _ = cv2.findContours(moved, cv2.RETR_EXTERNAL, cv2.CHAIN_APPROX_SIMPLE)
        out = []
        for c in contours:
            x, y, bw, bh = cv2.boundingRect(c)
            if bw * bh >= 6:
                out.append(
                    (int(x / f), int(y / f), int(np.ceil((x + bw) / f)), int(np.ceil((y + bh) / f)))
                )
        return out

    def reset(self) -> None:
        self._previous = None


class RegionPlanner:
    """Chooses the regions of each frame to run the detector on."""

    def __init__(self, zone: Zone, full_every: int = 8, motion: MotionDetector | None = None):
        self.zone, self.full_every = zone, max(1, full_every)
        self.motion = motion or MotionDetector()
        self._since_full = 0

    def plan(self, bgr: np.ndarray, tracked: list[tuple[int, int, int, int]]) -> list[Region]:
        h, w = bgr.shape[:2]
        zx0, zy0, zx1, zy1 = self.zone.bounds(w, h)
        scale = self.zone.detection_scale
        moving = self.motion.boxes(bgr)
        self._since_full += 1
        if moving is None or self._since_full >= self.full_every:
            self._since_full = 0
            return [Region(zx0, zy0, zx1, zy1, scale)]
        # A moving area is padded by the largest face the zone could show at the detector's
        # window, so a head at the edge of a moving body is inside it.
        around = []
        for x0, y0, x1, y1 in tracked:
            bw, bh = x1 - x0, y1 - y0
            px, py = int(bw * TRACK_PAD), int(bh * TRACK_PAD)
            s = float(np.clip(TRACKED_FACE_BOX / max(1, max(bw, bh)), MIN_SCALE, MAX_SCALE))
            region = Region(x0 - px, y0 - py, x1 + px, y1 + py, s, ((x0, y0, x1, y1),))
            around.append(_clip(region, zx0, zy0, zx1, zy1))
        pad = int(HOG_MIN_BOX / scale)
        regions = list(around)
        for x0, y0, x1, y1 in moving:
            r = _clip(Region(x0 - pad, y0 - pad, x1 + pad, y1 + pad, scale), zx0, zy0, zx1, zy1)
            # Movement of a person already tracked (their face region inside it, and the area
            # not much larger) is searched through the track's own region. A newcomer next to
            # them is found by the next full search at the latest.
            if r.area and not _explained(r, around):
                regions.append(r)
        regions = merge_regions([r for r in regions if r.area > 0])
        zone_area = max(1, (zx1 - zx0) * (zy1 - zy0))
        if sum(r.area * r.scale**2 for r in regions) > FULL_AREA_SHARE * zone_area * scale**2:
            return [Region(zx0, zy0, zx1, zy1, scale)]
        return regions


def _explained(r: Region, around: list[Region]) -> bool:
    """Whether moving area `r` is a tracked person moving (it touches their face's region and is
    not much larger)."""
    for t in around:
        touches = r.x0 < t.x1 and t.x0 < r.x1 and r.y0 < t.y1 and t.y0 < r.y1
        if touches and r.area <= EXPLAINED_AREA * max(1, t.area):
            return True
    return False


def _clip(r: Region, x0: int, y0: int, x1: int, y1: int) -> Region:
    return Region(max(x0, r.x0), max(y0, r.y0), min(x1, r.x1), min(y1, r.y1), r.scale, r.hints)


def merge_regions(regions: list[Region]) -> list[Region]:
    """Union of overlapping regions of one scale, repeated until none overlap (regions of
    different scales may overlap: duplicate detections are removed afterwards)."""
    regions = list(regions)
    merged = True
    while merged:
        merged = False
        for i in range(len(regions)):
            for j in range(i + 1, len(regions)):
                a, b = regions[i], regions[j]
                if (
                    a.scale == b.scale
                    and a.x0 < b.x1
                    and b.x0 < a.x1
                    and a.y0 < b.y1
                    and b.y0 < a.y1
                ):
                    # A union holding a moving area (no hint) must be searched in full.
                    hints = a.hints + b.hints if a.hints and b.hints else ()
                    regions[i] = Region(
                        min(a.x0, b.x0),
                        min(a.y0, b.y0),
                        max(a.x1, b.x1),
                        max(a.y1, b.y1),
                        a.scale,
                        hints,
                    )
                    del regions[j]
                    merged = True
                    break
            if merged:
                break
    return regions
