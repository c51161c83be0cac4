"""The chair's abstention list: a conflict declared by mistake is withdrawn with a reason, after confirming."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from PySide6.QtCore import Qt
from sqlalchemy import select

from tests.ui.chair import scenario
from tests.ui.chair.conftest import Host, shoot
from ui import dialogs
from ui.chair.committee import CommitteeTab
from valutazione.models import Domanda
from valutazione.services import conflicts


def test_withdraw_abstention_with_reason(
    qtbot: Any, db: Any, tmp_path: Path, monkeypatch: Any, qtmodeltester: Any
) -> None:
    """Listed with the declared reason; no reason or no confirmation withdraws nothing; then it is withdrawn."""
    members = scenario.build(db, tmp_path, scored=False)
    member = next(iter(m for name, m in members.items() if name != scenario.CHAIR))
    with db.sessions.begin() as s:
        domanda = s.scalars(select(Domanda.id).order_by(Domanda.protocol)).first()
        assert domanda is not None
        conflicts.declare(s, member, domanda, True, "Socio dell'ente proponente")
    host = Host(db)
    qtbot.addWidget(host)
    tab = CommitteeTab(host)
    host.show_panel(tab, "Commissione")
    box = tab.abstentions
    qtmodeltester.check(box.model)
    assert box.model.rowCount() == 1 and not box.empty.isVisible()
    assert box.model.index(0, 2).data() == "Socio dell'ente proponente"
    shoot(host, "committee-abstentions")
    qtbot.mouseClick(box.withdraw_button, Qt.MouseButton.LeftButton)
    assert "Selezionare" in tab.status.text()
    box.table.selectRow(0)
    monkeypatch.setattr(dialogs, "ask_text", lambda *a, **k: "  ")
    qtbot.mouseClick(box.withdraw_button, Qt.MouseButton.LeftButton)
    assert "richiede un motivo" in tab.status.text()
    monkeypatch.setattr(dialogs, "ask_text", lambda *a, **k: "Dichiarato per errore sulla riga sbagliata")
    monkeypatch.setattr(dialogs, "confirm", lambda *a, **k: False)
    qtbot.mouseClick(box.withdraw_button, Qt.MouseButton.LeftButton)
    assert box.model.rowCount() == 1
    asked: list[str] = []
    monkeypatch.setattr(dialogs, "confirm", lambda *a, **k: asked.append(a[2]) or True)
    qtbot.mouseClick(box.withdraw_button, Qt.MouseButton.LeftButton)
    assert "dovrà dichiarare di nuovo" in asked[0]
    assert "ritirata" in tab.status.text()
    assert box.model.rowCount() == 0 and box.empty.isVisible() and not box.withdraw_button.isEnabled()
    with db.sessions() as s:
        assert not conflicts.in_conflict(s, member, domanda)
