"""Decoding a photograph's bytes safely: format, size limits, EXIF orientation, working copies.

Pure function of bytes, safe on any thread. The original bytes are never changed; they are
identified by their SHA-256. Pixel coordinates everywhere in app.imaging are those of the
*upright* full-resolution image (EXIF orientation applied); the working copy is that image
scaled by 1/working_scale (long side at most WORKING_LONG_SIDE px).
"""
from __future__ import annotations

import datetime as dt
import hashlib
import io
import re
import warnings
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import numpy as np
    from PIL import Image

MAX_PIXELS = 100_000_000  # refuse larger images before decoding them (a 100-MP RGB is 300 MB)
WORKING_LONG_SIDE = 2048
THUMBNAIL_LONG_SIDE = 256
WORKING_JPEG_QUALITY = 90
THUMBNAIL_JPEG_QUALITY = 80
# Pillow's format names -> ours. MPO is a JPEG with extra frames (many phones write it).
FORMATS = {"JPEG": "JPEG", "MPO": "JPEG", "PNG": "PNG", "HEIF": "HEIC"}
_EXIF_DATETIME_ORIGINAL = 0x9003
_EXIF_IFD = 0x8769


class PhotoError(ValueError):
    """A photo that cannot be used; str(error) is a message for the nurse."""


@dataclass(frozen=True)
class DecodedPhoto:
    """A photo ready for calibration and outlining. Arrays are RGB uint8, rows first."""

    sha256: str
    format: str  # "JPEG", "PNG" or "HEIC"
    width: int  # upright full-resolution size, px
    height: int
    working: np.ndarray
    working_scale: float  # full-resolution px per working-copy px (>= 1)
    working_jpeg: bytes
    thumbnail_jpeg: bytes
    taken_at: dt.datetime | None  # EXIF DateTimeOriginal, camera's local time


def sha256_hex(data: bytes) -> str:
    """The content address of a photo's original bytes."""
    return hashlib.sha256(data).hexdigest()


def _register_heif() -> None:
    """HEIC (iPhone photos) through pi-heif: libheif's decoder without the GPL x265 encoder."""
    try:
        import pi_heif
    except ImportError:  # pragma: no cover - a dependency, but HEIC is optional to decode
        return
    pi_heif.register_heif_opener()


def _too_large(pixels: int | None, max_pixels: int) -> PhotoError:
    size = f" ({pixels / 1e6:.0f} megapixels)" if pixels else ""
    return PhotoError(f"The photo is too large{size}: the limit is {max_pixels / 1e6:.0f} "
                      "megapixels. Export it smaller from the camera or phone and attach again.")


def open_image(data: bytes, *, max_pixels: int = MAX_PIXELS) -> Image.Image:
    """Open (header only) and vet a photo; PhotoError with a clear message when unusable."""
    from PIL import Image, UnidentifiedImageError

    if not data:
        raise PhotoError("The file is empty (0 bytes): it holds no photo.")
    if data[:5] == b"%PDF-":
        raise PhotoError("This file is a PDF document, not a photo (perhaps a PDF renamed .jpg). "
                         "Attach a JPEG, PNG or HEIC photo.")
    _register_heif()
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", Image.DecompressionBombWarning)
            image = Image.open(io.BytesIO(data))
    except Image.DecompressionBombError as error:
        # Pillow's own guard (above about 179 MP) stops at the header, as ours does
        found = re.search(r"\((\d+) pixels\)", str(error))
        raise _too_large(int(found.group(1)) if found else None, max_pixels) from error
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError) as error:
        raise PhotoError("This file is not a photo the program can read. "
                         "Attach a JPEG, PNG or HEIC photo.") from error
    if image.format not in FORMATS:
        raise PhotoError(f"{image.format} images are not accepted. "
                         "Attach a JPEG, PNG or HEIC photo.")
    width, height = image.size
    if width * height > max_pixels:
        raise _too_large(width * height, max_pixels)
    if width < 16 or height < 16:
        raise PhotoError(f"The photo is only {width} x {height} pixels: too small to measure.")
    return image


