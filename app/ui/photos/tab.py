"""The Photos tab of the chart (`photosTab`): per ulcer episode a timeline strip of its photos
(date, day since baseline, area, or "not calibrated"), adding a photo (button, drop, Ctrl+V),
and any two photos compared at one real-world scale or overlaid (app.ui.photos.compare).

Loaded on the window's runner when the tab is shown or the patient's photos change. The tab's
widgets, and the modules behind them (adding, managing and comparing photos), are built the
first time it is shown or one of them is used: the window's first paint does not wait for them.
"""
from __future__ import annotations

from PySide6.QtCore import QSize, Qt, Signal
from PySide6.QtGui import QIcon, QKeySequence, QPixmap, QShortcut
from PySide6.QtWidgets import (
    QAbstractItemView,
    QApplication,
    QCheckBox,
    QComboBox,
    QHBoxLayout,
    QLabel,
    QListView,
    QListWidget,
    QListWidgetItem,
    QMainWindow,
    QPushButton,
    QScrollArea,
    QSplitter,
    QVBoxLayout,
    QWidget,
)

from app.services.patient_chart import PatientChart

PHOTO_ROLE = Qt.ItemDataRole.UserRole + 1
THUMB = 128
# What PhotosTab builds on first use (_ensure_built); reading one of them builds the tab.
BUILT_ON_FIRST_USE = frozenset({
    "adder", "actions", "assessment_combo", "add_button", "compare_button", "overlay_check",
    "edit_button", "primary_button", "remove_button", "overview_text", "summary", "strip_box",
    "strip_layout", "compare_view"})


def photo_caption(record, baseline) -> str:
    """'2026-11-20 · day 14 · 3.42 cm²' (or 'not calibrated', 'not outlined')."""
    parts = [record.visit_date.isoformat()]
    if baseline is not None:
        parts.append(f"day {(record.visit_date - baseline).days}")
    if not record.calibrated:
        parts.append("not calibrated")
    elif record.area_cm2 is None:
        parts.append("not outlined")
    else:
        parts.append(f"{record.area_cm2:.2f} cm²")
    return " · ".join(parts)


def load_photos(session, patient_id: int):
    """The patient's photos with their thumbnails (database worker)."""
    from app.services.photos import list_photos, photo_thumbnail

    records = list_photos(session, patient_id=patient_id)
    return patient_id, [(r, photo_thumbnail(session, r.id)) for r in records]


