"""The entry point, the background worker, and the remembered window state."""

from __future__ import annotations

import threading
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import QByteArray, Qt
from PySide6.QtWidgets import QPushButton
from sqlalchemy import func, select

from tests.ui.conftest import CommitteeFile
from tests.ui.helpers import enter_as, open_row, open_window
from ui import app, dialogs, settings, welcome, workers
from ui.main_window import MainWindow
from valutazione.db import open_database, opened
from valutazione.models import Commissario
from valutazione.paths import user_data_dir
from valutazione.services import committee


def test_smoke_start_with_a_file(committee_file: CommitteeFile) -> None:
    """`valutazione-gui FILE --smoke` opens the file, shows the window and exits cleanly."""
    assert app.main([str(committee_file.path), "--smoke"]) == 0
    assert str(committee_file.path.resolve()) in settings.recent_files()


def test_demo_is_created_in_the_user_data_dir() -> None:
    """`--demo` builds the same demo copy as the welcome screen's button, in the user's data directory."""
    assert app.main(["--demo", "--smoke"]) == 0
    demo = user_data_dir() / "demo" / welcome.DEMO_FILE
    assert demo.exists()
    with opened(demo) as db, db.sessions() as s:
        assert committee.list_members(s)


def test_unreadable_file_is_reported(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A file that is not a committee file is refused with the core's Italian message, not a traceback."""
    errors: list[str] = []
    monkeypatch.setattr(dialogs, "error", lambda _p, _t, text: errors.append(text))
    bogus = tmp_path / "lettera.valutazione"
    bogus.write_text("non sono un database")
    assert app.main([str(bogus), "--smoke"]) == 0
    assert errors and "non è un file di valutazione" in errors[0]


def test_new_file_lets_the_creator_enter_as_chair(qtbot: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """File > Nuovo creates a file from the default call; with no committee yet, its creator enters as chair."""
    target = tmp_path / "nuova.valutazione"
    monkeypatch.setattr(dialogs, "save_path", lambda *_a, **_k: target)
    window = MainWindow()
    qtbot.addWidget(window)
    window.new_action.trigger()
    assert window.pages.currentWidget() is window.identity
    assert window.identity.first_box.isVisibleTo(window)
    qtbot.keyClicks(window.identity.first_name, "Anna Rossi")
    qtbot.keyClicks(window.identity.first_password, "prova-2026")
    qtbot.keyClicks(window.identity.first_repeat, "prova-2026")
    qtbot.mouseClick(window.identity.first_button, Qt.MouseButton.LeftButton)
    assert window.user is not None and window.user.is_chair
    assert window.pages.currentWidget() is window.declaration
    window.close()
    with opened(target) as db, db.sessions() as s:
        assert s.scalar(select(func.count(Commissario.id))) == 1


def test_window_geometry_and_splitter_are_remembered(qtbot: Any, committee_file: CommitteeFile) -> None:
    """Size and the detail/sheet splitter come back as the member left them (in the isolated settings)."""
    window = open_window(qtbot, committee_file.path)
    enter_as(qtbot, window, "Bruno Bianchi")
    open_row(qtbot, window, "PG 101/2018")
    window.evaluation.splitter.setSizes([900, 440])  # the default gives the sheet more room
    window.resize(800, 580)  # within the offscreen test screen (800×600): Qt clamps restored geometry to it
    window.close()
    assert isinstance(settings.app_settings().value("window/geometry"), QByteArray)

    again = MainWindow(open_database(committee_file.path))
    qtbot.addWidget(again)
    assert (again.width(), again.height()) == (800, 580)
    again.resize(1366, 768)
    again.show()
    enter_as(qtbot, again, "Bruno Bianchi")
    open_row(qtbot, again, "PG 101/2018")
    left, right = again.evaluation.splitter.sizes()
    assert left > right, (left, right)
    again.close()


def test_worker_reports_progress_and_commits(qtbot: Any, committee_file: CommitteeFile) -> None:
    """A long core function runs off the GUI thread in its own session and commits when it returns."""
    with opened(committee_file.path) as db:
        seen: list[tuple[int, int]] = []

        def task(s: Any, progress: Any, cancelled: Any) -> str:
            for i in range(3):
                progress(i + 1, 3)
            committee.add_member(s, "Elena Gialli", "componente", actor="test")
            return threading.current_thread().name

        job = workers.run_task(None, db, "Lavoro di prova", task)
        job.signals.progress.connect(lambda d, t: seen.append((d, t)))
        with qtbot.waitSignal(job.finished, timeout=5000) as result:
            pass
        assert result.args[0] != threading.main_thread().name
        with db.sessions() as s:
            assert any(m.name == "Elena Gialli" for m in committee.list_members(s))


def test_worker_cancel_writes_nothing(qtbot: Any, committee_file: CommitteeFile) -> None:
    """Annulla stops the work and rolls back its transaction: nothing half-written remains."""
    with opened(committee_file.path) as db:
        started = threading.Event()

        def task(s: Any, progress: Any, cancelled: Any) -> None:
            committee.add_member(s, "Fabio Blu", "componente", actor="test")
            started.set()
            while not cancelled():
                threading.Event().wait(0.01)

        job = workers.run_task(None, db, "Lavoro di prova", task)
        try:
            assert started.wait(60)
            qtbot.waitUntil(job.dialog.isVisible, timeout=3000)  # shown only past half a second
            button = next(b for b in job.dialog.findChildren(QPushButton) if b.text() == "Annulla")
            with qtbot.waitSignal(job.cancelled, timeout=5000):
                qtbot.mouseClick(button, Qt.MouseButton.LeftButton)
        finally:
            job.cancel()
        assert not job.dialog.isVisible()
        with db.sessions() as s:
            assert all(m.name != "Fabio Blu" for m in committee.list_members(s))


def test_recent_files_menu_reopens_a_file(qtbot: Any, committee_file: CommitteeFile) -> None:
    """File > File recenti lists the files opened before and reopens one at the who-am-I page."""
    first = open_window(qtbot, committee_file.path)
    first.close()
    window = MainWindow()
    qtbot.addWidget(window)
    window.recent_menu.aboutToShow.emit()
    actions = [a for a in window.recent_menu.actions() if a.isEnabled()]
    assert [a.text() for a in actions] == [committee_file.path.name]
    actions[0].trigger()
    assert window.db is not None and window.pages.currentWidget() is window.identity
    window.close_action.trigger()
    assert window.db is None and window.pages.currentWidget() is window.welcome
    window.close()


def test_worker_cancel_through_the_core_error_is_a_cancel(qtbot: Any, committee_file: CommitteeFile) -> None:
    """A core function that stops on Annulla with its own error (the importer's) is reported as cancelled."""
    from valutazione.importers.report import ImportCancelledError

    with opened(committee_file.path) as db:
        started = threading.Event()

        def task(s: Any, progress: Any, cancelled: Any) -> None:
            committee.add_member(s, "Gino Viola", "componente", actor="test")
            started.set()
            while not cancelled():
                threading.Event().wait(0.01)
            raise ImportCancelledError()

        job = workers.run_task(None, db, "Importazione di prova", task)
        failures: list[str] = []
        job.failed.connect(failures.append)
        assert started.wait(60)
        qtbot.waitUntil(job.dialog.isVisible, timeout=3000)
        button = next(b for b in job.dialog.findChildren(QPushButton) if b.text() == "Annulla")
        with qtbot.waitSignal(job.cancelled, timeout=5000):
            qtbot.mouseClick(button, Qt.MouseButton.LeftButton)
        assert not failures
        with db.sessions() as s:
            assert all(m.name != "Gino Viola" for m in committee.list_members(s))
