"""Finding the faces in a probe — a still or a short clip — without identifying anyone, and
templating only the face(s) the user then selects (RFR-06; 003 §1.10(3–5), §8.24).

`detect_still` and `detect_clip` return boxes and quality only: no template and no stored crop
is made of any face here. A clip is read within bounds (`MAX_CLIP_BYTES`, `MAX_CLIP_SECONDS`,
`MAX_CLIP_FRAMES`; each frame at most `MAX_PIXELS`), faces are found on at most
`MAX_DETECT_FRAMES` frames spread across it and grouped into tracks; each track keeps its best
view, and only the frames holding those views are returned. The clip is written to a private
temporary folder for OpenCV to read, overwritten and removed before this returns.
"""

from __future__ import annotations

import io
import logging
import os
import tempfile
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import numpy as np

from frt.core.errors import InputError
from frt.engine.detect import Face, crop, get_detector, landmarks_5
from frt.engine.errors import EngineError, ImageError
from frt.engine.images import MAX_PIXELS, decode_image
from frt.engine.quality import assess
from frt.engine.template import DEFAULT_ALGORITHM, Template, TemplateAlgorithm, get_algorithm

logger = logging.getLogger(__name__)

MAX_STILL_BYTES = 30 * 1024 * 1024  # a 25 MP photo as a PNG fits
MAX_CLIP_BYTES = 100 * 1024 * 1024
MAX_CLIP_SECONDS = 60.0
MAX_CLIP_FRAMES = 1800  # frames read at most (60 s at 30 fps)
MAX_DETECT_FRAMES = 40  # frames looked at for faces, spread across the clip
TRACK_IOU = 0.3
MAX_FACES = 50  # per probe image: a crowd is a defined result


@dataclass(frozen=True)
class FoundFace:
    box: tuple[int, int, int, int]
    confidence: float
    quality: float
    reasons: tuple[str, ...]
    track: int | None = None
    track_frames: int = 1


@dataclass(frozen=True)
class ProbeFrame:
    """A Probe Image: a still, or a clip's frame holding some track's best view."""

    rgb: np.ndarray
    faces: list[FoundFace]
    frame_index: int | None = None


@lru_cache(maxsize=1)
def detector():
    return get_detector("thorough", max_faces=MAX_FACES)


@lru_cache(maxsize=1)
def clip_detector():
    return get_detector("hog", upsample=1, max_faces=MAX_FACES)


@lru_cache(maxsize=1)
def algorithm() -> TemplateAlgorithm:
    """The template algorithm searches use; libraries answer only with templates of its version."""
    return get_algorithm(DEFAULT_ALGORITHM)


def _found(rgb: np.ndarray, faces: list[Face]) -> list[FoundFace]:
    out = []
    for face in faces:
        q = assess(rgb, face)
        out.append(
            FoundFace(face.box, float(face.confidence), round(float(q.score), 3), tuple(q.reasons))
        )
    return out


def is_image(data: bytes) -> bool:
    return (
        data[:8].startswith((b"\x89PNG", b"\xff\xd8\xff", b"GIF8", b"BM", b"II*\x00", b"MM\x00*"))
        or data[8:12] == b"WEBP"
    )


def detect_still(data: bytes) -> ProbeFrame:
    """The faces of an uploaded still (boxes, quality): no template."""
    if len(data) > MAX_STILL_BYTES:
        raise InputError(f"a probe image may be at most {MAX_STILL_BYTES // 2**20} MB")
    try:
        rgb = np.array(decode_image(data))  # writable: wiped once used
        return ProbeFrame(rgb, _found(rgb, detector().detect(rgb)))
    except EngineError as exc:
        raise InputError(f"the probe image cannot be used: {exc}") from None


def detect_clip(data: bytes) -> tuple[list[ProbeFrame], int]:
    """The faces of a short clip grouped into tracks; (frames with each track's best view, frames
    read). Refuses, saying which bound, a clip too large, too long or with frames too big."""
    if len(data) > MAX_CLIP_BYTES:
        raise InputError(
            f"a probe clip may be at most {MAX_CLIP_BYTES // 2**20} MB; cut the part "
            "that shows the person"
        )
    with tempfile.TemporaryDirectory(prefix="frt-probe-") as folder:
        path = Path(folder) / "clip"
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "wb") as f:
            f.write(data)
        try:
            frames, read = _read_clip(path)
        finally:
            _wipe(path, len(data))
    return _tracks(frames), read


def _wipe(path: Path, size: int) -> None:
    try:
        with open(path, "r+b") as f:
            f.write(b"\0" * size)
            f.flush()
            os.fsync(f.fileno())
    except OSError:
        pass


