"""The GUI's top-level handler: an unexpected error is an Italian message naming a log, never a traceback."""

from __future__ import annotations

import sys
import threading
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QPushButton

from tests.ui.conftest import CommitteeFile
from ui import crash, dialogs, workers
from valutazione import errorlog
from valutazione.db import opened
from valutazione.paths import user_data_dir
from valutazione.services import committee


@pytest.fixture
def shown(monkeypatch: pytest.MonkeyPatch) -> list[tuple[str, str]]:
    """The handler installed for one test (hooks restored after it), and the message boxes it showed."""
    monkeypatch.setattr(sys, "excepthook", sys.excepthook)
    monkeypatch.setattr(threading, "excepthook", threading.excepthook)
    boxes: list[tuple[str, str]] = []

    def error(_parent: Any, title: str, text: str) -> None:
        assert threading.current_thread() is threading.main_thread(), "finestra mostrata fuori dal thread grafico"
        boxes.append((title, text))

    monkeypatch.setattr(dialogs, "error", error)
    crash.install()
    return boxes


@pytest.mark.qt_no_exception_capture
def test_exception_in_a_slot_shows_italian_message_and_writes_the_log(qtbot: Any, shown: list[tuple[str, str]]) -> None:
    """An error raised in a button's slot reaches the user as an Italian message naming the log with its traceback."""

    def broken_slot() -> None:
        raise ZeroDivisionError("divisione per zero nel pulsante di prova")

    button = QPushButton("Calcola")
    qtbot.addWidget(button)
    button.clicked.connect(broken_slot)
    qtbot.mouseClick(button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: len(shown) == 1, timeout=3000)
    title, text = shown[0]
    log = user_data_dir() / errorlog.LOG_NAME
    assert title == "Errore imprevisto"
    assert "errore imprevisto" in text and "registro degli errori" in text and str(log) in text
    assert "Traceback" not in text
    content = log.read_text(encoding="utf-8")
    assert "Traceback (most recent call last)" in content and "in broken_slot" in content
    assert "ZeroDivisionError: divisione per zero nel pulsante di prova" in content


@pytest.mark.qt_no_exception_capture
def test_exception_in_a_thread_is_shown_from_the_gui_thread(qtbot: Any, shown: list[tuple[str, str]]) -> None:
    """An error in a plain thread is logged there and its message shown by the GUI thread (never from the thread)."""
    worker = threading.Thread(target=lambda: {}["chiave mancante"], name="prova")
    worker.start()
    worker.join(5)
    qtbot.waitUntil(lambda: len(shown) == 1, timeout=3000)
    assert "KeyError" in shown[0][1]
    assert "thread prova" in (user_data_dir() / errorlog.LOG_NAME).read_text(encoding="utf-8")


def test_background_task_defect_names_the_log(qtbot: Any, committee_file: CommitteeFile) -> None:
    """A defect in a background task fails the job with the Italian message, its traceback in the log, nothing saved."""
    with opened(committee_file.path) as db:

        def task(s: Any, progress: Any, cancelled: Any) -> None:
            committee.add_member(s, "Gino Viola", "componente", actor="test")
            raise TypeError("difetto nel calcolo di prova")

        job = workers.run_task(None, db, "Calcolo di prova", task, dialog=False)
        with qtbot.waitSignal(job.failed, timeout=5000) as blocker:
            pass
        message = blocker.args[0]
        log = user_data_dir() / errorlog.LOG_NAME
        assert "errore imprevisto" in message and str(log) in message and "Traceback" not in message
        assert "TypeError: difetto nel calcolo di prova" in log.read_text(encoding="utf-8")
        with db.sessions() as s:
            assert all(m.name != "Gino Viola" for m in committee.list_members(s))


def test_log_is_rotated_past_its_limit(monkeypatch: pytest.MonkeyPatch) -> None:
    """The error log never grows without end: past its limit the old content moves to errori.log.1."""
    monkeypatch.setattr(errorlog, "MAX_BYTES", 100)
    log = errorlog.log_path()
    log.write_text("x" * 200, encoding="utf-8")
    try:
        raise ValueError("prova di rotazione")
    except ValueError as exc:
        assert errorlog.record(type(exc), exc, exc.__traceback__, where="prova") == log
    assert (log.parent / (errorlog.LOG_NAME + ".1")).read_text(encoding="utf-8") == "x" * 200
    assert "prova di rotazione" in log.read_text(encoding="utf-8") and not log.read_text().startswith("x")


def test_log_lives_in_the_user_data_folder() -> None:
    """The log is in the user's data folder (valutazione.paths), where settings and keys are, not beside the file."""
    assert errorlog.log_path() == user_data_dir() / "errori.log"
    assert isinstance(errorlog.log_path(), Path)
