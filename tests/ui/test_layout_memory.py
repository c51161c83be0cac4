"""Column widths and order, splitters and the window come back as left, in a real INI file; one action resets."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from PySide6.QtCore import QPoint, QSettings, Qt
from PySide6.QtWidgets import QHeaderView, QLabel, QSplitter

from tests.builders import CommitteeFile
from tests.ui.chair.test_tables import ROWS, AmountsModel
from tests.ui.helpers import open_window
from ui import settings
from ui.layout_memory import remember_splitter, reset_layout
from ui.models.filter_bar import SearchableTable


def table(qtbot: Any, key: str = "prova/importi") -> SearchableTable:
    view = SearchableTable(AmountsModel(ROWS), "domande", key=key)
    qtbot.addWidget(view)
    header = view.table.horizontalHeader()
    header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)  # as the screens set it
    header.setStretchLastSection(True)
    view.resize(900, 400)
    view.show()
    qtbot.wait(10)  # the queued fit: the screen's columns become the user's to drag
    return view


def drag_border(qtbot: Any, header: QHeaderView, section: int, dx: int) -> None:
    """Drags the right border of a header section by ``dx`` pixels, as a mouse does."""
    x = header.sectionViewportPosition(section) + header.sectionSize(section) - 1
    y = header.height() // 2
    qtbot.mousePress(header.viewport(), Qt.MouseButton.LeftButton, pos=QPoint(x, y))
    qtbot.mouseMove(header.viewport(), QPoint(x + dx // 2, y))
    qtbot.mouseMove(header.viewport(), QPoint(x + dx, y))
    qtbot.mouseRelease(header.viewport(), Qt.MouseButton.LeftButton, pos=QPoint(x + dx, y))


def test_column_widths_and_order_come_back(qtbot: Any) -> None:
    """A column widened by dragging and one moved are the same in the next table with that key."""
    view = table(qtbot)
    header = view.table.horizontalHeader()
    assert header.sectionResizeMode(0) == QHeaderView.ResizeMode.Interactive
    before = header.sectionSize(0)
    drag_border(qtbot, header, 0, 80)
    widened = header.sectionSize(0)
    assert widened > before + 40
    header.moveSection(2, 0)  # the date first (a drag of the header does the same)
    ini = Path(QSettings().fileName())
    QSettings().sync()
    assert ini.suffix == ".ini" and "layout" in ini.read_text(encoding="utf-8")

    again = table(qtbot)
    second = again.table.horizontalHeader()
    assert second.sectionSize(0) == widened
    assert [second.logicalIndex(v) for v in range(3)] == [2, 0, 1]
    other = table(qtbot, key="prova/altra")
    assert other.table.horizontalHeader().logicalIndex(0) == 0, "each table has its own key"


def test_splitter_comes_back_and_reset_forgets_everything(qtbot: Any) -> None:
    """A moved splitter is restored; «Ripristina la disposizione» puts tables and splitters back now."""

    def splitter() -> QSplitter:
        s = QSplitter()
        s.addWidget(QLabel("sinistra"))
        s.addWidget(QLabel("destra"))
        qtbot.addWidget(s)
        s.resize(1000, 300)
        s.setSizes([500, 500])
        s.show()
        remember_splitter(s, "prova/divisore")
        return s

    first = splitter()
    handle = first.handle(1)
    y = handle.height() // 2
    qtbot.mousePress(handle, Qt.MouseButton.LeftButton, pos=QPoint(1, y))
    qtbot.mouseMove(handle, QPoint(-100, y))
    qtbot.mouseMove(handle, QPoint(-200, y))
    qtbot.mouseRelease(handle, Qt.MouseButton.LeftButton, pos=QPoint(-200, y))
    moved = first.sizes()
    assert moved[0] < 400, moved
    second = splitter()
    assert second.sizes() == moved

    view = table(qtbot)
    view.table.horizontalHeader().moveSection(2, 0)
    reset_layout()
    left, right = second.sizes()
    assert abs(left - right) <= 2, (left, right)  # halves again, as built
    assert view.table.horizontalHeader().logicalIndex(0) == 0
    assert not QSettings().childGroups() or "layout" not in QSettings().childGroups()
    left, right = splitter().sizes()
    assert abs(left - right) <= 2, (left, right)


def test_reset_action_in_the_view_menu(qtbot: Any, committee_file: CommitteeFile) -> None:
    """The Visualizza menu offers the reset; it forgets the window geometry and the remembered layouts."""
    window = open_window(qtbot, committee_file.path)
    settings.app_settings().setValue("layout/prova/divisore", "[1, 2]")
    window.close()
    assert settings.app_settings().contains("window/geometry")
    assert window.reset_layout_action in window.view_menu.actions()
    window.reset_layout_action.trigger()
    assert not settings.app_settings().contains("window/geometry")
    assert not settings.app_settings().contains("layout/prova/divisore")


def test_fitted_columns_follow_new_rows_until_dragged(qtbot: Any) -> None:
    """A column fitted to its content widens for longer rows that come later, but not once the user set it."""
    model = AmountsModel([])
    view = SearchableTable(model, "domande", key="prova/vuota")
    qtbot.addWidget(view)
    header = view.table.horizontalHeader()
    header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
    view.resize(900, 400)
    view.show()
    qtbot.wait(10)
    empty = header.sectionSize(0)
    long_rows = [("PG 101/2018 — protocollo con un'appendice molto lunga", 1, ROWS[0][2]), *ROWS]
    model.set_rows(long_rows)
    qtbot.wait(10)
    fitted = header.sectionSize(0)
    assert fitted > empty + 100 and fitted >= view.table.sizeHintForColumn(0) - 2
    drag_border(qtbot, header, 0, -60)
    chosen = header.sectionSize(0)
    model.set_rows(list(reversed(long_rows)))
    qtbot.wait(10)
    assert header.sectionSize(0) == chosen
