"""Sessions: the secretary records a seduta, sees its decisions from the audit log, prints the verbale."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from pypdf import PdfReader
from PySide6.QtCore import Qt
from PySide6.QtPrintSupport import QPrinter

from tests.ui import screenshots
from tests.ui.chair import scenario
from tests.ui.chair.conftest import Host, shoot
from ui.chair.sessions import SessionsPanel


def test_record_session_and_print_verbale(qtbot: Any, db: Any, tmp_path: Path) -> None:
    """A session with a bad time is refused; a valid one lists attendance and decisions and prints as PDF."""
    scenario.build(db, tmp_path, scored=False)
    host = Host(db)
    qtbot.addWidget(host)
    panel = SessionsPanel(host)
    host.show_panel(panel, "Sedute")
    qtbot.keyClicks(panel.start, "00:00")
    qtbot.keyClicks(panel.end, "25:00")
    qtbot.keyClicks(panel.place, "Palazzo Marino, sala Alessi")
    qtbot.mouseClick(panel.record_button, Qt.MouseButton.LeftButton)
    assert "non valida" in panel.status.text()
    panel.end.setText("23:59")
    panel.present.item(2).setCheckState(Qt.CheckState.Unchecked)
    panel.agenda.setPlainText("1. Ammissibilità formale delle domande")
    qtbot.mouseClick(panel.record_button, Qt.MouseButton.LeftButton)
    assert "Seduta n. 1 registrata" in panel.status.text()
    text = panel.detail.toPlainText()
    assert "assente" in text and "Palazzo Marino" in text and "PG 108/2018" in text
    panel.note.setText("Correzione: la seduta è terminata alle 13:00")  # keyClicks types ASCII only
    qtbot.mouseClick(panel.note_button, Qt.MouseButton.LeftButton)
    assert "Correzione" in panel.detail.toPlainText()
    shoot(host, "sessions")
    printer = QPrinter(QPrinter.PrinterMode.HighResolution)
    printer.setOutputFormat(QPrinter.OutputFormat.PdfFormat)
    out = tmp_path / "stampa.pdf"
    printer.setOutputFileName(str(out))
    pages = panel.print_verbale(printer)
    assert pages >= 1 and len(PdfReader(out).pages) == pages


def test_correct_session_with_reason_after_confirmation(qtbot: Any, db: Any, tmp_path: Path, monkeypatch: Any) -> None:
    """A recorded session is corrected (place, attendance) with a reason, after a confirmation; the agenda
    keeps its line breaks; the form is blank for the next session; a refused confirmation writes nothing."""
    import json

    from sqlalchemy import select

    from ui import dialogs
    from ui.chair.session_correction import SedutaCorrectionDialog
    from valutazione.models import AuditRow

    scenario.build(db, tmp_path, scored=False)
    host = Host(db)
    qtbot.addWidget(host)
    panel = SessionsPanel(host)
    host.show_panel(panel, "Sedute")
    qtbot.keyClicks(panel.start, "09:30")
    qtbot.keyClicks(panel.place, "Sala A")
    panel.present.item(2).setCheckState(Qt.CheckState.Unchecked)
    panel.agenda.setPlainText("1. Insediamento\n2. Ammissibilità")
    qtbot.mouseClick(panel.record_button, Qt.MouseButton.LeftButton)
    assert "Seduta n. 1 registrata" in panel.status.text()
    assert panel.place.text() == "" and panel.agenda.toPlainText() == "" and panel.start.text() == ""
    assert "1. Insediamento\n2. Ammissibilità" in panel.detail.toPlainText()

    def fill(dialog: Any) -> bool:
        assert isinstance(dialog, SedutaCorrectionDialog)
        ok = dialog.buttons.buttons()[0]
        assert not ok.isEnabled()  # no reason yet
        dialog.place.setText("Sala B")
        dialog.present.item(2).setCheckState(Qt.CheckState.Checked)
        qtbot.keyClicks(dialog.reason, "Errore di trascrizione")
        assert ok.isEnabled()
        screenshots.shoot(qtbot, dialog, "chair-session-correction", show=True)
        return True

    panel.exec_dialog = fill  # type: ignore[method-assign]
    monkeypatch.setattr(dialogs, "confirm", lambda *a, **k: False)
    qtbot.mouseClick(panel.correct_button, Qt.MouseButton.LeftButton)
    with db.sessions() as s:
        assert s.scalars(select(AuditRow).where(AuditRow.action == "seduta.rettificata")).first() is None
    asked: list[str] = []
    monkeypatch.setattr(dialogs, "confirm", lambda *a, **k: asked.append(a[2]) or True)
    qtbot.mouseClick(panel.correct_button, Qt.MouseButton.LeftButton)
    assert "valori originali restano nel registro" in asked[0]
    assert "Rettifica della seduta n. 1 registrata" in panel.status.text()
    text = panel.detail.toPlainText()
    assert "Sala B" in text and "Errore di trascrizione" in text and "«Sala A» → «Sala B»" in text
    with db.sessions() as s:
        entry = s.scalars(select(AuditRow).where(AuditRow.action == "seduta.rettificata")).one()
        assert json.loads(entry.before_json)["luogo"] == "Sala A"
    shoot(host, "sessions-corrected")


def test_session_screen_shows_hostile_text_as_written(qtbot: Any, db: Any, tmp_path: Path) -> None:
    """The session screen shows what the minutes print: a reason or name holding markup («<!--», tags) is text,
    it does not hide the decisions after it."""
    from tests.builders import Builder

    scenario.build(db, tmp_path, scored=False)
    Builder(db, actor=scenario.CHAIR).decide("PG 101/2018", "esclusa", "Motivo <!-- il resto sparisce").decide(
        "PG 102/2018", "esclusa", "Secondo <s>motivo</s> registrato"
    )
    host = Host(db)
    qtbot.addWidget(host)
    panel = SessionsPanel(host)
    host.show_panel(panel, "Sedute")
    panel.start.setText("00:00")
    panel.end.setText("23:59")
    panel.place.setText("Palazzo Marino")
    qtbot.mouseClick(panel.record_button, Qt.MouseButton.LeftButton)
    assert "Seduta n. 1 registrata" in panel.status.text()
    text = panel.detail.toPlainText()
    assert "Motivo <!-- il resto sparisce" in text and "Secondo <s>motivo</s> registrato" in text
    assert f"{scenario.CHAIR} — Presidente: presente" in text
    shoot(host, "sessions-markup-as-text")
