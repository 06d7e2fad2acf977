"""What wound photos add to the main window: the chart's Photos tab and
Clinic ▸ Print calibration card… (a PDF to print at 100%, app.imaging.card_pdf)."""
from __future__ import annotations

from pathlib import Path

from PySide6.QtGui import QAction
from PySide6.QtWidgets import QMainWindow

from app.ui.photos.tab import PhotosTab

CARD_FILE = "calibration-card.pdf"


def write_card(path: Path) -> Path:
    """Write the calibration card PDF atomically (background thread)."""
    from app.imaging.card_pdf import card_pdf
    from app.services.files import write_bytes_atomically

    write_bytes_atomically(path, card_pdf())
    return path


def print_calibration_card(window: QMainWindow, path: Path | None = None, *,
                           open_after: bool = True) -> None:
    """Ask where to save the card (unless given), write it off the GUI thread, open it."""
    if path is None:
        from PySide6.QtWidgets import QFileDialog  # built when first used, not at start-up

        chosen, _ = QFileDialog.getSaveFileName(
            window, window.tr("Save the calibration card"), str(Path.home() / CARD_FILE),
            window.tr("PDF files (*.pdf)"))
        if not chosen:
            return
        path = Path(chosen if chosen.lower().endswith(".pdf") else chosen + ".pdf")

    def written(target: Path) -> None:
        window.statusBar().showMessage(window.tr(
            "Calibration card saved to {0}: print it at 100% (actual size) and check its "
            "ruler.").format(target), 15000)
        window.card_written = target
        if open_after:  # QUrl's enums are built here, not before the first paint
            from PySide6.QtCore import QUrl
            from PySide6.QtGui import QDesktopServices

            QDesktopServices.openUrl(QUrl.fromLocalFile(str(target)))

    window.runner.background("calibration-card", lambda: write_card(path), written,
                             parent=window)


def install_photos(window: QMainWindow) -> None:
    """Plug the photo features into a window built by app.ui.main_window."""
    install_photos_tab(window)
    action = QAction(window.tr("Print &calibration card…"), window)
    action.setObjectName("printCalibrationCard")
    action.setToolTip(window.tr("The card to photograph beside the wound (print at 100%)"))
    action.triggered.connect(lambda: print_calibration_card(window))
    window.menu_clinic.addSeparator()
    window.menu_clinic.addAction(action)
    window.action_calibration_card = action


def install_photos_tab(window: QMainWindow) -> PhotosTab:
    """The Photos tab after Healing curves; a click on a photo point of the healing curve
    opens its photo here."""
    tabs = window.chart_tabs
    tab = PhotosTab(window)
    index = tabs.indexOf(tabs.healing_page) + 1 if hasattr(tabs, "healing_page") else tabs.count()
    tabs.insertTab(index, tab, tab.tr("Photos"))
    window.photos_tab = tab

    def open_photo(assessment_id: int) -> None:
        tabs.setCurrentWidget(tab)
        if not tab.show_assessment(assessment_id):
            tab.pending_assessment = assessment_id  # opened when the photos arrive

    def connect_healing(_index: int) -> None:
        chart = getattr(tabs, "healing_chart", None)
        if chart is not None and hasattr(chart, "photo_clicked") and \
                not getattr(chart, "_photos_connected", False):
            chart.photo_clicked.connect(open_photo)
            chart._photos_connected = True

    tabs.currentChanged.connect(connect_healing)
    tab.loaded.connect(lambda _n: _open_pending(tab))
    return tab


def _open_pending(tab: PhotosTab) -> None:
    assessment_id = getattr(tab, "pending_assessment", None)
    if assessment_id is not None:
        tab.pending_assessment = None
        tab.show_assessment(assessment_id)
