"""Window sizes that fit the screen: a dialog asks for its comfortable size and gets at most
the screen's free area (less a margin for the task bar and title bar), so its buttons stay
on screen at 1280×800 as well as at 1920×1080."""
from __future__ import annotations

from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QWidget

SCREEN_SHARE = 0.92  # of the available width and height, leaving room for the title bar


def fitted_size(wanted: tuple[int, int], available: tuple[int, int],
                share: float = SCREEN_SHARE) -> tuple[int, int]:
    """`wanted` (width, height), shrunk to `share` of `available` where it is larger."""
    return (min(wanted[0], int(available[0] * share)),
            min(wanted[1], int(available[1] * share)))


def resize_to_fit(widget: QWidget, width: int, height: int) -> None:
    """Resize `widget` to width × height, or less on a screen too small for it."""
    screen = widget.screen() or QGuiApplication.primaryScreen()
    if screen is None:
        widget.resize(width, height)
        return
    free = screen.availableGeometry()
    widget.resize(*fitted_size((width, height), (free.width(), free.height())))
