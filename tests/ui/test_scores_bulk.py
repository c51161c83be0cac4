"""Scores import from the chair's toolbar and «invia tutte» on a member's home page: no command line needed."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QFileDialog
from sqlalchemy import select

from tests.builders import State, committee_file
from tests.ui.helpers import enter_as, open_window
from ui import dialogs
from valutazione.db import opened
from valutazione.models import Ammissibilita, Domanda, Scheda


def _scores_csv(path: Path, db_path: Path, member: str, count: int) -> tuple[Path, list[str]]:
    """A paper-sheet CSV: ``member`` gives 0,7 with a reason to every sub-criterion of ``count`` applications."""
    with opened(db_path) as db, db.sessions() as s:
        codes = [sub.code for sub in db.bando().subcriteria]
        query = select(Domanda.protocol).join(Ammissibilita, Ammissibilita.domanda_id == Domanda.id)
        protocols = list(s.scalars(query.where(Ammissibilita.outcome == "ammissibile").order_by(Domanda.protocol)))
    chosen = protocols[:count]
    lines = ["Commissario;Protocollo;Sottocriterio;Coefficiente;Motivazione"]
    lines += [f"{member};{p};{c};0,7;Giudizio su {c} per {p}." for p in chosen for c in codes]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path, chosen


def test_chair_imports_scores_then_member_submits_all_with_one_confirmation(
    qtbot: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Imported rows become drafts; the member's home page sends them all after one question naming them."""
    built = committee_file(tmp_path / "f.valutazione", State.ADMISSIBILITY)
    source, chosen = _scores_csv(tmp_path / "punteggi.csv", built.path, "Bruno Bianchi", 3)
    said: list[str] = []
    monkeypatch.setattr(dialogs, "info", lambda _p, _t, text: said.append(text))
    monkeypatch.setattr(dialogs, "error", lambda _p, _t, text: said.append("ERRORE " + text))
    monkeypatch.setattr(QFileDialog, "getOpenFileName", lambda *_a, **_k: (str(source), ""))
    window = open_window(qtbot, built.path)
    enter_as(qtbot, window, "Anna Rossi")
    action = next(a for a in window.chair_actions if a.text() == "Importa punteggi (CSV)…")
    action.trigger()
    assert said[-1].startswith("Importate ") and "in 3 schede in bozza (Bruno Bianchi)" in said[-1]

    bad = tmp_path / "sbagliato.csv"
    bad.write_text("Nome;Voto\nx;1\n", encoding="utf-8")
    monkeypatch.setattr(QFileDialog, "getOpenFileName", lambda *_a, **_k: (str(bad), ""))
    action.trigger()
    assert said[-1].startswith("ERRORE ") and "riga 1: intestazione attesa" in said[-1]

    window.switch_action.trigger()
    enter_as(qtbot, window, "Bruno Bianchi")
    page = window.home
    assert page is not None and page.submit_all_button is not None
    assert page.submit_all_button.text() == "Inviare tutte le schede complete (3)…"
    asked: list[str] = []
    monkeypatch.setattr(dialogs, "confirm", lambda _p, _t, text, **_k: asked.append(text) or True)
    qtbot.mouseClick(page.submit_all_button, Qt.MouseButton.LeftButton)
    assert len(asked) == 1 and asked[0].startswith("Inviare 3 schede complete (") and chosen[0] in asked[0]
    assert page.sent == tuple(chosen)
    assert window.home is not None and window.home.submit_all_button is not None
    assert not window.home.submit_all_button.isEnabled()
    window.close()
    with opened(built.path) as db, db.sessions() as s:
        states = s.scalars(select(Scheda.state).where(Scheda.commissario_id == built.members["Bruno Bianchi"]))
        assert sorted(states) == ["inviata"] * 3
