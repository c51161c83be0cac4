"""Windows and dialogs sized from the screen they open on, never larger than what it leaves free.

Why: the wizards opened at a fixed 1000×720 and 1100×700; on a 1366×768 laptop the taskbar leaves about
728 pixels, less the title bar, and the Avanti / Fine buttons fell under the taskbar, out of reach.
"""

from __future__ import annotations

from PySide6.QtCore import QRect, QSize
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QWidget

TITLE_BAR = 32  # what the window manager adds above a window (not counted in the widget's own height)
LAPTOP = QRect(0, 0, 1366, 728)  # a 1366×768 screen less a 40-pixel taskbar: the smallest desk we promise


def available(widget: QWidget) -> QRect:
    """The free part of the screen the widget is on (the primary one before it is shown)."""
    screen = widget.screen() or QGuiApplication.primaryScreen()
    return screen.availableGeometry() if screen is not None else LAPTOP


def fit_to_screen(widget: QWidget, preferred: QSize, area: QRect | None = None) -> QSize:
    """Resizes to ``preferred`` or to the free area less a title bar, whichever is smaller; returns the size.

    ``area`` is the free screen to fit (tests pass ``LAPTOP``); by default the real one.
    """
    free = area if area is not None else available(widget)
    size = QSize(
        max(1, min(preferred.width(), free.width())),
        max(1, min(preferred.height(), free.height() - TITLE_BAR)),
    )
    widget.resize(size)
    return size
