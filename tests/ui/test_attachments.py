"""Attachments are read inside the window (QtPdf), with an outside viewer as fallback."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QGroupBox, QLabel

from tests.ui.conftest import CommitteeFile
from tests.ui.helpers import click, enter_as, open_row, open_window
from ui import dialogs


def test_pdf_pages_zoom_and_search(qtbot: Any, committee_file: CommitteeFile) -> None:
    """The proposal PDF stored in the file is shown in place: pages, zoom and text search work."""
    window = open_window(qtbot, committee_file.path)
    enter_as(qtbot, window, "Bruno Bianchi")
    open_row(qtbot, window, "PG 101/2018")
    click(qtbot, window.evaluation.conflict.none_button)
    detail = window.evaluation.detail
    detail.setCurrentIndex(1)
    assert detail.tabText(1) == "Allegati (1)"
    assert "PG_101-2018_proposta.pdf" in detail.attachments.currentText()
    viewer = detail.viewer
    qtbot.waitUntil(lambda: viewer.page_total() == 2, timeout=3000)
    assert viewer.page_count.text() == "di 2"
    click(qtbot, viewer.next_page)
    qtbot.waitUntil(lambda: viewer.current_page() == 1, timeout=2000)
    assert viewer.page.value() == 2
    before = viewer.view.zoomFactor()
    click(qtbot, viewer.zoom_in)
    assert viewer.view.zoomFactor() > before
    viewer.search.setFocus()
    qtbot.keyClicks(viewer.search, "cofinanziamento")
    qtbot.waitUntil(lambda: viewer.result_count() >= 1, timeout=3000)
    qtbot.keyClick(viewer.search, Qt.Key.Key_Return)
    assert viewer.search_status.text() == "1 di 1"
    viewer.search.clear()
    qtbot.keyClicks(viewer.search, "parolachenonce")
    qtbot.waitUntil(lambda: viewer.search_status.text() == "nessun risultato", timeout=3000)
    window.close()


def test_open_outside_writes_the_stored_bytes(
    qtbot: Any, committee_file: CommitteeFile, monkeypatch: pytest.MonkeyPatch
) -> None:
    """ "Apri esternamente" hands the system viewer a copy of the attachment stored in the database."""
    opened: list[Path] = []
    monkeypatch.setattr(dialogs, "open_external", lambda path: opened.append(path) or True)
    window = open_window(qtbot, committee_file.path)
    enter_as(qtbot, window, "Bruno Bianchi")
    open_row(qtbot, window, "PG 102/2018")
    click(qtbot, window.evaluation.conflict.none_button)
    detail = window.evaluation.detail
    detail.setCurrentIndex(1)
    click(qtbot, detail.external)
    assert opened and opened[0].name == "PG_102-2018_proposta.pdf"
    assert opened[0].read_bytes().startswith(b"%PDF")
    window.close()


def test_fields_and_import_flags_are_shown(qtbot: Any, committee_file: CommitteeFile) -> None:
    """The detail lists every field of the application and the importer's flags for the committee."""
    window = open_window(qtbot, committee_file.path)
    enter_as(qtbot, window, "Dario Neri")
    flagged = next(r for r in window.domande.model.rows if r.flags)
    window.open_domanda(flagged)
    detail = window.evaluation.detail
    shown = detail.form_host.findChildren(QLabel)
    texts = " | ".join(label.text() for label in shown)
    for label in ("Protocollo", "Codice fiscale", "Legale rappresentante", "Contributo richiesto", "Abstract"):
        assert label in texts
    assert flagged.protocol in texts
    boxes = " ".join(b.title() for b in detail.form_host.findChildren(QGroupBox))
    assert "Segnalazioni dell'importazione" in boxes
    assert all(("⚠ " + f) in texts for f in flagged.flags)
    window.close()