class PhotosTab(QWidget):
    """Every photo of the current patient, by episode."""

    loaded = Signal(int)  # photos shown
    compared = Signal(int)  # photos in the comparison

    def __init__(self, window: QMainWindow):
        super().__init__()
        self.setObjectName("photosTab")
        self.setAcceptDrops(True)
        self.window_ = window
        self.chart: PatientChart | None = None
        self.records: dict[int, object] = {}
        self.strips: dict[int, QListWidget] = {}  # ulcer id -> strip
        self.shown_patient_id: int | None = None
        self.pending_assessment: int | None = None
        self.built = False
        QShortcut(QKeySequence.StandardKey.Paste, self, activated=self.paste)

    def __getattr__(self, name: str):
        """A widget or helper of BUILT_ON_FIRST_USE read before the tab was built builds it."""
        if name in BUILT_ON_FIRST_USE and not self.__dict__.get("built", True):
            self._ensure_built()
            return getattr(self, name)
        raise AttributeError(f"{type(self).__name__!r} object has no attribute {name!r}")

    def showEvent(self, event) -> None:  # noqa: N802 (Qt's name)
        self._ensure_built()
        super().showEvent(event)

    def _ensure_built(self) -> None:
        """The adder, the photo actions and the widgets, once (first show or first use)."""
        if self.built:
            return
        from app.ui.photos.adding import PhotoAdder
        from app.ui.photos.manage import PhotoActions

        self.built = True
        window = self.window_
        self.adder = PhotoAdder(window.runner, window.actor, self)
        self.actions = PhotoActions(window.runner, window.actor, self)
        self.actions.done.connect(lambda text: window.statusBar().showMessage(text, 6000))
        self.adder.attached.connect(
            lambda _r: window.statusBar().showMessage(self.tr("Photo attached"), 6000))
        self.adder.signed = self.actions.signed = self.is_signed
        self._build()

    # -- layout -----------------------------------------------------------------------------
    def _build(self) -> None:
        from app.ui.photos.compare import PhotoCompareView

        bar = QHBoxLayout()
        bar.addWidget(QLabel(self.tr("Attach to:")))
        self.assessment_combo = QComboBox()
        self.assessment_combo.setObjectName("photoAssessment")
        self.assessment_combo.setMinimumWidth(260)
        bar.addWidget(self.assessment_combo)
        self.add_button = self._button(bar, "addPhotoButton", self.tr("Add photo…"),
                                       self.tr("Add a photo from a file; or drop one here, or "
                                               "paste it (Ctrl+V)"), self.choose_file)
        bar.addStretch(1)
        tools = QHBoxLayout()
        self.compare_button = self._button(tools, "comparePhotos", self.tr("Compare"),
                                           self.tr("Select two photos (Ctrl+click)"),
                                           self.compare)
        self.overlay_check = QCheckBox(self.tr("Overlay the earlier outline"))
        self.overlay_check.setObjectName("photoOverlay")
        self.overlay_check.toggled.connect(lambda _on: self.compare())
        tools.addWidget(self.overlay_check)
        tools.addStretch(1)
        self.edit_button = self._button(tools, "editOutline", self.tr("Edit outline…"), "",
                                        lambda: self._with_one(self.actions.edit_outline))
        self.primary_button = self._button(tools, "makePrimary", self.tr("Make primary"), "",
                                           lambda: self._with_one(self.actions.make_primary))
        self.remove_button = self._button(tools, "removePhoto", self.tr("Remove…"), "",
                                          lambda: self._with_one(self.actions.remove))
        self.overview_text = self.tr("Select a patient to see their wound photos.")
        self.summary = QLabel(self.overview_text)
        self.summary.setObjectName("photosSummary")
        self.strip_box = QWidget()
        self.strip_layout = QVBoxLayout(self.strip_box)
        self.strip_layout.setContentsMargins(0, 0, 0, 0)
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setWidget(self.strip_box)
        self.compare_view = PhotoCompareView()
        splitter = QSplitter(Qt.Orientation.Vertical)
        splitter.addWidget(scroll)
        splitter.addWidget(self.compare_view)
        splitter.setSizes([250, 400])
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.addLayout(bar)
        layout.addLayout(tools)
        layout.addWidget(self.summary)
        layout.addWidget(splitter, 1)
        self._update_buttons()

    def minimumSizeHint(self) -> QSize:  # noqa: N802 (Qt's name)
        """Small: the tab never widens the window (the bar's buttons may be squeezed)."""
        return QSize(480, 320)

    def _button(self, bar, name: str, text: str, tip: str, slot) -> QPushButton:
        button = QPushButton(text)
        button.setObjectName(name)
        button.setToolTip(tip)
        button.clicked.connect(slot)
        bar.addWidget(button)
        return button

    # -- data -------------------------------------------------------------------------------
    def show_chart(self, chart: PatientChart) -> None:
        """A chart arrived (the tab is visible): list its assessments, reload its photos."""
        self.chart = chart
        self.follow_actor()
        self._fill_assessments(chart)
        patient_id = chart.history.patient.id
        self.window_.runner.read("photos", lambda s: load_photos(s, patient_id), self._loaded,
                                 parent=self)

    def _fill_assessments(self, chart: PatientChart) -> None:
        previous = self.assessment_combo.currentData()
        self.assessment_combo.clear()
        rows = sorted(((a.on, e.label, a.id) for e in chart.history.episodes
                       for a in e.assessments), reverse=True)
        for on, label, assessment_id in rows:
            self.assessment_combo.addItem(f"{on.isoformat()} · {label}", assessment_id)
        index = self.assessment_combo.findData(previous)
        self.assessment_combo.setCurrentIndex(max(index, 0))
        self.add_button.setEnabled(bool(rows) and self.window_.actor.can("record"))

    def _loaded(self, result) -> None:
        patient_id, items = result
        if self.chart is None or patient_id != self.chart.history.patient.id:
            return
        self.shown_patient_id = patient_id
        self.records = {record.id: record for record, _ in items}
        for strip in self.strips.values():
            strip.deleteLater()
        self.strips.clear()
        while self.strip_layout.count():
            item = self.strip_layout.takeAt(0)
            if item.widget() is not None:
                item.widget().deleteLater()
        by_assessment = {a.id: e for e in self.chart.history.episodes for a in e.assessments}
        for episode in self.chart.history.episodes:
            photos = [(r, t) for r, t in items if by_assessment.get(r.assessment_id) is episode]
            if photos:
                self._add_strip(episode, photos)
        self.strip_layout.addStretch(1)
        count = (self.tr("1 photo") if len(items) == 1
                 else self.tr("{0} photos").format(len(items)))
        self.overview_text = self.tr(
            "{0}. Select two (Ctrl+click) to compare them at the same scale."
        ).format(count) if items else self.tr(
            "No photo yet. Add one with \"Add photo…\", drop a photo here or paste it (Ctrl+V).")
        self._update_buttons()
        self.loaded.emit(len(items))

    def _add_strip(self, episode, photos) -> None:
        baseline = episode.assessments[0].on if episode.assessments else None
        title = QLabel(f"<b>{episode.label}</b>")
        strip = QListWidget()
        strip.setObjectName(f"photoStrip_{episode.ulcer_id}")
        strip.setViewMode(QListView.ViewMode.IconMode)
        strip.setFlow(QListView.Flow.LeftToRight)
        strip.setWrapping(False)
        strip.setIconSize(QSize(THUMB, THUMB))
        strip.setFixedHeight(THUMB + 74)
        strip.setVerticalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        strip.setSpacing(6)
        strip.setMovement(QListView.Movement.Static)
        strip.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
        for record, thumbnail in photos:
            pixmap = QPixmap()
            pixmap.loadFromData(thumbnail)
            text = photo_caption(record, baseline).replace(" · ", "\n", 1)
            if record.is_primary and len([r for r, _ in photos
                                          if r.assessment_id == record.assessment_id]) > 1:
                text += " ★"
            item = QListWidgetItem(QIcon(pixmap), text)
            item.setData(PHOTO_ROLE, record.id)
            item.setToolTip(self._tooltip(record))
            item.setSizeHint(QSize(THUMB + 40, THUMB + 48))
            strip.addItem(item)
        strip.itemSelectionChanged.connect(self._update_buttons)
        strip.itemActivated.connect(lambda item: self._with_record(
            self.actions.edit_outline, self.records[item.data(PHOTO_ROLE)]))  # Enter, dbl-click
        self.strip_layout.addWidget(title)
        self.strip_layout.addWidget(strip)
        self.strips[episode.ulcer_id] = strip

    def _details(self, record) -> str:
        """One selected photo in a line: its sizes and how it was calibrated."""
        c = record.calibration
        how = self.tr("not calibrated (documentation only)") if c is None else \
            self.tr("card, camera tilt {0:.0f}°").format(c.tilt_deg) if c.method == "card" \
            else self.tr("two-point ruler")
        size = "" if record.area_cm2 is None else self.tr(
            "{0:.2f} cm², perimeter {1:.2f} cm, {2:.2f} × {3:.2f} cm · ").format(
            record.area_cm2, record.perimeter_cm, record.length_cm, record.width_cm)
        return f"{record.visit_date.isoformat()} · {record.site}: {size}{how}" + (
            self.tr(" · primary") if record.is_primary else "")

    def _tooltip(self, record) -> str:
        lines = [f"{record.visit_date.isoformat()} · {record.site}", record.file_name or ""]
        if record.calibrated and record.area_cm2 is not None:
            lines.append(f"area {record.area_cm2:.2f} cm², perimeter {record.perimeter_cm:.2f} "
                         f"cm, {record.length_cm:.2f} × {record.width_cm:.2f} cm")
        elif not record.calibrated:
            lines.append(self.tr("not calibrated (documentation only)"))
        lines.append(self.tr("Double-click or Enter to edit the outline"))
        return "\n".join(x for x in lines if x)

    # -- selection --------------------------------------------------------------------------
    def selected_records(self) -> list:
        ids = [item.data(PHOTO_ROLE) for strip in self.strips.values()
               for item in strip.selectedItems()]
        return sorted((self.records[i] for i in ids), key=lambda r: (r.visit_date, r.id))

    def select_photos(self, photo_ids) -> None:
        wanted = set(photo_ids)
        for strip in self.strips.values():
            for n in range(strip.count()):
                item = strip.item(n)
                item.setSelected(item.data(PHOTO_ROLE) in wanted)

    def show_assessment(self, assessment_id: int) -> bool:
        """Select the (primary) photo of an assessment, e.g. from the healing curve."""
        found = [r for r in self.records.values() if r.assessment_id == assessment_id]
        if not found:
            return False
        record = next((r for r in found if r.is_primary), found[0])
        self.select_photos([record.id])
        self.compare()
        return True

    def _with_one(self, act) -> None:
        chosen = self.selected_records()
        if len(chosen) == 1:
            self._with_record(act, chosen[0])

    def _with_record(self, act, record) -> None:
        self.follow_actor()
        act(record)

    def follow_actor(self) -> None:
        """Add, outline and remove as the user signed in now: after "Switch user" on the lock
        screen the window acts for someone else (the tab was built for the first user)."""
        self.adder.actor = self.actions.actor = self.window_.actor

    def _update_buttons(self) -> None:
        chosen = self.selected_records() if self.strips else []
        count = len(chosen)
        self.summary.setText(self._details(chosen[0]) if count == 1 else self.overview_text)
        self.compare_button.setEnabled(count in (1, 2))
        for button in (self.edit_button, self.primary_button, self.remove_button):
            button.setEnabled(count == 1 and self.window_.actor.can("record"))

    # -- comparison -------------------------------------------------------------------------
    def compare(self) -> None:
        """The selected two photos (or one, with the episode's photo before it in overlay)."""
        chosen = self.selected_records()
        if len(chosen) == 1 and self.overlay_check.isChecked():
            earlier = [r for r in self.records.values() if r.site == chosen[0].site
                       and (r.visit_date, r.id) < (chosen[0].visit_date, chosen[0].id)]
            if earlier:
                chosen = [max(earlier, key=lambda r: (r.visit_date, r.id)), chosen[0]]
        if not 1 <= len(chosen) <= 2:
            return
        from app.services.photos import photo_working
        from app.ui.photos.compare import build_comparison

        overlay = self.overlay_check.isChecked()
        captions = {r.id: photo_caption(r, None) for r in chosen}
        runner = self.window_.runner

        def read(session):
            return [(r, photo_working(session, r.id), captions[r.id]) for r in chosen]

        runner.read("photo-compare", read,
                    lambda items: runner.background(
                        "photo-compare", lambda: build_comparison(items),
                        lambda views: self._compared(views, overlay), parent=self), parent=self)

    def _compared(self, views, overlay: bool) -> None:
        self.compare_view.show_views(views, overlay=overlay)
        self.compared.emit(len(views))

    def is_signed(self, assessment_id: int) -> bool:
        """Whether the assessment's visit is signed (a change then needs a reason)."""
        if self.chart is None:
            return False
        history = self.chart.history
        visit_id = next((a.visit_id for e in history.episodes for a in e.assessments
                         if a.id == assessment_id), None)
        return any(v.id == visit_id and v.signed_at is not None for v in history.visits)

    # -- adding -----------------------------------------------------------------------------
    def target(self):
        self.follow_actor()
        assessment_id = self.assessment_combo.currentData()
        if self.chart is None or assessment_id is None:
            return None
        return (self.chart.history.patient.id, int(assessment_id),
                self.assessment_combo.currentText())

    def choose_file(self) -> None:
        self.adder.choose_file(self.target)

    def paste(self) -> None:
        self.adder.add_mime(QApplication.clipboard().mimeData(), self.target)

    def dragEnterEvent(self, event) -> None:  # noqa: N802 (Qt's name)
        from app.ui.photos.adding import can_take

        if can_take(event.mimeData()):
            event.acceptProposedAction()

    def dropEvent(self, event) -> None:  # noqa: N802 (Qt's name)
        if self.adder.add_mime(event.mimeData(), self.target):
            event.acceptProposedAction()
