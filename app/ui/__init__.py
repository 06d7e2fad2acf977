"""The Qt window: PySide6 and pyqtgraph are imported only under this package.

Importing it applies `keep_singletons_alive()`: PySide6 6.12.0 on CPython 3.11 drops a
reference to None/True on every void call and signal emit, and the interpreter aborts after a
few thousand (see app/ui/refcounts.py). Doing it here covers every way in: the GUI, the
screenshots, the tests, the benchmark and any tool that embeds `create_main_window`.
"""
from app.ui.refcounts import keep_singletons_alive

keep_singletons_alive()
