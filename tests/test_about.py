"""The About text (app/about.py): version, database location without secrets, licences."""
from __future__ import annotations

from importlib import metadata

from app import about


def test_version_comes_from_the_package_metadata():
    assert about.app_version() == metadata.version("dfu-monitor")
    assert f"DFU Monitor {metadata.version('dfu-monitor')}" in about.about_text("/x/clinic.db")


def test_version_of_an_uninstalled_checkout_is_the_package_attribute(monkeypatch):
    import app

    def missing(name):
        raise metadata.PackageNotFoundError(name)

    monkeypatch.setattr(about.metadata, "version", missing)
    monkeypatch.setattr(app, "__version__", "9.8.7")
    assert about.app_version() == "9.8.7"
    assert "Qt 6" not in about.components_text()  # nothing claimed without its version


def test_database_location_never_shows_a_password():
    text = about.about_text("postgresql+psycopg://clinic:s3cret@db.example/dfu")
    assert "s3cret" not in text
    assert "Database: postgresql+psycopg://clinic:***@db.example/dfu" in text


def test_sqlite_url_shows_the_file():
    assert about.safe_location("sqlite:////data/clinic.db") == "/data/clinic.db"
    assert about.safe_location("/data/clinic.db") == "/data/clinic.db"


def test_licences_named_and_font_licences_in_full():
    text = about.about_text("/x/clinic.db")
    assert "Qt for Python (PySide6)" in text and "LGPL-3.0" in text
    assert "ReportLab" in text and "OpenCV" in text and "Apache-2.0" in text
    assert "Bitstream Vera" in text and "SIL OPEN FONT LICENSE" in text
    assert "SIL OPEN FONT LICENSE" not in about.about_text("/x/clinic.db", full_licences=False)


def test_unreadable_url_shows_only_its_scheme():
    assert about.safe_location("weird://user:pw@@::x") == "weird://…"
