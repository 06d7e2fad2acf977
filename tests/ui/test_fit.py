"""Dialogs fit the screen: a 1000 px tall report preview on a 900 px screen hid its Print
and Save buttons below the edge."""
from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st
from PySide6.QtWidgets import QDialog

from app.ui.widgets.fit import SCREEN_SHARE, fitted_size, resize_to_fit

sizes = st.tuples(st.integers(100, 4000), st.integers(100, 4000))


@given(wanted=sizes, available=sizes)
def test_a_fitted_size_is_never_larger_than_wanted_or_the_screen(wanted, available):
    width, height = fitted_size(wanted, available)
    assert width <= wanted[0] and height <= wanted[1]
    assert width <= available[0] * SCREEN_SHARE and height <= available[1] * SCREEN_SHARE
    if wanted[0] <= available[0] * SCREEN_SHARE:
        assert width == wanted[0]  # a screen large enough: the size asked for


def test_the_report_preview_asks_for_900x1000_at_1440x900_and_gets_less():
    assert fitted_size((900, 1000), (1440, 900)) == (900, 828)
    assert fitted_size((1280, 860), (1280, 800)) == (1177, 736)  # the cohort view


def test_a_dialog_fits_the_screen_it_is_on(qtbot):
    dialog = QDialog()
    qtbot.addWidget(dialog)
    resize_to_fit(dialog, 5000, 5000)
    free = dialog.screen().availableGeometry()
    assert dialog.width() <= free.width() and dialog.height() <= free.height()


def test_the_visit_form_fits_a_small_screen(qtbot, tmp_path_factory, tmp_path, actor):
    """Its 1240×780 on a 1280×800 screen put Save below the task bar; it now fits the screen
    it opens on (here the 800×800 offscreen screen; not narrower than its two columns need)
    and scrolls inside."""
    from tests.ui.visit_form_support import copy_of_clinic, make_clinic_template, open_form

    path, patient_id = make_clinic_template(tmp_path_factory.mktemp("fit"))
    db = copy_of_clinic(path, tmp_path)
    try:
        dialog = open_form(qtbot, db, actor, patient_id)
        free = dialog.screen().availableGeometry()
        assert dialog.height() <= free.height()  # Save stays on screen; the fields scroll
        assert dialog.width() <= max(free.width(), dialog.minimumSizeHint().width())
        dialog.done(0)
    finally:
        db.dispose()
