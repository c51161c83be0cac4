"""The funded-projects screen under test: the README's sample approved as final, in a host window."""

from __future__ import annotations

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtWidgets import QWidget

from tests.ui import screenshots
from tests.ui.chair.conftest import Host
from tests.valutazione.projects.conftest import CHAIR, final_ranking_file, funded  # noqa: F401
from ui.user import User
from valutazione.db import Database


@pytest.fixture
def projects_host(qtbot: Any, funded: Database) -> Iterator[Host]:  # noqa: F811
    """A host window on a private copy of the final-ranking file, the chair at the keyboard."""
    window = Host(funded, User(1, CHAIR, "presidente"))
    qtbot.addWidget(window)
    yield window


def shoot(widget: QWidget, name: str) -> Path:
    """Screenshots at 1366×768 and 1920×1080 through the one helper (outside the repository), for a human."""
    return screenshots.shoot_sizes(None, widget, f"progetti-{name}")[0]  # at 1366×768 and 1920×1080
