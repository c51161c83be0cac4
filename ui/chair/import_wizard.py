"""The import wizard: file and attachments, column mapping, preview of every row, then the import.

Reading, planning and writing run in a worker (``ui.workers.run_task``) with a progress dialog, so a
large export never freezes the window. Nothing is written until the chair presses one of the two
import buttons, after seeing every refusal and flag: "all rows" refuses the file if any row is
unreadable (the importer's own rule), "only readable rows" skips the refused ones, as docs/regole.md § 3 says.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from PySide6.QtCore import QSize
from PySide6.QtWidgets import (
    QComboBox,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPushButton,
    QScrollArea,
    QVBoxLayout,
    QWidget,
    QWizard,
    QWizardPage,
)

from ui.chair.common import StatusLine, actor_name, tr
from ui.chair.import_preview import FLAGGED, READY, REFUSED, SKIPPED, PreviewModel, preview_rows
from ui.host import Desk
from ui.models.filter_bar import SearchableTable
from ui.screen_fit import fit_to_screen
from ui.workers import Job, run_task
from valutazione.db import load_rules
from valutazione.errors import ValutazioneError
from valutazione.importers.domande import apply_import, existing_domande, plan_import
from valutazione.importers.report import ImportReport, ImportResult
from valutazione.importers.table import FIELD_ALIASES, REQUIRED_COLUMNS, Table, normalise_header, read_table
from valutazione.services import Session

NONE = "—"


def guess_columns(headers: tuple[str, ...]) -> dict[str, str]:
    """Field → header the importer's aliases recognise; a starting point the chair can correct."""
    normalised = [normalise_header(h) for h in headers]
    found: dict[str, str] = {}
    for field, aliases in FIELD_ALIASES.items():
        for alias in aliases:
            key = normalise_header(alias)
            if key in normalised and headers[normalised.index(key)] not in found.values():
                found[field] = headers[normalised.index(key)]
                break
    return found


def _browse_row(edit: QLineEdit, button: QPushButton) -> QHBoxLayout:
    row = QHBoxLayout()
    row.addWidget(edit)
    row.addWidget(button)
    return row


class FilePage(QWizardPage):
    def __init__(self, wizard: ImportWizard) -> None:
        super().__init__()
        self.wiz = wizard
        self.setTitle(tr("File delle domande"))
        self.setSubTitle(tr("L'esportazione della piattaforma (CSV o XLSX) e la cartella degli allegati PDF."))
        self.path, self.folder = QLineEdit(), QLineEdit()
        self.folder.setPlaceholderText(tr("facoltativa: senza cartella gli allegati non vengono controllati"))
        browse_file, browse_folder = QPushButton(tr("Sfoglia…")), QPushButton(tr("Sfoglia…"))
        browse_file.clicked.connect(self._browse_file)
        browse_folder.clicked.connect(self._browse_folder)
        self.status = StatusLine()
        form = QFormLayout(self)
        form.addRow(tr("File CSV o XLSX:"), _browse_row(self.path, browse_file))
        form.addRow(tr("Cartella allegati:"), _browse_row(self.folder, browse_folder))
        form.addRow(self.status)

    def _browse_file(self) -> None:
        name, _ = QFileDialog.getOpenFileName(self, tr("File delle domande"), "", tr("Esportazioni (*.csv *.xlsx)"))
        if name:
            self.path.setText(name)

    def _browse_folder(self) -> None:
        name = QFileDialog.getExistingDirectory(self, tr("Cartella degli allegati"))
        if name:
            self.folder.setText(name)

    def validatePage(self) -> bool:
        folder = self.folder.text().strip()
        if folder and not Path(folder).is_dir():
            self.status.fail(tr("La cartella degli allegati non esiste."))
            return False
        try:
            self.wiz.table = read_table(self.path.text().strip())
        except ValutazioneError as exc:
            self.status.fail(str(exc))
            return False
        self.wiz.folder = Path(folder) if folder else None
        return True


