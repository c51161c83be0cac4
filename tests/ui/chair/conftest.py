"""The chair's desktop under test: a small host window standing in for the main window."""

from __future__ import annotations

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from collections.abc import Iterator
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest
from PySide6.QtCore import Signal
from PySide6.QtWidgets import QMainWindow, QTabWidget, QWidget

from tests import builders
from tests.ui import screenshots
from valutazione.db import Database

SAMPLE = builders.DEMO


class Host(QMainWindow):
    """What the real main window offers the chair's panels: db, user, data_changed."""

    data_changed = Signal()

    def __init__(self, db: Database, user: Any = None) -> None:
        super().__init__()
        self.db = db
        self.user = user or SimpleNamespace(name="Presidente di prova", role="presidente")
        self.tabs = QTabWidget()
        self.setCentralWidget(self.tabs)

    def show_panel(self, widget: QWidget, title: str = "") -> QWidget:
        self.tabs.addTab(widget, title)
        return widget


@pytest.fixture
def host(qtbot: Any, db: Database) -> Iterator[Host]:
    window = Host(db)
    qtbot.addWidget(window)
    yield window


def shoot(widget: QWidget, name: str) -> Path:
    """Screenshots of a chair's screen at 1366×768 and 1920×1080, for a human to look at (tests/ui/screenshots.py)."""
    return screenshots.shoot_sizes(None, widget, f"chair-{name}")[0]  # at 1366×768 and 1920×1080


@pytest.fixture
def imported(db: Database) -> Database:
    """The sample call with the sample applications imported (readable rows only)."""
    builders.Builder(db, actor="presidente").sample()
    return db


@pytest.fixture
def imported_host(qtbot: Any, imported: Database) -> Iterator[Host]:
    window = Host(imported)
    qtbot.addWidget(window)
    yield window


@pytest.fixture
def scored_host(qtbot: Any, db: Database, tmp_path: Path) -> Iterator[Host]:
    """The sample call with every admissible application scored by the three members."""
    from tests.ui.chair import scenario
    from ui.user import User

    ids = scenario.build(db, tmp_path)
    window = Host(db, User(ids["Laura Fumagalli"], "Laura Fumagalli", "presidente"))
    window.member_ids = ids
    qtbot.addWidget(window)
    yield window


def settled(qtbot: Any, panel: Any, timeout: int = 15000) -> Any:
    """Waits until a screen's background computation (the ranking's worker) has reached its table."""
    qtbot.waitUntil(lambda: not getattr(panel, "busy", False), timeout=timeout)
    return panel
