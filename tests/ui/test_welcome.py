"""The first-run screen: what shows with no file open, the demo copy, the recent files, the keyboard."""

from __future__ import annotations

from typing import Any

import pytest
from PySide6.QtCore import Qt

from tests.ui.conftest import CommitteeFile
from tests.ui.screenshots import shoot
from ui import dialogs, settings, welcome
from ui.main_window import MainWindow
from valutazione.paths import user_data_dir
from valutazione.services import committee


def empty_window(qtbot: Any) -> MainWindow:
    window = MainWindow()
    qtbot.addWidget(window)
    window.resize(1366, 768)
    window.show()
    return window


def test_no_file_shows_the_welcome_with_every_way_in(qtbot: Any) -> None:
    """With no file open the window shows the welcome page: demo, new call, file, package, recent files."""
    window = empty_window(qtbot)
    page = window.welcome
    assert window.pages.currentWidget() is page
    texts = [b.text() for b in (page.demo_button, page.new_button, page.open_button, page.package_button)]
    assert texts == [
        "Apri il bando &dimostrativo",
        "&Nuovo bando dal modello di Milano…",
        "Apri un fi&le…",
        "Apri un &pacchetto di valutazione…",
    ]
    assert not page.recreate_button.isVisibleTo(page)
    assert page.recent.item(0).text() == "Nessun file aperto di recente."
    assert window.focusWidget() is page.demo_button
    shoot(qtbot, window, "welcome-first-run")
    window.close()


def test_demo_button_builds_a_copy_in_the_user_data_dir_and_opens_it(
    qtbot: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The demo is a copy in user_data_dir()/demo/, built once, reopened as left, recreated only on request."""
    window = empty_window(qtbot)
    qtbot.keyClick(window.welcome.demo_button, Qt.Key.Key_Space)
    demo = user_data_dir() / "demo" / welcome.DEMO_FILE
    assert demo.exists()
    assert window.db is not None and window.db.path == demo
    assert window.pages.currentWidget() is window.identity
    with window.db.sessions.begin() as s:
        committee.add_member(s, "Ospite di prova", committee.COMPONENTE, actor="test")

    window.close_file()
    page = window.welcome
    assert window.pages.currentWidget() is page
    assert page.recreate_button.isVisibleTo(page)
    assert "Riapre la copia di prova" in page.demo_hint.text()
    assert page.recent.item(0).data(Qt.ItemDataRole.UserRole) == str(demo.resolve())
    shoot(qtbot, window, "welcome-with-recent")

    click_open = page.demo_button
    qtbot.mouseClick(click_open, Qt.MouseButton.LeftButton)
    with window.db.sessions() as s:
        assert "Ospite di prova" in [m.name for m in committee.list_members(s)]
    window.close_file()

    monkeypatch.setattr(dialogs, "confirm", lambda *_a, **_k: True)
    qtbot.mouseClick(page.recreate_button, Qt.MouseButton.LeftButton)
    assert window.db is not None and window.db.path == demo
    with window.db.sessions() as s:
        assert "Ospite di prova" not in [m.name for m in committee.list_members(s)]
    window.close()


def test_recent_file_opens_with_enter(qtbot: Any, committee_file: CommitteeFile) -> None:
    """A recent file is opened from the welcome list with the arrow keys and Enter."""
    settings.remember_file(committee_file.path)
    window = empty_window(qtbot)
    recent = window.welcome.recent
    recent.setFocus()
    recent.setCurrentRow(0)
    qtbot.keyClick(recent, Qt.Key.Key_Return)
    assert window.db is not None and window.db.path == committee_file.path
    assert window.pages.currentWidget() is window.identity
    window.close()


def test_open_buttons_reach_the_file_and_package_choosers(qtbot: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    """ "Apri un file…" and "Apri un pacchetto…" ask for the file to open (here: the user cancels)."""
    asked: list[str] = []
    monkeypatch.setattr(dialogs, "open_path", lambda _p, title: asked.append(title))
    from PySide6.QtWidgets import QFileDialog

    monkeypatch.setattr(QFileDialog, "getOpenFileName", lambda _p, title, *_a: (asked.append(title), "")[1:] + ("",))
    window = empty_window(qtbot)
    window.welcome.open_button.setFocus()
    qtbot.keyClick(window.welcome.open_button, Qt.Key.Key_Space)
    window.welcome.package_button.setFocus()
    qtbot.keyClick(window.welcome.package_button, Qt.Key.Key_Space)
    assert asked == ["Apri un file di valutazione", "Apri un pacchetto di valutazione"]
    assert window.pages.currentWidget() is window.welcome
    window.close()
