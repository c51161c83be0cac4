"""Screenshots of every evaluator screen at 1366×768 and 1920×1080, for a human to review (see tests/ui/screenshots.py).

Each shot also checks the screen shows what a committee member needs to read there, so a screenshot run
that silently shows an empty page fails.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import Qt

from tests.ui.conftest import CommitteeFile
from tests.ui.helpers import click, enter_as, open_row, open_window
from tests.ui.screenshots import shoot_sizes
from ui import dialogs
from ui.main_window import MainWindow
from valutazione.db import open_database


def test_member_screens(qtbot: Any, committee_file: CommitteeFile, monkeypatch: pytest.MonkeyPatch) -> None:
    """Welcome, who-am-I, declaration, list, conflict, scoring, attachment, locked sheet, abstention."""
    empty = MainWindow()
    qtbot.addWidget(empty)
    empty.show()
    shoot_sizes(qtbot, empty, "01-benvenuto")
    empty.close()

    window = open_window(qtbot, committee_file.path)
    shoot_sizes(qtbot, window, "02-chi-sono")
    enter_as(qtbot, window, "Bruno Bianchi", declare=False)
    shoot_sizes(qtbot, window, "03-dichiarazione-generale")
    window.declaration.agree.setFocus()
    qtbot.keyClick(window.declaration.agree, Qt.Key.Key_Space)
    click(qtbot, window.declaration.sign_button)
    shoot_sizes(qtbot, window, "04-elenco-domande")

    open_row(qtbot, window, "PG 101/2018")
    shoot_sizes(qtbot, window, "05-conflitto-di-interessi")
    click(qtbot, window.evaluation.conflict.none_button)
    form = window.evaluation.scheda
    for code, digits, text in (
        ("A.1", "08", "Risponde a un bisogno reale dei cortili popolari."),
        ("A.2", "6", ""),
        ("A.3", "09", "Coinvolge anziani soli e famiglie fragili."),
    ):
        form.row(code).editor.setFocus()
        qtbot.keyClicks(form.row(code).editor, digits)
        if text:
            form.row(code).motivazione.setFocus()
            qtbot.keyClicks(form.row(code).motivazione, text)
    shoot_sizes(qtbot, window, "06-scheda-bozza")
    window.evaluation.detail.setCurrentIndex(1)
    qtbot.waitUntil(lambda: window.evaluation.detail.viewer.page_total() > 0, timeout=3000)
    shoot_sizes(qtbot, window, "07-allegato-pdf")

    for code in ("B.1", "B.2", "B.3", "C.1", "C.2", "C.3", "A.2"):
        form.row(code).editor.setFocus()
        qtbot.keyClicks(form.row(code).editor, "07")
        form.row(code).motivazione.setFocus()
        qtbot.keyClicks(form.row(code).motivazione, "Giudizio discreto, motivato nella relazione.")
    monkeypatch.setattr(dialogs, "confirm", lambda *_a, **_k: True)
    click(qtbot, form.submit_button)
    window.evaluation.detail.setCurrentIndex(0)
    assert form.locked
    shoot_sizes(qtbot, window, "08-scheda-inviata")

    open_row(qtbot, window, "PG 103/2018")
    window.evaluation.conflict.reason.setFocus()
    qtbot.keyClicks(window.evaluation.conflict.reason, "Sono socio dell'ente proponente.")
    click(qtbot, window.evaluation.conflict.conflict_button)
    shoot_sizes(qtbot, window, "09-astensione")
    window.tabs.setCurrentWidget(window.domande)
    shoot_sizes(qtbot, window, "10-elenco-dopo-lavoro")
    window.close()


def test_chair_and_demo_screens(qtbot: Any, tmp_path: Path) -> None:
    """The demo file as its chair sees it: the evaluator's tabs plus the chair's own."""
    from valutazione.demo import CHAIR, build_demo

    path = build_demo(tmp_path / "demo.valutazione")
    window = MainWindow(open_database(path))
    qtbot.addWidget(window)
    window.show()
    enter_as(qtbot, window, CHAIR)
    assert window.tabs.count() > 2
    shoot_sizes(qtbot, window, "11-presidente-elenco")
    rows = window.domande.visible_rows()
    window.open_domanda(rows[0])
    if window.evaluation.pages.currentWidget() is window.evaluation.conflict:
        click(qtbot, window.evaluation.conflict.none_button)
    shoot_sizes(qtbot, window, "12-presidente-scheda")
    window.close()
