"""«Progetti finanziati»: the computed figures, the filters, and the project page driven like a user."""

from __future__ import annotations

from datetime import date
from typing import Any

from PySide6.QtCore import QDate, Qt
from PySide6.QtGui import QTextDocument

from tests.ui.chair.conftest import Host
from tests.ui.projects.conftest import shoot
from ui import dialogs
from ui.models.table import SORT_ROLE
from ui.projects.page import ProjectPage
from ui.projects.screen import ProjectsPanel

SIGNED = QDate(2018, 7, 2)


def panel_on(host: Host) -> ProjectsPanel:
    panel = ProjectsPanel(host)
    panel.today = date(2018, 12, 31)
    host.show_panel(panel, "Progetti finanziati")
    host.show()
    host.activateWindow()
    panel.refresh()
    return panel


def open_row(qtbot: Any, panel: ProjectsPanel, protocol: str) -> ProjectPage:
    """Selects the project in the list and presses Enter, as a keyboard user does."""
    panel.search.setText(protocol)
    assert panel.proxy.rowCount() == 1
    panel.table.setCurrentIndex(panel.proxy.index(0, 0))
    panel.table.setFocus()
    qtbot.keyClick(panel.table, Qt.Key.Key_Return)
    assert panel.page is not None and panel.page.protocol == protocol
    return panel.page


def sign(qtbot: Any, page: ProjectPage) -> None:
    tab = page.agreement
    tab.signed_on.setDate(SIGNED)
    tab.start_on.setDate(SIGNED)
    tab.end_on.setDate(QDate(2019, 6, 30))
    qtbot.mouseClick(tab.sign_button, Qt.MouseButton.LeftButton)


def test_figures_are_computed_and_the_list_filters(projects_host: Host, qtmodeltester: Any) -> None:
    """The four figures come from the final ranking, never typed; zone, state and search narrow the list."""
    panel = panel_on(projects_host)
    qtmodeltester.check(panel.model)
    qtmodeltester.check(panel.proxy)
    assert panel.figures["programmato"].amount.text() == "€ 1.128.100,00"
    assert panel.figures["ammesso"].amount.text() == "€ 445.999,00"
    assert panel.figures["vincolante"].amount.text() == "€ 0,00"
    total = panel.model.rowCount()
    assert total > 3 and panel.proxy.rowCount() == total
    assert {line.state for line in panel.model.rows} == {"da convenzionare"}
    zone = panel.zone.itemData(1)
    panel.zone.setCurrentIndex(1)
    assert 0 < panel.proxy.rowCount() < total
    assert all(panel.proxy.index(r, 2).data() == zone for r in range(panel.proxy.rowCount()))
    panel.zone.setCurrentIndex(0)
    panel.state.setCurrentIndex(panel.state.findData("in corso"))
    assert panel.proxy.rowCount() == 0
    panel.state.setCurrentIndex(0)
    panel.search.setText("PG 138")
    assert panel.proxy.rowCount() == 1
    panel.search.clear()
    panel.table.sortByColumn(4, Qt.SortOrder.DescendingOrder)  # Ammesso, by cents, not by text
    shown = [panel.proxy.index(r, 4).data(SORT_ROLE) for r in range(panel.proxy.rowCount())]
    assert shown == sorted(shown, reverse=True) and shown[0] == 5_000_000
    assert not panel.anomalies.isVisible()


