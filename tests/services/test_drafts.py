"""Visit-form drafts on disk: round trip, atomic replacement, keys, damaged files."""
from __future__ import annotations

import datetime as dt
import json
import os
import stat

import pytest

from app.services import drafts, files
from app.services.drafts import discard_draft, read_draft, visit_draft_path, write_draft

URL = "sqlite:////clinic/clinic.db"


def test_round_trip_keeps_every_value_exactly(tmp_path):
    path = visit_draft_path(db_url=URL, patient_id=7, visit_id=None, directory=tmp_path)
    fields = {"visit.vas": "4.5", "ulcer:L-hallux:length_cm": "3,2", "lab:crp_mg_l:unit": "mg/dL",
              "notes": "Zoë – 東京 🙂", "treatment:exosome_given": True}
    saved = dt.datetime(2026, 11, 27, 9, 30, tzinfo=dt.timezone.utc)
    write_draft(path, fields, patient_id=7, visit_id=None, now=saved)

    draft = read_draft(path)
    assert draft is not None
    assert draft.fields == fields
    assert draft.saved_at == saved
    assert (draft.patient_id, draft.visit_id, draft.base_version) == (7, None, None)


def test_edit_draft_remembers_the_version_it_started_from(tmp_path):
    path = visit_draft_path(db_url=URL, patient_id=7, visit_id=31, directory=tmp_path)
    write_draft(path, {"visit.vas": "2"}, patient_id=7, visit_id=31, base_version=3)
    draft = read_draft(path)
    assert (draft.visit_id, draft.base_version) == (31, 3)


def test_paths_differ_by_database_patient_and_visit(tmp_path):
    def path(url=URL, patient=7, visit=None):
        return visit_draft_path(db_url=url, patient_id=patient, visit_id=visit,
                                directory=tmp_path)

    names = {path(), path(patient=8), path(visit=5), path(url="sqlite:////demo/demo.db")}
    assert len(names) == 4
    assert path() == path()
    assert all(p.parent == tmp_path and p.suffix == ".json" for p in names)


def test_default_folder_is_in_the_user_data_directory(monkeypatch, tmp_path):
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "xdg"))
    folder = drafts.drafts_directory()
    assert folder.is_relative_to(tmp_path / "xdg")
    assert folder.name == "drafts"


def test_rewrite_replaces_the_file_and_leaves_no_temporary_files(tmp_path):
    path = visit_draft_path(db_url=URL, patient_id=1, visit_id=None, directory=tmp_path / "d")
    write_draft(path, {"a": "1"}, patient_id=1, visit_id=None)
    write_draft(path, {"a": "2"}, patient_id=1, visit_id=None)
    assert read_draft(path).fields == {"a": "2"}
    assert sorted(p.name for p in path.parent.iterdir()) == [path.name]


def test_draft_is_private_to_its_owner(tmp_path):
    path = visit_draft_path(db_url=URL, patient_id=1, visit_id=None, directory=tmp_path)
    write_draft(path, {"a": "1"}, patient_id=1, visit_id=None)
    assert stat.S_IMODE(path.stat().st_mode) & 0o077 == 0


def test_write_is_synced_then_renamed_over_the_old_draft(tmp_path, monkeypatch):
    """The new content reaches the disk (fsync) before it replaces the old file (rename)."""
    path = visit_draft_path(db_url=URL, patient_id=1, visit_id=None, directory=tmp_path)
    write_draft(path, {"a": "old"}, patient_id=1, visit_id=None)
    calls: list[str] = []
    real_fsync, real_replace = os.fsync, os.replace
    monkeypatch.setattr(files.os, "fsync", lambda fd: (calls.append("fsync"), real_fsync(fd)))
    monkeypatch.setattr(files.os, "replace",
                        lambda a, b: (calls.append("replace"), real_replace(a, b)))
    write_draft(path, {"a": "new"}, patient_id=1, visit_id=None)
    assert calls[:2] == ["fsync", "replace"]
    assert read_draft(path).fields == {"a": "new"}


def test_failed_write_keeps_the_previous_draft(tmp_path, monkeypatch):
    path = visit_draft_path(db_url=URL, patient_id=1, visit_id=None, directory=tmp_path)
    write_draft(path, {"a": "old"}, patient_id=1, visit_id=None)

    def disk_full(fd):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(files.os, "fsync", disk_full)
    with pytest.raises(OSError):
        write_draft(path, {"a": "new"}, patient_id=1, visit_id=None)
    assert read_draft(path).fields == {"a": "old"}
    assert sorted(p.name for p in tmp_path.iterdir()) == [path.name]


@pytest.mark.parametrize("content", ["", "{not json", "[]", json.dumps({"fields": {}}),
                                     json.dumps({"kind": "dfu-monitor visit draft", "format": 99,
                                                 "fields": {}})])
def test_damaged_or_foreign_files_are_not_drafts(tmp_path, content):
    path = tmp_path / "visit.json"
    path.write_text(content, encoding="utf-8")
    assert read_draft(path) is None


def test_discard_removes_the_draft_once(tmp_path):
    path = visit_draft_path(db_url=URL, patient_id=1, visit_id=None, directory=tmp_path)
    assert read_draft(path) is None
    write_draft(path, {"a": "1"}, patient_id=1, visit_id=None)
    assert discard_draft(path) is True
    assert read_draft(path) is None
    assert discard_draft(path) is False


def test_drafts_are_keyed_on_the_database_without_its_password(tmp_path):
    from app.services.drafts import visit_draft_path

    def path(password: str):
        return visit_draft_path(db_url=f"postgresql+psycopg://nurse:{password}@host/dfu",
                                patient_id=7, visit_id=None)

    assert path("old secret") == path("new secret")
    assert "secret" not in str(path("old secret"))
