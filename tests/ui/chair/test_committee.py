"""Committee tab: members with roles, declarations, appointment act — all through the services."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QDate, Qt
from sqlalchemy import select

from tests.ui.chair.conftest import Host, shoot
from ui.chair.committee import CommitteeTab
from valutazione.models import BandoRow, Dichiarazione


def _add(qtbot: Any, tab: CommitteeTab, name: str, role_index: int) -> None:
    tab.name.clear()
    qtbot.keyClicks(tab.name, name)
    tab.role.setCurrentIndex(role_index)
    qtbot.mouseClick(tab.add_button, Qt.MouseButton.LeftButton)


def test_members_added_and_second_chair_refused(qtbot: Any, host: Host, qtmodeltester: Any) -> None:
    """One presidente only: the service's refusal is shown to the user, the table lists the others."""
    tab = CommitteeTab(host)
    host.show_panel(tab)
    _add(qtbot, tab, "Laura Fumagalli", 0)
    _add(qtbot, tab, "Marco Colombo", 1)
    _add(qtbot, tab, "Giorgio Bianchi", 0)
    assert "già un presidente" in tab.status.text()
    _add(qtbot, tab, "Anna Verdi", 2)
    assert [tab.model.index(r, 0).data() for r in range(tab.model.rowCount())] == [
        "Laura Fumagalli",
        "Marco Colombo",
        "Anna Verdi",
    ]
    assert tab.model.index(2, 1).data() == "Segretario verbalizzante"
    assert tab.model.index(0, 3).data() == "non resa"
    qtmodeltester.check(tab.model)


def test_declaration_recorded_once(qtbot: Any, host: Host) -> None:
    """The general declaration is recorded with its date and cannot be signed twice."""
    tab = CommitteeTab(host)
    _add(qtbot, tab, "Laura Fumagalli", 0)
    tab.table.selectRow(0)
    tab.declared_on.setDate(QDate(2018, 3, 5))
    qtbot.mouseClick(tab.declare_button, Qt.MouseButton.LeftButton)
    assert tab.model.index(0, 3).data() == "05/03/2018 12:00"
    tab.table.selectRow(0)
    qtbot.mouseClick(tab.declare_button, Qt.MouseButton.LeftButton)
    assert "già reso" in tab.status.text()
    with host.db.sessions() as s:
        assert len(s.scalars(select(Dichiarazione)).all()) == 1


def test_appointment_act_saved(qtbot: Any, host: Host) -> None:
    """The appointment act (number and date) is stored for the minutes; empty is refused."""
    tab = CommitteeTab(host)
    host.show_panel(tab, "Commissione")
    qtbot.mouseClick(tab.act_button, Qt.MouseButton.LeftButton)
    assert "atto di nomina" in tab.status.text()
    qtbot.keyClicks(tab.act, "Determinazione n. 45/2018")
    tab.act_day.setDate(QDate(2018, 3, 2))
    qtbot.mouseClick(tab.act_button, Qt.MouseButton.LeftButton)
    with host.db.sessions() as s:
        row = s.scalars(select(BandoRow)).one()
        assert (row.appointment_act, row.appointment_date.isoformat()) == (
            "Determinazione n. 45/2018",
            "2018-03-02",
        )
    _add(qtbot, tab, "Laura Fumagalli", 0)
    shoot(host, "committee")
