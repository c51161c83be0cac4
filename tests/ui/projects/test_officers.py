"""Monitoring officers: added by the chair, listed in the who-am-I step, entering the funded projects only."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Qt

from tests.ui.chair.conftest import Host
from tests.ui.helpers import enter_as, open_window
from ui.projects.screen import ProjectsPanel
from valutazione.db import Database
from valutazione.projects import officers


def test_chair_adds_an_officer_who_enters_only_the_funded_projects(
    qtbot: Any, projects_host: Host, funded: Database
) -> None:
    """The officer is recorded (a member's name or a repeat refused) and sees only «Progetti finanziati»."""
    panel = ProjectsPanel(projects_host)
    projects_host.show_panel(panel)
    assert panel.officer_box.isVisibleTo(panel)
    panel.officer_name.setText("Nadia Cattaneo")
    qtbot.mouseClick(panel.officer_button, Qt.MouseButton.LeftButton)
    assert "è componente della commissione" in panel.status.text()
    panel.officer_name.clear()
    qtbot.keyClicks(panel.officer_name, "Marta Ferri")
    qtbot.mouseClick(panel.officer_button, Qt.MouseButton.LeftButton)
    assert "Marta Ferri è ora referente del monitoraggio" in panel.status.text()
    assert "Referenti del monitoraggio: Marta Ferri" in panel.officers.text()
    panel.officer_name.setText("Marta  Ferri")
    qtbot.mouseClick(panel.officer_button, Qt.MouseButton.LeftButton)
    assert "già referente" in panel.status.text()
    with funded.sessions() as s:
        assert [o.name for o in officers.list_officers(s)] == ["Marta Ferri"]
    path = funded.path
    funded.close()

    window = open_window(qtbot, path)
    labels = [window.identity.members.item(i).text() for i in range(window.identity.members.count())]
    assert "Marta Ferri  —  referente del monitoraggio" in labels
    enter_as(qtbot, window, "Marta Ferri", declare=False)
    assert window.pages.currentWidget() is window.tabs
    assert [window.tabs.tabText(i) for i in range(window.tabs.count())] == ["Progetti finanziati"]
    screen = window.tabs.widget(0).panel
    assert isinstance(screen, ProjectsPanel) and screen.model.rowCount() > 0
    assert not screen.officer_box.isVisibleTo(screen)  # only the chair adds officers
    assert "referente del monitoraggio" in window.user_label.text()


def test_read_only_file_disables_the_project_page_writes(qtbot: Any, projects_host: Host) -> None:
    """On a file opened read-only every writing button of a project page is disabled, going back is not."""
    from ui.chair import LazyTab

    tab = LazyTab(projects_host, ProjectsPanel)
    tab.read_only = True
    projects_host.show_panel(tab)
    tab.activate()
    panel = tab.panel
    assert isinstance(panel, ProjectsPanel) and not panel.officer_button.isEnabled()
    page = panel.open_project("PG 138/2018")
    assert not page.agreement.sign_button.isEnabled() and not page.payments.record_button.isEnabled()
    assert page.back_button.isEnabled()


def test_officer_enters_with_own_password(qtbot: Any, projects_host: Host, funded: Database) -> None:
    """The officer sets a password at first entry and must type it after: a wrong one (even the chair's
    own, whose member id may equal the officer's) keeps the projects closed."""
    from tests.ui.helpers import PASSWORD

    with funded.sessions.begin() as s:
        officers.add_officer(s, "Laura Fumagalli", "Marta Ferri")
    path = funded.path
    funded.close()
    window = open_window(qtbot, path)
    page = window.identity
    page.select("Marta Ferri")
    qtbot.keyClick(page.members, Qt.Key.Key_Return)
    assert page.password_box.isVisibleTo(page) and page.repeat.isVisibleTo(page)  # first entry: choose one
    assert "Prima entrata di Marta Ferri" in page.password_prompt.text()
    qtbot.keyClicks(page.password, PASSWORD)
    qtbot.keyClicks(page.repeat, PASSWORD)
    qtbot.keyClick(page.password, Qt.Key.Key_Return)
    assert window.pages.currentWidget() is window.tabs
    window.switch_action.trigger()
    page.select("Marta Ferri")
    qtbot.keyClick(page.members, Qt.Key.Key_Return)
    assert not page.repeat.isVisibleTo(page)
    qtbot.keyClicks(page.password, "sbagliata-1")
    qtbot.keyClick(page.password, Qt.Key.Key_Return)
    assert "Password errata per Marta Ferri" in page.password_error.text()
    assert window.pages.currentWidget() is page
    qtbot.keyClicks(page.password, PASSWORD)
    qtbot.keyClick(page.password, Qt.Key.Key_Return)
    assert window.pages.currentWidget() is window.tabs
    assert [window.tabs.tabText(i) for i in range(window.tabs.count())] == ["Progetti finanziati"]
