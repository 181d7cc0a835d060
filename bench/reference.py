"""The reference: ageitgey's `face_recognition` with its defaults, templating a labelled folder.

Optional import (never a project dependency): `pip install --no-deps face_recognition`.
`face_recognition_models` imports `pkg_resources`; setuptools<82 is pinned for that reason.

Defaults a Python user gets: `load_image_file`, `face_encodings(image)` (HOG detector upsampled
once, 5-point landmarks, one jitter), the first encoding, Euclidean `face_distance`.
Results are cached under var/cache/reference/ (content hash -> encoding), outside tracked files.
"""

from __future__ import annotations

import hashlib
import os
import sys
import time
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

import numpy as np

CACHE = Path(os.environ.get("FRT_CACHE_DIR", "var/cache")) / "reference"


def _encode(path: str) -> tuple[str, np.ndarray | None, float]:
    import face_recognition

    start = time.perf_counter()
    image = face_recognition.load_image_file(path)
    encodings = face_recognition.face_encodings(image)
    return (
        path,
        (encodings[0].astype(np.float64) if encodings else None),
        time.perf_counter() - start,
    )


def _digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def encode_paths(paths: list[Path], workers: int = 2) -> dict[str, np.ndarray | None]:
    """path -> 128-d encoding (float64, as the library returns) or None when no face was found."""
    CACHE.mkdir(parents=True, exist_ok=True)
    out: dict[str, np.ndarray | None] = {}
    todo = []
    for p in paths:
        f = CACHE / f"{_digest(p)}.npy"
        if f.exists():
            v = np.load(f)
            out[str(p)] = v if v.size else None
        else:
            todo.append(str(p))
    if todo:
        with ProcessPoolExecutor(workers) as pool:
            for i, (path, enc, _) in enumerate(pool.map(_encode, todo, chunksize=8)):
                out[path] = enc
                np.save(
                    CACHE / f"{_digest(Path(path))}.npy", enc if enc is not None else np.zeros(0)
                )
                if i % 500 == 0:
                    print(f"reference: {i}/{len(todo)}", file=sys.stderr, flush=True)
    return out


if __name__ == "__main__":
    root = Path(sys.argv[1])
    files = sorted(p for d in root.iterdir() if d.is_dir() for p in d.iterdir())
    t = time.perf_counter()
    result = encode_paths(files)
    dt = time.perf_counter() - t
    print(
        f"{len(result)} images, {sum(v is None for v in result.values())} without a face, "
        f"{dt:.1f} s ({len(files) / dt:.2f} images/s, 2 processes)"
    )
