"""Exported and printed copies carry no GPS position or device serial (app/imaging/privacy.py)."""
from __future__ import annotations

import io

import pytest
from PIL import Image

from app.imaging.decode import PhotoError
from app.imaging.privacy import shareable_copy
from tests.conftest import HEIC_FIXTURES


def tagged_jpeg() -> bytes:
    exif = Image.Exif()
    exif[0x0112] = 3
    exif[0x010F] = "Acme"
    gps = exif.get_ifd(0x8825)
    gps[1], gps[2] = "N", (52.0, 31.0, 12.0)
    details = exif.get_ifd(0x8769)
    details[0xA431] = "BODY-SN-4711"
    details[0xA435] = "LENS-SN-0815"
    details[0x9003] = "2026:11:30 10:15:00"
    out = io.BytesIO()
    Image.new("RGB", (64, 48), (180, 40, 40)).save(out, format="JPEG", exif=exif.tobytes(),
                                                   quality=90)
    return out.getvalue()


def test_gps_and_serials_are_stripped_from_a_jpeg_without_recompressing():
    original = tagged_jpeg()
    assert b"BODY-SN-4711" in original
    copy = shareable_copy(original)
    assert copy.extension == ".jpg"
    assert b"BODY-SN-4711" not in copy.data and b"LENS-SN-0815" not in copy.data
    exif = Image.open(io.BytesIO(copy.data)).getexif()
    assert 0x8825 not in exif and not exif.get_ifd(0x8825)
    assert exif[0x0112] == 3 and exif[0x010F] == "Acme"  # orientation and make are kept
    assert exif.get_ifd(0x8769)[0x9003] == "2026:11:30 10:15:00"
    scan = original.index(b"\xff\xda")
    assert copy.data.endswith(original[scan:])  # image data byte for byte


def test_png_copy_has_no_metadata_chunks():
    from PIL import PngImagePlugin

    info = PngImagePlugin.PngInfo()
    info.add_text("GPS", "52.5,13.4")
    exif = Image.Exif()
    exif.get_ifd(0x8825)[1] = "N"
    out = io.BytesIO()
    Image.new("RGB", (32, 32), (10, 200, 10)).save(out, format="PNG", pnginfo=info,
                                                   exif=exif.tobytes())
    copy = shareable_copy(out.getvalue())
    assert copy.extension == ".png"
    reread = Image.open(io.BytesIO(copy.data))
    assert "GPS" not in reread.info and not reread.getexif().get_ifd(0x8825)
    assert reread.getpixel((5, 5)) == (10, 200, 10)


def test_not_a_photo_is_refused():
    with pytest.raises(PhotoError):
        shareable_copy(b"%PDF-1.4 not a photo")


def test_heic_copy_becomes_a_metadata_free_jpeg():
    heic = (HEIC_FIXTURES / "gps_serial_64x48.heic").read_bytes()  # GPS and a serial number
    assert b"HEIC-SN-1" in heic
    copy = shareable_copy(heic)
    assert copy.extension == ".jpg" and copy.data[:2] == b"\xff\xd8"
    assert b"HEIC-SN-1" not in copy.data
    reread = Image.open(io.BytesIO(copy.data))
    assert reread.size == (64, 48) and not reread.getexif().get_ifd(0x8825)


def test_multi_picture_jpeg_copy_keeps_only_the_first_picture_without_metadata():
    exif = Image.Exif()
    exif.get_ifd(0x8769)[0xA431] = "MPO-SN-7"
    out = io.BytesIO()
    second = Image.new("RGB", (64, 48), (0, 0, 200))
    Image.new("RGB", (64, 48), (200, 30, 30)).save(out, format="MPO", save_all=True,
                                                   append_images=[second], exif=exif.tobytes())
    copy = shareable_copy(out.getvalue())
    assert b"MPO-SN-7" not in copy.data
    reread = Image.open(io.BytesIO(copy.data))
    assert getattr(reread, "n_frames", 1) == 1 and reread.getpixel((5, 5))[0] > 150
