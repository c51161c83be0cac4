"""Drafts are never lost: autosave on typing (debounced), on focus change, and across a hard kill."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
from pathlib import Path
from typing import Any

import pytest
import shiboken6
from PySide6.QtCore import Qt
from sqlalchemy import select

from tests.ui.conftest import CommitteeFile
from tests.ui.helpers import click, enter_as, open_row, open_window
from valutazione.db import opened
from valutazione.models import Scheda, Voto

ROOT = Path(__file__).resolve().parents[2]


def stored_motivazione(path: Path, sub_code: str) -> str | None:
    with opened(path) as db, db.sessions() as s:
        voto = s.scalars(select(Voto).join(Scheda).where(Voto.sub_code == sub_code)).first()
        return None if voto is None else voto.motivazione


def start_scoring(qtbot: Any, path: Path) -> Any:
    window = open_window(qtbot, path)
    enter_as(qtbot, window, "Bruno Bianchi")
    open_row(qtbot, window, "PG 101/2018")
    click(qtbot, window.evaluation.conflict.none_button)
    return window


def test_typing_is_saved_within_a_second_and_survives_a_destroyed_window(
    qtbot: Any, committee_file: CommitteeFile, request: pytest.FixtureRequest
) -> None:
    """Autosave (debounced ~1 s) writes the draft: a window destroyed without closing loses nothing."""
    window = start_scoring(qtbot, committee_file.path)
    form = window.evaluation.scheda
    form.row("A.2").editor.setFocus()
    qtbot.keyClicks(form.row("A.2").editor, "07")
    form.row("A.2").motivazione.setFocus()
    qtbot.keyClicks(form.row("A.2").motivazione, "Modello gestionale nuovo per il quartiere")
    qtbot.waitUntil(lambda: "salvata" in form.state_label.text(), timeout=3000)
    shiboken6.delete(window)  # no closeEvent, no flush: only what autosave wrote remains
    # qtbot would close it at teardown: a window deleted on purpose is no longer its to close.
    request.node.qt_widgets = [(w, f) for w, f in request.node.qt_widgets if w() is not window]

    assert stored_motivazione(committee_file.path, "A.2") == "Modello gestionale nuovo per il quartiere"
    again = open_window(qtbot, committee_file.path)
    enter_as(qtbot, again, "Bruno Bianchi")
    open_row(qtbot, again, "PG 101/2018")
    form = again.evaluation.scheda
    assert form.row("A.2").motivazione.toPlainText() == "Modello gestionale nuovo per il quartiere"
    assert form.row("A.2").editor.currentText() == "0,7 – discreto"
    assert "Bozza" in form.state_label.text()
    again.close()


def test_leaving_a_field_saves_at_once(qtbot: Any, committee_file: CommitteeFile) -> None:
    """Moving the focus out of a justification saves the draft without waiting for the timer."""
    window = start_scoring(qtbot, committee_file.path)
    form = window.evaluation.scheda
    form.row("B.1").motivazione.setFocus()
    qtbot.keyClicks(form.row("B.1").motivazione, "Valore per la comunita")
    qtbot.keyClick(form.row("B.1").motivazione, Qt.Key.Key_Tab)
    assert stored_motivazione(committee_file.path, "B.1") == "Valore per la comunita"
    window.close()


def test_closing_the_window_saves_pending_typing(qtbot: Any, committee_file: CommitteeFile) -> None:
    """Closing the window (or the file) flushes the draft before the database is closed."""
    window = start_scoring(qtbot, committee_file.path)
    form = window.evaluation.scheda
    form.row("C.1").motivazione.setFocus()
    qtbot.keyClicks(form.row("C.1").motivazione, "Piano economico congruo")
    window.close()
    assert stored_motivazione(committee_file.path, "C.1") == "Piano economico congruo"


CHILD = textwrap.dedent(
    """
    import os, sys, time
    os.environ["QT_QPA_PLATFORM"] = "offscreen"
    sys.path.insert(0, {root!r})
    from PySide6.QtCore import QCoreApplication, QSettings
    from PySide6.QtTest import QTest
    from PySide6.QtWidgets import QApplication
    app = QApplication([])
    QSettings.setDefaultFormat(QSettings.Format.IniFormat)
    QSettings.setPath(QSettings.Format.IniFormat, QSettings.Scope.UserScope, {settings!r})
    QCoreApplication.setOrganizationName("valutazione-kill-test")
    from ui.main_window import MainWindow
    from ui.user import User
    from valutazione.db import open_database
    window = MainWindow(open_database({path!r}))
    window.show()
    members = window.identity.members
    QTest.keyClicks(members, "Bruno")
    window.identity.enter_button.click()
    window.declaration.agree.setChecked(True)
    window.declaration.sign_button.click()
    row = next(r for r in window.domande.model.rows if r.protocol == "PG 101/2018")
    window.open_domanda(row)
    window.evaluation.conflict.none_button.click()
    form = window.evaluation.scheda
    form.row("A.3").motivazione.setFocus()
    QTest.keyClicks(form.row("A.3").motivazione, "Coinvolge le famiglie fragili del caseggiato")
    while "salvata" not in form.state_label.text():
        QTest.qWait(50)
    print("SAVED", flush=True)
    while True:
        QTest.qWait(1000)
    """
)


def test_draft_survives_sigkill(committee_file: CommitteeFile, tmp_path: Path) -> None:
    """A process killed with SIGKILL right after autosave keeps the typed justification (WAL + FULL sync)."""
    script = CHILD.format(root=str(ROOT), settings=str(tmp_path / "settings"), path=str(committee_file.path))
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen", "VALUTAZIONE_DATA_DIR": str(tmp_path / "data")}
    child = subprocess.Popen(
        [sys.executable, "-c", script], stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env, text=True
    )
    try:
        assert child.stdout is not None
        line = child.stdout.readline()
        assert line.strip() == "SAVED", child.stderr.read() if child.stderr else ""
    finally:
        child.send_signal(signal.SIGKILL)
        child.wait(timeout=10)
    assert child.returncode == -signal.SIGKILL
    assert stored_motivazione(committee_file.path, "A.3") == "Coinvolge le famiglie fragili del caseggiato"
