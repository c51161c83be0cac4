"""The layout a person arranged comes back next time: splitter positions, column widths and order per table.

Kept in QSettings under ``layout/<key>`` (one key per table or splitter, named by the screen), so a
chair who widened the «Denominazione» column of the ranking finds it so tomorrow, and a member who
moved the PDF splitter keeps it. «Ripristina la disposizione» (menu Visualizza) forgets it all and puts
every open table and splitter back as the program laid it out.

Widths are remembered only for what a person can drag: columns that fit their content are fitted
once and then left to the user (``Interactive``), stretching columns keep stretching.
"""

from __future__ import annotations

import json
from typing import Any

import shiboken6
from PySide6.QtCore import QObject, QTimer, Signal
from PySide6.QtWidgets import QHeaderView, QSplitter, QTableView

from ui.settings import app_settings

GROUP = "layout"
Mode = QHeaderView.ResizeMode


class _Notifier(QObject):
    reset = Signal()


_notifier: list[_Notifier] = []


def notifier() -> _Notifier:
    """One object for the whole program whose ``reset`` every memory listens to."""
    if not _notifier:
        _notifier.append(_Notifier())
    return _notifier[0]


def reset_layout() -> None:
    """Forgets every remembered layout and the window geometry; open tables and splitters go back now."""
    settings = app_settings()
    settings.remove(GROUP)
    settings.remove("window/geometry")
    settings.remove("window/evaluation_splitter")  # kept by ui/main_window.py since before this module
    notifier().reset.emit()


def _load(key: str) -> Any:
    raw = app_settings().value(f"{GROUP}/{key}")
    try:
        return json.loads(str(raw)) if raw not in (None, "") else None
    except ValueError:  # a hand-edited or damaged settings file: the default layout, not a crash
        return None


def _save(key: str, value: Any) -> None:
    app_settings().setValue(f"{GROUP}/{key}", json.dumps(value))


class SplitterMemory(QObject):
    """Saves a splitter's sizes when the user moves it, and puts them back when it is built."""

    def __init__(self, splitter: QSplitter, key: str) -> None:
        super().__init__(splitter)
        self.splitter, self.key = splitter, key
        self.default = splitter.sizes()
        sizes = _load(key)
        if isinstance(sizes, list) and len(sizes) == splitter.count() and all(isinstance(s, int) for s in sizes):
            splitter.setSizes(sizes)
        splitter.splitterMoved.connect(self._moved)
        notifier().reset.connect(self._reset)

    def _moved(self, *_: Any) -> None:
        if shiboken6.isValid(self.splitter):
            _save(self.key, self.splitter.sizes())

    def _reset(self) -> None:
        if shiboken6.isValid(self.splitter):
            self.splitter.setSizes(self.default)


def remember_splitter(splitter: QSplitter, key: str) -> SplitterMemory:
    return SplitterMemory(splitter, key)


class HeaderMemory(QObject):
    """A table's column order and the widths the user dragged, saved per table key."""

    def __init__(self, header: QHeaderView, key: str) -> None:
        super().__init__(header)
        self.header, self.key = header, key
        self._applying = False
        self._auto: set[int] = set()  # sections the screen fits to content and the user has not dragged
        header.setSectionsMovable(True)
        header.sectionResized.connect(self._resized)
        header.sectionMoved.connect(self._moved)
        model = header.model()
        if model is not None:
            for signal in (model.modelReset, model.columnsInserted, model.layoutChanged):
                signal.connect(self.schedule)
        notifier().reset.connect(self._reset)
        self.schedule()

    def schedule(self, *_: Any) -> None:
        """After the screen has set its own column modes (in the same refresh), the user's layout wins."""
        QTimer.singleShot(0, self, self.apply)

    def apply(self) -> None:
        if not self._alive():
            return
        header = self.header
        count = header.count()
        if count == 0:
            return
        saved = _load(self.key)
        fits = isinstance(saved, dict) and saved.get("columns") == count
        widths: dict[str, int] = saved.get("widths", {}) if fits else {}
        order: list[int] = saved.get("order", []) if fits else []
        model = header.model()
        rows = model.rowCount() if model is not None else 0
        view = header.parentWidget()
        self._applying = True
        try:
            for section in range(count):
                mode = header.sectionResizeMode(section)
                if mode == Mode.ResizeToContents and rows:
                    width = header.sectionSize(section)
                    header.setSectionResizeMode(section, Mode.Interactive)  # fitted by Qt, then the user's
                    header.resizeSection(section, width)
                    self._auto.add(section)
                elif section in self._auto and mode == Mode.Interactive and isinstance(view, QTableView):
                    view.resizeColumnToContents(section)  # new rows, no width of the user's: fit again
                if str(section) in widths and header.sectionResizeMode(section) == Mode.Interactive:
                    header.resizeSection(section, int(widths[str(section)]))
            if sorted(order) == list(range(count)):
                for visual, logical in enumerate(order):
                    header.moveSection(header.visualIndex(logical), visual)
        finally:
            self._applying = False

    def _alive(self) -> bool:
        """False once Qt has deleted the table (a closed screen) while a signal is still on its way."""
        return shiboken6.isValid(self.header) and shiboken6.isValid(self)

    def _resized(self, section: int, _old: int, new: int) -> None:
        if not self._alive() or self._applying or self.header.sectionResizeMode(section) != Mode.Interactive:
            return
        self._auto.discard(section)
        saved = self._current()
        saved["widths"][str(section)] = new
        _save(self.key, saved)

    def _moved(self, *_: Any) -> None:
        if not self._alive() or self._applying:
            return
        saved = self._current()
        saved["order"] = [self.header.logicalIndex(v) for v in range(self.header.count())]
        _save(self.key, saved)

    def _current(self) -> dict[str, Any]:
        saved = _load(self.key)
        if not isinstance(saved, dict) or saved.get("columns") != self.header.count():
            saved = {"columns": self.header.count(), "widths": {}, "order": []}
        saved.setdefault("widths", {})
        return saved

    def _reset(self) -> None:
        if not self._alive():
            return
        self._applying = True
        try:
            for logical in range(self.header.count()):
                self.header.moveSection(self.header.visualIndex(logical), logical)
                if self.header.sectionResizeMode(logical) == Mode.Interactive:
                    self.header.resizeSection(logical, self.header.sectionSizeHint(logical))
        finally:
            self._applying = False


def remember_header(header: QHeaderView, key: str) -> HeaderMemory:
    return HeaderMemory(header, key)
