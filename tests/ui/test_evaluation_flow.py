"""A member's whole day: open the file, choose oneself, declare, score with the keyboard, submit."""

from __future__ import annotations

from typing import Any

import pytest
from PySide6.QtCore import Qt
from sqlalchemy import select

from tests.ui.conftest import CommitteeFile
from tests.ui.helpers import click, enter_as, open_row, open_window, sign
from ui import dialogs
from valutazione.db import opened
from valutazione.models import Commissario, Conflitto, Dichiarazione, Domanda, Scheda

COEFFICIENTS = {
    "A.1": "08",
    "A.2": "7",
    "A.3": "09",
    "B.1": "08",
    "B.2": "06",
    "B.3": "1",
    "C.1": "07",
    "C.2": "05",
    "C.3": "08",
}


def score_everything(qtbot: Any, form: Any) -> None:
    """Types each coefficient's digits in its chooser, then Tab into the justification and writes it."""
    for code, digits in COEFFICIENTS.items():
        row = form.row(code)
        row.editor.setFocus()
        qtbot.keyClicks(row.editor, digits)
        qtbot.keyClick(row.editor, Qt.Key.Key_Tab)
        row.motivazione.setFocus()
        qtbot.keyClicks(row.motivazione, f"Motivazione del giudizio su {code}.")


