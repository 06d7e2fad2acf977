"""The command line against a server, as a clinic admin runs it (and the checks do): in
this process (call_cli), except the two imports at once, which are two real processes."""
from __future__ import annotations

import json
import os
import subprocess
import sys

from tests.cli.helpers import ROOT, call_cli
from tests.conftest import GOLDEN_CSV
from tests.server.conftest import golden_halves

PASSWORD = "admin password 12"


def test_init_admin_then_signed_in_commands_on_a_server(pg_empty_url, tmp_path):
    signed = {"DFU_MONITOR_DB": pg_empty_url, "DFU_MONITOR_USER": "admin.eva",
              "DFU_MONITOR_PASSWORD": PASSWORD}
    done = call_cli("init", "--admin", "admin.eva", env={"DFU_MONITOR_DB": pg_empty_url},
                   input_text=f"{PASSWORD}\n{PASSWORD}\n")
    assert done.returncode == 0, done.stderr
    done = call_cli("user", "add", "nurse.ana", "--role", "nurse", env=signed,
                   input_text="nurse password 34\nnurse password 34\n")
    assert done.returncode == 0, done.stderr
    nurse = signed | {"DFU_MONITOR_USER": "nurse.ana", "DFU_MONITOR_PASSWORD":
                      "nurse password 34"}
    halves = []
    for i, text in enumerate(golden_halves()):
        path = tmp_path / f"half{i}.csv"
        path.write_text(text, encoding="utf-8")
        halves.append(path)
    env = dict(os.environ) | nurse | {"PYTHONPATH": str(ROOT)}
    running = [subprocess.Popen([sys.executable, str(ROOT / "main.py"), "import-csv",
                                 str(path)], env=env, cwd=ROOT, stdout=subprocess.PIPE,
                                stderr=subprocess.PIPE, text=True) for path in halves]
    outcomes = [p.communicate(timeout=180) + (p.returncode,) for p in running]
    assert [o[2] for o in outcomes] == [0, 0], outcomes  # two imports at once
    done = call_cli("check", env=signed)
    assert done.returncode == 0, done.stdout + done.stderr
    verdict = done.stdout.strip().splitlines()[-1]
    assert verdict.startswith("check passed") and "integrity ok" not in verdict
    assert "checked by query" in verdict and "audit" in verdict
    expected = json.loads((GOLDEN_CSV.parent / "expected_public.json").read_text())
    mrn = sorted(expected)[0]
    done = call_cli("summary", "--mrn", mrn, "--json", env=nurse)
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["mrn"] == mrn


def test_migrate_to_a_server_from_a_clinic_file(tmp_path, pg_empty_url, pg_url):
    clinic = tmp_path / "clinic.db"
    local = {"DFU_MONITOR_DB": str(clinic)}
    assert call_cli("init", env=local).returncode == 0
    assert call_cli("import-csv", str(GOLDEN_CSV), env=local).returncode == 0
    done = call_cli("migrate", "--to", pg_empty_url, env=local)
    assert done.returncode == 0, done.stderr
    assert "8 patient summaries identical" in done.stdout
    again = call_cli("migrate", "--to", pg_empty_url, env=local)  # now it holds a clinic
    assert again.returncode != 0 and "not empty" in again.stderr


def test_backup_and_restore_commands_on_a_server(pg_url, pg_empty_url, tmp_path):
    admin = {"DFU_MONITOR_USER": "admin.eva", "DFU_MONITOR_PASSWORD": PASSWORD}
    done = call_cli("init", "--admin", "admin.eva", env={"DFU_MONITOR_DB": pg_url},
                   input_text=f"{PASSWORD}\n{PASSWORD}\n")
    assert done.returncode == 0, done.stderr
    done = call_cli("backup", str(tmp_path), env=admin | {"DFU_MONITOR_DB": pg_url})
    assert done.returncode == 0, done.stderr
    dump = next(tmp_path.glob("*.dump"))
    target = {"DFU_MONITOR_DB": pg_empty_url}
    refused = call_cli("restore", str(dump), env=target | admin | {
        "DFU_MONITOR_PASSWORD": "wrong password 99"})
    assert refused.returncode != 0 and "sign-in refused" in refused.stderr
    done = call_cli("restore", str(dump), env=target | admin)  # the refusal undid itself
    assert done.returncode == 0, done.stderr
    done = call_cli("check", env=target | admin)
    assert done.returncode == 0 and done.stdout.splitlines()[-1].startswith("check passed")
    assert PASSWORD not in done.stdout + done.stderr
