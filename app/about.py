"""The About text: version, database location, and the licences of what the program ships.

Qt-free, so `dfu-monitor-cli --version` and the window's Help ▸ About share it. The fonts'
licences are read from the files bundled with them (app/resources/fonts); the other
components are named with their licence and installed version.
"""
from __future__ import annotations

from importlib import metadata

DISTRIBUTION = "dfu-monitor"

# (distribution, what it is, licence). The versions are read at run time; a component that is
# not installed (an optional extra) is left out of the list.
COMPONENTS: tuple[tuple[str, str, str], ...] = (
    ("PySide6-Essentials", "Qt 6 and Qt for Python (PySide6)",
     ("LGPL-3.0: the Qt libraries are shared libraries beside the program and may be "
      "replaced; source at https://download.qt.io and https://code.qt.io")),
    ("PySide6-Pdf", "Qt PDF (report preview)", "LGPL-3.0"),
    ("pyqtgraph", "pyqtgraph (charts)", "MIT"),
    ("SQLAlchemy", "SQLAlchemy (database access)", "MIT"),
    ("alembic", "Alembic (schema migrations)", "MIT"),
    ("reportlab", "ReportLab (PDF reports)", "BSD"),
    ("rl_accel", "rl_accel (ReportLab accelerator)", "BSD"),
    ("numpy", "NumPy", "BSD-3-Clause"),
    ("opencv-python-headless", "OpenCV (photo measurement)",
     ("Apache-2.0; the PyPI wheel also bundles FFmpeg (LGPL-2.1) and OpenBLAS (BSD), "
      "the standalone bundle's own build neither")),
    ("Pillow", "Pillow (images)", "MIT-CMU (HPND)"),
    ("pi-heif", "pi-heif (HEIC photos)",
     "BSD-3-Clause; its binary wheels bundle libheif and libde265 (LGPL-3.0)"),
    ("psycopg", "psycopg 3 (PostgreSQL)", "LGPL-3.0"),
    ("psycopg-binary", "libpq and OpenSSL (in psycopg-binary)", "PostgreSQL licence, Apache-2.0"),
    ("argon2-cffi", "argon2-cffi (passwords)", "MIT"),
    ("platformdirs", "platformdirs", "MIT"),
    ("python-bidi", "python-bidi (right-to-left text)", "LGPL-3.0"),
    ("arabic-reshaper", "arabic-reshaper", "MIT"),
    ("sqlcipher3-binary", "SQLCipher (encrypted database, optional)", "zlib / BSD-style"),
)


def app_version() -> str:
    """The installed version of DFU Monitor (package metadata); `app.__version__`, the one
    version number, where there is none (a checkout never installed, a bundle without it)."""
    try:
        return metadata.version(DISTRIBUTION)
    except metadata.PackageNotFoundError:
        from app import __version__

        return __version__


def _installed(distribution: str) -> str | None:
    try:
        return metadata.version(distribution)
    except metadata.PackageNotFoundError:
        return None


def safe_location(db_location: str) -> str:
    """The database location for display: a file path as is, a URL without its password."""
    if "://" not in db_location:
        return db_location
    from sqlalchemy.engine import make_url
    from sqlalchemy.exc import ArgumentError

    try:
        url = make_url(db_location)
    except (ArgumentError, ValueError):  # unreadable: show nothing that could hold a secret
        return db_location.split("://", 1)[0] + "://…"
    if url.get_backend_name().startswith("sqlite") and url.database:
        return url.database
    return url.render_as_string(hide_password=True)


def components_text() -> str:
    lines = []
    for distribution, what, licence in COMPONENTS:
        version = _installed(distribution)
        if version is not None:
            lines.append(f"- {what} {version} — {licence}")
    return "\n".join(lines)


def about_text(db_location: str, *, full_licences: bool = True) -> str:
    """Plain text for Help ▸ About: version, database, components and licences.

    `full_licences` appends the complete licence texts of the bundled fonts.
    """
    import platform

    from app.resources import licence_texts

    fonts = licence_texts()
    parts = [
        f"DFU Monitor {app_version()}",
        "Follow-up of diabetic foot ulcers: visits, healing metrics, charts and reports.",
        "",
        f"Database: {safe_location(db_location)}",
        f"Python {platform.python_version()} on {platform.system()} {platform.machine()}",
        "",
        "Built with:",
        components_text(),
        "",
        "Fonts embedded in the reports:",
        "\n".join(f"- {what}" for what in fonts),
    ]
    if full_licences:
        for what, text in fonts.items():
            parts += ["", f"=== Licence: {what.split(' (')[0]} ===", text.strip()]
    return "\n".join(parts) + "\n"