def test_sign_then_advance_then_refused_overpayment(qtbot: Any, projects_host: Host) -> None:
    """Signing binds the grant; an advance counts as erogato; paying past the binding amount is refused."""
    panel = panel_on(projects_host)
    page = open_row(qtbot, panel, "PG 138/2018")
    assert page.agreement.amount.text() == "20.909,00"  # the grant, by default
    sign(qtbot, page)
    assert "Convenzione di PG 138/2018 registrata" in page.status.text(), page.status.text()
    assert panel.figures["vincolante"].amount.text() == "€ 20.909,00"
    pay = page.payments
    pay.kind.setCurrentIndex(pay.kind.findData("anticipo"))
    pay.day.setDate(QDate(2018, 7, 10))
    qtbot.keyClicks(pay.amount, "8.000,00")
    qtbot.keyClicks(pay.act, "DD 123/2018")
    qtbot.mouseClick(pay.record_button, Qt.MouseButton.LeftButton)
    assert "Erogazione (anticipo) di € 8.000,00 registrata" in page.status.text(), page.status.text()
    assert pay.model.rowCount() == 1
    assert panel.figures["erogato"].amount.text() == "€ 8.000,00"
    pay.kind.setCurrentIndex(pay.kind.findData("sal"))
    qtbot.keyClicks(pay.amount, "13.000,00")
    qtbot.mouseClick(pay.record_button, Qt.MouseButton.LeftButton)
    assert "supererebbe il giuridicamente vincolante (€ 20.909,00)" in page.status.text()
    assert pay.model.rowCount() == 1 and panel.figures["erogato"].amount.text() == "€ 8.000,00"
    pay.day.setDate(QDate(2018, 7, 1))
    pay.amount.setText("1.000,00")
    qtbot.mouseClick(pay.record_button, Qt.MouseButton.LeftButton)
    assert "anteriore alla convenzione" in page.status.text()
    pay.amount.setText("dodici")
    qtbot.mouseClick(pay.record_button, Qt.MouseButton.LeftButton)
    assert "Importo dell'erogazione: importo non leggibile" in page.status.text()


def test_support_beyond_the_plan_needs_a_reason(qtbot: Any, projects_host: Host) -> None:
    """Hours beyond a phase's plan are refused without a reason, with the cursor sent to it, then accepted."""
    panel = panel_on(projects_host)
    page = open_row(qtbot, panel, "PG 133/2018")
    sign(qtbot, page)
    sup = page.support
    qtbot.keyClicks(sup.phase_name, "Prototipazione")
    qtbot.keyClicks(sup.phase_hours, "10")
    qtbot.keyClicks(sup.mentor, "Fondazione Innovazione")
    qtbot.mouseClick(sup.plan_button, Qt.MouseButton.LeftButton)
    assert "Fase «Prototipazione» del piano: 10 ore" in page.status.text(), page.status.text()
    page.tabs.setCurrentWidget(sup)
    sup.day.setDate(QDate(2018, 7, 20))
    qtbot.keyClicks(sup.hours, "8")
    qtbot.keyClicks(sup.topic, "Modello di servizio")
    qtbot.mouseClick(sup.log_button, Qt.MouseButton.LeftButton)
    assert "8 ore" in page.status.text()
    qtbot.keyClicks(sup.hours, "4,5")
    qtbot.keyClicks(sup.topic, "Prova con i residenti")
    qtbot.mouseClick(sup.log_button, Qt.MouseButton.LeftButton)
    assert "arriverebbe a 12.5 ore, oltre le 10" in page.status.text(), page.status.text()
    assert sup.sessions.rowCount() == 1
    qtbot.waitUntil(sup.over_reason.hasFocus)
    qtbot.keyClicks(sup.over_reason, "Prova ripetuta su richiesta del municipio")
    qtbot.mouseClick(sup.log_button, Qt.MouseButton.LeftButton)
    assert "Incontro del 20/07/2018 registrato: 4,5 ore" in page.status.text(), page.status.text()
    assert sup.sessions.rowCount() == 2
    assert "Ore svolte 12,5 su 10 del piano" in sup.summary.text()


def test_revocation_shows_the_proposed_sliding(qtbot: Any, projects_host: Host, monkeypatch: Any) -> None:
    """Revoking a signed agreement, once confirmed, frees the unpaid money and shows who slides in."""
    panel = panel_on(projects_host)
    page = open_row(qtbot, panel, "PG 123/2018")
    sign(qtbot, page)
    asked: list[str] = []
    monkeypatch.setattr(dialogs, "confirm", lambda _p, _t, text, **_k: asked.append(text) or False)
    tab = page.agreement
    qtbot.mouseClick(tab.close_button, Qt.MouseButton.LeftButton)
    assert asked and "revoca della convenzione di PG 123/2018" in asked[0]
    assert tab.sliding.text() == ""  # not confirmed: nothing recorded
    monkeypatch.setattr(dialogs, "confirm", lambda *_a, **_k: True)
    qtbot.mouseClick(tab.close_button, Qt.MouseButton.LeftButton)
    assert "Indicare il motivo della revoca" in page.status.text()
    tab.closed_on.setDate(QDate(2018, 9, 1))
    tab.close_reason.setText("Mancato avvio delle attività")  # QTest types ASCII only
    qtbot.mouseClick(tab.close_button, Qt.MouseButton.LeftButton)
    assert "Convenzione di PG 123/2018 revocata" in page.status.text(), page.status.text()
    assert "Liberati € 48.358,00" in tab.sliding.text()
    assert "graduatoria provvisoria versione" in tab.sliding.text()
    assert "Entrano fra i finanziati:" in tab.sliding.text()
    assert not tab.close_box.isVisibleTo(page)
    states = {line.protocol: line.state for line in panel.model.rows}
    assert states["PG 123/2018"] == "revocato"
    assert "Vincolante: € 0,00" in page.facts.text()  # nothing was paid: nothing stays bound
    shoot(projects_host, "progetto-revocato")


