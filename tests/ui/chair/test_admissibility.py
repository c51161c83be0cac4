"""Admissibility panel: formal checklist with the import's flags, outcomes with reasons, soccorso istruttorio."""

from __future__ import annotations

from datetime import date
from typing import Any

from PySide6.QtCore import QDate, Qt
from sqlalchemy import select

from tests.ui.chair.conftest import Host, shoot
from ui.chair.admissibility import AdmissibilityPanel
from valutazione.models import Ammissibilita, Domanda


def _select(panel: AdmissibilityPanel, protocol: str) -> None:
    row = next(i for i, r in enumerate(panel.model.rows) if r.protocol == protocol)
    panel.table.selectRow(row)


def _outcome(host: Host, protocol: str) -> Ammissibilita | None:
    with host.db.sessions() as s:
        d = s.scalars(select(Domanda).where(Domanda.protocol == protocol)).one()
        return s.scalars(select(Ammissibilita).where(Ammissibilita.domanda_id == d.id)).first()


def test_flagged_application_shows_broken_rule_and_is_excluded(
    qtbot: Any, imported_host: Host, qtmodeltester: Any
) -> None:
    """A flagged rule is shown as broken with the import's detail; the exclusion is stored with its reason."""
    panel = AdmissibilityPanel(imported_host)
    imported_host.show_panel(panel, "Ammissibilità")
    qtmodeltester.check(panel.model)
    assert panel.model.rows[0].flags, "flagged applications come first"
    _select(panel, "PG 108/2018")
    texts = [panel.checks.item(i).text() for i in range(panel.checks.count())]
    assert any(t.startswith("✖ Progetto in una zona bersaglio") and "Brera" in t for t in texts)
    assert any(t.startswith("✔ Contributo richiesto non oltre € 50.000,00") for t in texts)
    assert panel.outcome.currentData() == "esclusa"
    panel.reason.clear()
    qtbot.mouseClick(panel.decide_button, Qt.MouseButton.LeftButton)
    assert "motivo" in panel.status.text()
    qtbot.keyClicks(panel.reason, "Progetto fuori dalle zone bersaglio (Brera)")
    qtbot.keyClick(panel.reason, Qt.Key.Key_Return)
    row = _outcome(imported_host, "PG 108/2018")
    assert row is not None and (row.outcome, row.reason) == ("esclusa", "Progetto fuori dalle zone bersaglio (Brera)")
    shoot(imported_host, "admissibility")


def test_mark_all_unflagged_admissible(qtbot: Any, imported_host: Host) -> None:
    """Unflagged applications are declared admissible in one step; flagged ones wait for their own decision."""
    panel = AdmissibilityPanel(imported_host)
    qtbot.mouseClick(panel.all_button, Qt.MouseButton.LeftButton)
    assert "Dichiarate ammissibili 32 domande" in panel.status.text()
    assert _outcome(imported_host, "PG 101/2018").outcome == "ammissibile"
    assert _outcome(imported_host, "PG 116/2018") is None


def test_rescue_overdue_listed_and_blocks_decision(qtbot: Any, imported_host: Host) -> None:
    """A pending soccorso istruttorio blocks the decision, shows when overdue, and can be closed."""
    panel = AdmissibilityPanel(imported_host)
    _select(panel, "PG 104/2018")
    qtbot.keyClicks(panel.documents, "Copia del documento del legale rappresentante")
    panel.requested_on.setDate(QDate(2018, 3, 5))
    qtbot.mouseClick(panel.rescue_button, Qt.MouseButton.LeftButton)
    assert "scadenza 15/03/2018" in panel.rescue_info.text()
    assert panel.overdue.count() == 1 and "PG 104/2018" in panel.overdue.item(0).text()
    qtbot.keyClicks(panel.reason, "x")
    qtbot.mouseClick(panel.decide_button, Qt.MouseButton.LeftButton)
    assert "soccorso istruttorio in attesa" in panel.status.text()
    panel.table.clearSelection()
    item = panel.overdue.item(0)
    panel.overdue.itemDoubleClicked.emit(item)
    assert panel.current().protocol == "PG 104/2018"
    qtbot.mouseClick(panel.integrated, Qt.MouseButton.LeftButton)
    assert panel.overdue.count() == 0 and date.today() >= date(2018, 3, 15)


def test_closed_rescue_stays_in_sight_and_form_is_cleared(qtbot: Any, imported_host: Host) -> None:
    """After closing, the request and its outcome are still shown for the application; the documents field
    is blank after a request, ready for the next one."""
    panel = AdmissibilityPanel(imported_host)
    _select(panel, "PG 104/2018")
    qtbot.keyClicks(panel.documents, "Statuto aggiornato")
    panel.requested_on.setDate(QDate(2018, 3, 5))
    qtbot.mouseClick(panel.rescue_button, Qt.MouseButton.LeftButton)
    assert panel.documents.text() == ""
    qtbot.mouseClick(panel.not_integrated, Qt.MouseButton.LeftButton)
    _select(panel, "PG 104/2018")
    text = panel.rescue_info.text()
    assert "Nessuna richiesta in corso" in text
    assert "Precedente: richiesta del 05/03/2018 (Statuto aggiornato), non integrata il " in text
    imported_host.show_panel(panel, "Ammissibilità")
    shoot(imported_host, "admissibility-rescue-history")
