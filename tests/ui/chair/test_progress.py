"""Progress board: members × applications states, warnings leading to the cell, reopening with a reason."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Qt

from tests.ui.chair.conftest import Host, shoot
from ui.chair.progress import ProgressPanel
from valutazione.services import conflicts


def test_board_states_and_warning_leads_to_cell(qtbot: Any, scored_host: Host, qtmodeltester: Any) -> None:
    """Every cell shows inviata/astenuto; double-clicking a spread warning selects its application."""
    ids = scored_host.member_ids
    panel = ProgressPanel(scored_host)
    scored_host.show_panel(panel, "Avanzamento")
    qtmodeltester.check(panel.model)
    assert panel.model.headerData(1, Qt.Orientation.Horizontal) == "Laura Fumagalli"
    assert "mancanti" in panel.summary.text() and " 0 mancanti" in panel.summary.text()
    spread = next(i for i in range(panel.warnings.count()) if "distanti" in panel.warnings.item(i).text())
    item = panel.warnings.item(spread)
    panel.warnings.itemDoubleClicked.emit(item)
    protocol = item.data(Qt.ItemDataRole.UserRole)[0]
    assert panel.model.cell(panel.view.source_index(panel.table.currentIndex()))[1] == protocol
    shoot(scored_host, "progress")
    assert ids


def test_reopen_needs_reason_and_chair(qtbot: Any, scored_host: Host) -> None:
    """A submitted sheet is reopened only with a reason; the cell turns to bozza."""
    panel = ProgressPanel(scored_host)
    scored_host.show_panel(panel, "Avanzamento")
    index = panel.locate("PG 138/2018", "Nadia Cattaneo")
    panel.table.setCurrentIndex(index)
    assert index.data() == "inviata"
    qtbot.mouseClick(panel.reopen_button, Qt.MouseButton.LeftButton)
    assert "motivo" in panel.status.text()
    qtbot.keyClicks(panel.reason, "Errore materiale su C.2 segnalato dalla commissaria")
    qtbot.mouseClick(panel.reopen_button, Qt.MouseButton.LeftButton)
    assert panel.model.locate("PG 138/2018", "Nadia Cattaneo").data() == "bozza"
    assert any("manca" in panel.warnings.item(i).text() for i in range(panel.warnings.count()))


def test_conflict_shows_abstention(qtbot: Any, db: Any, tmp_path: Any) -> None:
    """A member in conflict is shown as astenuto on that application."""
    from tests.ui.chair import scenario
    from tests.ui.chair.conftest import Host as H

    ids = scenario.build(db, tmp_path, scored=False)
    with db.sessions.begin() as s:
        from valutazione.services import lookup

        d = lookup.domanda_by_protocol(s, "PG 101/2018")
        conflicts.declare(s, ids["Stefano Brambilla"], d.id, True, "Parente del legale rappresentante")
    host = H(db)
    qtbot.addWidget(host)
    panel = ProgressPanel(host)
    host.show_panel(panel)
    assert panel.model.locate("PG 101/2018", "Stefano Brambilla").data() == "astenuto"
    assert panel.model.locate("PG 101/2018", "Laura Fumagalli").data() == "mancante"
