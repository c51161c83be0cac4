"""Every table sorts by its values and searches its rows: header clicks and typing on the real widgets."""

from __future__ import annotations

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from datetime import date, datetime
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

from PySide6.QtCore import QPoint, Qt
from PySide6.QtWidgets import QApplication, QTableView, QWidget

from tests.ui.chair.conftest import Host, settled
from ui.chair.admissibility import AdmissibilityPanel
from ui.chair.committee import CommitteeTab
from ui.chair.common import euro
from ui.chair.progress import ProgressPanel
from ui.chair.ranking import RankingPanel
from ui.forms.domande_view import DomandeView
from ui.models.filter_bar import RowFilterProxy, SearchableTable, shown_text, sort_key
from ui.models.table import RIGHT, SORT_ROLE, Column, RowTableModel
from ui.user import User
from valutazione.db import Database


class AmountsModel(RowTableModel[tuple[str, int, date]]):
    columns = (
        Column[tuple[str, int, date]]("Protocollo", lambda r: r[0]),
        Column[tuple[str, int, date]]("Importo", lambda r: r[1], euro, RIGHT),
        Column[tuple[str, int, date]]("Data", lambda r: r[2], lambda d: d.strftime("%d/%m/%Y")),
    )


ROWS = [
    ("PG 101/2018", 4_500_000, date(2018, 3, 2)),
    ("PG 9/2018", 900_000, date(2017, 12, 31)),
    ("PG 45/2018", 12_000_000, date(2018, 1, 15)),
]


