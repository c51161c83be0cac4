"""File → «Server della commissione…»: the committee opened from a PostgreSQL server in the desktop."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import QApplication, QDialogButtonBox

from tests.builders import State, committee_file
from tests.pgcluster import PgCluster
from tests.ui.screenshots import shoot
from ui import dialogs, settings
from ui.main_window import MainWindow
from ui.server_connect import ServerDialog
from valutazione.server.url import ServerAddress


def _fill_and_connect(qtbot: Any, address: ServerAddress, shots: list[Path]) -> None:
    """Types the address into the modal dialog as a user would, shoots it, presses «Collega»."""
    dialog = QApplication.activeModalWidget()
    assert isinstance(dialog, ServerDialog)
    for edit, value in ((dialog.host, address.host), (dialog.database, address.database), (dialog.user, address.user)):
        edit.selectAll()
        qtbot.keyClicks(edit, value)
    dialog.port.setValue(address.port)
    shots.append(shoot(qtbot, dialog, "server-della-commissione"))
    qtbot.mouseClick(dialog.buttons.button(QDialogButtonBox.StandardButton.Ok), Qt.MouseButton.LeftButton)


def _open_from_menu(qtbot: Any, window: MainWindow, address: ServerAddress) -> tuple[bool, list[Path]]:
    shots: list[Path] = []
    QTimer.singleShot(0, lambda: _fill_and_connect(qtbot, address, shots))
    return window.choose_server(), shots


@pytest.fixture
def server_committee(pg_server: PgCluster, pg_url: str, tmp_path: Path) -> ServerAddress:
    committee_file(pg_url, State.IMPORTED, folder=tmp_path)
    return ServerAddress.parse(pg_url)


def test_open_a_committee_on_the_server(qtbot: Any, server_committee: ServerAddress) -> None:
    """From the welcome page the dialog opens the server's committee (password from .pgpass) and remembers the
    address, never a password."""
    window = MainWindow()
    qtbot.addWidget(window)
    shots: list[Path] = []
    QTimer.singleShot(0, lambda: _fill_and_connect(qtbot, server_committee, shots))
    qtbot.mouseClick(window.welcome.server_button, Qt.MouseButton.LeftButton)  # the welcome page's entry
    assert window.db is not None and window.db.server == server_committee
    assert str(server_committee) in window.windowTitle()
    assert window.pages.currentWidget() is window.identity
    names = [window.identity.members.item(i).text() for i in range(window.identity.members.count())]
    assert names[0].startswith("Anna Rossi")
    stored = settings.app_settings()
    assert stored.value("server/host") == server_committee.host
    assert stored.value("server/database") == server_committee.database
    assert not [k for k in stored.allKeys() if "password" in k.lower()]
    assert shots and shots[0].stat().st_size > 0
    again = ServerDialog()
    qtbot.addWidget(again)
    assert again.address() == server_committee  # the next time the fields are filled in
    window.close_file()


def test_password_asked_and_refusal_shown(
    qtbot: Any, server_committee: ServerAddress, pg_server: PgCluster, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Without .pgpass the password is asked without echo; a wrong one gives the server's refusal, nothing opened."""
    empty = tmp_path / "pgpass"
    empty.write_text("", encoding="utf-8")
    empty.chmod(0o600)
    monkeypatch.setenv("PGPASSFILE", str(empty))
    answers = iter(["sbagliata", pg_server.password])
    monkeypatch.setattr(dialogs, "ask_secret", lambda *_args: next(answers))
    errors: list[str] = []
    monkeypatch.setattr(dialogs, "error", lambda _parent, _title, text: errors.append(text))
    window = MainWindow()
    qtbot.addWidget(window)
    assert _open_from_menu(qtbot, window, server_committee)[0] is False
    assert window.db is None and "non ha accettato la password" in errors[0]
    assert _open_from_menu(qtbot, window, server_committee)[0] is True
    assert window.db is not None
    window.close_file()


def test_restore_from_backup_is_not_offered_on_a_server(qtbot: Any, server_committee: ServerAddress) -> None:
    """On a server «Ripristina da backup…» is disabled: its copies are the administrator's, not ours."""
    window = MainWindow()
    qtbot.addWidget(window)
    assert _open_from_menu(qtbot, window, server_committee)[0]
    assert not window.safety.restore_action.isEnabled()
    window.close_file()
