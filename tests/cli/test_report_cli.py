"""`report`: one patient's PDF, the patient version, and one PDF per patient seen since a date."""
from __future__ import annotations

import csv

import pytest

from tests.cli.helpers import call_cli, run_cli
from tests.conftest import GOLDEN_CSV


def _pages(path) -> int:
    from pypdf import PdfReader

    return len(PdfReader(str(path)).pages)


def _text(path) -> str:
    from pypdf import PdfReader

    return " ".join(" ".join(p.extract_text().split()) for p in PdfReader(str(path)).pages)


def _audit_details(db) -> list[str]:
    from app.services.audit import list_audit

    with db.read() as session:
        return [r.new for r in list_audit(session) if r.action == "report printed"]


def test_report_for_one_patient(golden_db, db_url, tmp_path):
    out = tmp_path / "H-01000.pdf"
    result = run_cli("--db", db_url, "report", "--mrn", "H-01000", "-o", str(out))
    assert result.returncode == 0, result.stderr
    assert out.read_bytes().startswith(b"%PDF-")
    assert _pages(out) >= 2
    text = _text(out)
    assert "Wei Tanaka · MRN H-01000" in text and "Baseline 2025-04-03: 4.81 cm²" in text
    assert "Printed by cli:" in text
    assert list(tmp_path.glob("*.part")) == [] and list(tmp_path.glob(".*")) == []
    assert any(str(out) in detail for detail in _audit_details(golden_db))


def test_patient_version_and_user_errors(golden_db, db_url, tmp_path):
    out = tmp_path / "mine.pdf"
    # In this process (call_cli): test_report_for_one_patient runs the real command line.
    result = call_cli("--db", db_url, "report", "--mrn", "h-01000", "-o", str(out),
                      "--audience", "patient")
    assert result.returncode == 0, result.stderr
    assert _pages(out) == 1
    assert "45% smaller than when treatment began" in _text(out)

    for args, message in (
            (["--mrn", "NOPE-1", "-o", f"{tmp_path}/x.pdf"], "no patient with MRN 'NOPE-1'"),
            (["--mrn", "H-01000", "-o", f"{tmp_path}/missing/x.pdf"], "does not exist"),
            (["--mrn", "H-01000", "-o", str(tmp_path)], "is a folder"),
            (["--seen-since", "2025-13-01", "-o", f"{tmp_path}/out"], "not a date")):
        result = call_cli("--db", db_url, "report", *args)
        assert result.returncode != 0, args
        assert message in result.stderr, (args, result.stderr)
        assert "Traceback" not in result.stderr
    assert not (tmp_path / "x.pdf").exists() and not (tmp_path / "out").exists()


def _seen_since(day: str) -> set[str]:
    with open(GOLDEN_CSV, encoding="utf-8-sig") as handle:
        return {row["mrn"] for row in csv.DictReader(handle) if row["visit_date"] >= day}


@pytest.mark.parametrize("since, jobs", [("2025-06-01", "1"), ("2024-01-01", "2")])
def test_batch_writes_one_file_per_patient_seen(golden_db, db_url, tmp_path, since, jobs):
    expected = _seen_since(since)
    assert 0 < len(expected)
    out = tmp_path / "reports"
    cli = run_cli if jobs != "1" else call_cli  # worker processes: the real command line
    result = cli("--db", db_url, "report", "--seen-since", since, "-o", str(out), "--jobs", jobs)
    assert result.returncode == 0, result.stderr
    files = sorted(p.name for p in out.iterdir())
    assert files == sorted(f"{mrn}.pdf" for mrn in expected)
    for mrn in expected:
        assert f"MRN {mrn}" in _text(out / f"{mrn}.pdf")
    lines = result.stdout.splitlines()
    progress = [line for line in lines if line.startswith("[")]
    assert len(progress) == len(expected)
    assert progress[-1].startswith(f"[{len(expected)}/{len(expected)}]")
    assert lines[-1] == f"wrote {len(expected)} of {len(expected)} reports to {out}"
    assert len([d for d in _audit_details(golden_db) if "(batch)" in d]) == len(expected)


def test_batch_with_nobody_seen_writes_nothing(db, db_url, tmp_path):
    out = tmp_path / "none"
    result = call_cli("--db", db_url, "report", "--seen-since", "2026-11-01", "-o", str(out))
    assert result.returncode == 0, result.stderr
    assert "no patient seen since 2026-11-01" in result.stdout
    assert list(out.iterdir()) == []


def test_report_help_names_both_forms():
    result = call_cli("report", "--help")
    assert result.returncode == 0
    for option in ("--mrn", "--seen-since", "--audience", "-o"):
        assert option in result.stdout