def test_screenshots_of_the_list_and_a_project_page(qtbot: Any, projects_host: Host) -> None:
    """The list and a project page render at 1366×768 with their content (saved for a human to look at)."""
    panel = panel_on(projects_host)
    page = open_row(qtbot, panel, "PG 138/2018")
    assert shoot(projects_host, "progetto-da-firmare").stat().st_size
    sign(qtbot, page)
    page.payments.day.setDate(QDate(2018, 7, 10))
    page.payments.amount.setText("8.000,00")
    qtbot.mouseClick(page.payments.record_button, Qt.MouseButton.LeftButton)
    page.support.phase_name.setText("Prototipazione")
    page.support.phase_hours.setText("40")
    page.support.mentor.setText("Fondazione Innovazione Urbana")
    qtbot.mouseClick(page.support.plan_button, Qt.MouseButton.LeftButton)
    page.support.hours.setText("3")
    page.support.topic.setText("Modello di servizio e primi contatti")
    page.support.day.setDate(QDate(2018, 7, 20))
    qtbot.mouseClick(page.support.log_button, Qt.MouseButton.LeftButton)
    assert page.support.sessions.rowCount() == 1
    for tab in (page.agreement, page.payments, page.support):
        page.tabs.setCurrentWidget(tab)
        assert shoot(projects_host, f"progetto-{page.tabs.tabText(page.tabs.currentIndex()).lower()}").stat().st_size
    panel.close_project()
    assert any(line.behind for line in panel.model.rows)  # 3 of 40 hours by December: behind the plan
    path = shoot(projects_host, "elenco")
    assert path.stat().st_size > 10_000


def test_redetermination_and_indicators_from_the_page(qtbot: Any, projects_host: Host) -> None:
    """Re-determining needs less money and a reason; indicators take the call's codes, a value per day."""
    panel = panel_on(projects_host)
    page = open_row(qtbot, panel, "PG 133/2018")
    assert not page.indicators.isEnabled()  # nothing to report before the agreement
    sign(qtbot, page)
    tab = page.agreement
    tab.new_amount.setText("40.000,00")
    tab.new_reason.setText("Spese non ammissibili")
    qtbot.mouseClick(tab.redetermine_button, Qt.MouseButton.LeftButton)
    assert "riduce l'importo" in page.status.text()
    tab.new_amount.setText("35.000,00")
    qtbot.mouseClick(tab.redetermine_button, Qt.MouseButton.LeftButton)
    assert "Convenzione rideterminata a € 35.000,00" in page.status.text()
    assert panel.figures["vincolante"].amount.text() == "€ 35.000,00"
    assert "Spese non ammissibili" in tab.info.text()
    ind = page.indicators
    page.tabs.setCurrentWidget(ind)
    ind.indicator.setCurrentIndex(ind.indicator.findData("I3"))
    ind.baseline.setText("10")
    ind.target.setText("140")
    qtbot.mouseClick(ind.target_button, Qt.MouseButton.LeftButton)
    assert "è una percentuale: da 0 a 100" in page.status.text()
    ind.target.setText("40")
    qtbot.mouseClick(ind.target_button, Qt.MouseButton.LeftButton)
    assert "Indicatore I3: partenza e obiettivo registrati" in page.status.text()
    ind.day.setDate(QDate(2018, 12, 1))
    ind.value.setText("22,5")
    qtbot.mouseClick(ind.value_button, Qt.MouseButton.LeftButton)
    assert "valore del 01/12/2018 registrato" in page.status.text()
    ind.value.setText("23")
    qtbot.mouseClick(ind.value_button, Qt.MouseButton.LeftButton)
    assert "c'è già un valore del 01/12/2018" in page.status.text()
    row = next(r for r in ind.model.rows if r.code == "I3")
    assert (row.baseline, row.target, str(row.current)) == (10, 40, "22.5")
    shoot(projects_host, "progetto-indicatori")


