"""The command line of docs/product.md: exit codes, one-line errors, the golden summaries."""
from __future__ import annotations

import json

import pytest

from tests.cli.helpers import call_cli, run_cli
from tests.conftest import GOLDEN_CSV, GOLDEN_JSON
from tests.services.test_golden import assert_matches, by_site_and_episode


@pytest.fixture(scope="module")
def golden_file(tmp_path_factory):
    path = tmp_path_factory.mktemp("cli") / "golden.db"
    assert call_cli("--db", str(path), "init").returncode == 0
    result = call_cli("--db", str(path), "import-csv", str(GOLDEN_CSV))
    assert result.returncode == 0, result.stderr
    assert "imported 158 rows" in result.stdout
    return path


def test_summary_json_for_every_golden_patient(golden_file):
    expected = json.loads(GOLDEN_JSON.read_text(encoding="utf-8"))
    for mrn, summary in expected.items():
        result = call_cli("--db", str(golden_file), "summary", "--mrn", mrn, "--json")
        assert result.returncode == 0, result.stderr
        actual = json.loads(result.stdout)
        assert set(by_site_and_episode(actual)) == set(by_site_and_episode(summary))
        for key, ulcer in by_site_and_episode(summary).items():
            assert_matches(by_site_and_episode(actual)[key], ulcer, f"{mrn}{key}")
        assert_matches(actual["pain"], summary["pain"])
        assert_matches(actual["labs"], summary["labs"])


def test_env_var_selects_the_database(golden_file):
    result = call_cli("summary", "--mrn", "H-01001", "--json",
                      env={"DFU_MONITOR_DB": str(golden_file)})
    assert result.returncode == 0 and json.loads(result.stdout)["mrn"] == "H-01001"
    url = f"sqlite:///{golden_file}"
    assert call_cli("summary", "--mrn", "H-01001", env={"DFU_MONITOR_DB": url}).returncode == 0


@pytest.mark.parametrize("args,message", [
    (("summary", "--mrn", "NOPE", "--json"), "no patient with MRN"),
    (("import-csv", "/nonexistent/sheet.csv"), "cannot read"),
    (("seed-demo", "--patients", "0"), "at least 1"),
])
def test_user_errors_exit_1_with_one_line(golden_file, args, message):
    result = call_cli("--db", str(golden_file), *args)
    assert result.returncode in (1, 2)
    assert message in result.stderr
    assert "Traceback" not in result.stderr


def test_missing_database_is_not_created(tmp_path):
    path = tmp_path / "absent.db"
    result = run_cli("--db", str(path), "summary", "--mrn", "A")
    assert result.returncode == 1 and "no database" in result.stderr
    assert not path.exists()


def test_junk_file_gives_one_line(tmp_path):
    junk = tmp_path / "junk.db"
    junk.write_bytes(b"this is not a database at all" * 100)
    for command in (("check",), ("summary", "--mrn", "A")):
        result = run_cli("--db", str(junk), *command)
        assert result.returncode == 1
        assert "Traceback" not in result.stderr and len(result.stderr.strip().splitlines()) == 1


def test_bad_sheet_lists_rows_and_exits_1(tmp_path):
    sheet = tmp_path / "bad.csv"
    sheet.write_text("mrn,visit_date,ulcer_site,length_cm,width_cm\nA,2026-01-01,heel,x,1\n",
                     encoding="utf-8")
    result = run_cli("--db", str(tmp_path / "c.db"), "import-csv", str(sheet))
    assert result.returncode == 1
    assert "row 1, column length_cm" in result.stderr
    assert "Traceback" not in result.stderr


def test_init_check_export_and_seed_are_deterministic(tmp_path):
    outputs = []
    for name in ("a", "b"):
        db = str(tmp_path / f"{name}.db")
        assert "created" in call_cli("--db", db, "init").stdout
        assert "up to date" in call_cli("--db", db, "init").stdout
        assert call_cli("--db", db, "seed-demo", "--patients", "12", "--seed", "5").returncode == 0
        check = call_cli("--db", db, "check")
        assert check.returncode == 0 and "check passed" in check.stdout
        out = tmp_path / f"{name}.csv"
        assert call_cli("--db", db, "export-csv", str(out)).returncode == 0
        outputs.append(out.read_text(encoding="utf-8"))
    assert outputs[0] == outputs[1] and outputs[0].count("\n") > 12
