"""Everything about one application: its fields, the importer's flags, its attachments in place."""

from __future__ import annotations

import atexit
import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path
from zoneinfo import ZoneInfo

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QComboBox,
    QFileDialog,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QScrollArea,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from ui import dialogs
from ui.forms.pdf_viewer import PdfViewer
from ui.models.domande import outcome_label
from valutazione.attachment_files import local_name, may_open
from valutazione.db import Database
from valutazione.errors import os_error_reason
from valutazione.money import format_euro
from valutazione.services import Session, domanda_detail
from valutazione.services.domanda_detail import AttachmentInfo as Attachment

ROME = ZoneInfo("Europe/Rome")


@dataclass(frozen=True)
class DomandaDetail:
    """An application read inside a session: labelled fields, flags, attachments (bytes on demand)."""

    id: int
    protocol: str
    applicant: str
    title: str
    fields: tuple[tuple[str, str], ...]
    abstract: str
    flags: tuple[tuple[str, str], ...]
    outcome: str
    attachments: tuple[Attachment, ...]


def load_detail(s: Session, domanda_id: int) -> DomandaDetail:
    """The service's facts, labelled and formatted the way the detail screen shows them."""
    d = domanda_detail.domanda_facts(s, domanda_id)
    zone = f"{d.zone_number} – {d.zone_name}" if d.zone_name is not None else "—"
    if d.zone_text and (d.zone_name is None or d.zone_text != d.zone_name):
        zone += f"  (indicata: «{d.zone_text}»)"
    fields = (
        ("Protocollo", d.protocol),
        ("Data invio", d.submitted_at.astimezone(ROME).strftime("%d/%m/%Y %H:%M")),
        ("Denominazione", d.applicant),
        ("Forma giuridica", d.legal_form or "—"),
        ("Codice fiscale", d.tax_code or "—"),
        ("Partita IVA", d.vat_number or "—"),
        ("Legale rappresentante", d.legal_representative or "—"),
        ("PEC", d.pec or "—"),
        ("Titolo del progetto", d.title),
        ("Zona", zone),
        ("Costo totale", format_euro(d.total_cost_cents)),
        ("Contributo richiesto", format_euro(d.grant_cents)),
        ("Cofinanziamento", format_euro(d.cofinancing_cents)),
        ("Durata", f"{d.duration_months} mesi" if d.duration_months else "—"),
    )
    outcome = outcome_label(d.outcome)
    if d.outcome is not None:
        outcome += f" — {d.outcome_reason}"
    return DomandaDetail(
        id=d.id,
        protocol=d.protocol,
        applicant=d.applicant,
        title=d.title,
        fields=fields,
        abstract=d.abstract,
        flags=d.flags,
        outcome=outcome,
        attachments=d.attachments,
    )


def _size_text(size: int) -> str:
    return (
        f"{size / 1024:.0f} kB".replace(".", ",")
        if size < 1024 * 1024
        else f"{size / 1048576:.1f} MB".replace(".", ",")
    )


