"""Nothing stale: one chair separator at most across user switches, no message outliving its file, no blank
list without a reason."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from tests.ui.conftest import CommitteeFile
from tests.ui.helpers import enter_as, open_window
from tests.ui.screenshots import SCREEN, shoot
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


def test_closing_a_file_clears_its_package_message(qtbot: Any, committee_file: CommitteeFile) -> None:
    """A status message about the open file (e.g. which package it came from) goes with the file."""
    window = open_window(qtbot, committee_file.path)
    window.show_message("Pacchetto n. 3 di Bruno Bianchi: il lavoro si salva su questo computer.", 15000)
    window.close_file()
    assert window.statusBar().currentMessage() == ""
    window.close()


def test_empty_application_list_says_why(qtbot: Any, tmp_path: Path, committee_file: CommitteeFile) -> None:
    """An empty list explains itself: no applications yet (and how to import them), or a search that hides
    them all; the count says «1 mostrata», not «1 mostrate»."""
    from tests.builders import Builder, new_file

    db = new_file(tmp_path / "vuoto.valutazione")
    Builder(db).committee((("Anna Rossi", "presidente"),))
    path = db.path
    db.close()
    window = open_window(qtbot, path)
    enter_as(qtbot, window, "Anna Rossi")
    view = window.domande
    assert view is not None and view.model.rowCount() == 0
    window.tabs.setCurrentWidget(view)
    assert view.empty_hint.isVisible() and "Importa domande" in view.empty_hint.text()
    shoot(qtbot, window, "elenco-vuoto", size=SCREEN)
    window.close()

    window = open_window(qtbot, committee_file.path)
    enter_as(qtbot, window, "Bruno Bianchi")
    view = window.domande
    assert view is not None
    window.tabs.setCurrentWidget(view)
    assert not view.empty_hint.isVisible()
    qtbot.keyClicks(view.search, "nessuna domanda ha questo titolo")
    assert view.empty_hint.isVisible() and "ricerca o ai filtri" in view.empty_hint.text()
    view.search.clear()
    qtbot.keyClicks(view.search, "PG 101/2018")
    assert view.shown.text().startswith("1 di ") and not view.empty_hint.isVisible()
    window.close()
