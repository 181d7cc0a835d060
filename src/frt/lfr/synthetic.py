"""Synthetic street scenes for tests and benchmarks, made from photos that packages ship.

Two different real people: `skimage.data.astronaut()` (scikit-image) and matplotlib's sample
`grace_hopper.jpg`. Their head-and-shoulders crops are pasted onto a plain wall, drifting and
arriving one after another, and written as a video with OpenCV. Nothing here is used by a
Deployment; scikit-image is needed only when this module is.
"""

from __future__ import annotations

import math
from functools import lru_cache
from pathlib import Path

import numpy as np

WALL_BGR = (172, 180, 188)
PEOPLE = ("astronaut", "grace_hopper")


@lru_cache(maxsize=None)
def photo(name: str) -> np.ndarray:
    """The original photo, RGB."""
    if name == "astronaut":
        from skimage import data

        return np.ascontiguousarray(data.astronaut())
    if name == "grace_hopper":
        import matplotlib

        from frt.engine.images import load_image

        return load_image(Path(matplotlib.get_data_path()) / "sample_data" / "grace_hopper.jpg")
    raise KeyError(name)


@lru_cache(maxsize=None)
def head(name: str) -> np.ndarray:
    """Head-and-shoulders crop (RGB) around the largest face of the photo."""
    from frt.engine.detect import get_detector

    rgb = photo(name)
    face = get_detector("hog", upsample=1).detect(rgb)[0]
    cx, cy, size = (face.x0 + face.x1) / 2, (face.y0 + face.y1) / 2, max(face.width, face.height)
    h, w = rgb.shape[:2]
    x0, x1 = max(0, int(cx - 1.1 * size)), min(w, int(cx + 1.1 * size))
    y0, y1 = max(0, int(cy - 1.0 * size)), min(h, int(cy + 1.3 * size))
    return np.ascontiguousarray(rgb[y0:y1, x0:x1])


def write_photo(name: str, path: Path) -> Path:
    import cv2

    path.parent.mkdir(parents=True, exist_ok=True)
    cv2.imwrite(str(path), cv2.cvtColor(photo(name), cv2.COLOR_RGB2BGR))
    return path


def watchlist_folder(folder: Path, people=PEOPLE) -> Path:
    """`<identity>/<image>` of the original photos (what `frt bench live` enrols)."""
    for name in people:
        write_photo(name, Path(folder) / name / "0.png")
    return Path(folder)


def scene_frames(
    n_frames: int,
    faces: int = 4,
    size=(1280, 720),
    people=PEOPLE,
    face_px: int | None = None,
    stagger: int = 4,
    drift: float = 25.0,
):
    """BGR frames with `faces` heads in a grid, arriving `stagger` frames apart and drifting."""
    import cv2

    w, h = size
    cols = min(faces, 5 if faces > 4 else 2)
    rows = math.ceil(faces / cols)
    cell_w, cell_h = w // cols, h // rows
    face_px = face_px or int(min(h / 5, cell_h / 2.6, cell_w / 2.6))
    heads = []
    for k in range(faces):
        src = cv2.cvtColor(head(people[k % len(people)]), cv2.COLOR_RGB2BGR)
        f = face_px * 2.2 / src.shape[1]  # the crop is ~2.2 face widths wide
        heads.append(cv2.resize(src, None, fx=f, fy=f, interpolation=cv2.INTER_AREA))
    for i in range(n_frames):
        frame = np.empty((h, w, 3), np.uint8)
        frame[:] = WALL_BGR
        for k, img in enumerate(heads):
            if i < k * stagger:
                continue
            r, c = divmod(k, cols)
            dx = drift * math.sin(0.15 * i + k)
            dy = drift * 0.4 * math.cos(0.11 * i + 2 * k)
            x = int(c * cell_w + (cell_w - img.shape[1]) / 2 + dx)
            y = int(r * cell_h + (cell_h - img.shape[0]) / 2 + dy)
            _paste(frame, img, x, y)
        yield frame


def _paste(frame, img, x, y) -> None:
    h, w = frame.shape[:2]
    x0, y0, x1, y1 = max(0, x), max(0, y), min(w, x + img.shape[1]), min(h, y + img.shape[0])
    if x1 > x0 and y1 > y0:
        frame[y0:y1, x0:x1] = img[y0 - y : y1 - y, x0 - x : x1 - x]


def write_video(path: Path, frames, fps: float = 25.0) -> Path:
    """Write BGR frames as an MP4 (mp4v) file."""
    import cv2

    writer = None
    for frame in frames:
        if writer is None:
            h, w = frame.shape[:2]
            fourcc = cv2.VideoWriter_fourcc(*"mp4v")  # type: ignore[attr-defined]  # not in stubs
            writer = cv2.VideoWriter(str(path), fourcc, fps, (w, h))
        writer.write(frame)
    if writer is not None:
        writer.release()
    return Path(path)
