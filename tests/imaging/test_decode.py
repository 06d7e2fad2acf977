"""Decoding with limits and clear messages for bad files (app/imaging/decode.py)."""
from __future__ import annotations

import hashlib
import io
import struct
import zlib

import numpy as np
import pytest
from PIL import Image

from app.imaging.decode import (
    MAX_PIXELS,
    THUMBNAIL_LONG_SIDE,
    WORKING_LONG_SIDE,
    PhotoError,
    decode_photo,
)
from tests.conftest import HEIC_FIXTURES


def jpeg_bytes(image: Image.Image, **kwargs) -> bytes:
    out = io.BytesIO()
    image.save(out, format="JPEG", quality=90, **kwargs)
    return out.getvalue()


def png_header_claiming(width: int, height: int) -> bytes:
    """A small PNG whose header claims a huge size (no pixel buffer is ever allocated)."""
    def chunk(kind: bytes, body: bytes) -> bytes:
        crc = struct.pack(">I", zlib.crc32(kind + body))
        return struct.pack(">I", len(body)) + kind + body + crc

    ihdr = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    idat = zlib.compress(b"\x00" * 64)
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + chunk(b"IDAT", idat)
            + chunk(b"IEND", b""))


def jpeg_header_claiming(width: int, height: int) -> bytes:
    """A small JPEG whose frame header (SOF0) claims a huge size."""
    real = jpeg_bytes(Image.new("RGB", (16, 16), (90, 30, 30)))
    sof = real.index(b"\xff\xc0")
    return real[:sof + 5] + struct.pack(">HH", height, width) + real[sof + 9:]


def bad_message(data: bytes) -> str:
    with pytest.raises(PhotoError) as caught:
        decode_photo(data)
    return str(caught.value)


def test_empty_file():
    assert "empty" in bad_message(b"")


def test_not_an_image():
    assert "not a photo" in bad_message(b"Patient list\nname,mrn\n" * 20)


def test_pdf_renamed_jpg():
    assert "PDF" in bad_message(b"%PDF-1.7\n1 0 obj << /Type /Catalog >> endobj\n%%EOF\n")


def test_truncated_jpeg():
    rng = np.random.default_rng(1)
    data = jpeg_bytes(Image.fromarray(rng.integers(0, 255, (400, 600, 3), dtype=np.uint8)))
    message = bad_message(data[: len(data) // 2])
    assert "truncated" in message or "incomplete" in message


@pytest.mark.parametrize("header", [png_header_claiming, jpeg_header_claiming])
def test_200_megapixel_header_is_refused_before_decoding(header):
    data = header(20_000, 10_000)
    assert len(data) < 2000
    message = bad_message(data)
    assert "200 megapixels" in message and f"{MAX_PIXELS // 1_000_000} megapixels" in message


def test_unsupported_format_names_it():
    out = io.BytesIO()
    Image.new("RGB", (32, 32)).save(out, format="GIF")
    assert "GIF" in bad_message(out.getvalue())


def test_exif_orientation_is_applied():
    image = Image.new("RGB", (120, 60), (255, 255, 255))
    image.paste((255, 0, 0), (0, 0, 20, 20))  # red square at the stored top-left
    exif = Image.Exif()
    exif[0x0112] = 6  # rotate 90 degrees clockwise to display
    photo = decode_photo(jpeg_bytes(image, exif=exif.tobytes()))
    assert (photo.width, photo.height) == (60, 120)
    assert photo.working.shape == (120, 60, 3)
    top_right = photo.working[5:15, -15:-5].mean(axis=(0, 1))
    assert top_right[0] > 200 and top_right[1] < 80  # the red square moved to the top right


def test_working_copy_and_thumbnail_sizes_and_hash():
    rng = np.random.default_rng(2)
    image = Image.fromarray(rng.integers(0, 255, (900, 2700, 3), dtype=np.uint8))
    data = jpeg_bytes(image)
    photo = decode_photo(data)
    assert (photo.width, photo.height) == (2700, 900)
    assert max(photo.working.shape[:2]) <= WORKING_LONG_SIDE
    assert photo.working_scale == pytest.approx(2700 / photo.working.shape[1])
    thumb = Image.open(io.BytesIO(photo.thumbnail_jpeg))
    assert max(thumb.size) == THUMBNAIL_LONG_SIDE
    working = Image.open(io.BytesIO(photo.working_jpeg))
    assert working.size == (photo.working.shape[1], photo.working.shape[0])
    assert photo.sha256 == hashlib.sha256(data).hexdigest()
    assert photo.format == "JPEG"


def test_png_with_transparency_is_flattened_on_white():
    image = Image.new("RGBA", (40, 40), (0, 0, 0, 0))
    out = io.BytesIO()
    image.save(out, format="PNG")
    photo = decode_photo(out.getvalue())
    assert photo.format == "PNG"
    assert photo.working.min() == 255


def test_heic_is_decoded():
    photo = decode_photo((HEIC_FIXTURES / "red_64x48.heic").read_bytes())
    assert photo.format == "HEIC"
    assert (photo.width, photo.height) == (64, 48)
    assert photo.working[..., 0].mean() > 150


def test_16_bit_grey_png_keeps_its_tones():
    ramp = np.linspace(0, 65535, 64 * 48).reshape(48, 64).astype(np.uint16)
    out = io.BytesIO()
    Image.fromarray(ramp).save(out, format="PNG")
    photo = decode_photo(out.getvalue())
    assert photo.working[0, 0, 0] < 5 and photo.working[-1, -1, 0] > 250
    assert 100 < photo.working[24].mean() < 155  # mid-grey in the middle, not clipped white


def test_multi_picture_jpeg_from_a_phone_is_a_jpeg():
    out = io.BytesIO()
    Image.new("RGB", (64, 48), (200, 30, 30)).save(
        out, format="MPO", save_all=True, append_images=[Image.new("RGB", (64, 48), (0, 0, 200))])
    photo = decode_photo(out.getvalue())
    assert photo.format == "JPEG" and (photo.width, photo.height) == (64, 48)
    assert photo.working[..., 0].mean() > 150  # the first picture
