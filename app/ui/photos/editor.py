"""The outline editor (`photoOutlineEditor`): find, correct or trace a wound's outline on a photo.

The nurse drags a box around the wound or clicks inside it (a proposal arrives from the
runner's background thread), drags vertices, paints areas in or out, or traces by hand. The
area, perimeter, length and width show live in cm when the photo is calibrated (the card, or
two points on a ruler with the distance typed); an uncalibrated photo can still be kept as
documentation. Tissue colours are a suggestion, written only when she ticks to confirm.
Everything here is in working-copy px; the outline leaves in full-resolution px.
"""
from __future__ import annotations

import itertools
from dataclasses import dataclass
from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QButtonGroup,
    QCheckBox,
    QDialog,
    QDialogButtonBox,
    QDoubleSpinBox,
    QGridLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QSpinBox,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from app.imaging.calibrate import Calibration, CalibrationError, ruler_calibration
from app.imaging.measure import WoundMeasurement, measure_outline
from app.ui.photos.canvas import TOOLS, Mode, OutlineCanvas, tissue_text
from app.ui.widgets.fit import resize_to_fit

Point = tuple[float, float]


@dataclass(frozen=True)
class EditorPhoto:
    """What the editor shows: the working copy (RGB array) and how it maps to the original."""

    working: Any  # numpy RGB array
    working_scale: float  # full-resolution px per working px
    calibration: Calibration | None
    outline_full: list[Point] | None = None
    title: str = ""
    can_calibrate: bool = True  # False for an attached photo (its calibration is stored)
    qimage: Any = None  # the working copy as a QImage, made off the GUI thread

    def to_full(self, p: Point) -> Point:
        k = self.working_scale
        return (p[0] + 0.5) * k - 0.5, (p[1] + 0.5) * k - 0.5

    def to_working(self, p: Point) -> Point:
        k = self.working_scale
        return (p[0] + 0.5) / k - 0.5, (p[1] + 0.5) / k - 0.5


