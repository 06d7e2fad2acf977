"""The calibration card PDF prints at actual size (app/imaging/card_pdf.py)."""
from __future__ import annotations

import io
import shutil
import subprocess

import pytest
from pypdf import PdfReader

from app.imaging.card_pdf import card_pdf


def test_pdf_says_how_to_print_it():
    text = PdfReader(io.BytesIO(card_pdf())).pages[0].extract_text()
    assert "100%" in text and "actual size" in text and "50 mm" in text


@pytest.mark.skipif(shutil.which("pdftoppm") is None, reason="poppler-utils not installed")
def test_printed_card_measures_true_size(tmp_path):
    import numpy as np
    from PIL import Image

    from app.imaging.calibrate import find_card

    pdf = tmp_path / "card.pdf"
    pdf.write_bytes(card_pdf())
    dpi = 200
    subprocess.run(["pdftoppm", "-png", "-gray", "-r", str(dpi), "-f", "1", "-l", "1", str(pdf),
                    str(tmp_path / "page")], check=True)
    page = np.asarray(Image.open(next(tmp_path.glob("page*.png"))).convert("L"))
    first_card = page[: round(140 / 25.4 * dpi)]  # two identical cards would be ambiguous
    calibration = find_card(first_card)
    assert calibration is not None and calibration.markers_found == 4
    assert calibration.px_per_cm == pytest.approx(dpi / 2.54, rel=0.002)
