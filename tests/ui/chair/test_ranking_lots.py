"""The chair's ranking screen on a call divided into lots: the lot selector filters the table, a budget bar
per lot shows its money to the cent, the «Lotto» column and the position within the lot, each lot's funding
line, and the note that says why a row above the line is not funded (one per applicant) or how it was (a
quota, redistributed money).

The file is built as the README's lots walkthrough builds it: «Quartieri connessi», the demo applications
and the demo sheets of three members, QC 10/2019 put in line L2 by the chair.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import Qt

from tests.builders import Builder
from tests.ui import screenshots
from tests.ui.chair.conftest import Host, settled
from tests.ui.fit import problems
from tests.ui.screenshots import FULL_HD, SCALED_125, SCREEN
from ui.chair.ranking import RankingPanel
from ui.chair.ranking_model import FUNDING_LINE_ROLE
from ui.user import User
from valutazione.bando import load_bando
from valutazione.db import Database, create_database
from valutazione.paths import resource
from valutazione.services import lots

CHAIR = "Giulia Ferrari"
MEMBERS = ((CHAIR, "presidente"), ("Marco Colombo", "componente"), ("Anna Ricci", "componente"))


@pytest.fixture
def quartieri(tmp_path: Path) -> Iterator[Database]:
    """«Quartieri connessi» with the demo applications admitted and every demo sheet submitted."""
    db = create_database(tmp_path / "quartieri.valutazione", load_bando(resource("bandi", "quartieri-connessi.toml")))
    b = Builder(db, actor=CHAIR).sample(Path(resource("demo", "domande-quartieri.csv")))
    with db.sessions.begin() as s:
        lots.set_lot(s, "QC 10/2019", "L2", "Linea indicata nel modulo cartaceo", CHAIR)
    b.committee(MEMBERS, declare=True).admit_all()
    b.scores(Path(resource("demo", "punteggi-quartieri.csv"))).submit_all()
    yield db
    db.close()


@pytest.fixture
def panel(qtbot: Any, quartieri: Database) -> RankingPanel:
    host = Host(quartieri, User(1, CHAIR, "presidente"))
    qtbot.addWidget(host)
    ranking = RankingPanel(host)
    host.show_panel(ranking, "Graduatoria")
    host.resize(*SCREEN)
    host.show()
    return settled(qtbot, ranking)


def _header(panel: RankingPanel) -> list[str]:
    return [panel.model.headerData(c, Qt.Orientation.Horizontal) for c in range(panel.model.columnCount())]


def _shown(panel: RankingPanel, column: str) -> list[str]:
    col = _header(panel).index(column)
    proxy = panel.view.proxy
    return [proxy.index(r, col).data() for r in range(proxy.rowCount())]


def _lines(panel: RankingPanel) -> list[str]:
    """The protocols under which the screen draws a funding line (the model's role, as the delegate reads it)."""
    return [r.protocol for i, r in enumerate(panel.model.rows) if panel.model.index(i, 0).data(FUNDING_LINE_ROLE)]


def test_selector_filters_rows_and_the_bar_shows_the_lots_money(qtbot: Any, panel: RankingPanel) -> None:
    """«Tutti i lotti» shows 14 rows and three bars; choosing L2 leaves its five rows in lot order and only
    its bar: € 158.250,00 granted of € 154.950,00, € 3.300,00 received from L1's unused money."""
    selector = panel.lots.selector
    assert selector.isVisible() and panel.lots.label.isVisible()
    assert [selector.itemText(i) for i in range(selector.count())] == [
        "Tutti i lotti",
        "L1 – Portierato sociale",
        "L2 – Servizi innovativi di prossimità",
        "L3 – Impresa e comunità",
    ]
    assert panel.view.proxy.rowCount() == 14 and panel.view.bar.shown.text() == "14 domande"
    assert all(panel.lots.bars.bars[c].isVisible() for c in ("L1", "L2", "L3"))
    assert panel.lots.bars.text_of("L1") == (
        "L1: assegnati € 200.000,00 di € 206.600,00 — non usati € 6.600,00, ceduti ai residui"
    )
    assert "Risorse non usate dai lotti: € 6.600,00" in panel.lots.bars.residuals.text()
    assert "ridistribuite € 6.600,00" in panel.lots.bars.residuals.text()
    screenshots.shoot_sizes(qtbot, panel.window(), "chair-ranking-lots-all")
    selector.setCurrentIndex(2)
    assert _shown(panel, "Protocollo") == ["QC 06/2019", "QC 07/2019", "QC 08/2019", "QC 09/2019", "QC 10/2019"]
    assert _shown(panel, "Lotto") == ["L2"] * 5 and _shown(panel, "Pos. nel lotto") == ["1", "2", "3", "4", "5"]
    assert panel.view.bar.shown.text() == "5 di 14 domande"
    assert [c for c, bar in panel.lots.bars.bars.items() if bar.isVisible()] == ["L2"]
    assert panel.lots.bars.text_of("L2") == (
        "L2: assegnati € 158.250,00 di € 154.950,00 (+ € 3.300,00 ricevuti dai residui) — non usati € 0,00"
    )
    assert not panel.lots.bars.residuals.isVisible()
    screenshots.shoot_sizes(qtbot, panel.window(), "chair-ranking-lots-L2")
    selector.setCurrentIndex(3)
    assert panel.lots.bars.text_of("L3").endswith("quota riservata: usati € 30.000,00 di € 30.990,00")
    selector.setCurrentIndex(0)
    assert panel.view.proxy.rowCount() == 14


def test_each_lot_has_its_line_and_the_notes_say_why(qtbot: Any, panel: RankingPanel) -> None:
    """A line under the last funded row of each lot; QC 06/2019, first in L2 but not funded, says the
    applicant already has QC 01/2019 funded; QC 12/2019 names the quota, QC 10 and QC 14 the residui."""
    assert _lines(panel) == ["QC 04/2019", "QC 10/2019", "QC 14/2019"]
    notes = dict(zip(_shown(panel, "Protocollo"), _shown(panel, "Nota sul finanziamento"), strict=True))
    assert notes["QC 06/2019"] == "limite per proponente (QC 01/2019)"
    assert notes["QC 12/2019"] == "quota riservata GIOVANI"
    assert notes["QC 10/2019"] == notes["QC 14/2019"] == "con i residui di altri lotti"
    assert notes["QC 07/2019"] == ""
    row = next(i for i, r in enumerate(panel.model.rows) if r.protocol == "QC 06/2019")
    note_col = _header(panel).index("Nota sul finanziamento")
    tip = panel.model.index(row, note_col).data(Qt.ItemDataRole.ToolTipRole)
    assert "sopra la linea del lotto" in tip and "al più 1 domande per proponente" in tip and "QC 01/2019" in tip
    assert panel.model.row_at(row).position == 1 and not panel.model.row_at(row).status.funded
    outcome = _header(panel).index("Esito")
    assert panel.model.index(row, outcome).data() == "Ammessa non finanziata (limite per proponente)"
    assert "Linea rossa: ultima domanda finanziata di ciascun lotto" in panel.legend.text()
    lot_tip = panel.model.index(row, 0).data(Qt.ItemDataRole.ToolTipRole)
    assert lot_tip == "Servizi innovativi di prossimità"


def test_lines_follow_the_filter_not_the_search(qtbot: Any, panel: RankingPanel) -> None:
    """With one lot chosen its line is still drawn; a search (which hides rows inside a lot) takes it away,
    and sorting by position with every lot shown interleaves the lots, so no line then either."""
    from ui.chair.ranking_model import _in_ranking_order

    proxy = panel.view.proxy
    panel.lots.selector.setCurrentIndex(2)
    assert _in_ranking_order(proxy)
    panel.table.sortByColumn(panel.model.position_column, Qt.SortOrder.AscendingOrder)
    assert _in_ranking_order(proxy)
    qtbot.keyClicks(panel.view.bar.search, "Bussola")
    assert not _in_ranking_order(proxy)
    panel.view.bar.search.clear()
    panel.lots.selector.setCurrentIndex(0)
    assert not _in_ranking_order(proxy)


def test_lots_screen_fits(qtbot: Any, panel: RankingPanel) -> None:
    """With the selector and the bars the ranking screen fits 1366×768, 1920×1080 and 125 %, any lot chosen."""
    window = panel.window()
    found = []
    for index in (0, 3):
        panel.lots.selector.setCurrentIndex(index)
        for size in (SCREEN, FULL_HD, SCALED_125):
            window.resize(*size)
            qtbot.wait(30)
            found += [f"{size} lotto {index}: {p}" for p in problems(window)]
    window.resize(*SCREEN)
    assert not found, "\n".join(found)
