"""The home page after entering: state and next action per role, each line leading to the place to act."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from PySide6.QtCore import Qt

from tests.builders import State, committee_file
from tests.ui import screenshots
from tests.ui.helpers import enter_as, open_window
from ui.chair import LazyTab


def test_chair_home_shows_the_next_step_and_its_link_opens_the_screen(qtbot: Any, tmp_path: Path) -> None:
    """Imported file: the chair lands on «Inizio», told to decide admissibility; the line opens that tab."""
    built = committee_file(tmp_path / "a.valutazione", State.IMPORTED)
    window = open_window(qtbot, built.path)
    enter_as(qtbot, window, "Anna Rossi")
    page = window.home
    assert page is not None and window.tabs.currentWidget() is page
    assert page.headline.text().startswith("Prossima azione: Ammissibilità decisa: 0 su ")
    screenshots.shoot(qtbot, window, "home-presidente", size=screenshots.SCREEN)
    qtbot.mouseClick(page.button("Ammissibilità decisa"), Qt.MouseButton.LeftButton)
    assert window.tabs.tabText(window.tabs.currentIndex()) == "Ammissibilità"
    assert isinstance(window.tabs.currentWidget(), LazyTab)
    window.tabs.setCurrentWidget(page)
    qtbot.mouseClick(page.button("Domande da valutare"), Qt.MouseButton.LeftButton)
    assert window.tabs.currentWidget() is window.domande
    window.close()


def test_member_and_secretary_homes(qtbot: Any, tmp_path: Path) -> None:
    """A member with submitted sheets has nothing pending; the secretary's page speaks of sessions."""
    built = committee_file(tmp_path / "b.valutazione", State.SUBMITTED)
    window = open_window(qtbot, built.path)
    enter_as(qtbot, window, "Bruno Bianchi")
    assert window.home is not None
    assert window.home.headline.text() == "Nessuna azione in sospeso."
    assert window.home.button("Domande da valutare: 0")
    screenshots.shoot(qtbot, window, "home-componente", size=screenshots.SCREEN)
    window.switch_action.trigger()
    enter_as(qtbot, window, "Dario Neri")
    assert window.home is not None and window.home.button("Sedute registrate: nessuna")
    assert window.home.headline.text() == "Prossima azione: Sedute registrate: nessuna"
    screenshots.shoot(qtbot, window, "home-segretario", size=screenshots.SCREEN)
    qtbot.mouseClick(window.home.button("Sedute registrate"), Qt.MouseButton.LeftButton)
    assert window.tabs.tabText(window.tabs.currentIndex()) == "Sedute"
    window.close()
