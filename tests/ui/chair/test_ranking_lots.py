"""The chair's ranking screen on a call divided into lots: the lot selector filters the table, a budget bar
per lot shows its money to the cent, the «Lotto» column and the position within the lot, each lot's funding
line, and the note that says why a row above the line is not funded (one per applicant) or how it was (a
quota, redistributed money).

The file is built as the README's lots walkthrough builds it: «Quartieri connessi», the demo applications
and the demo sheets of three members, QC 10/2019 put in line L2 by the chair.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import Qt

from tests.builders import Builder, domanda
from tests.ui import screenshots
from tests.ui.chair.conftest import Host, settled
from tests.ui.fit import problems
from tests.ui.screenshots import FULL_HD, SCALED_125, SCREEN
from ui.chair.ranking import RankingPanel
from ui.chair.ranking_model import FUNDING_LINE_ROLE
from ui.user import User
from valutazione.bando import Bando, load_bando
from valutazione.db import Database, create_database
from valutazione.paths import resource
from valutazione.services import lots
from valutazione.services.sheets import Mark

CHAIR = "Giulia Ferrari"
MEMBERS = ((CHAIR, "presidente"), ("Marco Colombo", "componente"), ("Anna Ricci", "componente"))


def quartieri_file(path: Path, bando: Bando | None = None) -> Database:
    """«Quartieri connessi» (or ``bando``) with the demo applications admitted and every demo sheet submitted."""
    db = create_database(path, bando or load_bando(resource("bandi", "quartieri-connessi.toml")))
    b = Builder(db, actor=CHAIR).sample(Path(resource("demo", "domande-quartieri.csv")))
    with db.sessions.begin() as s:
        lots.set_lot(s, "QC 10/2019", "L2", "Linea indicata nel modulo cartaceo", CHAIR)
    b.committee(MEMBERS, declare=True).admit_all(excluded=())  # a request over a lot's cap is admitted, capped
    b.scores(Path(resource("demo", "punteggi-quartieri.csv"))).submit_all()
    return db


@pytest.fixture
def quartieri(tmp_path: Path) -> Iterator[Database]:
    db = quartieri_file(tmp_path / "quartieri.valutazione")
    yield db
    db.close()


def open_panel(qtbot: Any, db: Database) -> RankingPanel:
    host = Host(db, User(1, CHAIR, "presidente"))
    qtbot.addWidget(host)
    ranking = RankingPanel(host)
    host.show_panel(ranking, "Graduatoria")
    host.resize(*SCREEN)
    host.show()
    return settled(qtbot, ranking)


@pytest.fixture
def panel(qtbot: Any, quartieri: Database) -> RankingPanel:
    return open_panel(qtbot, quartieri)


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
    assert list(panel.lots.bars.bars) == ["L1", "L2", "L3"]
    assert panel.lots.bars.text_of("L1") == (
        "L1: assegnati € 200.000,00 di € 206.600,00 — non usati € 6.600,00, passati al fondo dei residui"
    )
    assert "Risorse non usate dai lotti: € 6.600,00" in panel.lots.bars.residuals.text()
    assert "ridistribuite € 6.600,00" in panel.lots.bars.residuals.text()
    screenshots.shoot_sizes(qtbot, panel.window(), "chair-ranking-lots-all")
    panel.view.bar.search.setFocus()
    qtbot.keyClick(panel.view.bar.search, Qt.Key.Key_Tab)
    assert selector.hasFocus()  # search, lot, results: the keyboard reaches the selector
    qtbot.keyClick(selector, Qt.Key.Key_Down)
    qtbot.keyClick(selector, Qt.Key.Key_Down)
    assert selector.code() == "L2"
    assert _shown(panel, "Protocollo") == ["QC 06/2019", "QC 07/2019", "QC 08/2019", "QC 09/2019", "QC 10/2019"]
    assert _shown(panel, "Lotto") == ["L2"] * 5 and _shown(panel, "Pos. nel lotto") == ["1", "2", "3", "4", "5"]
    assert panel.view.bar.shown.text() == "5 di 14 domande"
    assert list(panel.lots.bars.bars) == ["L2"]
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
    assert "sopra la linea del lotto" in tip and "al più 1 domanda per proponente" in tip
    assert tip.endswith("questo proponente ha già finanziata QC 01/2019.")
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


def test_a_call_without_lots_looks_as_before(qtbot: Any, scored_host: Host) -> None:
    """The Milan call (one budget): no selector, no bars, «Pos.» first, no note column, the legend as it was."""
    panel = RankingPanel(scored_host)
    scored_host.show_panel(panel, "Graduatoria")
    settled(qtbot, panel)
    assert not panel.lots.selector.isVisibleTo(panel) and not panel.lots.label.isVisibleTo(panel)
    assert not panel.lots.bars.isVisibleTo(panel) and panel.lots.bars.bars == {}
    header = _header(panel)
    assert header[:3] == ["Pos.", "Protocollo", "Denominazione"] and header[-1] == "Esito"
    assert panel.legend.text() == "Linea rossa: ultima domanda finanziata. Passare sopra i punteggi per il calcolo."
    assert panel.view.proxy.extra is None and panel.model.lot_filter is None


def periferie_marks(bando: Any, member: str, protocol: str) -> dict[str, Mark]:
    """Direct points (the call's «punti» method): 60-90 % of each maximum, in whole points, per application."""
    share = Decimal(60 + (sum(map(ord, protocol)) * 7 + len(member)) % 31) / 100
    return {
        sub.code: Mark(Decimal(int(sub.maximum * share)), f"Giudizio di {member} su {protocol} ({sub.code}).")
        for sub in bando.subcriteria
    }


@pytest.fixture
def periferie(tmp_path: Path) -> Iterator[Database]:
    """The 2018 «periferie» call (six lots): three applications per lot, admitted and scored in direct points."""
    db = create_database(
        tmp_path / "periferie.valutazione", load_bando(resource("bandi", "milano-periferie-2018.toml"))
    )
    codes = ["A1", "A2", "A3", "A4", "A5", "CITTA"]
    rows = [
        domanda(
            f"P {i + 1:02}/2018",
            minutes=i,
            grant_cents=(9_000_000 if i % 3 == 0 else 4_000_000),
            tax_code=f"9700{i:07}",
            lot_code=codes[i // 3],
            project_type="multi" if i % 3 == 0 else "singola",
        )
        for i in range(18)
    ]
    b = Builder(db, actor=CHAIR).domande(rows).committee(MEMBERS, declare=True).admit_all()
    b.drafts(periferie_marks, submit=True)
    yield db
    db.close()


def test_six_lots_fit_two_bars_a_line(qtbot: Any, periferie: Database) -> None:
    """Beyond three lots the bars go two a line, in short words with the full figures on hover; the screen
    still fits 1366×768, 1920×1080 and 125 %, with every lot and with one lot chosen."""
    host = Host(periferie, User(1, CHAIR, "presidente"))
    qtbot.addWidget(host)
    panel = RankingPanel(host)
    host.show_panel(panel, "Graduatoria")
    host.resize(*SCREEN)
    host.show()
    settled(qtbot, panel)
    assert panel.lots.selector.count() == 7 and list(panel.lots.bars.bars) == ["A1", "A2", "A3", "A4", "A5", "CITTA"]
    bar = panel.lots.bars.bars["A2"]
    assert bar.text().startswith("A2: € ") and "di € 160.000,00" in bar.text()
    assert bar.toolTip().startswith("A2 – Corvetto – Chiaravalle – Porto di Mare\nA2: assegnati")
    screenshots.shoot_sizes(qtbot, host, "chair-ranking-lots-six")
    found = []
    for index in (0, 6):
        panel.lots.selector.setCurrentIndex(index)
        for size in (SCREEN, FULL_HD, SCALED_125):
            host.resize(*size)
            qtbot.wait(30)
            found += [f"{size} lotto {index}: {p}" for p in problems(host)]
    assert not found, "\n".join(found)
    assert list(panel.lots.bars.bars) == ["CITTA"]
    screenshots.shoot_sizes(qtbot, host, "chair-ranking-lots-six-citta")


def test_tooltips_use_the_rows_lot_rules(qtbot: Any, tmp_path: Path) -> None:
    """Line L3 given its own total threshold (65) and cap (€ 45.000): an L3 row's total and grant explain
    those, an L1 row still the call's 60 and € 50.000."""
    call = load_bando(resource("bandi", "quartieri-connessi.toml"))
    l1, l2, l3 = call.lots.lots
    own = replace(l3, total_threshold=Decimal("65"), cap_cents=4_500_000)
    db = quartieri_file(tmp_path / "soglie.valutazione", replace(call, lots=replace(call.lots, lots=(l1, l2, own))))
    try:
        panel = open_panel(qtbot, db)
        header = _header(panel)
        rows = {r.protocol: i for i, r in enumerate(panel.model.rows)}

        def tip(protocol: str, column: str) -> str:
            return str(panel.model.index(rows[protocol], header.index(column)).data(Qt.ItemDataRole.ToolTipRole))

        assert "Soglia sul totale 65,00" in tip("QC 11/2019", "Totale")
        assert "Soglia sul totale 60,00" in tip("QC 01/2019", "Totale")
        assert tip("QC 11/2019", "Contributo").startswith("Contributo massimo € 45.000,00")
        assert tip("QC 01/2019", "Contributo").startswith("Contributo massimo € 50.000,00")
    finally:
        db.close()


def test_an_application_without_a_lot_stops_the_ranking_and_says_which(qtbot: Any, tmp_path: Path) -> None:
    """Before the chair sets QC 10/2019's lot (or excludes it) the screen names it instead of a ranking."""
    db = create_database(tmp_path / "q.valutazione", load_bando(resource("bandi", "quartieri-connessi.toml")))
    Builder(db, actor=CHAIR).sample(Path(resource("demo", "domande-quartieri.csv")))
    try:
        panel = open_panel(qtbot, db)
        assert panel.table_stack.currentWidget() is panel.placeholder
        assert "Domande senza un lotto del bando: QC 10/2019" in panel.placeholder.text()
        assert "Indicare il lotto" in panel.status.text()
    finally:
        db.close()
