"""The committee tab corrects a member before the first score: renamed or removed with a reason, confirmed;
refused with the service's message once the member has scored."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from PySide6.QtCore import Qt

from tests.ui.chair import scenario
from tests.ui.chair.conftest import Host, shoot
from ui import dialogs
from ui.chair.committee import CommitteeTab
from valutazione.services import committee


def _select(tab: CommitteeTab, name: str) -> None:
    row = next(r for r in range(tab.model.rowCount()) if tab.model.index(r, 0).data() == name)
    tab.table.selectRow(row)


def test_rename_and_remove_before_any_score(qtbot: Any, db: Any, tmp_path: Path, monkeypatch: Any) -> None:
    """No selection or no reason changes nothing; a rename and a confirmed removal are applied and shown."""
    scenario.build(db, tmp_path, scored=False)
    host = Host(db)
    qtbot.addWidget(host)
    tab = CommitteeTab(host)
    host.show_panel(tab, "Commissione")
    shoot(host, "committee-corrections")
    box = tab.corrections
    qtbot.mouseClick(box.rename_button, Qt.MouseButton.LeftButton)
    assert "Selezionare nella tabella il componente" in tab.status.text()
    first, second = (name for name, role in scenario.MEMBERS if role == "componente")
    _select(tab, first)
    monkeypatch.setattr(dialogs, "ask_line", lambda *a, **k: first + " Jr")
    monkeypatch.setattr(dialogs, "ask_text", lambda *a, **k: " ")
    qtbot.mouseClick(box.rename_button, Qt.MouseButton.LeftButton)
    assert "richiede un motivo" in tab.status.text()
    monkeypatch.setattr(dialogs, "ask_text", lambda *a, **k: "Nome trascritto male")
    qtbot.mouseClick(box.rename_button, Qt.MouseButton.LeftButton)
    assert f"Nome corretto: {first} → {first} Jr." in tab.status.text()
    _select(tab, second)
    monkeypatch.setattr(dialogs, "confirm", lambda *a, **k: False)
    qtbot.mouseClick(box.remove_button, Qt.MouseButton.LeftButton)
    monkeypatch.setattr(dialogs, "confirm", lambda *a, **k: True)
    with db.sessions() as s:
        assert second in [m.name for m in committee.list_members(s)]
    qtbot.mouseClick(box.remove_button, Qt.MouseButton.LeftButton)
    assert f"{second} non fa più parte della commissione" in tab.status.text()
    with db.sessions() as s:
        names = [m.name for m in committee.list_members(s)]
    assert first + " Jr" in names and second not in names
    assert [tab.model.index(r, 0).data() for r in range(tab.model.rowCount())] == names


def test_member_who_scored_is_not_corrected(qtbot: Any, db: Any, tmp_path: Path, monkeypatch: Any) -> None:
    """After the first score the service's refusal is shown and the member stays."""
    scenario.build(db, tmp_path, scored=True)
    host = Host(db)
    qtbot.addWidget(host)
    tab = CommitteeTab(host)
    host.show_panel(tab, "Commissione")
    first = next(name for name, role in scenario.MEMBERS if role == "componente")
    _select(tab, first)
    monkeypatch.setattr(dialogs, "ask_text", lambda *a, **k: "Nominato per errore")
    monkeypatch.setattr(dialogs, "confirm", lambda *a, **k: True)
    qtbot.mouseClick(tab.corrections.remove_button, Qt.MouseButton.LeftButton)
    assert f"{first} non si può rimuovere: ha già valutato" in tab.status.text()
