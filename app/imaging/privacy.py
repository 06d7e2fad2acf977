"""Copies of a photo that are safe to hand out: no GPS position, no device serial numbers.

Every exported or printed copy goes through `shareable_copy`. A JPEG keeps its compressed image
data byte for byte (only metadata segments are rewritten), so the copy is not re-compressed. A
PNG is re-written losslessly without metadata chunks. A HEIC is converted to a JPEG (quality 95),
upright, without metadata, because most recipients cannot open HEIC.
"""
from __future__ import annotations

import io
import struct
from dataclasses import dataclass

GPS_IFD = 0x8825
EXIF_IFD = 0x8769
# Exif/DNG tags that identify the device or its owner (Exif 2.32, 4.6.7; DNG 1.6).
IDENTIFYING_EXIF_TAGS = (
    0xA430,  # CameraOwnerName
    0xA431,  # BodySerialNumber
    0xA435,  # LensSerialNumber
    0xA420,  # ImageUniqueID
    0x927C,  # MakerNote (vendors keep serial numbers in it)
)
IDENTIFYING_IFD0_TAGS = (0xC62F, 0x013B, 0x8298)  # CameraSerialNumber, Artist, Copyright
_XMP = b"http://ns.adobe.com/xap/1.0/"
_XMP_EXTENSION = b"http://ns.adobe.com/xmp/extension/"


@dataclass(frozen=True)
class ShareableCopy:
    data: bytes
    extension: str  # ".jpg" or ".png"


def _clean_exif(payload: bytes) -> bytes:
    """An Exif APP1 payload ("Exif\\0\\0" + TIFF) without GPS and identifying tags."""
    from PIL import Image

    exif = Image.Exif()
    exif.load(payload)
    exif_ifd = exif.get_ifd(EXIF_IFD)
    for tag in IDENTIFYING_EXIF_TAGS:
        exif_ifd.pop(tag, None)
    for tag in (*IDENTIFYING_IFD0_TAGS, GPS_IFD):
        exif.pop(tag, None)
    exif._ifds.pop(GPS_IFD, None)  # Pillow caches sub-IFDs and writes them back otherwise
    cleaned = exif.tobytes()
    return cleaned if cleaned.startswith(b"Exif\x00\x00") else b"Exif\x00\x00" + cleaned


def _jpeg_without_private_metadata(data: bytes) -> bytes:
    """Rewrite the JPEG's metadata segments; the entropy-coded data is copied unchanged."""
    if data[:2] != b"\xff\xd8":
        raise ValueError("not a JPEG")
    out = bytearray(b"\xff\xd8")
    pos = 2
    while pos + 4 <= len(data):
        if data[pos] != 0xFF:
            raise ValueError("damaged JPEG marker")
        marker = data[pos + 1]
        if marker == 0xDA:  # start of scan: the rest is image data
            out += data[pos:]
            return bytes(out)
        length = struct.unpack(">H", data[pos + 2:pos + 4])[0]
        payload = data[pos + 4:pos + 2 + length]
        segment = data[pos:pos + 2 + length]
        pos += 2 + length
        if marker == 0xE1 and payload.startswith(b"Exif\x00\x00"):
            cleaned = _clean_exif(payload)
            out += b"\xff\xe1" + struct.pack(">H", len(cleaned) + 2) + cleaned
        elif marker == 0xE1 and (payload.startswith((_XMP, _XMP_EXTENSION))):
            continue  # XMP repeats GPS and serials in text
        elif marker in (0xED, 0xFE):  # Photoshop/IPTC block and comments
            continue
        else:
            out += segment
    raise ValueError("JPEG without image data")


def _reencoded(data: bytes, fmt: str) -> bytes:
    from PIL import ImageOps

    from app.imaging.decode import open_image

    image = ImageOps.exif_transpose(open_image(data))
    out = io.BytesIO()
    if fmt == "PNG":
        image.save(out, format="PNG")
    else:
        image.convert("RGB").save(out, format="JPEG", quality=95)
    return out.getvalue()


def shareable_copy(data: bytes) -> ShareableCopy:
    """A copy of a photo's original bytes for export or print: GPS and serial numbers removed.

    Raises app.imaging.decode.PhotoError when the bytes are not a usable photo.
    """
    from app.imaging.decode import PhotoError, open_image

    image = open_image(data)
    if image.format == "JPEG":
        try:
            return ShareableCopy(_jpeg_without_private_metadata(data), ".jpg")
        except (ValueError, struct.error) as error:
            raise PhotoError(f"The photo's metadata is damaged: {error}.") from error
    if image.format == "PNG":
        return ShareableCopy(_reencoded(data, "PNG"), ".png")
    return ShareableCopy(_reencoded(data, "JPEG"), ".jpg")
