"""The "Verifica firme…" dialog: every signature of a PDF, checked against the CAs the user trusts.

Trust is judged only against the CA certificates chosen here (the core never consults the system's web
trust list, which says nothing about signature certificates). Each signature is one row, green when it
holds, red when it does not, with the core's Italian summary under the table; empty fields are listed
so the secretary sees who has not signed yet.
"""

from __future__ import annotations

import html
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from PySide6.QtCore import QSize, Qt
from PySide6.QtGui import QBrush, QColor
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QListWidget,
    QPushButton,
    QTextBrowser,
    QVBoxLayout,
    QWidget,
)

from ui.documents.build import tr
from ui.documents.export import ERROR_COLOUR, OK_COLOUR
from ui.documents.sign import PDF_FILTER, buddy_label
from ui.models.filter_bar import SearchableTable
from ui.models.table import CENTER, LEFT, AnyIndex, Column, RowTableModel
from ui.screen_fit import fit_to_screen
from ui.workers import Job, run_task
from valutazione import signing
from valutazione.db import Database
from valutazione.services import Session

CA_FILTER = "Certificati (*.pem *.crt *.cer *.der);;Tutti i file (*)"
GOOD_BG = "#d8efd9"
BAD_BG = "#f6dcdc"
COLUMNS = ("Campo", "Firmatario", "Data (ora italiana)", "Integra", "Valida", "Attendibile", "Modificato dopo la firma")


def _yes_no(value: bool) -> str:
    return tr("sì") if value else tr("no")


@dataclass(frozen=True)
class SignatureRow:
    """One signature as the table shows it; trust is «non verificata» when no CA was given."""

    report: signing.SignatureReport
    with_ca: bool

    @property
    def good(self) -> bool:
        return self.report.ok and self.report.trusted  # never green without a trusted CA (signing.overall)

    @property
    def trusted(self) -> str:
        return _yes_no(self.report.trusted) if self.with_ca else tr("non verificata")


def _when(r: signing.SignatureReport) -> str:
    return signing.format_time(r.signing_time) if r.signing_time else tr("non indicata")


