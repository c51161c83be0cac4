"""Driving the evaluator's desktop the way a member does: keyboard and clicks on the real widgets."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QWidget

from ui.main_window import MainWindow
from ui.models.domande import DomandaRow
from valutazione.db import open_database


def open_window(qtbot: Any, path: Path) -> MainWindow:
    window = MainWindow(open_database(path))
    qtbot.addWidget(window)
    window.resize(1366, 768)
    window.show()
    window.activateWindow()
    qtbot.waitUntil(window.isActiveWindow, timeout=2000)
    return window


PASSWORD = "prova-2026"  # the password every test member chooses at first entry (tests/ui only)


def enter_as(qtbot: Any, window: MainWindow, name: str, *, declare: bool = True, password: str = PASSWORD) -> None:
    """Types the first letters of one's name in the member list and presses Enter; types the password
    when asked (twice, the first time)."""
    members = window.identity.members
    members.setFocus()
    members.keyboardSearch("")  # an empty search starts a new one (the last name typed may still be in it)
    qtbot.keyClicks(members, name[:5])
    assert members.currentItem().text().startswith(name)
    qtbot.keyClick(members, Qt.Key.Key_Return)
    page = window.identity
    if window.pages.currentWidget() is page and page.password_box.isVisibleTo(page):
        qtbot.keyClicks(page.password, password)
        if page.repeat.isVisibleTo(page):
            qtbot.keyClicks(page.repeat, password)
        qtbot.keyClick(page.password, Qt.Key.Key_Return)
    if declare and window.pages.currentWidget() is window.declaration:
        sign(qtbot, window)


def sign(qtbot: Any, window: MainWindow) -> None:
    """Ticks "Ho letto" with the space bar and clicks the signing button."""
    window.declaration.agree.setFocus()
    qtbot.keyClick(window.declaration.agree, Qt.Key.Key_Space)
    qtbot.mouseClick(window.declaration.sign_button, Qt.MouseButton.LeftButton)


def open_row(qtbot: Any, window: MainWindow, protocol: str) -> DomandaRow:
    """Selects the application in the list and presses Enter."""
    view = window.domande
    assert view is not None
    window.tabs.setCurrentWidget(view)
    view.search.clear()
    qtbot.keyClicks(view.search, protocol)
    table = view.table
    table.setFocus()
    table.selectRow(0)
    row = view.current_row()
    assert row is not None and row.protocol == protocol
    qtbot.keyClick(table, Qt.Key.Key_Return)
    view.search.clear()
    return row


def click(qtbot: Any, widget: QWidget) -> None:
    qtbot.mouseClick(widget, Qt.MouseButton.LeftButton)
