"""Ranking view: funding line, budget bar, explained points, draw, approvals, renunciation and slide."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDialog

from tests.ui.chair.conftest import Host, settled, shoot
from ui import dialogs
from ui.chair.ranking import DrawDialog, RankingPanel
from ui.chair.ranking_model import FUNDING_LINE_ROLE
from valutazione.ranking.status import RankingStatus


def _row(panel: RankingPanel, protocol: str) -> int:
    return next(i for i in range(panel.model.rowCount()) if panel.model.row_at(i).protocol == protocol)


def _cell(panel: RankingPanel, protocol: str, header: str) -> Any:
    col = next(
        c for c in range(panel.model.columnCount()) if panel.model.headerData(c, Qt.Orientation.Horizontal) == header
    )
    return panel.model.index(_row(panel, protocol), col)


def test_funding_line_budget_and_explanations(qtbot: Any, scored_host: Host, qtmodeltester: Any) -> None:
    """The line falls under the partially funded application; every point is explained from the coefficients."""
    panel = RankingPanel(scored_host)
    scored_host.show_panel(panel, "Graduatoria")
    settled(qtbot, panel)
    qtmodeltester.check(panel.model)
    qtmodeltester.check(panel.versions)
    line = [i for i in range(panel.model.rowCount()) if panel.model.index(i, 0).data(FUNDING_LINE_ROLE)]
    assert line == [panel.model.funding_line - 1]
    last = panel.model.row_at(line[0])
    assert last.protocol == "PG 113/2018" and last.status == "finanziata_parzialmente"
    assert _cell(panel, "PG 113/2018", "Contributo").data() == "€ 43.474,00"
    assert panel.model.row_at(line[0] + 1).status == "ammessa_non_finanziata"
    assert panel.budget.text().startswith("Assegnati € 300.000,00 di € 300.000,00")
    tip = _cell(panel, "PG 138/2018", "A").data(Qt.ItemDataRole.ToolTipRole)
    assert "A.1 (max 15): Laura Fumagalli" in tip and "× 15 =" in tip and "Soglia 14,00: superata" in tip
    assert "Parità non risolta tra PG 117/2018, PG 141/2018" in panel.blockers.text()
    assert _cell(panel, "PG 141/2018", "Protocollo").data().endswith("⚖")
    shoot(scored_host, "ranking")


def test_tie_draw_then_provisional_and_final(qtbot: Any, scored_host: Host, monkeypatch: Any) -> None:
    """A final ranking is refused while a tie is open; after the draw, provisional then final are approved."""
    panel = RankingPanel(scored_host)
    scored_host.show_panel(panel, "Graduatoria")
    settled(qtbot, panel)
    monkeypatch.setattr(dialogs, "confirm", lambda *a, **k: True)
    qtbot.mouseClick(panel.final, Qt.MouseButton.LeftButton)
    assert "non può diventare definitiva" in panel.status.text() and "sorteggio" in panel.status.text()

    def fill(dialog: QDialog) -> bool:
        assert isinstance(dialog, DrawDialog)
        dialog.order.setCurrentRow(1)
        dialog.move(-1)
        dialog.note.setText("Sorteggio in seduta pubblica n. 2")
        shoot(dialog, "ranking-draw")
        return True

    panel.exec_dialog = fill  # type: ignore[method-assign]
    qtbot.mouseClick(panel.draw_button, Qt.MouseButton.LeftButton)
    assert "PG 141/2018 → PG 117/2018" in panel.status.text()
    settled(qtbot, panel)
    assert (
        panel.model.row_at(_row(panel, "PG 141/2018")).position
        < panel.model.row_at(_row(panel, "PG 117/2018")).position
    )
    assert not panel.draw_button.isEnabled()
    qtbot.keyClicks(panel.reason, "Graduatoria provvisoria")
    qtbot.mouseClick(panel.provisional, Qt.MouseButton.LeftButton)
    assert "versione 1 (provvisoria)" in panel.status.text()
    qtbot.mouseClick(panel.final, Qt.MouseButton.LeftButton)
    assert "versione 2 (definitiva)" in panel.status.text()
    settled(qtbot, panel)
    assert [panel.versions.index(r, 1).data() for r in range(2)] == ["provvisoria", "definitiva"]
    assert panel.versions.index(1, 5).data().endswith("…")


def test_renunciation_and_slide(qtbot: Any, scored_host: Host, monkeypatch: Any) -> None:
    """A funded applicant renounces; the slide frees its money down the list in a new version."""
    from valutazione.services import ranking

    with scored_host.db.sessions.begin() as s:
        ranking.record_draw(s, ["PG 117/2018", "PG 141/2018"], "Laura Fumagalli")
        ranking.approve(s, "provvisoria", "Laura Fumagalli")
    panel = RankingPanel(scored_host)
    scored_host.show_panel(panel, "Graduatoria")
    settled(qtbot, panel)
    qtbot.mouseClick(panel.renounce_button, Qt.MouseButton.LeftButton)
    assert "Selezionare" in panel.status.text()
    panel.table.selectRow(_row(panel, "PG 130/2018"))
    monkeypatch.setattr(dialogs, "ask_text", lambda *a, **k: "Rinuncia con PEC del 10/05/2018")
    qtbot.mouseClick(panel.renounce_button, Qt.MouseButton.LeftButton)
    assert "Rinuncia registrata per PG 130/2018" in panel.status.text()
    settled(qtbot, panel)
    qtbot.mouseClick(panel.slide_button, Qt.MouseButton.LeftButton)
    assert "motivo" in panel.status.text()
    qtbot.keyClicks(panel.reason, "Scorrimento per rinuncia di PG 130/2018")
    qtbot.mouseClick(panel.slide_button, Qt.MouseButton.LeftButton)
    assert "versione 2" in panel.status.text()
    settled(qtbot, panel)
    assert _cell(panel, "PG 113/2018", "Contributo").data() == "€ 50.000,00"
    assert _cell(panel, "PG 106/2018", "Esito").data() == RankingStatus.PARTIALLY_FUNDED.label
    assert _cell(panel, "PG 130/2018", "Esito").data() == RankingStatus.RENOUNCED.label == "Rinunciataria / revocata"
    shoot(scored_host, "ranking-after-slide")


def test_after_final_approval_buttons_off_version_named_rules_read_only(qtbot: Any, scored_host: Host) -> None:
    """After the definitive approval the approve buttons say why they are off, the label names the
    version on screen and the rules can no longer change (tab and service)."""
    import dataclasses

    import pytest

    from ui.chair.rules_tab import RulesTab
    from valutazione.errors import RuleViolation
    from valutazione.services import lookup, ranking, rules

    with scored_host.db.sessions.begin() as s:
        ranking.record_draw(s, ["PG 117/2018", "PG 141/2018"], "Laura Fumagalli")
    panel = RankingPanel(scored_host)
    scored_host.show_panel(panel, "Graduatoria")
    settled(qtbot, panel)
    assert panel.on_screen.text() == "Calcolo provvisorio, non approvato"
    assert panel.provisional.isEnabled() and panel.final.isEnabled()
    with scored_host.db.sessions.begin() as s:
        ranking.approve(s, "provvisoria", "Laura Fumagalli")
        ranking.approve(s, "definitiva", "Laura Fumagalli")
    scored_host.data_changed.emit()
    settled(qtbot, panel)
    assert panel.on_screen.text().startswith("Versione 2 — approvata in via definitiva il ")
    assert not panel.provisional.isEnabled() and not panel.final.isEnabled()
    assert "già approvata in via definitiva (versione 2)" in panel.final.toolTip()
    assert panel.renounce_button.isEnabled() and panel.slide_button.isEnabled()
    shoot(scored_host, "ranking-definitive")
    assert panel.versions_view.viewport().height() >= 3 * panel.versions_view.rowHeight(0)  # not 1.5 rows

    tab = RulesTab(scored_host)
    scored_host.show_panel(tab, "Bando")
    scored_host.tabs.setCurrentWidget(tab)
    assert "sola lettura" in tab.lock.text() and "versione 2" in tab.lock.text()
    assert not tab.save_button.isEnabled() and not tab.editor.sections["generale"].isEnabled()
    shoot(scored_host, "rules-after-definitive")
    with scored_host.db.sessions.begin() as s, pytest.raises(RuleViolation, match="definitiva"):
        rules.update_rules(s, "Laura Fumagalli", dataclasses.replace(lookup.rules(s), budget_cents=1), "ritocco")


def test_calculation_differs_from_last_version_after_renunciation(qtbot: Any, scored_host: Host) -> None:
    """A renunciation after approval changes the calculation: the label says it is not the approved one."""
    from valutazione.services import ranking

    with scored_host.db.sessions.begin() as s:
        ranking.record_draw(s, ["PG 117/2018", "PG 141/2018"], "Laura Fumagalli")
        ranking.approve(s, "provvisoria", "Laura Fumagalli")
        ranking.renounce(s, "PG 130/2018", "Rinuncia con PEC", "Laura Fumagalli")
    panel = RankingPanel(scored_host)
    scored_host.show_panel(panel, "Graduatoria")
    settled(qtbot, panel)
    assert panel.on_screen.text() == "Calcolo provvisorio, non approvato (diverso dalla versione 1, l'ultima approvata)"