def test_member_scores_submits_and_finds_the_sheet_locked(
    qtbot: Any, committee_file: CommitteeFile, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A submitted sheet is locked and stays locked when the file is opened again."""
    window = open_window(qtbot, committee_file.path)
    assert window.pages.currentWidget() is window.identity
    enter_as(qtbot, window, "Bruno Bianchi")
    assert window.user is not None and window.user.name == "Bruno Bianchi"
    assert "0 di 38 inviate" in window.counts_label.text()

    open_row(qtbot, window, "PG 101/2018")
    evaluation = window.evaluation
    assert evaluation.pages.currentWidget() is evaluation.conflict
    click(qtbot, evaluation.conflict.none_button)
    assert evaluation.pages.currentWidget() is evaluation.splitter
    form = evaluation.scheda

    score_everything(qtbot, form)
    assert form.row("A.1").editor.currentText() == "0,8 – buono"
    assert form.row("A.1").points.text() == "= 12,00 punti"
    assert form.row("B.3").editor.currentText() == "1,0 – eccellente"
    # A: 12 + 8,4 + 7,2 = 27,6; B: 12 + 6 + 10 = 28; C: 8,4 + 6 + 4,8 = 19,2; total 74,8
    assert "Subtotale A: 27,60 su 35" in form.criterion_labels["A"].text()
    assert "soglia 14 raggiunta" in form.criterion_labels["A"].text()
    assert "Totale: 74,80 su 100" in form.total_label.text()
    assert "soglia 60 raggiunta" in form.total_label.text()
    assert "completa" in form.missing_label.text()

    asked: list[str] = []
    monkeypatch.setattr(dialogs, "confirm", lambda _p, _t, text, **_k: asked.append(text) or True)
    click(qtbot, form.submit_button)
    assert asked and "PG 101/2018" in asked[0]
    assert "inviata" in form.state_label.text()
    assert not form.row("A.1").editor.isEnabled()
    assert "1 di 38 inviate" in window.counts_label.text()
    window.close()

    with opened(committee_file.path) as db, db.sessions() as s:
        member = s.scalars(select(Commissario).where(Commissario.name == "Bruno Bianchi")).one()
        sheet = s.scalars(select(Scheda).where(Scheda.commissario_id == member.id)).one()
        assert sheet.state == "inviata" and sheet.content_hash
        assert s.scalars(select(Dichiarazione).where(Dichiarazione.commissario_id == member.id)).one()

    again = open_window(qtbot, committee_file.path)
    enter_as(qtbot, again, "Bruno Bianchi")
    assert again.pages.currentWidget() is again.tabs, "the general declaration is asked only once"
    open_row(qtbot, again, "PG 101/2018")
    form = again.evaluation.scheda
    assert again.evaluation.pages.currentWidget() is again.evaluation.splitter
    assert "inviata" in form.state_label.text()
    assert form.row("C.3").editor.currentText() == "0,8 – buono"
    assert form.row("C.3").motivazione.isReadOnly()
    assert not form.submit_button.isEnabled()
    again.close()


def test_submit_refused_lists_what_is_missing(
    qtbot: Any, committee_file: CommitteeFile, monkeypatch: pytest.MonkeyPatch
) -> None:
    """An incomplete sheet cannot be submitted: the form lists the missing justifications."""
    window = open_window(qtbot, committee_file.path)
    enter_as(qtbot, window, "Carla Verdi")
    open_row(qtbot, window, "PG 102/2018")
    click(qtbot, window.evaluation.conflict.none_button)
    form = window.evaluation.scheda
    form.row("A.1").editor.setFocus()
    qtbot.keyClicks(form.row("A.1").editor, "9")
    assert "motivazione mancante: A.1" in form.missing_label.text()
    assert "valore mancante: A.2, A.3, B.1" in form.missing_label.text()
    assert not form.submit_button.isEnabled()
    errors: list[str] = []
    asked: list[str] = []
    monkeypatch.setattr(dialogs, "confirm", lambda *a, **_k: asked.append(a[2]) or True)
    monkeypatch.setattr(dialogs, "error", lambda _p, _t, text: errors.append(text))
    form.submit()  # as a shortcut would: the completeness check still comes before any confirmation
    assert errors and "incompleta" in errors[0]
    assert not asked
    assert "Bozza" in form.state_label.text()
    window.close()


def test_conflict_is_asked_to_confirm_and_cancel_declares_nothing(
    qtbot: Any, committee_file: CommitteeFile, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Declaring a conflict is confirmed first (only the chair can withdraw it): «Annulla» records nothing."""
    asked: list[str] = []
    monkeypatch.setattr(dialogs, "confirm", lambda _p, _t, text, **_k: asked.append(text) or False)
    window = open_window(qtbot, committee_file.path)
    enter_as(qtbot, window, "Carla Verdi")
    open_row(qtbot, window, "PG 103/2018")
    panel = window.evaluation.conflict
    panel.reason.setFocus()
    qtbot.keyClicks(panel.reason, "Socia dell'ente proponente.")
    click(qtbot, panel.conflict_button)
    assert asked and "solo il presidente" in asked[0]
    assert window.evaluation.pages.currentWidget() is panel
    window.close()
    with opened(committee_file.path) as db, db.sessions() as s:
        d = s.scalars(select(Domanda).where(Domanda.protocol == "PG 103/2018")).one()
        assert s.scalars(select(Conflitto).where(Conflitto.domanda_id == d.id)).all() == []


def test_conflict_hides_the_application(
    qtbot: Any, committee_file: CommitteeFile, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A member who declares a conflict abstains: the application's content and sheet are not shown."""
    monkeypatch.setattr(dialogs, "confirm", lambda *_a, **_k: True)
    window = open_window(qtbot, committee_file.path)
    enter_as(qtbot, window, "Carla Verdi")
    open_row(qtbot, window, "PG 103/2018")
    panel = window.evaluation.conflict
    panel.reason.setFocus()
    qtbot.keyClicks(panel.reason, "Mio fratello e il legale rappresentante dell ente.")
    click(qtbot, panel.conflict_button)
    evaluation = window.evaluation
    assert evaluation.pages.currentWidget() is evaluation.message
    assert "si astiene" in evaluation.message.text()
    states = {r.protocol: r.my_state for r in window.domande.model.rows}
    assert states["PG 103/2018"] == "astenuto"
    assert "0 di 37 inviate" in window.counts_label.text()

    open_row(qtbot, window, "PG 103/2018")
    assert evaluation.pages.currentWidget() is evaluation.message, "reopening still hides it"
    window.close()
    with opened(committee_file.path) as db, db.sessions() as s:
        d = s.scalars(select(Domanda).where(Domanda.protocol == "PG 103/2018")).one()
        c = s.scalars(select(Conflitto).where(Conflitto.domanda_id == d.id)).one()
        assert c.has_conflict and "fratello" in c.reason and c.declared_at is not None


def test_conflict_without_reason_is_refused(
    qtbot: Any, committee_file: CommitteeFile, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A conflict needs its reason: the service refuses and the user sees its message."""
    errors: list[str] = []
    monkeypatch.setattr(dialogs, "error", lambda _p, _t, text: errors.append(text))
    window = open_window(qtbot, committee_file.path)
    enter_as(qtbot, window, "Carla Verdi")
    open_row(qtbot, window, "PG 104/2018")
    click(qtbot, window.evaluation.conflict.conflict_button)
    assert errors and "motivo" in errors[0]
    assert window.evaluation.pages.currentWidget() is window.evaluation.conflict
    window.close()


def test_general_declaration_comes_before_any_application(qtbot: Any, committee_file: CommitteeFile) -> None:
    """No application is listed before the member signs the general declaration."""
    window = open_window(qtbot, committee_file.path)
    enter_as(qtbot, window, "Anna Rossi", declare=False)
    assert window.pages.currentWidget() is window.declaration
    assert window.domande is None
    assert not window.declaration.sign_button.isEnabled()
    sign(qtbot, window)
    assert window.pages.currentWidget() is window.tabs
    assert window.domande.model.rowCount() == 38
    window.close()


def test_previous_and_next_keep_the_form(qtbot: Any, committee_file: CommitteeFile) -> None:
    """Ctrl+PgDown / Ctrl+PgUp move to the next / previous application in the list's order."""
    window = open_window(qtbot, committee_file.path)
    enter_as(qtbot, window, "Bruno Bianchi")
    open_row(qtbot, window, "PG 101/2018")
    evaluation = window.evaluation
    click(qtbot, evaluation.conflict.none_button)
    evaluation.scheda.row("A.1").editor.setFocus()
    qtbot.keyClick(evaluation.scheda.row("A.1").editor, Qt.Key.Key_PageDown, Qt.KeyboardModifier.ControlModifier)
    assert evaluation.current.protocol == "PG 102/2018"
    assert "PG 102/2018" in evaluation.heading.text()
    click(qtbot, evaluation.conflict.none_button)
    qtbot.keyClick(evaluation.scheda.row("A.1").editor, Qt.Key.Key_PageUp, Qt.KeyboardModifier.ControlModifier)
    assert evaluation.current.protocol == "PG 101/2018"
    assert evaluation.pages.currentWidget() is evaluation.splitter
    window.close()


def test_secretary_sees_applications_but_no_sheet(qtbot: Any, committee_file: CommitteeFile) -> None:
    """The secretary does not score: no state column, no scoring form."""
    window = open_window(qtbot, committee_file.path)
    enter_as(qtbot, window, "Dario Neri")
    assert window.domande.table.isColumnHidden(window.domande.model.STATE)
    open_row(qtbot, window, "PG 105/2018")
    assert window.evaluation.scheda is None
    assert window.evaluation.pages.currentWidget() is window.evaluation.splitter
    window.close()
