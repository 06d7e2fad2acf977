"""A new ulcer site: a newcomer does not know the shorthand, so the field offers common sites
and says in plain words what was understood ("= right big toe, sole")."""
from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel, QLineEdit, QWidget

from app.domain.labels import site_label
from app.ui.visit.sections import COMMON_SITES, site_words
from tests.ui.visit_form_support import copy_of_clinic, make_clinic_template, open_form


def test_site_words_say_what_the_shorthand_means():
    assert site_words("R-hallux-plantar") == "= right big toe, sole"
    assert site_words("left big toe") == ""  # not shorthand: kept as typed, nothing to add
    assert site_words("   ") == ""


def test_every_offered_site_is_understood():
    assert all(site_label(site) != site for site in COMMON_SITES)


@pytest.fixture(scope="module")
def template(tmp_path_factory):
    return make_clinic_template(tmp_path_factory.mktemp("site_words"), second_ulcer=False)


def test_the_new_site_field_offers_sites_and_words_them(qtbot, template, tmp_path, actor):
    db = copy_of_clinic(template[0], tmp_path)
    try:
        dialog = open_form(qtbot, db, actor, template[1])
        qtbot.mouseClick(dialog.findChild(QWidget, "addUlcerButton"), Qt.MouseButton.LeftButton)
        site = dialog.findChild(QLineEdit, "newUlcerSite")
        assert site.completer() is not None and site.completer().model().rowCount() > 0
        qtbot.keyClicks(site, "L-heel")
        words = [label.text() for label in dialog.findChildren(QLabel, "siteWords")]
        assert "= left heel" in words
        dialog.done(0)
    finally:
        db.dispose()