class SignaturesModel(RowTableModel[SignatureRow]):
    columns = (
        Column[SignatureRow](tr(COLUMNS[0]), lambda s: s.report.field_name),
        Column[SignatureRow](tr(COLUMNS[1]), lambda s: s.report.signer_name),
        Column[SignatureRow](tr(COLUMNS[2]), lambda s: s.report.signing_time, lambda t: "", LEFT),
        Column[SignatureRow](tr(COLUMNS[3]), lambda s: _yes_no(s.report.intact), align=CENTER),
        Column[SignatureRow](tr(COLUMNS[4]), lambda s: _yes_no(s.report.valid), align=CENTER),
        Column[SignatureRow](tr(COLUMNS[5]), lambda s: s.trusted, align=CENTER),
        Column[SignatureRow](tr(COLUMNS[6]), lambda s: _yes_no(s.report.modified_after), align=CENTER),
    )

    def data(self, index: AnyIndex, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or index.row() >= len(self._rows):
            return None
        row = self._rows[index.row()]
        if role == Qt.ItemDataRole.DisplayRole and index.column() == 2:
            return _when(row.report)  # the signing time sorts as a time (SORT_ROLE), shows in Italian
        if role == Qt.ItemDataRole.BackgroundRole:
            return QBrush(QColor(GOOD_BG if row.good else BAD_BG))
        if role == Qt.ItemDataRole.ToolTipRole:
            return row.report.summary
        return super().data(index, role)


class VerifyDialog(QDialog):
    def __init__(self, parent: QWidget | None, db: Database, pdf: Path | None = None) -> None:
        super().__init__(parent)
        self.db = db
        self.job: Job | None = None
        self.reports: list[signing.SignatureReport] = []
        self.setWindowTitle(tr("Verifica delle firme digitali"))
        self.pdf = QLineEdit(str(pdf) if pdf else "")
        browse = QPushButton(tr("Sfoglia…"))
        browse.clicked.connect(self._browse_pdf)
        pdf_row = QHBoxLayout()
        pdf_row.addWidget(self.pdf, 1)
        pdf_row.addWidget(browse)
        self.cas = QListWidget()
        self.cas.setMaximumHeight(70)
        self.add_ca_button = add_ca = QPushButton(tr("&Aggiungi CA…"))
        add_ca.clicked.connect(self._add_ca)
        remove_ca = QPushButton(tr("&Rimuovi"))
        remove_ca.clicked.connect(lambda: self.cas.takeItem(self.cas.currentRow()))
        ca_buttons = QVBoxLayout()
        ca_buttons.addWidget(add_ca)
        ca_buttons.addWidget(remove_ca)
        ca_buttons.addStretch(1)
        ca_row = QHBoxLayout()
        ca_row.addWidget(self.cas, 1)
        ca_row.addLayout(ca_buttons)
        form = QFormLayout()
        form.addRow(buddy_label(tr("&PDF:"), self.pdf), pdf_row)
        form.addRow(buddy_label(tr("&CA attendibili:"), self.cas), ca_row)

        self.model = SignaturesModel(parent=self)
        self.view = SearchableTable(self.model, "firme", key="verifica/firme")
        self.table = self.view.table
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        self.summary = QTextBrowser()
        self.summary.setMaximumHeight(130)
        self.empty = QLabel()
        self.empty.setWordWrap(True)
        self.status = QLabel()
        self.status.setWordWrap(True)
        buttons = QDialogButtonBox()
        buttons.addButton(tr("Chiudi"), QDialogButtonBox.ButtonRole.RejectRole)
        self.verify_button = buttons.addButton(tr("&Verifica"), QDialogButtonBox.ButtonRole.ActionRole)
        self.verify_button.setDefault(True)
        self.verify_button.clicked.connect(self.start)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.view, 1)
        layout.addWidget(self.summary)
        layout.addWidget(self.empty)
        layout.addWidget(self.status)
        layout.addWidget(buttons)
        fit_to_screen(self, QSize(900, 520))

    def _browse_pdf(self) -> None:
        name, _ = QFileDialog.getOpenFileName(self, tr("PDF da verificare"), self.pdf.text(), tr(PDF_FILTER))
        if name:
            self.pdf.setText(name)

    def _add_ca(self) -> None:
        names, _ = QFileDialog.getOpenFileNames(self, tr("Certificati delle CA attendibili"), "", tr(CA_FILTER))
        known = {self.cas.item(i).text() for i in range(self.cas.count())}
        self.cas.addItems([n for n in names if n not in known])

    def ca_paths(self) -> list[Path]:
        return [Path(self.cas.item(i).text()) for i in range(self.cas.count())]

    def start(self) -> None:
        path = Path(self.pdf.text().strip())
        roots = self.ca_paths()

        def task(
            session: Session, progress: Callable[[int, int], None], cancelled: Callable[[], bool]
        ) -> tuple[list[signing.SignatureReport], list[str]]:
            reports = signing.verify_pdf(path, roots)
            empty = [f.name for f in signing.list_signature_fields(path) if not f.signed]
            return reports, empty

        self.verify_button.setEnabled(False)
        self.status.setText(tr("Verifica in corso…"))
        self.status.setStyleSheet("")
        self.job = run_task(self, self.db, tr("Verifica delle firme…"), task)
        self.job.finished.connect(self._show)
        self.job.failed.connect(self._failed)
        self.job.cancelled.connect(lambda: self._failed(tr("Verifica annullata.")))

    def _show(self, result: tuple[list[signing.SignatureReport], list[str]]) -> None:
        self.job = None
        self.verify_button.setEnabled(True)
        self.reports, empty = result
        with_ca = bool(self.ca_paths())
        self.model.set_rows([SignatureRow(r, with_ca) for r in self.reports])
        colour = {True: OK_COLOUR, False: ERROR_COLOUR}
        self.summary.setHtml(
            "".join(f"<p style='color:{colour[r.ok and r.trusted]}'>{html.escape(r.summary)}</p>" for r in self.reports)
            or tr("<p>Nessuna firma digitale nel documento.</p>")
        )
        self.empty.setText(
            tr("Campi firma ancora vuoti: {names}").format(names=", ".join(f"«{n}»" for n in empty)) if empty else ""
        )
        outcome = signing.overall(self.reports, with_ca)
        all_good = outcome == signing.VALID
        verdict = {
            signing.VALID: tr("Tutte le firme sono valide e attendibili."),
            signing.UNVERIFIED: tr(
                "Firme integre ma NON verificate rispetto a un'autorità di certificazione attendibile: "
                "indicare il certificato della CA."
            ),
        }.get(outcome, tr("Almeno una firma non è valida o attendibile."))
        if not self.reports:
            verdict = tr("Il documento non è firmato.")
        self.status.setText(verdict)
        self.status.setStyleSheet(f"color: {OK_COLOUR if all_good else ERROR_COLOUR}; font-weight: bold;")

    def _failed(self, message: str) -> None:
        self.job = None
        self.verify_button.setEnabled(True)
        self.status.setText(message)
        self.status.setStyleSheet(f"color: {ERROR_COLOUR};")
