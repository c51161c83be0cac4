"""Layout checks for the fit test: clipped text, overlapping siblings, buttons outside the window.

Why: at 1366×768 forms were squashed into one-pixel lines and buttons drawn over lists; a screenshot shows
it to a human, these checks make a test fail on it.
"""

from __future__ import annotations

from PySide6.QtCore import QEvent, QPoint, QRect
from PySide6.QtWidgets import (
    QAbstractButton,
    QAbstractScrollArea,
    QAbstractSpinBox,
    QApplication,
    QComboBox,
    QLabel,
    QLineEdit,
    QPushButton,
    QWidget,
)

SLACK = 2  # pixels of rounding a style may lose without a letter being cut


def _name(widget: QWidget) -> str:
    text = widget.text() if isinstance(widget, (QLabel, QAbstractButton)) else ""
    return f"{type(widget).__name__}({text[:40]!r})" if text else f"{type(widget).__name__}[{widget.objectName()}]"


def _visible(widget: QWidget, window: QWidget) -> bool:
    return widget.isVisibleTo(window) and widget.width() > 0 and widget.height() > 0


def _shown_on_screen(widget: QWidget, window: QWidget) -> bool:
    """Whether the widget sits on a page actually shown (not on a hidden tab or scrolled-away area)."""
    return widget.isVisible() and _visible(widget, window) and not widget.visibleRegion().isEmpty()


def _scrolled(widget: QWidget) -> bool:
    """Inside a scroll area: being partly out of view there is scrolling, not a layout fault."""
    parent = widget.parentWidget()
    while parent is not None:
        if isinstance(parent, QAbstractScrollArea):
            return True
        parent = parent.parentWidget()
    return False


def clipped_text(window: QWidget) -> list[str]:
    """Labels and push buttons narrower than their text (no word wrap, no elision of their own)."""
    found = []
    for widget in window.findChildren(QWidget):
        if not _shown_on_screen(widget, window):
            continue
        if isinstance(widget, QLabel) and widget.text() and not widget.wordWrap() and widget.pixmap().isNull():
            need = widget.sizeHint().width()
        elif isinstance(widget, QPushButton) and widget.text():
            need = widget.sizeHint().width()
        else:
            continue
        if need > widget.width() + SLACK or widget.height() < widget.fontMetrics().height() - SLACK:
            found.append(f"testo tagliato: {_name(widget)} {widget.width()}x{widget.height()} < {need}")
    return found


def _rect_in(widget: QWidget, window: QWidget) -> QRect:
    return QRect(widget.mapTo(window, QPoint(0, 0)), widget.size())


def overlaps(window: QWidget) -> list[str]:
    """Visible siblings laid over one another (a button drawn on top of a list or a text box)."""
    found = []
    for parent in [window, *window.findChildren(QWidget)]:
        if not _shown_on_screen(parent, window) and parent is not window:
            continue
        children = [c for c in parent.findChildren(QWidget, options=_direct()) if c.isWindow() is False]
        shown = [c for c in children if _shown_on_screen(c, window)]
        for i, first in enumerate(shown):
            for second in shown[i + 1 :]:
                common = first.geometry().intersected(second.geometry())
                if common.width() > SLACK and common.height() > SLACK:
                    found.append(f"sovrapposti: {_name(first)} e {_name(second)} in {_name(parent)}")
    return found


def _direct():  # type: ignore[no-untyped-def]
    from PySide6.QtCore import Qt

    return Qt.FindChildOption.FindDirectChildrenOnly


def outside(window: QWidget) -> list[str]:
    """Buttons whose rectangle leaves the window (cut off by a too-small screen)."""
    found = []
    bounds = window.rect()
    for button in window.findChildren(QAbstractButton):
        if _shown_on_screen(button, window) and not _scrolled(button) and not bounds.contains(_rect_in(button, window)):
            found.append(f"fuori dalla finestra: {_name(button)} {_rect_in(button, window)}")
    return found


def squashed_fields(window: QWidget) -> list[str]:
    """Input fields lower than their own minimum (at 125 % the call's fields became 11-pixel lines)."""
    found = []
    for widget in window.findChildren(QWidget):
        if not isinstance(widget, QLineEdit | QComboBox | QAbstractSpinBox) or not _shown_on_screen(widget, window):
            continue
        if isinstance(widget.parentWidget(), QAbstractSpinBox | QComboBox):
            continue  # the editor inside a spin box or combo: its owner is the field checked
        need = widget.minimumSizeHint().height()
        if widget.height() < need - SLACK:
            found.append(f"campo schiacciato: {_name(widget)} alto {widget.height()} < {need}")
    return found


def problems(window: QWidget) -> list[str]:
    """What a user would see wrong once the layouts pending now are done.

    A label whose text changed a moment ago (the background verification's result arriving in the status
    bar) is laid out at the event loop's next pass; checked before it, it looked cut under load.
    """
    QApplication.sendPostedEvents(None, QEvent.Type.LayoutRequest)
    return clipped_text(window) + overlaps(window) + outside(window) + squashed_fields(window)
