"""Nothing piles up across user switches: the toolbar has one chair separator at most."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from tests.ui.helpers import enter_as
from ui.main_window import MainWindow


def test_user_switch_adds_no_toolbar_separator(qtbot: Any, tmp_path: Path) -> None:
    """Entering as the chair three times leaves the toolbar as after the first time."""
    from valutazione.db import open_database
    from valutazione.demo import CHAIR, build_demo

    window = MainWindow(open_database(build_demo(tmp_path / "demo.valutazione")))
    qtbot.addWidget(window)
    window.show()
    counts = []
    for _ in range(3):
        enter_as(qtbot, window, CHAIR)
        counts.append(sum(action.isSeparator() for action in window.toolbar.actions()))
        window.switch_action.trigger()
    assert counts[0] >= 1 and counts == [counts[0]] * 3, counts
    window.close()
