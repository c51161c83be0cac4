"""Pairwise entry in the GUI: a member fills the matrix, sees their coefficients live, saves; the ranking uses it."""

from __future__ import annotations

import dataclasses
from fractions import Fraction
from pathlib import Path
from typing import Any

from PySide6.QtCore import Qt

from tests.builders import Builder, domanda, new_file
from tests.ui.fit import problems
from tests.ui.helpers import enter_as, open_window
from tests.ui.screenshots import SCREEN, shoot
from ui.forms.pairwise import CHOICES, PairwiseView
from valutazione.bando import Bando
from valutazione.services import ranking

MEMBERS = (("Anna Rossi", "presidente"), ("Bruno Bianchi", "componente"), ("Carla Verdi", "componente"))


def _pairwise_file(tmp_path: Path, milano: Bando) -> Path:
    bando = dataclasses.replace(
        milano, criteria=(dataclasses.replace(milano.criteria[0], pairwise="somma"), *milano.criteria[1:])
    )
    db = new_file(tmp_path / "coppie.valutazione", bando)
    Builder(db).committee(MEMBERS).domande(domanda(f"PG {i}/2018", minutes=i) for i in (101, 102, 103, 104))
    path = db.path
    db.close()
    return path


def _choose(qtbot: Any, view: PairwiseView, row: str, column: str, text: str) -> None:
    box = view.cell(row, column)
    box.setFocus()
    qtbot.keyClick(box, Qt.Key.Key_Home)
    for _ in range(next(i for i, (t, _d) in enumerate(CHOICES) if t == text)):
        qtbot.keyClick(box, Qt.Key.Key_Down)
    assert box.currentText() == text


def test_member_fills_matrix_and_ranking_counts_it(qtbot: Any, tmp_path: Path, milano: Bando) -> None:
    """Six cells by keyboard: the member's coefficients change live, the lower half mirrors the upper, a
    partial matrix is saved but not counted, the complete one gives the ranking its coefficient."""
    window = open_window(qtbot, _pairwise_file(tmp_path, milano))
    enter_as(qtbot, window, "Bruno Bianchi")
    titles = [window.tabs.tabText(i) for i in range(window.tabs.count())]
    assert "Confronto a coppie" in titles
    view = window.pairwise
    assert view is not None
    window.tabs.setCurrentWidget(view)
    assert view.sub.currentText().startswith("A.1")
    assert view.matrix.rowCount() == 4 and view.progress.text().startswith("Confronti: 0 di 6")
    _choose(qtbot, view, "PG 101/2018", "PG 102/2018", "◀ 3")
    assert view.matrix.item(1, 0).text() == "▲ 3"  # the same judgement, seen from PG 102/2018's row
    assert view.coefficients.item(0, 0).text() == "PG 101/2018" and view.coefficients.item(0, 2).text() == "1,000"
    assert view.save() and "incompleti" in view.status.text()
    _choose(qtbot, view, "PG 101/2018", "PG 103/2018", "◀ 5")
    _choose(qtbot, view, "PG 101/2018", "PG 104/2018", "=")
    _choose(qtbot, view, "PG 102/2018", "PG 103/2018", "▲ 2")
    _choose(qtbot, view, "PG 102/2018", "PG 104/2018", "▲ 4")
    _choose(qtbot, view, "PG 103/2018", "PG 104/2018", "=")
    assert view.progress.text() == "Confronti: 6 di 6"
    sums = {view.coefficients.item(r, 0).text(): view.coefficients.item(r, 1).text() for r in range(4)}
    assert sums == {"PG 101/2018": "9", "PG 102/2018": "0", "PG 103/2018": "3", "PG 104/2018": "6"}
    shoot(qtbot, window, "pairwise-matrix", size=SCREEN)
    assert problems(window) == []
    qtbot.mouseClick(view.save_button, Qt.MouseButton.LeftButton)
    assert "completi: entrano nel calcolo" in view.status.text()
    db = window.db
    assert db is not None
    with db.sessions() as s:
        row = ranking.compute(s).ranking.row("PG 103/2018")
    assert row.subscore("A.1").mean == Fraction(3, 9)
    view.load()  # reopened: the saved cells come back
    assert view.cell("PG 104/2018", "PG 102/2018").currentText() == "▲ 4"
    window.close()


def test_switching_subcriterion_keeps_typed_cells(qtbot: Any, tmp_path: Path, milano: Bando) -> None:
    """Cells typed on A.1 are saved when the member moves to A.2, and are there on coming back."""
    window = open_window(qtbot, _pairwise_file(tmp_path, milano))
    enter_as(qtbot, window, "Carla Verdi")
    view = window.pairwise
    assert view is not None
    window.tabs.setCurrentWidget(view)
    _choose(qtbot, view, "PG 101/2018", "PG 104/2018", "▲ 2,5")
    assert "non ancora salvate" in view.status.text()
    view.sub.setCurrentIndex(1)
    assert view.sub.currentText().startswith("A.2") and view.comparisons() == []
    view.sub.setCurrentIndex(0)
    assert view.cell("PG 101/2018", "PG 104/2018").currentText() == "▲ 2,5"
    window.close()
