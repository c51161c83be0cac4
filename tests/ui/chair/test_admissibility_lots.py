"""Admissibility on a call divided into lots: an application without a lot of the call is proposed as
«esclusa» with the import's reason, the checklist lists the lot rules, and the chair can set the lot from
the same screen (a reason required, audited), after which it is proposed as admissible."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import Qt
from sqlalchemy import select

from tests.builders import Builder
from tests.ui import screenshots
from tests.ui.chair.conftest import Host
from tests.ui.fit import problems
from tests.ui.screenshots import FULL_HD, SCALED_125, SCREEN
from ui.chair.admissibility import AdmissibilityPanel
from ui.user import User
from valutazione.bando import load_bando
from valutazione.db import Database, create_database
from valutazione.models import AuditRow, Domanda
from valutazione.paths import resource

CHAIR = "Giulia Ferrari"
MISSING = "QC 10/2019"  # the demo row whose «Linea» is empty


@pytest.fixture
def host(qtbot: Any, tmp_path: Path) -> Iterator[Host]:
    """«Quartieri connessi» with the demo applications imported (QC 10/2019 without a line)."""
    db: Database = create_database(
        tmp_path / "quartieri.valutazione", load_bando(resource("bandi", "quartieri-connessi.toml"))
    )
    Builder(db, actor=CHAIR).sample(Path(resource("demo", "domande-quartieri.csv")))
    window = Host(db, User(1, CHAIR, "presidente"))
    qtbot.addWidget(window)
    window.resize(*SCREEN)
    window.show()
    yield window
    db.close()


def _select(panel: AdmissibilityPanel, protocol: str) -> None:
    panel.table.selectRow(next(i for i, r in enumerate(panel.view.visible_rows()) if r.protocol == protocol))


def _checks(panel: AdmissibilityPanel) -> list[str]:
    return [panel.checks.item(i).text() for i in range(panel.checks.count())]


def test_missing_lot_is_proposed_as_excluded_and_the_chair_sets_it(qtbot: Any, host: Host) -> None:
    """QC 10/2019: the lot check is broken, «esclusa» is proposed with the reason; setting L2 without a reason
    is refused, with one it is stored and audited, the check turns green and «ammissibile» is proposed."""
    panel = AdmissibilityPanel(host)
    host.show_panel(panel, "Ammissibilità")
    assert panel.lot_box.isVisibleTo(panel)
    _select(panel, MISSING)
    lot_line = next(t for t in _checks(panel) if "Lotto indicato tra quelli del bando (L1, L2, L3)" in t)
    assert lot_line.startswith("✖") and "lotto non indicato" in lot_line
    assert panel.outcome.currentData() == "esclusa"
    assert "lotto non indicato o non previsto dal bando: lotto non indicato" in panel.reason.text()
    assert "non può entrare in graduatoria" in panel.lot_box.current.text()
    screenshots.shoot_sizes(qtbot, host, "chair-admissibility-lot-missing")
    assert panel.lot_box.code() == ""  # nothing chosen for the chair
    qtbot.mouseClick(panel.lot_box.button, Qt.MouseButton.LeftButton)
    assert panel.status.text() == "Scegliere il lotto in cui concorre la domanda QC 10/2019."
    panel.lot_box.lot.setCurrentIndex(1)
    qtbot.mouseClick(panel.lot_box.button, Qt.MouseButton.LeftButton)
    assert "motivo" in panel.status.text()
    qtbot.keyClicks(panel.lot_box.reason, "Linea indicata nel modulo cartaceo")
    qtbot.mouseClick(panel.lot_box.button, Qt.MouseButton.LeftButton)
    assert panel.status.text() == "Lotto L2 indicato per QC 10/2019."
    with host.db.sessions() as s:
        d = s.scalars(select(Domanda).where(Domanda.protocol == MISSING)).one()
        assert d.lot_code == "L2" and not d.flags
        log = s.scalars(select(AuditRow).where(AuditRow.action == "domanda.lotto")).one()
        assert log.actor == CHAIR and "modulo cartaceo" in log.after_json
    assert panel.current() is not None and panel.current().protocol == MISSING
    assert panel.lot_box.current.text() == "Concorre nel lotto L2 – Servizi innovativi di prossimità."
    assert next(t for t in _checks(panel) if "Lotto indicato" in t).startswith("✔")
    assert panel.outcome.currentData() == "ammissibile"


def test_lot_rules_in_the_checklist_and_box_fits(qtbot: Any, host: Host) -> None:
    """An application in its lot shows its lot and the lot rules ticked; the screen fits at every size."""
    panel = AdmissibilityPanel(host)
    host.show_panel(panel, "Ammissibilità")
    _select(panel, "QC 12/2019")
    texts = _checks(panel)
    assert any(t.startswith("✔ Contributo non oltre il massimale del lotto (L1 € 50.000,00") for t in texts)
    assert any(t.startswith("✔ Cofinanziamento almeno il minimo del lotto") for t in texts)
    assert panel.lot_box.current.text() == "Concorre nel lotto L3 – Impresa e comunità."
    assert panel.lot_box.code() == "L3"
    found = []
    for size in (SCREEN, FULL_HD, SCALED_125):
        host.resize(*size)
        qtbot.wait(30)
        found += [f"{size}: {p}" for p in problems(host)]
    assert not found, "\n".join(found)


def test_a_call_without_lots_has_no_lot_box(qtbot: Any, imported_host: Host) -> None:
    """The Milan call: no lot box and no lot line in the checklist."""
    panel = AdmissibilityPanel(imported_host)
    imported_host.show_panel(panel, "Ammissibilità")
    _select(panel, "PG 108/2018")
    assert not panel.lot_box.isVisibleTo(panel)
    assert not any("lotto" in t.casefold() for t in _checks(panel))