def click_header(qtbot: Any, table: QTableView, column: int) -> None:
    """A left click in the middle of the column's header, scrolled into view first."""
    table.scrollTo(table.model().index(0, column))
    header = table.horizontalHeader()
    x = header.sectionViewportPosition(column) + header.sectionSize(column) // 2
    qtbot.mouseClick(header.viewport(), Qt.MouseButton.LeftButton, pos=QPoint(x, header.height() // 2))


def column_of(table: QTableView, title: str) -> int:
    model = table.model()
    return next(c for c in range(model.columnCount()) if model.headerData(c, Qt.Orientation.Horizontal) == title)


def sorted_column(table: QTableView, column: int) -> list[Any]:
    model = table.model()
    return [sort_key(model.index(r, column).data(SORT_ROLE)) for r in range(model.rowCount())]


def drive(qtbot: Any, view: SearchableTable, title: str, word: str) -> None:
    """Header click sorts up then down by the raw value; typing narrows; the count says so; Esc restores."""
    table, proxy = view.table, view.proxy
    total = proxy.rowCount()
    assert total > 1, "the table must have rows to sort"
    column = column_of(table, title)
    click_header(qtbot, table, column)
    up = sorted_column(table, column)
    assert up == sorted(up) and len(set(up)) > 1, title
    click_header(qtbot, table, column)
    assert sorted_column(table, column) == sorted(up, reverse=True), title
    qtbot.keyClicks(view.bar.search, word)
    shown = proxy.rowCount()
    assert 0 < shown < total, (word, shown, total)
    for r in range(shown):
        assert any(word.casefold() in str(proxy.index(r, c).data()).casefold() for c in range(proxy.columnCount()))
    assert view.bar.shown.text() == shown_text(shown, total, view.bar.noun)
    assert f"{shown} di {total} " in view.bar.shown.text()
    qtbot.keyClick(view.bar.search, Qt.Key.Key_Escape)
    assert view.bar.search.text() == "" and proxy.rowCount() == total


def show(host: Host, panel: QWidget) -> None:
    host.show_panel(panel)
    host.resize(1366, 768)
    host.show()
    host.activateWindow()


def test_sort_key_orders_numbers_dates_and_protocols() -> None:
    """Sorting is numeric for money and scores, date-aware for dates, natural for protocols, blanks last."""
    assert sorted([4_500_000, 900_000, None, 12_000_000], key=sort_key) == [900_000, 4_500_000, 12_000_000, None]
    assert sorted([Decimal("9.5"), Decimal("10.25"), Decimal("9.75")], key=sort_key)[0] == Decimal("9.5")
    assert sorted(["PG 101/2018", "PG 9/2018", "pg 45/2018"], key=sort_key) == [
        "PG 9/2018",
        "pg 45/2018",
        "PG 101/2018",
    ]
    rome = ZoneInfo("Europe/Rome")
    late = datetime(2018, 3, 2, 0, 30, tzinfo=rome)  # 1 March 23:30 UTC
    early = datetime(2018, 3, 1, 23, 45, tzinfo=ZoneInfo("UTC"))
    assert sorted([early, late], key=sort_key) == [late, early]
    assert sorted([date(2018, 1, 15), date(2017, 12, 31)], key=sort_key)[0] == date(2017, 12, 31)


def test_count_says_shown_of_total_with_the_right_plural() -> None:
    """«12 di 38 domande», «1 domanda»: the count of shown rows is Italian with its plural right."""
    assert shown_text(12, 38, "domande") == "12 di 38 domande"
    assert shown_text(1, 1, "domande") == "1 domanda"
    assert shown_text(0, 1, "componenti") == "0 di 1 componente"


def test_money_sorts_by_cents_and_esc_tab_work(qtbot: Any) -> None:
    """€ 9.000,00 before € 45.000,00; Esc empties the search; one Tab from the search reaches the results."""
    view = SearchableTable(AmountsModel(ROWS), "domande")
    qtbot.addWidget(view)
    view.resize(800, 400)
    view.show()
    view.activateWindow()
    qtbot.waitUntil(view.isActiveWindow, timeout=2000)
    assert isinstance(view.proxy, RowFilterProxy)
    assert [view.row(r)[0] for r in range(3)] == ["PG 101/2018", "PG 9/2018", "PG 45/2018"]  # as given
    click_header(qtbot, view.table, 1)
    assert [view.proxy.index(r, 1).data() for r in range(3)] == ["€ 9.000,00", "€ 45.000,00", "€ 120.000,00"]
    click_header(qtbot, view.table, 2)
    assert [view.row(r)[2].year for r in range(3)] == [2017, 2018, 2018]
    click_header(qtbot, view.table, 0)
    assert [view.row(r)[0] for r in range(3)] == ["PG 9/2018", "PG 45/2018", "PG 101/2018"]
    view.bar.search.setFocus()
    qtbot.keyClicks(view.bar.search, "PG 45/2018")
    assert view.bar.shown.text() == "1 di 3 domande"
    qtbot.keyClick(view.bar.search, Qt.Key.Key_Tab)
    assert QApplication.focusWidget() is view.table
    view.bar.search.setFocus()
    qtbot.keyClick(view.bar.search, Qt.Key.Key_Escape)
    assert view.bar.search.text() == "" and view.bar.shown.text() == "3 domande"


def test_applications_list(qtbot: Any, imported: Database) -> None:
    """The applications list: Tab reaches the results in one press, Esc clears, the count names the rows."""
    view = DomandeView(imported, User(1, "Segretaria di prova", "segretario"))  # sees every application
    qtbot.addWidget(view)
    view.resize(1366, 700)
    view.show()
    view.activateWindow()
    qtbot.waitUntil(view.isActiveWindow, timeout=2000)
    view.reload()
    total = view.proxy.rowCount()
    click_header(qtbot, view.table, 4)  # Contributo richiesto, in cents
    cents = [view.proxy.index(r, 4).data(SORT_ROLE) for r in range(total)]
    assert cents == sorted(cents) and cents[0] < cents[-1]
    view.search.setFocus()
    qtbot.keyClicks(view.search, "PG 13")
    shown = view.proxy.rowCount()
    assert 0 < shown < total and view.shown.text() == f"{shown} di {total} domande"
    qtbot.keyClick(view.search, Qt.Key.Key_Tab)
    assert QApplication.focusWidget() is view.table
    view.search.setFocus()
    qtbot.keyClick(view.search, Qt.Key.Key_Escape)
    assert view.search.text() == "" and view.proxy.rowCount() == total


def test_ranking_table(qtbot: Any, scored_host: Host) -> None:
    """The ranking sorts by the amount asked (cents) and is searched by name; the funding line hides meanwhile."""
    panel = RankingPanel(scored_host)
    show(scored_host, panel)
    settled(qtbot, panel)
    drive(qtbot, panel.view, "Richiesto", "PG 13")
    click_header(qtbot, panel.table, column_of(panel.table, "Totale"))
    totals = sorted_column(panel.table, column_of(panel.table, "Totale"))
    assert totals == sorted(totals)


def test_progress_table(qtbot: Any, scored_host: Host) -> None:
    """The progress board sorts by application and is searched by protocol; the cell found is still reopened."""
    panel = ProgressPanel(scored_host)
    show(scored_host, panel)
    drive(qtbot, panel.view, "Domanda", "PG 13")
    qtbot.keyClicks(panel.view.bar.search, "PG 138")
    index = panel.locate("PG 138/2018", "Nadia Cattaneo")
    assert index.isValid() and index.row() == 0
    panel.table.setCurrentIndex(index)
    qtbot.keyClicks(panel.reason, "Errore materiale")
    qtbot.mouseClick(panel.reopen_button, Qt.MouseButton.LeftButton)
    assert panel.model.locate("PG 138/2018", "Nadia Cattaneo").data() == "bozza"


def test_admissibility_table(qtbot: Any, scored_host: Host) -> None:
    """The admissibility checklist sorts by protocol and is searched by applicant; selection follows the row."""
    panel = AdmissibilityPanel(scored_host)
    show(scored_host, panel)
    drive(qtbot, panel.view, "Protocollo", "PG 12")
    click_header(qtbot, panel.table, 0)
    panel.table.selectRow(0)
    first = panel.view.row(0)
    assert panel.current() == first


def test_committee_table(qtbot: Any, scored_host: Host) -> None:
    """The members' table sorts by name and is searched by role; the selected member is the one on screen."""
    tab = CommitteeTab(scored_host)
    show(scored_host, tab)
    drive(qtbot, tab.view, "Nome", "Laura")
    click_header(qtbot, tab.table, 0)
    tab.table.selectRow(0)
    assert tab.selected() == tab.view.row(0)


def test_every_chair_table_is_searchable(qtbot: Any, scored_host: Host) -> None:
    """No table of the chair's screens is left without the shared sort-and-search component."""
    panels = [RankingPanel(scored_host), ProgressPanel(scored_host), AdmissibilityPanel(scored_host)]
    panels.append(CommitteeTab(scored_host))
    for panel in panels:
        scored_host.show_panel(panel)
        tables = panel.findChildren(QTableView)
        assert tables, type(panel).__name__
        for table in tables:
            assert isinstance(table.model(), RowFilterProxy) and table.isSortingEnabled(), type(panel).__name__
            assert isinstance(table.parentWidget(), SearchableTable)
    settled(qtbot, panels[0])


def test_import_preview_table(qtbot: Any, host: Host) -> None:
    """The import preview sorts by file row number (as a number) and finds the refused rows by typing."""
    from tests.ui.chair.conftest import SAMPLE
    from tests.ui.chair.test_import_wizard import _open, _preview

    wizard = _open(qtbot, host, SAMPLE / "domande-esempio.csv")
    wizard.resize(1366, 700)
    _preview(qtbot, wizard)
    drive(qtbot, wizard.preview.view, "Riga", "rifiutata")
    qtbot.keyClicks(wizard.preview.view.bar.search, "rifiutata")
    assert {wizard.preview.view.row(r).row for r in range(wizard.preview.view.proxy.rowCount())} == {25, 33}


def test_versions_table(qtbot: Any, scored_host: Host, monkeypatch: Any) -> None:
    """The approved versions sort by number and are searched by state once two versions exist."""
    from ui import dialogs

    panel = RankingPanel(scored_host)
    show(scored_host, panel)
    settled(qtbot, panel)
    monkeypatch.setattr(dialogs, "confirm", lambda *a, **k: True)
    for reason in ("Prima approvazione provvisoria", "Seconda, dopo il riesame"):
        panel.reason.setText(reason)
        qtbot.mouseClick(panel.provisional, Qt.MouseButton.LeftButton)
        settled(qtbot, panel)
    versions = panel.versions_view.parentWidget()
    assert isinstance(versions, SearchableTable) and versions.proxy.rowCount() == 2, panel.status.text()
    drive(qtbot, versions, "Versione", "riesame")