def _taken_at(image: Image.Image) -> dt.datetime | None:
    try:
        raw = image.getexif().get_ifd(_EXIF_IFD).get(_EXIF_DATETIME_ORIGINAL)
        return dt.datetime.strptime(str(raw).strip("\x00 "), "%Y:%m:%d %H:%M:%S") if raw else None
    except (ValueError, TypeError, KeyError, SyntaxError):
        return None


def _load_upright(image: Image.Image, target_long_side: int) -> tuple[Image.Image, int, int]:
    """Decode (JPEG: at the smallest DCT scale giving >= 90% of the target) and apply
    the EXIF orientation. Returns the upright image and the upright full-resolution size."""
    from PIL import Image as PilImage
    from PIL import ImageOps

    width, height = image.size
    if image.format in ("JPEG", "MPO"):
        ratio = max(width, height) / (0.9 * target_long_side)
        if ratio > 1:
            image.draft("RGB", (int(width / ratio), int(height / ratio)))
    try:
        image.load()
    except OSError as error:
        raise PhotoError("The photo file is damaged or incomplete (truncated) and cannot be "
                         f"decoded: {error}. Copy it again from the camera.") from error
    orientation = image.getexif().get(0x0112, 1)
    upright = ImageOps.exif_transpose(image)
    if orientation in (5, 6, 7, 8):
        width, height = height, width
    if upright.mode.startswith(("I", "F")):  # 16-bit or float grey: to 8 bits, not clipped
        upright = _eight_bit_grey(upright)
    if upright.mode not in ("RGB", "L"):
        background = PilImage.new("RGB", upright.size, (255, 255, 255))
        rgba = upright.convert("RGBA")
        background.paste(rgba, mask=rgba.getchannel("A"))
        upright = background
    return upright.convert("RGB"), width, height


def _eight_bit_grey(image: Image.Image) -> Image.Image:
    import numpy as np
    from PIL import Image as PilImage

    values = np.asarray(image, dtype=np.float64)
    top = 65535.0 if image.mode.startswith("I;16") or values.max() > 255 else 255.0
    if image.mode == "F":
        top = max(float(values.max()), 1.0)
    return PilImage.fromarray(np.clip(values / top * 255.0 + 0.5, 0, 255).astype(np.uint8))


def _jpeg(image: Image.Image, quality: int) -> bytes:
    out = io.BytesIO()
    image.save(out, format="JPEG", quality=quality)
    return out.getvalue()


def decode_photo(data: bytes, *, max_pixels: int = MAX_PIXELS) -> DecodedPhoto:
    """Vet and decode a photo: working copy (long side <= 2048 px) and thumbnail, both upright.

    Raises PhotoError for an empty, truncated, oversized, unsupported or non-image file.
    """
    import numpy as np
    from PIL import Image

    image = open_image(data, max_pixels=max_pixels)
    kind = FORMATS[image.format]
    taken_at = _taken_at(image)
    upright, width, height = _load_upright(image, WORKING_LONG_SIDE)
    long_side = max(upright.size)
    if long_side > WORKING_LONG_SIDE:
        factor = WORKING_LONG_SIDE / long_side
        upright = upright.resize((max(1, round(upright.width * factor)),
                                  max(1, round(upright.height * factor))),
                                 Image.Resampling.BILINEAR, reducing_gap=2.0)
    thumbnail = upright.copy()
    thumbnail.thumbnail((THUMBNAIL_LONG_SIDE, THUMBNAIL_LONG_SIDE), Image.Resampling.BILINEAR)
    return DecodedPhoto(
        sha256=sha256_hex(data), format=kind, width=width, height=height,
        working=np.asarray(upright), working_scale=width / upright.width,
        working_jpeg=_jpeg(upright, WORKING_JPEG_QUALITY),
        thumbnail_jpeg=_jpeg(thumbnail, THUMBNAIL_JPEG_QUALITY), taken_at=taken_at)


def decode_full(data: bytes, *, max_pixels: int = MAX_PIXELS) -> np.ndarray:
    """The upright full-resolution RGB pixels (for export and print at full quality)."""
    import numpy as np

    image = open_image(data, max_pixels=max_pixels)
    upright, _, _ = _load_upright(image, max(image.size) * 2)
    return np.asarray(upright)
