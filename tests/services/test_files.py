"""The one atomic writer every export, report, sheet and draft goes through."""
from __future__ import annotations

import pytest

from app.services import files
from app.services.errors import UserError
from app.services.files import CannotWrite, atomic_output, write_text_atomically


def test_error_mid_write_leaves_the_old_file_whole(tmp_path):
    target = tmp_path / "export.csv"
    target.write_text("old, complete\n", encoding="utf-8")
    with pytest.raises(RuntimeError):
        with atomic_output(target) as out:
            out.write("new, half")
            raise RuntimeError("crash in the middle")
    assert target.read_text(encoding="utf-8") == "old, complete\n"
    assert [p.name for p in tmp_path.iterdir()] == ["export.csv"]


def test_disk_error_is_a_user_error_and_an_os_error(tmp_path, monkeypatch):
    def disk_full(fd):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(files.os, "fsync", disk_full)
    with pytest.raises(CannotWrite, match="No space left") as exc:
        write_text_atomically(tmp_path / "a.txt", "x")
    assert isinstance(exc.value, UserError) and isinstance(exc.value, OSError)
    assert list(tmp_path.iterdir()) == []


def test_folder_and_missing_parent_are_refused(tmp_path):
    with pytest.raises(CannotWrite, match="is a folder"):
        write_text_atomically(tmp_path, "x")
    with pytest.raises(CannotWrite, match="does not exist"):
        write_text_atomically(tmp_path / "nope" / "a.txt", "x")


def test_private_files_are_owner_only(tmp_path):
    write_text_atomically(tmp_path / "draft.json", "{}", private=True)
    assert (tmp_path / "draft.json").stat().st_mode & 0o077 == 0
