"""Financial summary: the four monitoring figures, and the nesting refusals shown to the user."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Qt

from tests.ui.chair.conftest import Host, shoot
from ui.chair.finance import FinancePanel
from valutazione.services import ranking


def test_agreement_and_payment_nesting(qtbot: Any, scored_host: Host, qtmodeltester: Any) -> None:
    """Ammesso comes from the final ranking; a payment above the agreement is refused with the reason."""
    with scored_host.db.sessions.begin() as s:
        ranking.record_draw(s, ["PG 117/2018", "PG 141/2018"], "Laura Fumagalli")
        ranking.approve(s, "provvisoria", "Laura Fumagalli")
        ranking.approve(s, "definitiva", "Laura Fumagalli")
    panel = FinancePanel(scored_host)
    scored_host.show_panel(panel, "Finanziario")
    qtmodeltester.check(panel.model)
    assert "Ammesso a finanziamento:</b> € 300.000,00" in panel.totals.text()
    panel.protocol.setCurrentText("PG 138/2018")
    qtbot.keyClicks(panel.amount, "20.909,00")
    qtbot.mouseClick(panel.record_button, Qt.MouseButton.LeftButton)
    assert "Movimento registrato" in panel.status.text()
    panel.protocol.setCurrentText("PG 138/2018")
    panel.kind.setCurrentIndex(1)
    qtbot.keyClicks(panel.amount, "30.000,00")
    qtbot.mouseClick(panel.record_button, Qt.MouseButton.LeftButton)
    assert "supererebbe il giuridicamente vincolante" in panel.status.text()
    panel.amount.setText("10.000,00")
    qtbot.mouseClick(panel.record_button, Qt.MouseButton.LeftButton)
    assert "Erogato:</b> € 10.000,00" in panel.totals.text()
    shoot(scored_host, "finance")
