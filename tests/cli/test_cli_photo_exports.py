"""`export-fhir --photos` and `export-research --photos` as a script calls them; without the
flag, no Media, no photo bytes and no photo columns (docs/product.md command table)."""
from __future__ import annotations

import base64
import csv
import hashlib
import json
import re

import pytest

from app.imaging.synthetic import synthetic_photo
from tests.cli.helpers import call_cli
from tests.conftest import GOLDEN_CSV

PHOTO_COLUMNS = ("photo_count", "photo_sha256", "photo_area_cm2", "photo_calibrated")


@pytest.fixture(scope="module")
def clinic(tmp_path_factory):
    folder = tmp_path_factory.mktemp("cli-photo-exports")
    env = {"DFU_MONITOR_DB": f"sqlite:///{folder / 'clinic.db'}"}
    assert call_cli("import-csv", str(GOLDEN_CSV), env=env).returncode == 0
    scene = synthetic_photo(7, size=(1200, 900), tilt_deg=20.0, area_cm2=6.0)
    image = folder / "IMG_private_name.jpg"
    image.write_bytes(scene.jpeg)
    outline = folder / "outline.json"
    outline.write_text(json.dumps([list(p) for p in scene.outline_px]))
    attached = call_cli("photo", "attach", "--mrn", "H-01000", "--date", "2025-04-17",
                        "--site", "R-MTH5-plantar", str(image), "--outline", str(outline),
                        env=env)
    assert attached.returncode == 0, attached.stderr
    return folder, env, hashlib.sha256(scene.jpeg).hexdigest()


@pytest.mark.parametrize("photos", [True, False])
def test_export_fhir_photos_flag(clinic, photos):
    folder, env, sha256 = clinic
    out = folder / f"bundle-{photos}.json"
    args = ["export-fhir", str(out), "--pseudonymous", *(["--photos"] if photos else [])]
    result = call_cli(*args, env=env)
    assert result.returncode == 0, result.stderr
    text = out.read_text(encoding="utf-8")
    media = [e["resource"] for e in json.loads(text)["entry"]
             if e["resource"]["resourceType"] == "Media"]
    assert "IMG_private_name" not in text
    if not photos:
        assert media == [] and sha256 not in text
        return
    [one] = media
    # --pseudonymous: the photo is named by a keyed hash, never by the file's own SHA-256
    assert re.fullmatch(r"[0-9a-f]{64}", one["identifier"][0]["value"])
    assert one["identifier"][0]["value"] != sha256 and sha256 not in text
    data = base64.b64decode(one["content"]["data"])
    assert one["content"]["hash"] == base64.b64encode(hashlib.sha1(data).digest()).decode()


@pytest.mark.parametrize("photos", [True, False])
def test_export_research_photos_flag(clinic, photos):
    folder, env, sha256 = clinic
    out = folder / f"research-{photos}.csv"
    result = call_cli("export-research", str(out), *(["--photos"] if photos else []), env=env)
    assert result.returncode == 0, result.stderr
    with out.open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    assert "IMG_private_name" not in out.read_text(encoding="utf-8")
    if not photos:
        assert not set(PHOTO_COLUMNS) & set(rows[0])
        return
    with_photo = [r for r in rows if r["photo_count"] != "0"]
    # pseudonymised (the default): a keyed hash, never the photo file's own
    assert len(with_photo) == 1 and re.fullmatch(r"[0-9a-f]{64}", with_photo[0]["photo_sha256"])
    assert with_photo[0]["photo_sha256"] != sha256 and sha256 not in out.read_text("utf-8")
    assert with_photo[0]["photo_calibrated"] == "true"
    assert float(with_photo[0]["photo_area_cm2"]) == pytest.approx(6.0, rel=0.02)
