"""Bad and unusual image input: each a defined result or a clear error, never a crash."""

from __future__ import annotations

import io
import struct
import zlib

import numpy as np
import pytest
from PIL import Image

from frt.engine.errors import ImageError
from frt.engine.images import decode_image, load_image

pytestmark = pytest.mark.req("WL-04")


def _encode(img: Image.Image, fmt: str = "PNG", **kw) -> bytes:
    buf = io.BytesIO()
    img.save(buf, fmt, **kw)
    return buf.getvalue()


def _png_claiming(width: int, height: int) -> bytes:
    """A tiny PNG whose header declares width x height pixels (a decompression bomb)."""

    def chunk(kind: bytes, body: bytes) -> bytes:
        return (
            struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))
        )

    ihdr = struct.pack(">IIBBBBB", width, height, 1, 0, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", ihdr)
        + chunk(b"IDAT", zlib.compress(b"\0" * 64))
        + chunk(b"IEND", b"")
    )


def test_bytes_that_are_not_an_image_are_refused_as_not_an_image():
    with pytest.raises(ImageError, match="not an image"):
        decode_image(b"%PDF-1.4 this is a document, not a photograph")


def test_empty_bytes_are_refused():
    with pytest.raises(ImageError, match="empty"):
        decode_image(b"")


def test_truncated_jpeg_is_refused_as_truncated(astronaut):
    data = _encode(Image.fromarray(astronaut), "JPEG", quality=90)
    with pytest.raises(ImageError, match="truncated"):
        decode_image(data[: len(data) // 2])


def test_decompression_bomb_is_refused_before_decoding():
    with pytest.raises(ImageError, match="decompression bomb"):
        decode_image(_png_claiming(100_000, 100_000))


def test_pixel_limit_is_configurable(astronaut):
    data = _encode(Image.fromarray(astronaut))
    with pytest.raises(ImageError, match="decompression bomb"):
        decode_image(data, max_pixels=1000)


def test_colour_jpeg_decodes_to_rgb_uint8(astronaut):
    rgb = decode_image(_encode(Image.fromarray(astronaut), "JPEG", quality=95))
    assert rgb.shape == astronaut.shape and rgb.dtype == np.uint8
    assert np.abs(rgb.astype(int) - astronaut).mean() < 3


def test_greyscale_becomes_three_equal_channels(astronaut):
    grey = Image.fromarray(astronaut).convert("L")
    rgb = decode_image(_encode(grey))
    assert rgb.shape == astronaut.shape
    assert np.array_equal(rgb[..., 0], np.asarray(grey)) and np.array_equal(
        rgb[..., 0], rgb[..., 2]
    )


def test_rgba_is_composited_onto_grey_not_black():
    rgba = np.zeros((20, 20, 4), np.uint8)
    rgba[:10, :, :] = (255, 0, 0, 255)  # top half opaque red, bottom half transparent
    rgb = decode_image(_encode(Image.fromarray(rgba, "RGBA")))
    assert tuple(rgb[0, 0]) == (255, 0, 0)
    assert tuple(rgb[15, 0]) == (128, 128, 128)


def test_sixteen_bit_greyscale_is_scaled_to_eight_bits():
    arr = np.array([[0, 32768, 65535]], dtype=np.uint16).repeat(10, axis=0).repeat(10, axis=1)
    img = Image.fromarray(arr)
    assert img.mode.startswith("I;16")
    rgb = decode_image(_encode(img))
    assert rgb.dtype == np.uint8
    assert rgb[0, 0, 0] == 0 and rgb[0, 15, 0] == 128 and rgb[0, 25, 0] == 255


def test_palette_image_decodes_to_rgb(astronaut):
    pal = Image.fromarray(astronaut).convert("P", palette=Image.Palette.ADAPTIVE)
    rgb = decode_image(_encode(pal, "GIF"))
    assert rgb.shape == astronaut.shape and rgb.dtype == np.uint8


def test_exif_orientation_is_applied():
    img = Image.new("RGB", (40, 20), (10, 20, 30))
    exif = Image.Exif()
    exif[0x0112] = 6  # rotate 90 degrees clockwise to display
    rgb = decode_image(_encode(img, "JPEG", exif=exif))
    assert rgb.shape[:2] == (40, 20)


def test_missing_file_is_a_clear_error(tmp_path):
    with pytest.raises(ImageError, match="cannot read"):
        load_image(tmp_path / "absent.jpg")