def _read_clip(path: Path) -> tuple[list[tuple[int, np.ndarray]], int]:
    import cv2

    cap = cv2.VideoCapture(str(path))
    try:
        if not cap.isOpened():
            raise InputError("the upload is neither an image nor a video the system can read")
        fps = cap.get(cv2.CAP_PROP_FPS) or 25.0
        declared = int(cap.get(cv2.CAP_PROP_FRAME_COUNT) or 0)
        w, h = int(cap.get(cv2.CAP_PROP_FRAME_WIDTH)), int(cap.get(cv2.CAP_PROP_FRAME_HEIGHT))
        if w * h > MAX_PIXELS:
            raise InputError(f"the clip's frames are {w}x{h}: at most {MAX_PIXELS:,} pixels each")
        if declared and declared / fps > MAX_CLIP_SECONDS:
            raise InputError(
                f"a probe clip may last at most {MAX_CLIP_SECONDS:.0f} s; this one "
                f"lasts {declared / fps:.0f} s: cut the part that shows the person"
            )
        if declared > MAX_CLIP_FRAMES:
            raise InputError(
                f"a probe clip may have at most {MAX_CLIP_FRAMES} frames; this one has {declared}"
            )
        step = max(1, (declared or MAX_CLIP_FRAMES) // MAX_DETECT_FRAMES)
        frames: list = []
        read = 0
        while True:
            ok, bgr = cap.read()
            if not ok:
                break
            read += 1
            if read > MAX_CLIP_FRAMES:
                raise InputError(
                    f"a probe clip may have at most {MAX_CLIP_FRAMES} frames "
                    f"({MAX_CLIP_SECONDS:.0f} s); this one has more"
                )
            if (read - 1) % step == 0 and len(frames) < MAX_DETECT_FRAMES:
                frames.append((read - 1, np.ascontiguousarray(bgr[:, :, ::-1])))
            bgr.fill(0)
        if not read:
            raise InputError("the video holds no frames the system can read")
        return frames, read
    finally:
        cap.release()


def _iou(a, b) -> float:
    x0, y0, x1, y1 = max(a[0], b[0]), max(a[1], b[1]), min(a[2], b[2]), min(a[3], b[3])
    inter = max(0, x1 - x0) * max(0, y1 - y0)
    union = (a[2] - a[0]) * (a[3] - a[1]) + (b[2] - b[0]) * (b[3] - b[1]) - inter
    return inter / union if union else 0.0


def _tracks(frames: list[tuple[int, np.ndarray]]) -> list[ProbeFrame]:
    """Group the faces of successive sampled frames by overlap; keep each track's best view."""
    tracks: list[dict] = []
    try:
        for index, rgb in frames:
            try:
                faces = clip_detector().detect(rgb)
            except ImageError:
                continue
            for face, found in zip(faces, _found(rgb, faces)):
                live = [t for t in tracks if t["last"] != index]
                best = max(live, key=lambda t: _iou(t["box"], face.box), default=None)
                if best is None or _iou(best["box"], face.box) < TRACK_IOU:
                    best = {"best": None, "frames": 0}
                    tracks.append(best)
                best.update(box=face.box, last=index, frames=best["frames"] + 1)
                if best["best"] is None or found.quality > best["best"][1].quality:
                    best["best"] = (index, found)
        keep: dict[int, list[FoundFace]] = {}
        for number, t in enumerate(tracks, start=1):
            index, found = t["best"]
            keep.setdefault(index, []).append(
                FoundFace(
                    found.box, found.confidence, found.quality, found.reasons, number, t["frames"]
                )
            )
        return [
            ProbeFrame(rgb.copy(), keep[index], index) for index, rgb in frames if index in keep
        ]
    finally:
        for _, rgb in frames:
            rgb.fill(0)


# ---------------------------------------------------------------- after selection only
def png(rgb: np.ndarray) -> bytes:
    from PIL import Image

    buf = io.BytesIO()
    Image.fromarray(rgb).save(buf, "PNG")
    return buf.getvalue()


def jpeg(rgb: np.ndarray, max_side: int = 800) -> bytes:
    from PIL import Image

    img = Image.fromarray(rgb)
    img.thumbnail((max_side, max_side))
    buf = io.BytesIO()
    img.save(buf, "JPEG", quality=88)
    return buf.getvalue()


def face_crop(rgb: np.ndarray, box: tuple[int, int, int, int]) -> np.ndarray:
    return crop(rgb, Face(*box))


def template_face(
    rgb: np.ndarray, box: tuple[int, int, int, int], algo: TemplateAlgorithm | None = None
) -> Template:
    """The template of one selected face (its landmarks found again from its box)."""
    algo = algo or algorithm()
    try:
        face = Face(*box, landmarks=landmarks_5(rgb, box))
        return algo.embed(rgb, [face])[0]
    except EngineError as exc:
        raise InputError(f"the selected face cannot be templated: {exc}") from None
