"""How the HEIC fixtures beside this file were made (run once, with pillow-heif installed).

DFU Monitor decodes HEIC with pi-heif, which reads but cannot write HEIC (it leaves out the
GPL x265 encoder). The tests therefore open these committed files rather than encode HEIC:

    pip install pillow-heif && python tests/data/photos/make_heic.py
"""
from __future__ import annotations

import io
import sys
from pathlib import Path

HERE = Path(__file__).parent


def main() -> None:
    import pillow_heif
    from PIL import Image

    sys.path.insert(0, str(HERE.parents[2]))  # the checkout, for tests.ui.photo_support
    from tests.ui.photo_support import scene

    pillow_heif.register_heif_opener()
    Image.new("RGB", (64, 48), (200, 40, 40)).save(HERE / "red_64x48.heic", quality=90)
    exif = Image.Exif()
    exif.get_ifd(0x8825)[1] = "N"  # GPS latitude reference
    exif.get_ifd(0x8769)[0xA431] = "HEIC-SN-1"  # the camera's serial number
    Image.new("RGB", (64, 48), (30, 160, 60)).save(HERE / "gps_serial_64x48.heic",
                                                   exif=exif.tobytes())
    # An iPhone-like photo of a wound with the calibration card (scene 11), 800×600.
    small = Image.open(io.BytesIO(scene(11).jpeg)).resize((800, 600))
    small.save(HERE / "scene11_800x600.heic", quality=90)


if __name__ == "__main__":
    main()