def test_wrong_payment_reversed_by_counter_entry(qtbot: Any, projects_host: Host, monkeypatch: Any) -> None:
    """A mistyped advance is cancelled from the list by a counter-entry, with a reason and after confirming;
    both rows stay listed and the paid figure goes back to zero."""
    panel = panel_on(projects_host)
    page = open_row(qtbot, panel, "PG 138/2018")
    sign(qtbot, page)
    pay = page.payments
    pay.kind.setCurrentIndex(pay.kind.findData("anticipo"))
    pay.day.setDate(QDate(2018, 7, 10))
    qtbot.keyClicks(pay.amount, "800,00")
    qtbot.mouseClick(pay.record_button, Qt.MouseButton.LeftButton)
    assert panel.figures["erogato"].amount.text() == "€ 800,00"
    qtbot.mouseClick(pay.reverse_button, Qt.MouseButton.LeftButton)
    assert "Selezionare" in page.status.text()
    pay.table.selectRow(0)
    monkeypatch.setattr(dialogs, "ask_text", lambda *a, **k: "Importo errato: era 8.000,00")
    monkeypatch.setattr(dialogs, "confirm", lambda *a, **k: False)
    qtbot.mouseClick(pay.reverse_button, Qt.MouseButton.LeftButton)
    assert pay.model.rowCount() == 1
    asked: list[str] = []
    monkeypatch.setattr(dialogs, "confirm", lambda *a, **k: asked.append(a[2]) or True)
    qtbot.mouseClick(pay.reverse_button, Qt.MouseButton.LeftButton)
    assert "la riga originale resta" in asked[0]
    assert "Storno registrato: anticipo del 10/07/2018 di € 800,00" in page.status.text(), page.status.text()
    assert pay.model.rowCount() == 2 and panel.figures["erogato"].amount.text() == "€ 0,00"
    assert "Storno dell'erogazione n." in pay.model.index(1, 4).data()
    page.tabs.setCurrentWidget(pay)
    shoot(page, "payments-counter-entry")


def test_typed_markup_in_the_agreement_is_shown_as_typed(qtbot: Any, projects_host: Host) -> None:
    """The agreement's act and reason are shown as typed: «<b>…</b>» in a reason is not rendered as the
    program's own bold words (the page's labels are rich text)."""
    panel = panel_on(projects_host)
    page = open_row(qtbot, panel, "PG 133/2018")
    tab = page.agreement
    tab.amount.setText("30.000,00")
    tab.act.setText("<i>Rep. 7</i>")
    tab.reason.setText("Spese stralciate<br><b>Convenzione attiva per € 38.424,00</b>")
    sign(qtbot, page)
    assert "Convenzione di PG 133/2018 registrata" in page.status.text()
    seen = QTextDocument()
    seen.setHtml(tab.info.text())
    shown = seen.toPlainText()
    assert "atto <i>Rep. 7</i>" in shown
    assert "Rideterminazione: Spese stralciate<br><b>Convenzione attiva per € 38.424,00</b>" in shown
    shoot(projects_host, "progetto-testo-digitato")


def test_an_ambiguous_number_is_refused_in_the_page(qtbot: Any, projects_host: Host) -> None:
    """«2.300» persons typed in the page is refused as ambiguous (it used to be stored as 2.3); «2300» is kept."""
    panel = panel_on(projects_host)
    page = open_row(qtbot, panel, "PG 133/2018")
    sign(qtbot, page)
    ind = page.indicators
    page.tabs.setCurrentWidget(ind)
    ind.indicator.setCurrentIndex(ind.indicator.findData("I2"))
    ind.day.setDate(QDate(2018, 12, 1))
    ind.value.setText("2.300")
    qtbot.mouseClick(ind.value_button, Qt.MouseButton.LeftButton)
    assert "«2.300» è ambiguo" in page.status.text()
    assert next(r for r in ind.model.rows if r.code == "I2").current is None
    ind.value.setText("2300")
    qtbot.mouseClick(ind.value_button, Qt.MouseButton.LeftButton)
    assert next(r for r in ind.model.rows if r.code == "I2").current == 2300
