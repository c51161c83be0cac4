"""The ranking computed off the GUI thread, and the backup taken after each approval."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Qt

from tests.ui.chair.conftest import Host, settled
from ui.chair.ranking import RankingPanel
from valutazione.backups import list_backups
from valutazione.services import ranking


def test_worker_fills_the_table_and_a_late_change_recomputes(qtbot: Any, scored_host: Host) -> None:
    """The table shows "Calcolo della graduatoria…" until the worker lands; a change meanwhile computes again."""
    panel = RankingPanel(scored_host)
    scored_host.show_panel(panel, "Graduatoria")
    assert panel.busy and panel.table_stack.currentWidget() is panel.placeholder
    assert panel.model.rowCount() == 0 and not panel.draw_button.isEnabled()
    scored_host.data_changed.emit()  # while computing: must not start a second worker, but run again after
    assert panel._again
    with qtbot.waitSignal(panel.loaded, timeout=15000):
        pass
    assert not panel.busy and panel.table_stack.currentWidget() is panel.view
    assert panel.model.rowCount() > 0 and panel.model.funding_line > 0
    assert panel.draw_button.isEnabled()  # the sample has an open tie


def test_backup_after_each_approval(qtbot: Any, scored_host: Host) -> None:
    """Approving a ranking (and sliding it) takes a backup of the file, named after the approval."""
    with scored_host.db.sessions.begin() as s:
        ranking.record_draw(s, ["PG 117/2018", "PG 141/2018"], "Laura Fumagalli")
    before = len(list_backups(scored_host.db.path))
    panel = settled(qtbot, RankingPanel(scored_host))
    scored_host.show_panel(panel, "Graduatoria")
    qtbot.keyClicks(panel.reason, "Graduatoria provvisoria")
    qtbot.mouseClick(panel.provisional, Qt.MouseButton.LeftButton)
    assert "versione 1" in panel.status.text() and "copia di sicurezza salvata" in panel.status.text()
    found = list_backups(scored_host.db.path)
    assert len(found) == before + 1 and found[0].reason == "approvazione graduatoria"
    settled(qtbot, panel)
