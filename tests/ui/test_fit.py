"""Fit test: the main screens at 1366×768, at 1920×1080 and at 125 % scaling (1093×614 logical pixels,
see ``tests/ui/screenshots.py``) show every label and button whole, none over another."""

from __future__ import annotations

from typing import Any

from PySide6.QtWidgets import QWidget

from tests.ui.conftest import CommitteeFile
from tests.ui.fit import problems
from tests.ui.helpers import click, enter_as, open_row, open_window
from tests.ui.screenshots import FULL_HD, SCALED_125, SCREEN, shoot, shoot_sizes
from ui.main_window import MainWindow

CHECKED = {"1366x768": SCREEN, "1920x1080": FULL_HD, "125%": SCALED_125}


def _check(qtbot: Any, window: MainWindow, screen: str, found: dict[str, list[str]]) -> None:
    """Checks the screen at each size, and leaves the window at the laptop size for the next step.

    A screen computing in the background (the ranking) is awaited first: its labels change when it ends.
    """
    page = window.tabs.currentWidget() if window.tabs.isVisible() else None
    if page is not None:
        qtbot.waitUntil(
            lambda: not any(getattr(w, "busy", False) is True for w in page.findChildren(QWidget)), timeout=15000
        )
    for label, size in CHECKED.items():
        window.resize(*size)
        qtbot.wait(30)
        issues = problems(window)
        if issues:
            found[f"{screen} ({label})"] = issues
    window.resize(*SCREEN)
    qtbot.wait(10)


def test_member_screens_fit(qtbot: Any, committee_file: CommitteeFile) -> None:
    """Welcome, who-am-I, declaration, list, conflict and scoring fit a laptop (also at 125 %) and a 1080p screen."""
    found: dict[str, list[str]] = {}
    empty = MainWindow()
    qtbot.addWidget(empty)
    empty.show()
    _check(qtbot, empty, "benvenuto", found)
    empty.close()

    window = open_window(qtbot, committee_file.path)
    _check(qtbot, window, "chi-sono", found)
    enter_as(qtbot, window, "Bruno Bianchi", declare=False)
    _check(qtbot, window, "dichiarazione", found)
    window.declaration.agree.setChecked(True)
    click(qtbot, window.declaration.sign_button)
    _check(qtbot, window, "elenco-domande", found)
    open_row(qtbot, window, "PG 101/2018")
    _check(qtbot, window, "conflitto", found)
    click(qtbot, window.evaluation.conflict.none_button)
    _check(qtbot, window, "scheda", found)
    window.close()
    assert not found, "\n".join(f"{screen}: {issue}" for screen, items in found.items() for issue in items)


def test_first_chair_form_fits(qtbot: Any, tmp_path: Any) -> None:
    """Who-am-I of a new file (no members yet): the first chair's form is laid out whole, not squashed."""
    from tests.builders import State, committee_file

    path = committee_file(tmp_path / "nuovo.valutazione", State.EMPTY).path
    window = open_window(qtbot, path)
    found: dict[str, list[str]] = {}
    _check(qtbot, window, "primo-presidente", found)
    shoot_sizes(qtbot, window, "fit-primo-presidente")
    window.close()
    assert not found, "\n".join(f"{screen}: {issue}" for screen, items in found.items() for issue in items)


def test_chair_tabs_fit(qtbot: Any, tmp_path: Any) -> None:
    """Every tab the chair sees on the demo file fits 1366×768, 1920×1080 and 125 %: no clipped label, no overlap."""
    from valutazione.db import open_database
    from valutazione.demo import CHAIR, build_demo

    window = MainWindow(open_database(build_demo(tmp_path / "demo.valutazione")))
    qtbot.addWidget(window)
    window.show()
    enter_as(qtbot, window, CHAIR)
    found: dict[str, list[str]] = {}
    for index in range(window.tabs.count()):
        window.tabs.setCurrentIndex(index)
        name = window.tabs.tabText(index)
        _check(qtbot, window, name, found)
        shoot_sizes(qtbot, window, f"fit-tab-{index:02d}")
        shoot(qtbot, window, f"fit-tab-{index:02d}-125", size=SCALED_125)
    window.close()
    assert not found, "\n".join(f"{screen}: {issue}" for screen, items in found.items() for issue in items)
