"""The funded-projects list and the project page's tables sort and search through the shared component."""

from __future__ import annotations

from typing import Any

from PySide6.QtWidgets import QTableView

from tests.ui.chair.conftest import Host
from tests.ui.chair.test_tables import drive
from tests.ui.projects.test_projects_screen import open_row, panel_on
from ui.models.filter_bar import RowFilterProxy, SearchableTable


def test_projects_list_sorts_by_amount_and_searches(qtbot: Any, projects_host: Host) -> None:
    """Ammesso sorts by cents both ways; «PG 13» narrows the list and the count says «n di m progetti»."""
    panel = panel_on(projects_host)
    drive(qtbot, panel.view, "Ammesso", "PG 13")
    panel.zone.setCurrentIndex(1)
    assert " di " in panel.view.bar.shown.text() and panel.view.bar.shown.text().endswith("progetti")


def test_project_page_tables_are_searchable(qtbot: Any, projects_host: Host) -> None:
    """Payments, plan, meetings and indicators: each table has the search bar and sorts by its values."""
    panel = panel_on(projects_host)
    page = open_row(qtbot, panel, "PG 138/2018")
    tables = page.findChildren(QTableView)
    assert len(tables) >= 4
    for table in tables:
        assert isinstance(table.model(), RowFilterProxy) and table.isSortingEnabled()
        assert isinstance(table.parentWidget(), SearchableTable)


def test_payments_and_indicators_sort_and_search(qtbot: Any, projects_host: Host) -> None:
    """Payments sort by amount in cents and are searched by type; indicators sort by code and are searched."""
    from PySide6.QtCore import QDate, Qt

    from tests.ui.projects.test_projects_screen import sign

    panel = panel_on(projects_host)
    page = open_row(qtbot, panel, "PG 138/2018")
    sign(qtbot, page)
    pay = page.payments
    for kind, day, amount in (("anticipo", QDate(2018, 7, 10), "8.000,00"), ("sal", QDate(2018, 9, 1), "900,00")):
        pay.kind.setCurrentIndex(pay.kind.findData(kind))
        pay.day.setDate(day)
        pay.amount.setText(amount)
        qtbot.mouseClick(pay.record_button, Qt.MouseButton.LeftButton)
    assert pay.model.rowCount() == 2, page.status.text()
    page.tabs.setCurrentWidget(pay)
    view = pay.table.parentWidget()
    assert isinstance(view, SearchableTable)
    drive(qtbot, view, "Importo", "anticipo")
    page.tabs.setCurrentWidget(page.indicators)
    indicators = page.indicators.table.parentWidget()
    assert isinstance(indicators, SearchableTable) and indicators.proxy.rowCount() > 1
    code = indicators.row(1).code
    drive(qtbot, indicators, "Codice", code)
