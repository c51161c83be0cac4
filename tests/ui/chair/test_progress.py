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
    item = next(i for i in panel.warning_lines() if "(da " in i.text(0))
    panel.warnings.itemActivated.emit(item, 0)
    protocol = item.data(0, Qt.ItemDataRole.UserRole)[0]
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
    assert any("manca" in i.text(0) for i in panel.warning_lines())


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


def test_warnings_grouped_by_kind_with_counts_and_filters(qtbot: Any, scored_host: Host) -> None:
    """Warnings come grouped by kind with counts, one line per application, filtered by kind and member."""
    from valutazione.services.progress_warnings import TITLES

    panel = ProgressPanel(scored_host)
    scored_host.show_panel(panel, "Avanzamento")
    scored_host.resize(1366, 768)
    scored_host.show()
    index = panel.locate("PG 138/2018", "Nadia Cattaneo")
    panel.table.setCurrentIndex(index)
    qtbot.keyClicks(panel.reason, "Errore materiale su C.2")
    qtbot.mouseClick(panel.reopen_button, Qt.MouseButton.LeftButton)  # Nadia's marks on PG 138 go missing
    headings = [panel.warnings.topLevelItem(i).text(0) for i in range(panel.warnings.topLevelItemCount())]
    assert headings[0].startswith(TITLES["scheda_mancante"] + " — ")
    assert any(h.startswith(TITLES["scarto"]) and " avvisi su " in h and h.endswith(" domande") for h in headings)
    lines = [i.text(0) for i in panel.warning_lines()]
    spread = [t for t in lines if "(da " in t]
    assert len(spread) == len({t.split(" — ")[0] for t in spread}), "one line per application"
    assert not any("1 commissari " in t or "1 commissari" == t[-12:] for t in lines)
    assert "PG 138/2018 — manca la scheda di 1 commissario su 3 (Nadia Cattaneo)" in lines
    panel.kind.setCurrentIndex(panel.kind.findData("scheda_mancante"))
    assert panel.warnings.topLevelItemCount() == 1
    assert all(i.text(0).startswith("PG 138/2018") for i in panel.warning_lines())
    panel.kind.setCurrentIndex(0)
    panel.member.setCurrentIndex(panel.member.findData("Nadia Cattaneo"))
    assert {i.data(0, Qt.ItemDataRole.UserRole)[1] for i in panel.warning_lines()} == {"Nadia Cattaneo"}
    assert len(panel.warning_lines()) == 2  # the missing sheet, and the quorum it breaks
    shoot(scored_host, "progress-avvisi")
