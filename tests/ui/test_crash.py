"""The crash log (app/ui/crash.py): an unhandled exception is logged with its traceback, and the
box names the log's path and the exception's type, never the exception's message."""
from __future__ import annotations

import stat
import sys
import threading
from typing import ClassVar

import pytest

from app.ui import crash

PATIENT = "Jane Roe-Patient"


class FakeBox:
    """Stands in for QMessageBox: records what would have been shown."""

    shown: ClassVar[list[str]] = []
    Icon = crash.QMessageBox.Icon
    StandardButton = crash.QMessageBox.StandardButton

    def __init__(self, icon, title, text, buttons, parent=None):
        self.title, self.text = title, text

    def setTextInteractionFlags(self, flags):
        pass

    def exec(self):
        FakeBox.shown.append(self.text)
        return 0


@pytest.fixture
def handler(qapp, tmp_path, monkeypatch):
    FakeBox.shown = []
    monkeypatch.setattr(crash, "QMessageBox", FakeBox)
    installed = crash.install_crash_handler(tmp_path)
    yield installed
    installed.uninstall()


def raise_and_hook(exc: Exception) -> None:
    try:
        raise exc
    except Exception:  # hand every exception to the hook, as Python would
        sys.excepthook(*sys.exc_info())


def test_gui_thread_exception_writes_a_log_and_shows_its_path(handler, tmp_path):
    assert sys.excepthook == handler.excepthook
    raise_and_hook(ValueError(f"no weight for {PATIENT}"))
    [log] = handler.logs
    assert log.parent == tmp_path / "logs" and log.name.startswith("crash-")
    body = log.read_text(encoding="utf-8")
    assert "Traceback" in body and "raise_and_hook" in body and "ValueError" in body
    assert "DFU Monitor" in body and "Qt " in body and "Python " in body
    assert stat.S_IMODE(log.stat().st_mode) == 0o600
    [text] = FakeBox.shown
    assert str(log) in text and "ValueError" in text
    assert PATIENT not in text and "no weight" not in text


def test_worker_thread_exception_is_shown_on_the_gui_thread(handler, qtbot):
    def work():
        raise RuntimeError(PATIENT)

    worker = threading.Thread(target=work, name="loader")
    worker.start()
    worker.join()
    qtbot.waitUntil(lambda: len(FakeBox.shown) == 1)
    [log] = handler.logs
    assert "Thread: loader" in log.read_text(encoding="utf-8")
    assert "RuntimeError" in FakeBox.shown[0] and PATIENT not in FakeBox.shown[0]


def test_two_crashes_two_logs(handler):
    raise_and_hook(KeyError("a"))
    raise_and_hook(KeyError("b"))
    assert len(set(handler.logs)) == 2 and len(FakeBox.shown) == 2


def test_unwritable_folder_still_tells_the_user(qapp, tmp_path, monkeypatch):
    FakeBox.shown = []
    monkeypatch.setattr(crash, "QMessageBox", FakeBox)
    blocker = tmp_path / "file"
    blocker.write_text("not a folder")
    handler = crash.install_crash_handler(blocker)  # logs/ cannot be made under a file
    try:
        raise_and_hook(ZeroDivisionError(PATIENT))
    finally:
        handler.uninstall()
    assert handler.logs == []
    assert "could not be written" in FakeBox.shown[0] and PATIENT not in FakeBox.shown[0]


def test_uninstall_restores_the_previous_hooks(qapp, tmp_path):
    before, before_thread = sys.excepthook, threading.excepthook
    handler = crash.install_crash_handler(tmp_path)
    handler.uninstall()
    assert sys.excepthook is before and threading.excepthook is before_thread


def test_message_names_type_and_path_only(tmp_path):
    text = crash.crash_message("TypeError", tmp_path / "crash-1.log")
    assert "TypeError" in text and str(tmp_path / "crash-1.log") in text


def test_a_crash_loop_does_not_fill_the_disk(handler, monkeypatch):
    monkeypatch.setattr(crash, "MAX_LOGS", 2)
    for _ in range(5):
        raise_and_hook(OSError(PATIENT))
    assert len(handler.logs) == 2
    assert len(list(handler.log_dir.iterdir())) == 2
    assert handler.logs[-1].read_text(encoding="utf-8").count("again: OSError at") == 3
    assert all(PATIENT not in text for text in FakeBox.shown)
