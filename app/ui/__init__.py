"""The Qt window: PySide6 and pyqtgraph are imported only under this package.

Features live in sub-packages (patients, chart, visit, cohort, printing, security); the main
window composes them (app/ui/main_window.py); every database access goes through the
database-operation runner (app/ui/dbops.py).
"""