class DetailWidget(QTabWidget):
    """Two tabs: the application's data with its flags, and its attachments with the PDF viewer."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.db: Database | None = None
        self.detail: DomandaDetail | None = None
        self.form_host = QWidget()
        self.form = QFormLayout(self.form_host)
        self.form.setRowWrapPolicy(QFormLayout.RowWrapPolicy.WrapLongRows)
        self.form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setWidget(self.form_host)
        self.addTab(scroll, self.tr("Dati della domanda"))

        self.attachments = QComboBox()
        self.attachments.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
        self.attachments.setAccessibleName(self.tr("Allegato"))
        self.external = QPushButton(self.tr("Apri esternamente"))
        self.external.setToolTip(self.tr("Apre l'allegato con il programma predefinito del computer"))
        self.external.clicked.connect(self.open_external)
        self.save_copy = QPushButton(self.tr("Salva una copia…"))
        self.save_copy.setToolTip(
            self.tr("Salva l'allegato in una cartella a scelta, per esempio per farlo controllare")
        )
        self.save_copy.clicked.connect(self.save_attachment)
        self.viewer = PdfViewer()
        self.attachments.currentIndexChanged.connect(self._show_attachment)
        page = QWidget()
        chooser = QHBoxLayout()
        chooser.addWidget(QLabel(self.tr("Allegato:")))
        chooser.addWidget(self.attachments, 1)
        chooser.addWidget(self.external)
        chooser.addWidget(self.save_copy)
        column = QVBoxLayout(page)
        column.addLayout(chooser)
        column.addWidget(self.viewer, 1)
        self.addTab(page, self.tr("Allegati"))

    def load(self, db: Database, detail: DomandaDetail) -> None:
        self.db, self.detail = db, detail
        while self.form.rowCount():
            self.form.removeRow(0)
        for label, value in detail.fields:
            self.form.addRow(self.tr(label) + ":", self._value(value))
        self.form.addRow(self.tr("Ammissibilità") + ":", self._value(detail.outcome))
        abstract = self._value(detail.abstract or "—")
        self.form.addRow(self.tr("Abstract") + ":", abstract)
        if detail.flags:
            box = QGroupBox(self.tr("Segnalazioni dell'importazione ({})").format(len(detail.flags)))
            box.setStyleSheet("QGroupBox { color: #8a4b00; font-weight: bold; }")
            inner = QVBoxLayout(box)
            for _rule, text in detail.flags:
                inner.addWidget(self._value("⚠ " + text))
            self.form.addRow(box)
        self.attachments.blockSignals(True)
        self.attachments.clear()
        for a in detail.attachments:
            suffix = _size_text(a.size) if a.sha256 else self.tr("non pervenuto")
            self.attachments.addItem(f"{a.filename}  ({suffix})")
        self.attachments.blockSignals(False)
        self.setTabText(1, self.tr("Allegati ({})").format(len(detail.attachments)))
        self.external.setEnabled(False)
        self.save_copy.setEnabled(False)
        if detail.attachments:
            self.attachments.setCurrentIndex(0)
            self._show_attachment(0)
        else:
            self.viewer.show_message(self.tr("La domanda non ha allegati."))

    @staticmethod
    def _value(text: str) -> QLabel:
        label = QLabel(text)
        label.setWordWrap(True)
        label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        return label

    def current_attachment(self) -> Attachment | None:
        row = self.attachments.currentIndex()
        if self.detail is None or not 0 <= row < len(self.detail.attachments):
            return None
        return self.detail.attachments[row]

    def _show_attachment(self, _row: int) -> None:
        a = self.current_attachment()
        if a is None or self.db is None:
            return
        self.external.setEnabled(a.sha256 is not None and may_open(a.filename))
        self.save_copy.setEnabled(a.sha256 is not None)
        if a.sha256 is None:
            self.viewer.show_message(
                self.tr("Il file «{}» è elencato nella domanda ma non è pervenuto.").format(a.filename)
            )
            return
        with self.db.sessions() as s:
            data = domanda_detail.attachment_bytes(s, a.sha256)
        if not may_open(a.filename):
            self.viewer.show_message(self._refusal(a.filename))
        elif not local_name(a.filename).lower().endswith(".pdf") or not self.viewer.load_bytes(data):
            self.viewer.show_message(
                self.tr("Anteprima non disponibile per «{}»: usare «Apri esternamente».").format(a.filename)
            )

    def _refusal(self, filename: str) -> str:
        return self.tr(
            "«{}» non si apre da qui: un file di questo tipo potrebbe contenere un programma. Usare «Salva una "
            "copia…» e farlo controllare prima di aprirlo."
        ).format(filename)

    def open_external(self) -> None:
        """Writes the attachment to this session's private folder and hands it to the system viewer.

        Only a kind a committee reads is handed over (``valutazione.attachment_files``): an applicant's
        «.exe» or «.js» would run as a program.
        """
        a = self.current_attachment()
        if a is None or a.sha256 is None or self.db is None:
            return
        if not may_open(a.filename):
            dialogs.error(self, self.tr("Allegato"), self._refusal(a.filename))
            return
        with self.db.sessions() as s:
            data = domanda_detail.attachment_bytes(s, a.sha256)
        from valutazione.exports.writers import write_atomically  # not at start-up: it brings ReportLab

        folder = _private_folder() / a.sha256[:16]
        folder.mkdir(mode=0o700, exist_ok=True)
        target = write_atomically(folder / local_name(a.filename), data)
        if not dialogs.open_external(target):
            dialogs.error(
                self, self.tr("Allegato"), self.tr("Nessuna applicazione può aprire «{}».").format(a.filename)
            )

    def save_attachment(self) -> None:
        """Saves the attachment where the user chooses, whatever its kind, without opening it."""
        a = self.current_attachment()
        if a is None or a.sha256 is None or self.db is None:
            return
        name, _ = QFileDialog.getSaveFileName(self, self.tr("Salva una copia dell'allegato"), local_name(a.filename))
        if not name:
            return
        from valutazione.exports.writers import write_atomically

        with self.db.sessions() as s:
            data = domanda_detail.attachment_bytes(s, a.sha256)
        try:
            write_atomically(name, data)
        except OSError as exc:
            dialogs.error(
                self, self.tr("Allegato"), self.tr("Copia non salvata in «{}»: {}").format(name, os_error_reason(exc))
            )


_folder: list[Path] = []


def _private_folder() -> Path:
    """A folder only this user can read, made once per session and removed at exit.

    A fixed name under a shared temporary directory would let another account on the computer read the
    applications' documents, or plant a link where the next attachment is written.
    """
    if not _folder:
        _folder.append(Path(tempfile.mkdtemp(prefix="valutazione-allegati-")))
        atexit.register(shutil.rmtree, _folder[0], ignore_errors=True)
    return _folder[0]
