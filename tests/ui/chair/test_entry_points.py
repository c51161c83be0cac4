"""The main window's entry points and the rules tab of an open file."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Qt

from tests.ui.chair.conftest import Host, shoot
from ui.chair import chair_actions, chair_tabs
from ui.chair.rules_tab import RulesTab
from ui.user import User


def test_chair_and_secretary_tabs(qtbot: Any, host: Host) -> None:
    """The chair gets every screen and the actions; the secretary only committee, sessions, progress."""
    tabs = chair_tabs(host)
    for title, widget in tabs:
        host.show_panel(widget, title)
    titles = [t for t, _ in tabs]
    assert titles == [
        "Bando",
        "Commissione",
        "Ammissibilità",
        "Avanzamento",
        "Graduatoria",
        "Sedute",
        "Progetti finanziati",
    ]
    assert [a.text() for a in chair_actions(host)] == [
        "Importa domande…",
        "Importa punteggi (CSV)…",
        "Nuovo bando (procedura guidata)…",
    ]
    host.user = User(9, "Giulia Sala", "segretario")
    secretary = chair_tabs(host)
    for title, widget in secretary:
        host.show_panel(widget, title)
    assert [t for t, _ in secretary] == ["Commissione", "Sedute", "Avanzamento"]
    assert chair_actions(host) == []


def test_rules_free_then_reasoned(qtbot: Any, imported_host: Host) -> None:
    """Rules change freely before any application is opened; afterwards only with a reason, listed for the minutes."""
    tab = RulesTab(imported_host)
    imported_host.show_panel(tab, "Bando")
    assert "liberamente" in tab.lock.text()
    tab.editor.quorum.setValue(4)
    qtbot.mouseClick(tab.save_button, Qt.MouseButton.LeftButton)
    assert "1 modifiche" in tab.status.text() and tab.changes.count() == 0
    from valutazione.services import admissibility

    with imported_host.db.sessions.begin() as s:
        admissibility.mark_all_admissible(s, "p", "ok")
    imported_host.data_changed.emit()
    assert "motivo" in tab.lock.text()
    tab.editor.cap.setText("45.000,00")
    qtbot.mouseClick(tab.save_button, Qt.MouseButton.LeftButton)
    assert "motivazione" in tab.status.text()
    qtbot.keyClicks(tab.reason, "Errata corrige del massimale")
    qtbot.mouseClick(tab.save_button, Qt.MouseButton.LeftButton)
    assert tab.changes.count() == 1 and "45000" in tab.changes.item(0).text()
    tab.editor.cap.setText("abc")
    qtbot.mouseClick(tab.save_button, Qt.MouseButton.LeftButton)
    assert "bando.contributo_massimo" in tab.status.text() and tab.sections.currentIndex() == 0
    shoot(imported_host, "rules")


def test_submission_precision_shown_explained_and_saved(qtbot: Any, imported_host: Host) -> None:
    """The rules tab shows «precisione_invio» (minute by default, its tooltip explaining the same-minute
    draw) and saving «al secondo» stores it in the file's rules."""
    from valutazione.services import lookup

    tab = RulesTab(imported_host)
    imported_host.show_panel(tab, "Bando")
    box = tab.editor.submission_precision
    assert box.currentData() == "minuto" and box.currentText().startswith("al minuto")
    assert "stesso minuto" in box.toolTip() and "sorteggio pubblico" in box.toolTip()
    tab.sections.setCurrentIndex(3)
    shoot(imported_host, "rules-precision")
    box.setCurrentIndex(box.findData("secondo"))
    qtbot.mouseClick(tab.save_button, Qt.MouseButton.LeftButton)
    assert "1 modifiche" in tab.status.text()
    with imported_host.db.sessions() as s:
        assert lookup.rules(s).submission_precision == "secondo"
    tab.refresh()
    assert RulesTab(imported_host).editor.submission_precision.currentData() == "secondo"
