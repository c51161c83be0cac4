"""The one search-and-sort component every table of the desktop uses.

A committee finds an application by typing part of its protocol or name and orders any list by any
column; so every table is wrapped once in ``SearchableTable``: a search line over it (Esc clears it,
Ctrl+F reaches it, one Tab reaches the results), the count of shown rows («12 di 38 domande») and a
``RowFilterProxy`` that sorts on the model's ``SORT_ROLE``. Sorting is done in Python on the raw
value (cents, Decimal scores, dates) with ``sort_key``, because Qt compares the Python objects it
cannot convert as equal and would order € 9.000,00 after € 45.000,00 if it sorted the text.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import UTC, date, datetime
from decimal import Decimal
from fractions import Fraction
from typing import Any

from PySide6.QtCore import QAbstractItemModel, QModelIndex, QPersistentModelIndex, QSortFilterProxyModel, Qt
from PySide6.QtGui import QKeyEvent, QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QSizePolicy,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from ui.layout_memory import remember_header
from ui.models.table import ROW_ROLE, SORT_ROLE
from valutazione.plural import count

AnyIndex = QModelIndex | QPersistentModelIndex


def natural_key(text: str) -> tuple[Any, ...]:
    """«PG 9/2018» before «PG 101/2018»: digit runs compare as numbers, the rest without case."""
    parts: list[Any] = []
    run = ""
    for ch in text.casefold():
        if run and run[-1].isdigit() != ch.isdigit():
            parts.append((0, int(run)) if run[-1].isdigit() else (1, run))
            run = ""
        run += ch
    if run:
        parts.append((0, int(run)) if run[-1].isdigit() else (1, run))
    return tuple(parts)


def sort_key(value: Any) -> tuple[Any, ...]:
    """A key that orders numbers as numbers, dates as dates, text naturally, and empty cells last."""
    if value is None or value == "":
        return (9,)
    if isinstance(value, bool):
        return (0, int(value))
    if isinstance(value, int | float | Decimal | Fraction):
        return (0, value)
    if isinstance(value, datetime) and value.tzinfo is not None:
        return (1, value.astimezone(UTC).isoformat())  # one zone, so that ISO text orders as time does
    if isinstance(value, date):
        return (1, value.isoformat())
    if isinstance(value, str):
        return (2, natural_key(value))
    if isinstance(value, tuple):
        return (3, tuple(sort_key(v) for v in value))
    return (4, natural_key(str(value)))


def shown_text(shown: int, total: int, noun: str) -> str:
    """«38 domande» when nothing is hidden, «12 di 38 domande» when the search hides some."""
    if shown == total:
        return count(total, noun)
    return f"{shown} di {count(total, noun)}"


class RowFilterProxy(QSortFilterProxyModel):
    """Sorts on ``SORT_ROLE`` with ``sort_key`` and keeps the rows whose shown text holds the text searched.

    The text is looked for as typed (spaces included, case ignored), as the applications list always did:
    «PG 13» finds PG 130–139, not every row with a 13 somewhere and a PG somewhere else.
    """

    def __init__(self, parent: Any = None) -> None:
        super().__init__(parent)
        self._text = ""
        self.extra: Callable[[Any], bool] | None = None  # a screen's own filter on the frozen row
        self.haystack: Callable[[Any], str] | None = None  # the text searched, when not the cells' own
        self.setSortRole(SORT_ROLE)

    def set_search(self, text: str) -> None:
        self._text = " ".join(text.casefold().split())
        self.refilter()

    @property
    def searching(self) -> bool:
        """Whether a text typed in the search hides rows (a screen's own ``extra`` filter aside)."""
        return bool(self._text)

    def refilter(self) -> None:
        """Applies the search and ``extra`` again (after either changed)."""
        if hasattr(self, "beginFilterChange"):  # Qt >= 6.9
            self.beginFilterChange()
            self.endFilterChange(QSortFilterProxyModel.Direction.Rows)
        else:
            self.invalidateFilter()

    def lessThan(self, left: AnyIndex, right: AnyIndex) -> bool:
        model = self.sourceModel()
        return sort_key(model.data(left, SORT_ROLE)) < sort_key(model.data(right, SORT_ROLE))

    def filterAcceptsRow(self, source_row: int, source_parent: AnyIndex) -> bool:
        model = self.sourceModel()
        row = model.data(model.index(source_row, 0, source_parent), ROW_ROLE)
        if self.extra is not None and not self.extra(row):
            return False
        if not self._text:
            return True
        if self.haystack is not None:
            return self._text in self.haystack(row).casefold()
        texts = (model.data(model.index(source_row, c, source_parent)) for c in range(model.columnCount(source_parent)))
        return any(self._text in str(t).casefold() for t in texts if t is not None)


class SearchLine(QLineEdit):
    """A search field that Esc empties (and only when empty lets Esc close the dialog it is in)."""

    def keyPressEvent(self, event: QKeyEvent) -> None:
        if event.key() == Qt.Key.Key_Escape and self.text():
            self.clear()
            event.accept()
            return
        super().keyPressEvent(event)


class FilterBar(QWidget):
    """The search line, a screen's own filters (if any) and the count of rows shown."""

    def __init__(
        self, noun: str, placeholder: str = "", extras: Iterable[QWidget] = (), parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.noun = noun
        self.search = SearchLine()
        self.search.setPlaceholderText(placeholder or self.tr("Cerca (Ctrl+F)"))
        self.search.setClearButtonEnabled(True)
        self.shown = QLabel()
        self.shown.setObjectName("shown")
        # The count is never cut: the search line gives way first (it scrolls its text).
        self.shown.setSizePolicy(QSizePolicy.Policy.Minimum, QSizePolicy.Policy.Preferred)
        self.search.setMinimumWidth(120)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.search, 2)
        for widget in extras:
            layout.addWidget(widget, 0 if isinstance(widget, QLabel) else 1)  # a caption keeps to its text
        layout.addWidget(self.shown)

    def show_count(self, shown: int, total: int) -> None:
        self.shown.setText(shown_text(shown, total, self.noun))
        layout = self.layout()
        if layout is not None:  # the count's new width now, not at the next idle pass: never a cut «40 righ»
            layout.activate()

    def focus_after(self, table: QWidget) -> None:
        """One Tab from the search reaches the results; Ctrl+F anywhere over the table comes back."""
        QWidget.setTabOrder(self.search, table)
        QShortcut(
            QKeySequence.StandardKey.Find,
            table.parentWidget() or table,
            self.search.setFocus,
            context=Qt.ShortcutContext.WidgetWithChildrenShortcut,
        )


class SearchableTable(QWidget):
    """A table of frozen rows with the filter bar over it; ``table`` shows ``proxy`` over ``model``."""

    def __init__(
        self,
        model: QAbstractItemModel,
        noun: str,
        placeholder: str = "",
        extras: Iterable[QWidget] = (),
        parent: QWidget | None = None,
        *,
        key: str = "",
    ) -> None:
        """``key`` names the table in the settings, where its column widths and order are kept."""
        super().__init__(parent)
        self.model = model
        self.proxy = RowFilterProxy(self)
        self.proxy.setSourceModel(model)
        self.bar = FilterBar(noun, placeholder, extras)
        self.table = QTableView()
        self.table.setModel(self.proxy)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.verticalHeader().hide()
        # The rows first come in the order the service gave (ranking position, protocol); a header click sorts.
        self.table.horizontalHeader().setSortIndicator(-1, Qt.SortOrder.AscendingOrder)
        self.table.setSortingEnabled(True)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.bar)
        layout.addWidget(self.table, 1)
        self.bar.focus_after(self.table)
        self.bar.search.textChanged.connect(self.proxy.set_search)
        for signal in (
            self.proxy.modelReset,
            self.proxy.rowsInserted,
            self.proxy.rowsRemoved,
            self.proxy.layoutChanged,
        ):
            signal.connect(self._count)
        self._count()
        if key:
            remember_header(self.table.horizontalHeader(), key)

    def _count(self, *_: Any) -> None:
        self.bar.show_count(self.proxy.rowCount(), self.model.rowCount())

    def row(self, proxy_row: int) -> Any:
        """The frozen row shown at ``proxy_row``."""
        return self.proxy.data(self.proxy.index(proxy_row, 0), ROW_ROLE)

    def visible_rows(self) -> list[Any]:
        """The rows in the order and the selection the user sees."""
        return [self.row(r) for r in range(self.proxy.rowCount())]

    def selected(self) -> Any:
        """The frozen row selected, or None."""
        rows = self.table.selectionModel().selectedRows()
        return rows[0].data(ROW_ROLE) if rows else None

    def select_source_row(self, source_row: int) -> None:
        """Selects the model's ``source_row`` wherever sorting put it (nothing if the search hides it)."""
        index = self.proxy.mapFromSource(self.model.index(source_row, 0))
        if index.isValid():
            self.table.selectRow(index.row())

    def source_index(self, index: AnyIndex) -> QModelIndex:
        """The model's index behind a cell of the table."""
        return self.proxy.mapToSource(index)
