"""Attachments are read inside the window (QtPdf), with an outside viewer as fallback."""

from __future__ import annotations

import stat
import tempfile
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QFileDialog, QGroupBox, QLabel

from tests.builders import MEMBERS, SAMPLE, Builder, attachments_folder, new_file
from tests.ui.conftest import CommitteeFile
from tests.ui.helpers import click, enter_as, open_row, open_window
from tests.ui.screenshots import shoot
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
    """ "Apri esternamente" hands the system viewer a copy of the stored attachment, in a private folder."""
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
    private = opened[0].parent.parent  # a folder of this session's, that no other account can read
    assert private.name.startswith("valutazione-allegati-") and private.parent == Path(tempfile.gettempdir())
    assert stat.S_IMODE(private.stat().st_mode) == 0o700
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


@pytest.fixture
def hostile_attachment(tmp_path: Path) -> Path:
    """A committee file where PG 101/2018 sent a program disguised as a document, «verbale.pdf.exe»."""
    rows = SAMPLE.read_text(encoding="utf-8-sig").splitlines()
    header = rows[0].split(";")
    where = header.index("Allegati")
    first = rows[1].split(";")
    first[where] = first[where] + " | verbale.pdf.exe"
    source = tmp_path / "domande.csv"
    source.write_text("\n".join([rows[0], ";".join(first), *rows[2:]]) + "\n", encoding="utf-8")
    folder = attachments_folder(tmp_path / "allegati", source)
    (folder / "verbale.pdf.exe").write_bytes(b"MZ\x90\x00 a program, not a document")
    path = tmp_path / "commissione.valutazione"
    db = new_file(path)
    try:
        Builder(db).sample(source, attachments=folder).committee(MEMBERS)
    finally:
        db.close()
    return path


def test_a_program_sent_as_an_attachment_is_never_run(
    qtbot: Any, hostile_attachment: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """An attachment whose kind could be a program is not handed to the system: it can only be saved."""
    opened: list[Path] = []
    errors: list[str] = []
    monkeypatch.setattr(dialogs, "open_external", lambda path: opened.append(path) or True)
    monkeypatch.setattr(dialogs, "error", lambda _p, _t, text: errors.append(text))
    monkeypatch.setattr(QFileDialog, "getSaveFileName", lambda _p, _t, name, *_: (str(tmp_path / name), ""))
    window = open_window(qtbot, hostile_attachment)
    enter_as(qtbot, window, "Bruno Bianchi")
    open_row(qtbot, window, "PG 101/2018")
    click(qtbot, window.evaluation.conflict.none_button)
    detail = window.evaluation.detail
    detail.setCurrentIndex(1)
    index = next(i for i in range(detail.attachments.count()) if "verbale.pdf.exe" in detail.attachments.itemText(i))
    detail.attachments.setCurrentIndex(index)
    assert not detail.external.isEnabled() and detail.save_copy.isEnabled()
    assert "potrebbe contenere un programma" in detail.viewer.message.text()
    shoot(qtbot, window, "allegato-rifiutato")
    detail.open_external()  # even if asked directly (a shortcut, a future button), nothing is opened
    assert opened == [] and "Salva una copia" in errors[0]
    click(qtbot, detail.save_copy)
    assert (tmp_path / "verbale.pdf.exe").read_bytes().startswith(b"MZ")
    assert opened == []
    window.close()
