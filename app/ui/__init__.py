"""The Qt window: PySide6 and pyqtgraph are imported only under this package."""
