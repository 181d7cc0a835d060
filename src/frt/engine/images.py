"""Decoding image bytes into RGB uint8 arrays, refusing bad input with a clear reason.

Every image the engine sees passes through `decode_image`: greyscale, palette, RGBA, CMYK and
16-bit images are converted to 8-bit RGB; EXIF orientation is applied (phone photos); bytes that
are not an image, truncated files and decompression bombs raise `ImageError`.
"""

from __future__ import annotations

import io
import logging
import warnings
from pathlib import Path

import numpy as np

from frt.engine.errors import ImageError

logger = logging.getLogger(__name__)

# 25 megapixels: a 24-megapixel camera's photo or a 6K video frame, far above what a face needs
# (a custody image is under 5). A bomb, or a 7 KB blank PNG of 7000 x 7000, is refused before its
# pixels are decoded; detectors then work on a scaled copy (frt.engine.detect), so memory stays
# bounded whatever the image holds.
MAX_PIXELS = 25_000_000
# Background an alpha channel is composited onto: mid grey, so a transparent face cut-out is
# neither washed out nor darkened.
ALPHA_BACKGROUND = (128, 128, 128)


def decode_image(data: bytes, max_pixels: int = MAX_PIXELS) -> np.ndarray:
    """Decode `data` to an RGB uint8 array (H x W x 3) or raise `ImageError`."""
    from PIL import Image, ImageOps, UnidentifiedImageError

    if not data:
        raise ImageError("empty file: no image data")
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            img = Image.open(io.BytesIO(data))
    except UnidentifiedImageError:
        raise ImageError("not an image: the data is in no image format the engine reads") from None
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise ImageError("decompression bomb: the image declares too many pixels") from None
    except _CORRUPT as exc:  # a broken header or segment: Pillow raises any of these
        raise ImageError(f"corrupt image: {exc}") from None
    _check_size(img.size, max_pixels)
    try:
        img.load()
    except _CORRUPT as exc:
        raise ImageError(f"truncated or corrupt image: {exc}") from None
    upright: Image.Image = img
    try:
        upright = ImageOps.exif_transpose(img)
    except Exception:  # a broken EXIF block must not lose an otherwise good image
        logger.warning("EXIF orientation unreadable; image used as stored")
    try:
        return _to_rgb8(upright)
    except _CORRUPT as exc:
        raise ImageError(f"corrupt image: {exc}") from None


# What Pillow raises for damaged data (SyntaxError for some malformed PNG chunks).
_CORRUPT = (OSError, ValueError, SyntaxError, EOFError)


def load_image(path: str | Path, max_pixels: int = MAX_PIXELS) -> np.ndarray:
    """Read and decode an image file (see `decode_image`)."""
    try:
        data = Path(path).read_bytes()
    except OSError as exc:
        raise ImageError(f"cannot read file: {exc.strerror}") from None
    return decode_image(data, max_pixels=max_pixels)


def _check_size(size: tuple[int, int], max_pixels: int) -> None:
    width, height = size
    if width <= 0 or height <= 0:
        raise ImageError("image has no pixels")
    if width * height > max_pixels:
        raise ImageError(
            f"decompression bomb: {width}x{height} pixels exceeds the limit of {max_pixels:,}"
        )


def _to_rgb8(img) -> np.ndarray:
    """Convert any Pillow mode to 8-bit RGB, scaling 16/32-bit and float data by their range."""
    from PIL import Image

    mode = img.mode
    if mode in ("I;16", "I;16B", "I;16L", "I;16N", "I", "F"):
        arr = np.asarray(img, dtype=np.float64)
        grey = _scale_to_8bit(arr, mode)
        return np.repeat(grey[:, :, None], 3, axis=2)
    if mode in ("RGBA", "LA", "PA") or (mode == "P" and "transparency" in img.info):
        rgba = img.convert("RGBA")
        background = Image.new("RGBA", rgba.size, ALPHA_BACKGROUND + (255,))
        img = Image.alpha_composite(background, rgba)
    rgb = np.asarray(img.convert("RGB"), dtype=np.uint8)
    return np.ascontiguousarray(rgb)


def _scale_to_8bit(arr: np.ndarray, mode: str) -> np.ndarray:
    if mode.startswith("I;16"):
        top = 65535.0
    elif mode == "F" and arr.size and float(np.nanmax(arr)) <= 1.0:
        top = 1.0
    else:
        top = float(np.nanmax(arr)) if arr.size and np.nanmax(arr) > 255 else 255.0
    scaled = np.clip(np.nan_to_num(arr) * (255.0 / top), 0, 255)
    return np.round(scaled).astype(np.uint8)
