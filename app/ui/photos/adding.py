"""Adding a photo to an assessment: from a file dialog, a drop or the clipboard, through the
outline editor, attached in one runner write.

The file is read and decoded on the runner's background thread (app.services.photos.
prepare_photo is pure); a bad file (empty, truncated, too large, not an image, a PDF renamed
.jpg) or the same photo twice shows its message and attaches nothing.
"""
from __future__ import annotations

import dataclasses
from pathlib import Path
from typing import Callable

from PySide6.QtCore import QBuffer, QIODevice, QMimeData, QObject, Signal
from PySide6.QtGui import QImage
from PySide6.QtWidgets import QFileDialog, QMessageBox, QWidget

from app.services.changes import Changes

PHOTO_FILTER = "Photos (*.jpg *.jpeg *.png *.heic *.heif *.JPG *.JPEG *.PNG *.HEIC)"
MAX_FILE_BYTES = 200 * 1024 * 1024  # a photo file larger than this is refused unread
PHOTO_SUFFIXES = (".jpg", ".jpeg", ".png", ".heic", ".heif")


def read_photo_file(path: Path) -> bytes:
    """The bytes of a photo file, refusing a file too large to be a photo (any thread)."""
    from app.imaging.decode import PhotoError

    try:
        size = path.stat().st_size
        if size > MAX_FILE_BYTES:
            raise PhotoError(f"{path.name} is {size / 1e6:.0f} MB: too large for a photo.")
        return path.read_bytes()
    except OSError as error:
        raise PhotoError(f"{path.name} could not be read: {error.strerror or error}") from error


def photos_in_mime(mime: QMimeData) -> tuple[list[Path], bytes | None]:
    """The local files (dropped or pasted file URLs), or image bytes copied as an image."""
    paths = [Path(url.toLocalFile()) for url in mime.urls() if url.isLocalFile()]
    if paths:
        return paths, None
    for kind in ("image/jpeg", "image/png", "image/heic"):
        if mime.hasFormat(kind):
            return [], bytes(mime.data(kind).data())
    if mime.hasImage():
        image = QImage(mime.imageData())
        buffer = QBuffer()
        buffer.open(QIODevice.OpenModeFlag.WriteOnly)
        image.save(buffer, "PNG")
        return [], bytes(buffer.data().data())
    return [], None


def can_take(mime: QMimeData) -> bool:
    return mime.hasImage() or any(url.isLocalFile() for url in mime.urls())


class PhotoAdder(QObject):
    """One 'add a photo' at a time for a widget: choose → decode → edit → attach."""

    attached = Signal(object)  # PhotoRecord
    refused = Signal(str)  # the message shown
    editor_opened = Signal(object)  # PhotoOutlineEditor

    def __init__(self, runner, actor, parent: QWidget, *, keep=None):
        super().__init__(parent)
        self.runner, self.actor, self.widget = runner, actor, parent
        self.keep = keep  # keep(prepared, tissue) instead of attaching now (the visit form)
        self.signed: Callable[[int], bool] = lambda _assessment_id: False
        self.editor = None
        self._count = 0
        self.message_box: QMessageBox | None = None
        self.prepared = None

    # -- sources ----------------------------------------------------------------------------
    def choose_file(self, target: Callable[[], tuple[int, int, str] | None]) -> None:
        """A file dialog; `target()` gives (patient id, assessment id, title) when chosen."""
        path, _ = QFileDialog.getOpenFileName(self.widget, self.tr("Add a wound photo"),
                                              str(Path.home()), self.tr(PHOTO_FILTER))
        if path:
            self.add_path(Path(path), target)

    def add_mime(self, mime: QMimeData, target) -> bool:
        paths, data = photos_in_mime(mime)
        if paths:
            self.add_path(paths[0], target)
            return True
        if data is not None:
            self.add_bytes(data, "pasted photo", target)
            return True
        return False

    def add_path(self, path: Path, target) -> None:
        self._prepare(lambda: read_photo_file(path), path.name, target)

    def add_bytes(self, data: bytes, name: str | None, target) -> None:
        self._prepare(lambda: data, name, target)

    # -- steps ------------------------------------------------------------------------------
    def _prepare(self, read: Callable[[], bytes], name: str | None, target) -> None:
        from app.services.photos import prepare_photo
        from app.ui.photos.editor import editor_photo_from_prepared

        chosen = target()
        if chosen is None:
            self.refuse(self.tr("Choose the assessment (visit and ulcer) the photo belongs "
                                "to first."))
            return

        def work():
            prepared = prepare_photo(read(), file_name=name)
            return prepared, editor_photo_from_prepared(prepared, chosen[2])

        self._count += 1  # a channel per photo: a second drop never hides the first
        self.runner.background(f"photo-prepare-{id(self)}-{self._count}", work,
                               lambda result: self._edit(*result, chosen),
                               on_error=self._failed, parent=self.widget)

    def _edit(self, prepared, photo, chosen: tuple[int, int, str]) -> None:
        from app.ui.photos.editor import PhotoOutlineEditor

        self.prepared = prepared
        editor = PhotoOutlineEditor(self.runner, photo, self.widget)
        self.editor = editor
        editor.accepted.connect(lambda: self._attach(prepared, editor, chosen))
        editor.open()
        self.editor_opened.emit(editor)

    def _attach(self, prepared, editor, chosen: tuple[int, int, str]) -> None:
        from app.services.photo_review import attach_reviewed

        patient_id, assessment_id, _title = chosen
        final, tissue, actor = prepared_with(prepared, editor), editor.confirmed_tissue, self.actor
        if self.keep is not None:
            self.keep(final, tissue)
            return
        reason = None
        if self.signed(assessment_id):
            reason = ask_reason(self.widget)
            if reason is None:
                self.refuse(self.tr("The visit is signed: a change needs a reason."))
                return
        self.runner.write(
            lambda session: attach_reviewed(session, final, assessment_id=assessment_id,
                                            actor=actor, tissue=tissue, reason=reason),
            changes=lambda record: Changes.of(patients=[patient_id], photos=[record.id]),
            on_done=self.attached.emit, on_error=self._failed, parent=self.widget)

    def _failed(self, error: Exception) -> None:
        from app.ui.dbops import user_message

        text = str(error) if isinstance(error, ValueError) else user_message(error)
        self.refuse(self.tr("The photo was not attached. {0}").format(text))

    def refuse(self, text: str) -> None:
        """Say why nothing was attached (a window-modal box that does not block the loop)."""
        box = QMessageBox(QMessageBox.Icon.Warning, self.tr("Photo not attached"), text,
                          QMessageBox.StandardButton.Ok, self.widget)
        box.setObjectName("photoMessage")
        self.message_box = box
        box.open()
        self.refused.emit(text)


def prepared_with(prepared, editor):
    """The PreparedPhoto to attach: the editor's outline, calibration and measurement."""
    calibration = None if editor.unmeasured.isChecked() else editor.calibration
    analysis = dataclasses.replace(prepared.analysis, calibration=calibration,
                                   outline_px=editor.outline_full,
                                   measurement=editor.measurement if calibration else None)
    return dataclasses.replace(prepared, analysis=analysis,
                               outline_source=editor.outline_source or
                               ("hand" if editor.outline else None))


def ask_reason(parent: QWidget) -> str | None:
    """The reason for changing a signed visit (None: the nurse cancelled or gave none)."""
    from PySide6.QtWidgets import QInputDialog

    text, ok = QInputDialog.getText(parent, parent.tr("Signed visit"), parent.tr(
        "This visit is signed. Why are its sizes changed? (kept in the audit trail)"))
    return text.strip() if ok and text.strip() else None