class PhotoOutlineEditor(QDialog):
    """Accepted: `outline_full`, `calibration`, `measurement` and `confirmed_tissue` hold the
    result (an outline may be None: the photo kept without one)."""

    outline_changed = Signal()  # a new outline is shown (proposal, edit, paint, trace)
    busy_changed = Signal(bool)

    def __init__(self, runner, photo: EditorPhoto, parent: QWidget | None = None):
        super().__init__(parent)
        self.setObjectName("photoOutlineEditor")
        self.setWindowTitle(self.tr("Wound outline") + (f" — {photo.title}" if photo.title else ""))
        self.runner, self.photo = runner, photo
        self.calibration: Calibration | None = photo.calibration
        self.outline: list[Point] | None = [photo.to_working(p) for p in photo.outline_full] \
            if photo.outline_full else None
        self.outline_source: str | None = None
        self.measurement: WoundMeasurement | None = None
        self.suggested_tissue: dict[str, float] | None = None
        self._jobs, self._serials = 0, itertools.count(1)
        self.canvas = OutlineCanvas(self)
        self.canvas.set_image(photo.working, photo.qimage)
        self._build()
        self.canvas.box_drawn.connect(self._propose_box)
        self.canvas.clicked.connect(self._propose_click)
        self.canvas.outline_edited.connect(self._edited)
        self.canvas.stroke_done.connect(self._painted)
        self.canvas.ruler_changed.connect(lambda _p: self._update_ruler())
        resize_to_fit(self, 1180, 760)  # Save and Cancel on screen at 1280×800 too
        self._show_outline(self.outline, source=None)
        self._show_calibration()
        self.status.setText(self.tr("Drag a box around the wound, or click inside it."))

    # -- layout -----------------------------------------------------------------------------
    def _build(self) -> None:
        side = QVBoxLayout()
        side.addWidget(self._tools_box())
        side.addWidget(self._calibration_box())
        side.addWidget(self._measures_box())
        side.addWidget(self._tissue_box())
        side.addStretch(1)
        self.status = QLabel()
        self.status.setObjectName("photoEditorStatus")
        self.status.setWordWrap(True)
        side.addWidget(self.status)
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Save
                                        | QDialogButtonBox.StandardButton.Cancel)
        self.save_button = self.buttons.button(QDialogButtonBox.StandardButton.Save)
        self.save_button.setObjectName("photoSaveButton")
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        side.addWidget(self.buttons)
        panel = QWidget()
        panel.setLayout(side)
        panel.setFixedWidth(330)
        layout = QHBoxLayout(self)
        layout.addWidget(self.canvas, 1)
        layout.addWidget(panel)

    def _tools_box(self) -> QGroupBox:
        box = QGroupBox(self.tr("Outline"))
        grid = QGridLayout(box)
        self.tool_group = QButtonGroup(self)
        self.tool_buttons: dict[Mode, QToolButton] = {}
        for n, (mode, text, tip, key) in enumerate(TOOLS):
            button = QToolButton()
            button.setText(self.tr(text))
            button.setToolTip(self.tr(tip))
            button.setCheckable(True)
            button.setObjectName(f"tool_{mode.value}")
            button.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextOnly)
            button.setSizePolicy(button.sizePolicy().horizontalPolicy().Expanding,
                                 button.sizePolicy().verticalPolicy())
            button.toggled.connect(lambda on, m=mode: on and self.set_mode(m))
            QShortcut(QKeySequence(key), self, activated=button.click)
            self.tool_group.addButton(button)
            self.tool_buttons[mode] = button
            grid.addWidget(button, n // 2, n % 2)
        self.brush = QSpinBox()
        self.brush.setObjectName("brushSize")
        self.brush.setRange(2, 80)
        self.brush.setValue(12)
        self.brush.setSuffix(self.tr(" px brush"))
        self.brush.valueChanged.connect(lambda v: setattr(self.canvas, "brush_radius", float(v)))
        grid.addWidget(self.brush, 3, 0)
        clear = QPushButton(self.tr("Clear outline"))
        clear.setObjectName("clearOutline")
        clear.clicked.connect(lambda: self._show_outline(None, source=None))
        grid.addWidget(clear, 3, 1)
        zoom = QPushButton(self.tr("&Zoom to wound"))
        zoom.setObjectName("zoomToWound")
        zoom.setToolTip(self.tr("Zoom to the outline; again for the whole photo (Z)"))
        zoom.clicked.connect(self.toggle_zoom)
        QShortcut(QKeySequence("Z"), self, activated=zoom.click)
        grid.addWidget(zoom, 4, 0, 1, 2)
        self._zoomed = False
        self.tool_buttons[Mode.BOX].setChecked(True)
        return box

    def _calibration_box(self) -> QGroupBox:
        box = QGroupBox(self.tr("Scale"))
        layout = QGridLayout(box)
        self.calibration_label = QLabel()
        self.calibration_label.setObjectName("calibrationLabel")
        self.calibration_label.setWordWrap(True)
        layout.addWidget(self.calibration_label, 0, 0, 1, 2)
        self.ruler_distance = QDoubleSpinBox()
        self.ruler_distance.setObjectName("rulerDistance")
        self.ruler_distance.setRange(0.0, 50.0)
        self.ruler_distance.setDecimals(1)
        self.ruler_distance.setSuffix(" cm")
        self.ruler_distance.setToolTip(self.tr("The distance between the two ruler points"))
        self.ruler_distance.valueChanged.connect(lambda _v: self._update_ruler())
        layout.addWidget(QLabel(self.tr("Ruler points apart:")), 1, 0)
        layout.addWidget(self.ruler_distance, 1, 1)
        self.unmeasured = QCheckBox(self.tr("Keep unmeasured (documentation only)"))
        self.unmeasured.setObjectName("keepUnmeasured")
        self.unmeasured.toggled.connect(lambda _on: self._remeasure())
        layout.addWidget(self.unmeasured, 2, 0, 1, 2)
        return box

    def _measures_box(self) -> QGroupBox:
        box = QGroupBox(self.tr("Size on the skin"))
        grid = QGridLayout(box)
        self.measure_labels: dict[str, QLabel] = {}
        for row, (key, text) in enumerate((("area", "Area"), ("perimeter", "Perimeter"),
                                           ("length", "Length"), ("width", "Width"))):
            grid.addWidget(QLabel(self.tr(text)), row, 0)
            label = QLabel("—")
            label.setObjectName(f"photo{key.capitalize()}")
            label.setStyleSheet("font-weight: 600;")
            grid.addWidget(label, row, 1)
            self.measure_labels[key] = label
        return box

    def _tissue_box(self) -> QGroupBox:
        box = QGroupBox(self.tr("Tissue colours (a suggestion)"))
        layout = QVBoxLayout(box)
        self.tissue_button = QPushButton(self.tr("Suggest tissue colours"))
        self.tissue_button.setObjectName("suggestTissue")
        self.tissue_button.clicked.connect(self.suggest_tissue)
        self.tissue_label = QLabel()
        self.tissue_label.setObjectName("tissueSuggestion")
        self.tissue_label.setWordWrap(True)
        self.tissue_confirm = QCheckBox(self.tr("Record these in the assessment"))
        self.tissue_confirm.setToolTip(self.tr("As granulation, slough and necrotic %, "
                                               "epithelial 0%"))
        self.tissue_confirm.setObjectName("tissueConfirm")
        self.tissue_confirm.setEnabled(False)
        for widget in (self.tissue_button, self.tissue_label, self.tissue_confirm):
            layout.addWidget(widget)
        return box

    # -- modes and results ------------------------------------------------------------------
    def set_mode(self, mode: Mode) -> None:
        self.canvas.set_mode(mode)
        if not self.tool_buttons[mode].isChecked():
            self.tool_buttons[mode].setChecked(True)
        if mode is Mode.RULER:
            self.status.setText(self.tr("Click two marks on the ruler, then type their distance."))

    def toggle_zoom(self) -> None:
        self._zoomed = not self._zoomed and bool(self.outline)
        self.canvas.zoom_to_outline() if self._zoomed else self.canvas.fit()

    @property
    def outline_full(self) -> list[Point] | None:
        return [self.photo.to_full(p) for p in self.outline] if self.outline else None

    @property
    def confirmed_tissue(self) -> dict[str, float] | None:
        """The tissue shares only when the nurse ticked to confirm them."""
        if self.suggested_tissue is not None and self.tissue_confirm.isChecked():
            return dict(self.suggested_tissue)
        return None

    @property
    def busy(self) -> bool:
        return self._jobs > 0

    def _show_outline(self, outline: list[Point] | None, *, source: str | None) -> None:
        self.outline = list(outline) if outline else None
        if source is not None or outline is None:
            self.outline_source = source
        self.canvas.set_outline(self.outline)
        self.suggested_tissue = None
        self.tissue_label.setText("")
        self.tissue_confirm.setChecked(False)
        self.tissue_confirm.setEnabled(False)
        self.tissue_button.setEnabled(self.outline is not None)
        self._remeasure()
        self.outline_changed.emit()

    def _remeasure(self) -> None:
        self.measurement = None
        calibration = None if self.unmeasured.isChecked() else self.calibration
        if self.outline and calibration is not None:
            try:
                self.measurement = measure_outline(self.outline_full, calibration)
            except ValueError as error:
                self.status.setText(str(error))
        m = self.measurement
        if m is None:
            text = "—" if self.outline else self.tr("no outline")
            if self.outline and calibration is None:
                text = self.tr("not calibrated")
            for label in self.measure_labels.values():
                label.setText(text)
            return
        self.measure_labels["area"].setText(f"{m.area_cm2:.2f} cm²")
        self.measure_labels["perimeter"].setText(f"{m.perimeter_cm:.2f} cm")
        self.measure_labels["length"].setText(f"{m.length_cm:.2f} cm")
        self.measure_labels["width"].setText(f"{m.width_cm:.2f} cm")

    def _show_calibration(self) -> None:
        c = self.calibration
        if c is None:
            text = self.tr("<b>Not calibrated</b>: no card found. Click two points on a ruler "
                           "(Ruler) and type the distance, or keep the photo unmeasured.")
        elif c.method == "card":
            text = self.tr("Calibrated by the card: {0:.1f} px/cm, camera tilt {1:.0f}°."
                           ).format(c.px_per_cm, c.tilt_deg)
        else:
            text = self.tr("Calibrated by a ruler: {0:.1f} px/cm (assumes the camera looked "
                           "straight down).").format(c.px_per_cm)
        self.calibration_label.setText(text)
        ruler_ok = self.photo.can_calibrate and (c is None or c.method == "ruler")
        self.tool_buttons[Mode.RULER].setEnabled(ruler_ok)
        self.ruler_distance.setEnabled(ruler_ok)
        self._remeasure()

    def _update_ruler(self) -> None:
        points, cm = self.canvas.ruler, self.ruler_distance.value()
        if len(points) < 2 or cm <= 0:
            return
        try:
            self.calibration = ruler_calibration(self.photo.to_full(points[0]),
                                                 self.photo.to_full(points[1]), cm)
        except CalibrationError as error:
            self.status.setText(str(error))
            return
        self.status.setText("")
        self._show_calibration()

    # -- background work --------------------------------------------------------------------
    def _run(self, what: str, work, done) -> None:
        self._jobs += 1
        self.status.setText(what)
        self.busy_changed.emit(True)

        def finished(result) -> None:
            self._jobs -= 1
            self.busy_changed.emit(self.busy)
            self.status.setText("")
            done(result)

        def failed(error: Exception) -> None:
            self._jobs -= 1
            self.busy_changed.emit(self.busy)
            self.status.setText(str(error) if isinstance(error, ValueError)
                                else self.tr("That did not work ({0}).").format(
                                    type(error).__name__))

        # a channel per job: none supersedes another (whose result would never come back)
        self.runner.background(f"photo-edit-{id(self)}-{next(self._serials)}", work, finished,
                               on_error=failed, parent=self)

    def _propose_box(self, box) -> None:
        from app.imaging.segment import outline_from_box

        working = self.photo.working
        self._run(self.tr("Finding the wound in the box…"),
                  lambda: outline_from_box(working, box),
                  lambda outline: self._show_outline(outline, source="box"))

    def _propose_click(self, point) -> None:
        from app.imaging.segment import outline_from_click

        working = self.photo.working
        self._run(self.tr("Finding the wound around the point…"),
                  lambda: outline_from_click(working, point),
                  lambda outline: self._show_outline(outline, source="click"))

    def _edited(self, outline) -> None:
        self._show_outline(outline, source="hand")

    def _painted(self, points, radius: float, add: bool) -> None:
        from app.imaging.views import paint_outline

        outline, shape = self.outline, self.photo.working.shape[:2]

        def shown(result) -> None:
            self.canvas.clear_stroke()
            self._show_outline(result, source="hand")

        self._run(self.tr("Painting…"),
                  lambda: paint_outline(outline, shape, [(points, radius, add)]), shown)

    def suggest_tissue(self) -> None:
        from app.imaging.segment import tissue_colours

        if not self.outline:
            return
        working, outline = self.photo.working, list(self.outline)

        def shown(shares: dict[str, float]) -> None:
            self.suggested_tissue = shares
            self.tissue_label.setText(tissue_text(shares))
            self.tissue_confirm.setEnabled(True)

        self._run(self.tr("Looking at the tissue colours…"),
                  lambda: tissue_colours(working, outline), shown)

    def accept(self) -> None:
        if self.busy:
            self.status.setText(self.tr("Wait: the outline is still being found."))
            return
        if self.outline and self.calibration is None and self.photo.can_calibrate \
                and not self.unmeasured.isChecked():
            self.status.setText(self.tr("This photo is not calibrated: calibrate with a ruler, "
                                        "or tick \"Keep unmeasured\"."))
            return
        super().accept()


def editor_photo_from_prepared(prepared, title: str = "") -> EditorPhoto:
    """The editor's view of a photo just analysed by app.services.photos.prepare_photo
    (on the background thread: the QImage copy of a 3-MP working copy takes ~25 ms)."""
    from app.ui.photos.canvas import image_to_qimage

    analysis = prepared.analysis
    return EditorPhoto(working=analysis.photo.working,
                       working_scale=analysis.photo.working_scale,
                       calibration=analysis.calibration, outline_full=analysis.outline_px,
                       title=title, qimage=image_to_qimage(analysis.photo.working))