class MappingPage(QWizardPage):
    """One drop-down per field, pre-set from the aliases; required fields are marked with *."""

    def __init__(self, wizard: ImportWizard) -> None:
        super().__init__()
        self.wiz = wizard
        self.setTitle(tr("Colonne"))
        self.setSubTitle(
            tr(
                "A quale colonna del file corrisponde ciascun campo. Le colonne riconosciute sono già "
                "indicate; i campi con * sono obbligatori."
            )
        )
        self.combos: dict[str, QComboBox] = {}
        inner = QWidget()
        self.form = QFormLayout(inner)
        for field, aliases in FIELD_ALIASES.items():
            combo = QComboBox()
            self.combos[field] = combo
            star = " *" if field in REQUIRED_COLUMNS else ""
            self.form.addRow(f"{aliases[0]}{star}:", combo)
        scroll = QScrollArea()
        scroll.setWidget(inner)
        scroll.setWidgetResizable(True)
        self.status = StatusLine()
        layout = QVBoxLayout(self)
        layout.addWidget(scroll)
        layout.addWidget(self.status)

    def initializePage(self) -> None:
        headers = self.wiz.table.headers if self.wiz.table else ()
        guessed = guess_columns(headers)
        for field, combo in self.combos.items():
            combo.clear()
            combo.addItem(NONE, None)
            for h in headers:
                if h:
                    combo.addItem(h, h)
            index = combo.findData(guessed.get(field))
            combo.setCurrentIndex(max(index, 0))

    def mapping(self) -> dict[str, str]:
        return {f: str(c.currentData()) for f, c in self.combos.items() if c.currentData() is not None}

    def validatePage(self) -> bool:
        missing = [FIELD_ALIASES[f][0] for f in REQUIRED_COLUMNS if self.combos[f].currentData() is None]
        if missing:
            self.status.fail(tr("Indicare la colonna per: ") + ", ".join(missing))
            return False
        return True


