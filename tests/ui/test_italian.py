"""Italian only: no English word, raw key, template name or «1 schede» on the screens a user sees."""

from __future__ import annotations

from typing import Any

from tests.ui.conftest import CommitteeFile
from tests.ui.helpers import click, enter_as, open_row, open_window
from tests.ui.italian import faults
from ui.main_window import MainWindow


def test_italian_on_member_screens(qtbot: Any, committee_file: CommitteeFile) -> None:
    """Who-am-I, declaration, list, conflict and scoring carry only Italian text."""
    found: list[str] = []
    window = open_window(qtbot, committee_file.path)
    found += faults(window)
    enter_as(qtbot, window, "Bruno Bianchi", declare=False)
    found += faults(window)
    window.declaration.agree.setChecked(True)
    click(qtbot, window.declaration.sign_button)
    found += faults(window)
    open_row(qtbot, window, "PG 101/2018")
    found += faults(window)
    click(qtbot, window.evaluation.conflict.none_button)
    found += faults(window)
    window.close()
    assert not found, "\n".join(found)


def test_italian_on_chair_tabs(qtbot: Any, tmp_path: Any) -> None:
    """Every tab of the chair on the demo file carries only Italian text."""
    from valutazione.db import open_database
    from valutazione.demo import CHAIR, build_demo

    window = MainWindow(open_database(build_demo(tmp_path / "demo.valutazione")))
    qtbot.addWidget(window)
    window.show()
    enter_as(qtbot, window, CHAIR)
    found: list[str] = []
    for index in range(window.tabs.count()):
        window.tabs.setCurrentIndex(index)
        qtbot.wait(20)
        found += [f"{window.tabs.tabText(index)}: {f}" for f in faults(window)]
    window.close()
    assert not found, "\n".join(found)


def test_the_check_catches_each_kind(qtbot: Any) -> None:
    """The checker itself flags English, raw keys, template names and «1 schede» (so a pass means something)."""
    from PySide6.QtWidgets import QLabel, QVBoxLayout, QWidget

    page = QWidget()
    qtbot.addWidget(page)
    layout = QVBoxLayout(page)
    for text in ("Cancel", "campo data_invio", "modello milano-mi331e", "1 schede da inviare", "Annulla"):
        layout.addWidget(QLabel(text))
    page.show()
    kinds = [fault.split(" ")[0] for fault in faults(page)]
    assert kinds == ["inglese", "chiave", "nome", "plurale"]
