"""The visit form's "Add photo…" in each ulcer section (`ulcer_<site>`).

The photo is decoded and outlined as from the chart (app.ui.photos.adding); its sizes fill the
section's length, width and traced area with "Measured by: photo", and confirmed tissue colours
its tissue %. The nurse may type over them. The photo itself is attached when the visit is
saved (the assessment exists only then), without filling the sizes again: what the form saved
stands, and the photo keeps its own measurement beside it.
"""
from __future__ import annotations

from PySide6.QtCore import QEvent, QObject, QTimer
from PySide6.QtWidgets import QHBoxLayout, QLabel, QPushButton, QWidget

from app.services.changes import Changes


class SectionPhotos(QObject):
    """The photos waiting in one ulcer section for the visit to be saved."""

    def __init__(self, section: QWidget):
        super().__init__(section)
        self.section = section
        self.pending: list = []  # PreparedPhoto
        self.button = QPushButton(self.tr("Add photo…"))
        self.button.setObjectName("addPhotoButton")
        self.button.setToolTip(self.tr("Measure this ulcer on a photo (or drop a photo on this "
                                       "section)"))
        self.button.clicked.connect(self.choose_file)
        self.label = QLabel()
        self.label.setObjectName("photoPending")
        self.label.setStyleSheet("color: #555;")
        self.adder = None
        self.attached = 0  # photos the saved assessment already has
        section.setAcceptDrops(True)
        section.installEventFilter(self)

    def _dialog(self):
        return self.section.window()

    def _adder(self):
        from app.ui.photos.adding import PhotoAdder

        if self.adder is None:
            dialog = self._dialog()
            self.adder = PhotoAdder(dialog.runner, dialog.actor, self.section, keep=self.keep)
        return self.adder

    def target(self):
        dialog = self._dialog()
        site = getattr(self.section, "site", "") or ""
        if not site:
            return None
        return dialog.patient_id, 0, site

    def choose_file(self) -> None:
        if self.target() is None:
            self._adder().refuse(self.tr("Type the new ulcer's site first."))
            return
        self._adder().choose_file(self.target)

    def eventFilter(self, watched, event) -> bool:  # noqa: N802 (Qt's name)
        from app.ui.photos.adding import can_take

        kind = event.type()
        if kind in (QEvent.Type.DragEnter, QEvent.Type.DragMove) and can_take(event.mimeData()):
            event.acceptProposedAction()
            return True
        if kind == QEvent.Type.Drop and self._adder().add_mime(event.mimeData(), self.target):
            event.acceptProposedAction()
            return True
        return False

    # -- results ----------------------------------------------------------------------------
    def keep(self, prepared, tissue) -> None:
        """Fill the section from the editor's result and hold the photo until the save."""
        from app.services.photo_review import tissue_values

        sha = prepared.analysis.photo.sha256
        if any(p.analysis.photo.sha256 == sha for p in self.pending):
            self._adder().refuse(self.tr("This photo is already added to this ulcer."))
            return
        self.pending.append(prepared)
        m = prepared.analysis.measurement
        slots = self.section.slots
        if m is not None:
            for field, value in (("length_cm", m.length_cm), ("width_cm", m.width_cm),
                                 ("traced_area_cm2", m.area_cm2)):
                slots[field].editor.setText(f"{value:.2f}")
            _set_choice(slots["method"].editor, "photo")
        if tissue is not None:
            for field, value in tissue_values(tissue).items():
                slots[field].editor.setText(f"{value:g}")
        self._show()
        self._connect_save()
        if not getattr(self, "_watching", False):
            self._watching = True
            for field in ("length_cm", "width_cm", "traced_area_cm2"):
                slots[field].editor.textEdited.connect(lambda _t: self.pending and self._show())

    def show_attached(self, assessment_id: int) -> None:
        """Read (on the runner) how many photos the saved assessment has, and say so."""
        from app.services.photos import list_photos

        dialog = self._dialog()
        runner = getattr(dialog, "runner", None)
        if runner is None:
            return
        patient_id = dialog.patient_id

        def shown(count: int) -> None:
            self.attached = count
            if count and not self.pending:
                self.label.setText(self.tr("1 photo attached (chart ▸ Photos)") if count == 1
                                   else self.tr("{0} photos attached (chart ▸ Photos)")
                                   .format(count))

        runner.read(f"section-photos-{id(self)}", lambda session: len(list_photos(
            session, patient_id=patient_id, assessment_id=assessment_id)), shown,
            on_error=lambda _e: None, parent=self.section)

    def _show(self) -> None:
        count = len(self.pending)
        text = (self.tr("1 photo to attach when the visit is saved") if count == 1
                else self.tr("{0} photos to attach when the visit is saved").format(count))
        m = self.pending[-1].analysis.measurement if self.pending else None
        text += f" · {m.area_cm2:.2f} cm²" if m else self.tr(" · not calibrated") \
            if self.pending else ""
        typed = self.section.slots["traced_area_cm2"].editor.text().strip()
        if m is not None and typed != f"{m.area_cm2:.2f}":
            text += self.tr(" · typed over: the form's sizes are saved, the photo keeps its own")
        self.label.setText(text)

    def _connect_save(self) -> None:
        dialog = self._dialog()
        if hasattr(dialog, "saved") and not getattr(self, "_connected", False):
            dialog.saved.connect(self.attach_all)
            self._connected = True

    def attach_all(self, visit_id: int) -> None:
        """The visit is saved: attach the waiting photos to its assessment of this site."""
        from app.services.photo_review import attach_to_visit
        from app.ui.dbops import show_error

        dialog = self._dialog()
        runner, actor, patient_id = dialog.runner, dialog.actor, dialog.patient_id
        site = self.section.site
        for prepared in self.pending:
            runner.write(lambda session, p=prepared: attach_to_visit(
                session, p, visit_id=visit_id, site=site, actor=actor),
                changes=lambda record: Changes.of(patients=[patient_id], photos=[record.id]),
                on_error=lambda error: show_error(None, error))
        self.pending = []


def _set_choice(combo, value: str) -> None:
    index = combo.findData(value)
    if index >= 0:
        combo.setCurrentIndex(index)


def add_photo_row(section: QWidget) -> SectionPhotos:
    """Put "Add photo…" at the bottom of an ulcer section (app.ui.visit.sections); an edited
    visit's section also says how many photos its assessment already has."""
    photos = SectionPhotos(section)
    row = QHBoxLayout()
    row.addWidget(photos.button)
    row.addWidget(photos.label, 1)
    section.layout().addLayout(row)
    section.photos = photos
    current = getattr(getattr(section, "choice", None), "current", None)
    if current is not None:
        QTimer.singleShot(0, photos, lambda: photos.show_attached(current.id))
    return photos