class PreviewPage(QWizardPage):
    """Plans the import in a worker, shows every row, and imports on the chair's explicit choice."""

    def __init__(self, wizard: ImportWizard) -> None:
        super().__init__()
        self.wiz = wizard
        self.setTitle(tr("Anteprima"))
        self.setSubTitle(
            tr(
                "In rosso le righe rifiutate (illeggibili), in giallo quelle segnalate per "
                "l'ammissibilità. Passare sopra una riga per la spiegazione."
            )
        )
        self.model = PreviewModel(parent=self)
        self.view = SearchableTable(
            self.model,
            "righe",
            tr("Cerca per protocollo, denominazione o esito (Ctrl+F)"),
            key="importazione/anteprima",
        )
        self.table = self.view.table
        header = self.table.horizontalHeader()
        for col in range(4):
            header.setSectionResizeMode(col, QHeaderView.ResizeMode.ResizeToContents)
        header.setStretchLastSection(True)
        self.table.setWordWrap(False)
        self.summary = QLabel()
        self.import_all = QPushButton(tr("Importa tutte le righe"))
        self.import_readable = QPushButton(tr("Importa solo le righe leggibili"))
        self.import_all.clicked.connect(lambda: self.start_import(skip_invalid=False))
        self.import_readable.clicked.connect(lambda: self.start_import(skip_invalid=True))
        self.status = StatusLine()
        buttons = QHBoxLayout()
        buttons.addWidget(self.summary, 1)
        buttons.addWidget(self.import_all)
        buttons.addWidget(self.import_readable)
        layout = QVBoxLayout(self)
        layout.addWidget(self.view)
        layout.addLayout(buttons)
        layout.addWidget(self.status)
        self.job: Job | None = None
        self.report: ImportReport | None = None
        self.result: ImportResult | None = None

    def initializePage(self) -> None:
        self.result = None
        self.report = None
        self.model.set_rows([])
        self.status.clear()
        self._enable(False)
        table, mapping, folder = self.wiz.table, self.wiz.mapping.mapping(), self.wiz.folder
        assert table is not None

        def plan(s: Session, progress: Any, cancelled: Any) -> ImportReport:
            return plan_import(
                table,
                load_rules(s),
                existing_domande(s),
                mapping=mapping,
                allegati=folder,
                progress=progress,
                cancelled=cancelled,
            )

        self.summary.setText(tr("Lettura del file in corso…"))
        self.job = run_task(self, self.wiz.host.db, tr("Lettura delle domande…"), plan)
        self.job.finished.connect(self._planned)
        self.job.failed.connect(self._failed)

    def _planned(self, report: ImportReport) -> None:
        self.report = report
        table = self.wiz.table
        assert table is not None
        column = self._column_of("denominazione")
        self.model.set_rows(preview_rows(report, table, column))
        n = self.model.counts()
        self.summary.setText(
            tr(
                "{total} righe: {ready} importabili, {flagged} segnalate, {refused} rifiutate, {skipped} già presenti"
            ).format(
                total=report.total_rows, ready=n[READY], flagged=n[FLAGGED], refused=n[REFUSED], skipped=n[SKIPPED]
            )
        )
        self._enable(True)
        self.import_all.setEnabled(n[REFUSED] == 0)
        if n[REFUSED]:
            self.import_all.setToolTip(tr("Il file ha righe illeggibili: importandolo tutto verrebbe rifiutato."))

    def _column_of(self, field: str) -> int | None:
        header = self.wiz.mapping.mapping().get(field)
        table = self.wiz.table
        return table.headers.index(header) if table is not None and header in table.headers else None

    def _failed(self, message: str) -> None:
        self.summary.clear()
        self.status.fail(message)
        self._enable(False)

    def _enable(self, on: bool) -> None:
        self.import_all.setEnabled(on)
        self.import_readable.setEnabled(on)

    def start_import(self, *, skip_invalid: bool) -> None:
        report, actor = self.report, actor_name(self.wiz.host)
        if report is None:
            return
        self._enable(False)

        def write(s: Session, progress: Any, cancelled: Any) -> ImportResult:
            return apply_import(
                s, report, skip_invalid=skip_invalid, actor=actor, progress=progress, cancelled=cancelled
            )

        self.job = run_task(self, self.wiz.host.db, tr("Importazione delle domande…"), write)
        self.job.finished.connect(self._imported)
        self.job.failed.connect(self._failed)

    def _imported(self, result: ImportResult) -> None:
        self.result = result
        self.status.ok(
            tr("Importate {n} domande; righe rifiutate non importate: {r}.").format(
                n=result.imported, r=len(result.report.refused_rows)
            )
        )
        self.wiz.host.data_changed.emit()
        self.completeChanged.emit()

    def isComplete(self) -> bool:
        return self.result is not None


class ImportWizard(QWizard):
    PREFERRED = QSize(1100, 700)  # shrunk to the free screen (ui/screen_fit.py)

    def __init__(self, host: Desk, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.host = host
        self.table: Table | None = None
        self.folder: Path | None = None
        self.setWindowTitle(tr("Importa domande"))
        self.setWizardStyle(QWizard.WizardStyle.ClassicStyle)
        self.setButtonText(QWizard.WizardButton.NextButton, tr("Avanti >"))
        self.setButtonText(QWizard.WizardButton.BackButton, tr("< Indietro"))
        self.setButtonText(QWizard.WizardButton.CancelButton, tr("Annulla"))
        self.setButtonText(QWizard.WizardButton.FinishButton, tr("Chiudi"))
        self.file = FilePage(self)
        self.mapping = MappingPage(self)
        self.preview = PreviewPage(self)
        for page in (self.file, self.mapping, self.preview):
            self.addPage(page)
        fit_to_screen(self, self.PREFERRED)
