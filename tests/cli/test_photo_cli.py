"""`photo card`, `photo measure`, `photo attach` and `photo export` as a script calls them
(docs/product.md "Photos": the exact forms other checks use)."""
from __future__ import annotations

import json

import pytest
from PIL import Image

from app.imaging.card import CARD_WIDTH_MM
from app.imaging.synthetic import synthetic_photo
from tests.cli.helpers import call_cli
from tests.conftest import GOLDEN_CSV


@pytest.fixture(scope="module")
def scene():
    return synthetic_photo(7, size=(1200, 900), tilt_deg=20.0, area_cm2=6.0)


@pytest.mark.parametrize("dpi", [150, 300])
def test_card_png_is_exactly_one_to_one(tmp_path, dpi):
    out = tmp_path / "card.png"
    result = call_cli("photo", "card", "--png", str(out), "--dpi", str(dpi))
    assert result.returncode == 0, result.stderr
    assert Image.open(out).width == round(CARD_WIDTH_MM / 25.4 * dpi)


def test_card_pdf_is_written(tmp_path):
    out = tmp_path / "card.pdf"
    assert call_cli("photo", "card", "--pdf", str(out)).returncode == 0
    assert out.read_bytes().startswith(b"%PDF")


def test_measure_the_true_outline_and_a_box(tmp_path, scene):
    image = tmp_path / "wound.jpg"
    image.write_bytes(scene.jpeg)
    outline = tmp_path / "outline.json"
    outline.write_text(json.dumps([list(p) for p in scene.outline_px]))
    result = call_cli("photo", "measure", str(image), "--outline", str(outline), "--json")
    assert result.returncode == 0, result.stderr
    doc = json.loads(result.stdout)
    assert doc["calibrated"] is True and doc["method"] == "card"
    assert set(doc) >= {"px_per_cm", "tilt_deg", "outline", "area_cm2", "perimeter_cm",
                        "length_cm", "width_cm"}
    assert doc["area_cm2"] == pytest.approx(scene.area_cm2, rel=0.02)
    assert doc["length_cm"] >= doc["width_cm"] > 0
    box = ",".join(str(v) for v in scene.box)
    boxed = json.loads(call_cli("photo", "measure", str(image), "--box", box, "--json").stdout)
    assert boxed["area_cm2"] == pytest.approx(scene.area_cm2, rel=0.1)
    assert len(boxed["outline"]) >= 3


def test_measure_without_a_card_exits_1_with_a_clear_message(tmp_path):
    plain = tmp_path / "plain.png"
    Image.new("RGB", (400, 300), (200, 150, 130)).save(plain)
    result = call_cli("photo", "measure", str(plain), "--json")
    assert result.returncode == 1
    assert "no calibration card" in result.stderr and "Traceback" not in result.stderr


def test_measure_refuses_a_file_that_is_not_an_image(tmp_path):
    fake = tmp_path / "scan.jpg"
    fake.write_bytes(b"%PDF-1.4 not a photo")
    result = call_cli("photo", "measure", str(fake))
    assert result.returncode == 1 and "scan.jpg" in result.stderr


def test_attach_records_the_photo_sizes_in_the_summary_and_export_writes_them(tmp_path,
                                                                              scene):
    env = {"DFU_MONITOR_DB": f"sqlite:///{tmp_path / 'clinic.db'}"}
    assert call_cli("import-csv", str(GOLDEN_CSV), env=env).returncode == 0
    before = json.loads(call_cli("summary", "--mrn", "H-01000", "--json", env=env).stdout)
    image = tmp_path / "wound.jpg"
    image.write_bytes(scene.jpeg)
    outline = tmp_path / "outline.json"
    outline.write_text(json.dumps([list(p) for p in scene.outline_px]))
    result = call_cli("photo", "attach", "--mrn", "H-01000", "--date", "2025-04-17",
                      "--site", "R-MTH5-plantar", str(image), "--outline", str(outline),
                      env=env)
    assert result.returncode == 0, result.stderr
    assert "method photo" in result.stdout
    after = json.loads(call_cli("summary", "--mrn", "H-01000", "--json", env=env).stdout)
    assert after != before  # the 2025-04-17 sizes now come from the photo
    again = call_cli("photo", "attach", "--mrn", "H-01000", "--date", "2025-04-17",
                     "--site", "R-MTH5-plantar", str(image), env=env)
    assert again.returncode == 1 and "already attached" in again.stderr
    folder = tmp_path / "export"
    exported = call_cli("photo", "export", "--mrn", "H-01000", "--dir", str(folder), env=env)
    assert exported.returncode == 0, exported.stderr
    manifest = json.loads((folder / "manifest.json").read_text())
    assert len(manifest["photos"]) == 1
    assert manifest["photos"][0]["area_cm2"] == pytest.approx(scene.area_cm2, rel=0.02)
