"""Fit test: the main screens at 1366×768 show every label and button whole, none over another."""

from __future__ import annotations

from typing import Any

from tests.ui.conftest import CommitteeFile
from tests.ui.fit import problems
from tests.ui.helpers import click, enter_as, open_row, open_window
from tests.ui.screenshots import SCREEN, shoot
from ui.main_window import MainWindow


def _check(qtbot: Any, window: MainWindow, screen: str, found: dict[str, list[str]]) -> None:
    window.resize(*SCREEN)
    qtbot.wait(30)
    issues = problems(window)
    if issues:
        found[screen] = issues


def test_member_screens_fit_1366x768(qtbot: Any, committee_file: CommitteeFile) -> None:
    """Welcome, who-am-I, declaration, list, conflict and scoring fit a 1366×768 laptop screen."""
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
    shoot(qtbot, window, "fit-primo-presidente", size=SCREEN)
    window.close()
    assert not found, "\n".join(f"{screen}: {issue}" for screen, items in found.items() for issue in items)


def test_chair_tabs_fit_1366x768(qtbot: Any, tmp_path: Any) -> None:
    """Every tab the chair sees on the demo file fits 1366×768: no clipped label, no overlap."""
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
        shoot(qtbot, window, f"fit-tab-{index:02d}", size=SCREEN)
    window.close()
    assert not found, "\n".join(f"{screen}: {issue}" for screen, items in found.items() for issue in items)
