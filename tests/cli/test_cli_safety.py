"""The safety commands: user add, backup, restore, audit, init --encrypt, and check with its
one verdict line; exit 1 and no traceback on any failure, whatever the file holds."""
from __future__ import annotations

import getpass
import importlib.util
import json
import shutil
import sqlite3

import pytest

from tests.cli.helpers import call_cli
from tests.conftest import GOLDEN_CSV
from tests.db.helpers import FIXTURE_0001, file_digest, flip_bytes

PASSWORD = "Tulip-Harbour-4410-unique"


def ok(result) -> str:
    assert result.returncode == 0, result.stderr
    assert "Traceback" not in result.stderr
    return result.stdout


def failed(result) -> str:
    assert result.returncode == 1, result.stdout
    assert "Traceback" not in result.stderr + result.stdout
    assert len(result.stderr.strip().splitlines()) >= 1
    return result.stderr


@pytest.fixture(scope="module")
def clinic(tmp_path_factory):
    path = tmp_path_factory.mktemp("safety") / "clinic.db"
    ok(call_cli("--db", str(path), "import-csv", str(GOLDEN_CSV)))
    return path


def test_user_add_reads_the_password_twice_from_stdin(tmp_path):
    db = str(tmp_path / "c.db")
    out = ok(call_cli("--db", db, "user", "add", "nurse.ana", "--role", "nurse",
                      input_text=f"{PASSWORD}\n{PASSWORD}\n"))
    assert "user nurse.ana added with the role nurse" in out
    assert PASSWORD not in out
    assert "differ" in failed(call_cli("--db", db, "user", "add", "dr.bo", "--role", "doctor",
                                       input_text=f"{PASSWORD}\n{PASSWORD}x\n"))
    assert "at least 12" in failed(call_cli("--db", db, "user", "add", "dr.bo", "--role",
                                            "doctor", input_text="short\nshort\n"))
    listing = ok(call_cli("--db", db, "user", "list"))
    assert listing.split() == ["nurse.ana", "nurse", "active"]
    assert PASSWORD.encode() not in (tmp_path / "c.db").read_bytes()


def test_audit_json_lists_objects_attributed_to_the_cli_login(clinic):
    rows = json.loads(ok(call_cli("--db", str(clinic), "audit", "--mrn", "H-01001", "--json")))
    assert rows and all({"user", "at", "table", "field", "old", "new"} <= set(r) for r in rows)
    assert {r["user"] for r in rows} == {f"cli:{getpass.getuser()}"}
    assert {r["patient_id"] for r in rows} == {rows[0]["patient_id"]}  # one patient only
    mrn = [r for r in rows if r["table"] == "patient" and r["field"] == "mrn"]
    assert mrn[0]["new"] == "H-01001" and mrn[0]["old"] is None
    assert rows[0]["at"].endswith("Z")
    ok(call_cli("--db", str(clinic), "export-csv", str(clinic.with_name("sheet.csv"))))
    everyone = json.loads(ok(call_cli("--db", str(clinic), "audit", "--json")))
    assert len(everyone) > len(rows)
    export = everyone[-1]
    assert export["action"] == "export" and "158 rows" in export["new"]
    assert "no patient with MRN" in failed(call_cli("--db", str(clinic), "audit", "--mrn", "NO"))


def test_backup_and_restore_round_trip_and_junk_refused(clinic, tmp_path):
    live = tmp_path / "live.db"
    shutil.copy(clinic, live)
    backup = tmp_path / "backup.db"
    assert "backup written to" in ok(call_cli("--db", str(live), "backup", str(backup)))
    junk = tmp_path / "junk.db"
    junk.write_text("not a backup\n" * 100)
    before = file_digest(live)
    err = failed(call_cli("--db", str(live), "restore", str(junk)))
    assert "not restored, the current data is untouched" in err
    assert file_digest(live) == before
    out = ok(call_cli("--db", str(live), "restore", str(backup)))
    assert "restored" in out and "kept at" in out
    assert "check passed" in ok(call_cli("--db", str(live), "check"))


def test_check_ends_with_one_verdict_line_including_the_audit_chain(clinic):
    out = ok(call_cli("--db", str(clinic), "check"))
    last = out.strip().splitlines()[-1]
    assert last.startswith("check passed") and "audit chain ok" in last


def test_check_names_the_first_broken_audit_row(clinic, tmp_path):
    tampered = tmp_path / "tampered.db"
    shutil.copy(clinic, tampered)
    raw = sqlite3.connect(tampered)
    raw.execute("DROP TRIGGER audit_log_no_update")
    raw.execute("UPDATE audit_log SET new = 'H-66666' WHERE id = 12")
    raw.commit()
    raw.close()
    result = call_cli("--db", str(tampered), "check")
    err = failed(result)
    assert "audit chain: audit row 12" in result.stdout
    assert err.strip().splitlines()[-1].startswith("error: check FAILED")


@pytest.mark.parametrize("damage", ["flipped page", "flipped header", "text file", "empty"])
def test_check_on_a_damaged_or_foreign_file_exits_1_without_traceback(clinic, tmp_path,
                                                                     damage):
    path = tmp_path / "damaged.db"
    if damage == "text file":
        path.write_text("mrn,name\n" * 50)
    elif damage == "empty":
        path.write_bytes(b"")
    else:
        shutil.copy(clinic, path)
        flip_bytes(path, offset=0 if damage == "flipped header" else 4096 * 40)
    before = file_digest(path)
    err = failed(call_cli("--db", str(path), "check"))
    assert "check FAILED" in err
    assert file_digest(path) == before  # checking never writes


def test_check_of_a_first_schema_database_passes_without_changing_it(tmp_path):
    path = tmp_path / "old.db"
    shutil.copy(FIXTURE_0001, path)
    out = ok(call_cli("--db", str(path), "check"))
    assert "check passed" in out and "schema 0001" in out
    assert file_digest(path) == file_digest(FIXTURE_0001)


@pytest.mark.skipif(importlib.util.find_spec("sqlcipher3") is None,
                    reason="the crypto extra (sqlcipher3) is not installed")
def test_init_encrypt_and_the_passphrase(tmp_path):
    path = tmp_path / "secret.db"
    key = {"DFU_MONITOR_PASSPHRASE": "a clinic passphrase 2026"}
    assert "(encrypted)" in ok(call_cli("--db", str(path), "init", "--encrypt", env=key))
    ok(call_cli("--db", str(path), "import-csv", str(GOLDEN_CSV), env=key))
    assert not path.read_bytes().startswith(b"SQLite format 3")
    assert "encrypted" in failed(call_cli("--db", str(path), "summary", "--mrn", "H-01001"))
    before = file_digest(path)
    wrong = failed(call_cli("--db", str(path), "summary", "--mrn", "H-01001",
                            env={"DFU_MONITOR_PASSPHRASE": "not the passphrase"}))
    assert "passphrase does not open" in wrong and file_digest(path) == before
    assert json.loads(ok(call_cli("--db", str(path), "summary", "--mrn", "H-01001", "--json",
                                  env=key)))["mrn"] == "H-01001"
    backup = tmp_path / "backup.db"
    ok(call_cli("--db", str(path), "backup", str(backup), env=key))
    assert not backup.read_bytes().startswith(b"SQLite format 3")
    assert "already exists" in failed(call_cli("--db", str(path), "init", "--encrypt",
                                               env=key))
