"""`cohort --json` on a demo clinic matches the issue-6 schema; the export commands work."""
from __future__ import annotations

import csv
import json

import pytest

from app.cli.cohort import AREA_BAND_CHOICES
from app.services.cohort import AREA_BANDS
from tests.cli.helpers import call_cli


@pytest.fixture(scope="module")
def demo_file(tmp_path_factory):
    path = tmp_path_factory.mktemp("cohort") / "demo.db"
    result = call_cli("--db", str(path), "seed-demo", "--patients", "45", "--seed", "5")
    assert result.returncode == 0, result.stderr
    return path


def _number_or_null(value) -> bool:
    return value is None or isinstance(value, (int, float)) and not isinstance(value, bool)


def test_cohort_json_schema(demo_file):
    result = call_cli("--db", str(demo_file), "cohort", "--json")
    assert result.returncode == 0, result.stderr
    data = json.loads(result.stdout)
    assert set(data["groups"]) == {"exosome", "exosome+msc", "standard"}
    for group in data["groups"].values():
        assert isinstance(group["episodes"], int) and isinstance(group["closed"], int)
        assert 0 <= group["closed"] <= group["episodes"]
        assert _number_or_null(group["median_days_to_closure"])
        assert _number_or_null(group["week4_on_track_percent"])
        curve = group["km_closure"]
        assert curve[0] == {"day": 0, "still_open": 1.0, "ci_low": 1.0, "ci_high": 1.0,
                            "at_risk": group["episodes"], "closed": 0}
        days = [p["day"] for p in curve]
        assert days == sorted(set(days)) and all(isinstance(d, int) for d in days)
        assert all(p["closed"] > 0 for p in curve[1:])  # one point per distinct event day
        assert sum(p["closed"] for p in curve) == group["closed"]
        for before, after in zip(curve, curve[1:]):
            assert after["still_open"] <= before["still_open"]
        for p in curve:
            assert 0 <= p["ci_low"] <= p["still_open"] <= p["ci_high"] <= 1
        median = next((p["day"] for p in curve if p["still_open"] <= 0.5), None)
        assert group["median_days_to_closure"] == median
        if group["week4_par_known"]:
            assert 0 <= group["week4_on_track_percent"] <= 100
    test = data["logrank_closure"]
    assert set(test) >= {"chi2", "df", "p"} and test["df"] == 2 and 0 <= test["p"] <= 1


def test_cohort_filters_and_text(demo_file):
    everything = json.loads(call_cli("--db", str(demo_file), "cohort", "--json").stdout)
    result = call_cli("--db", str(demo_file), "cohort", "--json", "--etiology", "ischemic",
                      "--area-band", "1-5", "--since", "2020-01-01")
    assert result.returncode == 0, result.stderr
    narrowed = json.loads(result.stdout)
    assert narrowed["filters"]["etiology"] == "ischemic"
    assert sum(g["episodes"] for g in narrowed["groups"].values()) < \
        sum(g["episodes"] for g in everything["groups"].values())
    text = call_cli("--db", str(demo_file), "cohort")
    assert text.returncode == 0 and "Exosome + MSC" in text.stdout and "log-rank" in text.stdout
    bad = call_cli("--db", str(demo_file), "cohort", "--since", "2026-12-01",
                   "--until", "2026-01-01")
    assert bad.returncode == 1 and bad.stderr.startswith("error: ")
    assert len(bad.stderr.strip().splitlines()) == 1
    assert AREA_BAND_CHOICES == tuple(AREA_BANDS)


def test_export_commands(demo_file, tmp_path):
    research = tmp_path / "research.csv"
    result = call_cli("--db", str(demo_file), "export-research", str(research))
    assert result.returncode == 0, result.stderr
    assert "pseudonymised" in result.stdout and "45 patients" in result.stdout
    with open(research, encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    assert rows and "mrn" not in rows[0] and rows[0]["subject_id"].startswith("S-")
    bundle = tmp_path / "bundle.json"
    result = call_cli("--db", str(demo_file), "export-fhir", str(bundle))
    assert result.returncode == 0, result.stderr
    assert json.loads(bundle.read_text(encoding="utf-8"))["resourceType"] == "Bundle"
    missing = call_cli("--db", str(demo_file), "export-fhir", str(tmp_path / "no" / "b.json"))
    assert missing.returncode == 1 and "does not exist" in missing.stderr
