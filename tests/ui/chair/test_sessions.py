"""Sessions: the secretary records a seduta, sees its decisions from the audit log, prints the verbale."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from pypdf import PdfReader
from PySide6.QtCore import Qt
from PySide6.QtPrintSupport import QPrinter

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
