"""An attached photo: correct its outline in the editor, make it primary, remove it with a
reason. Each is one runner write announcing the patient and the photo."""
from __future__ import annotations

from PySide6.QtCore import QObject, Signal
from PySide6.QtWidgets import QInputDialog, QWidget

from app.services.changes import Changes


def load_editor_photo(session, record):
    """The working copy's bytes of an attached photo (database worker)."""
    from app.services.photos import photo_working

    return photo_working(session, record.id)


def editor_photo_of(record, working_jpeg: bytes):
    """Decode the working copy and describe it for the editor (background thread)."""
    from app.imaging.views import decode_rgb
    from app.ui.photos.canvas import image_to_qimage
    from app.ui.photos.editor import EditorPhoto

    working = decode_rgb(working_jpeg)
    scale = record.width_px / working.shape[1]
    title = f"{record.visit_date.isoformat()} · {record.site}"
    return EditorPhoto(working=working, working_scale=scale, calibration=record.calibration,
                       outline_full=list(record.outline) if record.outline else None,
                       title=title, can_calibrate=False, qimage=image_to_qimage(working))


class PhotoActions(QObject):
    """Edit outline / primary / remove for the photos of one window."""

    done = Signal(str)  # what was done, for the status line
    editor_opened = Signal(object)

    def __init__(self, runner, actor, parent: QWidget):
        super().__init__(parent)
        self.runner, self.actor, self.widget = runner, actor, parent
        self.editor = None
        self.signed = lambda _assessment_id: False  # is the assessment's visit signed?

    def edit_outline(self, record) -> None:
        self.runner.read("photo-working", lambda s: load_editor_photo(s, record),
                         lambda data: self.runner.background(
                             "photo-decode", lambda: editor_photo_of(record, data),
                             lambda photo: self._open_editor(record, photo),
                             parent=self.widget), parent=self.widget)

    def _open_editor(self, record, photo) -> None:
        from app.ui.photos.editor import PhotoOutlineEditor

        editor = PhotoOutlineEditor(self.runner, photo, self.widget)
        self.editor = editor
        editor.accepted.connect(lambda: self._save_outline(record, editor))
        editor.open()
        self.editor_opened.emit(editor)

    def _save_outline(self, record, editor) -> None:
        from app.services.photo_review import save_outline

        outline = editor.outline_full
        if not outline:
            return
        from app.ui.photos.adding import ask_reason

        actor, tissue, source = self.actor, editor.confirmed_tissue, editor.outline_source or "hand"
        reason = ask_reason(self.widget) if self.signed(record.assessment_id) else None
        if self.signed(record.assessment_id) and reason is None:
            return
        self.runner.write(
            lambda session: save_outline(session, record.id, outline, actor=actor, source=source,
                                         tissue=tissue, reason=reason),
            changes=Changes.of(patients=[record.patient_id], photos=[record.id]),
            on_done=lambda _r: self.done.emit(self.tr("Outline saved")), parent=self.widget)

    def make_primary(self, record) -> None:
        from app.services.photos import set_primary

        actor = self.actor
        self.runner.write(lambda session: set_primary(session, record.id, actor=actor),
                          changes=Changes.of(patients=[record.patient_id], photos=[record.id]),
                          on_done=lambda _r: self.done.emit(self.tr("Primary photo set")),
                          parent=self.widget)

    def remove(self, record, reason: str | None = None) -> None:
        """Take the photo off its assessment; asks for the reason unless given."""
        from app.services.photos import remove_photo

        if reason is None:
            reason, ok = QInputDialog.getText(
                self.widget, self.tr("Remove photo"),
                self.tr("Why is this photo removed? (kept in the records, with your reason)"))
            if not ok:
                return
        actor = self.actor
        self.runner.write(lambda session: remove_photo(session, record.id, actor=actor,
                                                       reason=reason),
                          changes=Changes.of(patients=[record.patient_id], photos=[record.id]),
                          on_done=lambda _r: self.done.emit(self.tr("Photo removed")),
                          parent=self.widget)
