"""The financial summary: programmato, ammesso, giuridicamente vincolante, erogato per beneficiary.

The nesting erogato ≤ vincolante ≤ ammesso ≤ programmato is enforced by ``services.finance``; this tab
records agreements and payments through it and shows its refusals.
"""

from __future__ import annotations

from PySide6.QtWidgets import (
    QComboBox,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPushButton,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from ui.chair.common import StatusLine, actor_name, date_edit, euro, from_qdate, read, run_action, tr
from ui.chair.grid_editor import amount_text
from ui.host import Desk
from ui.models.table import RIGHT, Column, RowTableModel
from valutazione.money import to_cents
from valutazione.services import finance
from valutazione.services.finance import BeneficiaryLine


class FinanceModel(RowTableModel[BeneficiaryLine]):
    columns = (
        Column[BeneficiaryLine](tr("Protocollo"), lambda r: r.protocol),
        Column[BeneficiaryLine](tr("Beneficiario"), lambda r: r.applicant),
        Column[BeneficiaryLine](tr("Ammesso a finanziamento"), lambda r: r.ammesso_cents, euro, RIGHT),
        Column[BeneficiaryLine](tr("Giuridicamente vincolante"), lambda r: r.vincolante_cents, euro, RIGHT),
        Column[BeneficiaryLine](tr("Erogato"), lambda r: r.erogato_cents, euro, RIGHT),
    )


class FinancePanel(QWidget):
    def __init__(self, host: Desk) -> None:
        super().__init__()
        self.host = host
        self.totals = QLabel()
        self.totals.setWordWrap(True)
        self.model = FinanceModel(parent=self)
        self.table = QTableView()
        self.table.setModel(self.model)
        self.table.verticalHeader().hide()
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        self.table.horizontalHeader().setSectionResizeMode(1, QHeaderView.ResizeMode.Stretch)
        self.protocol = QComboBox()
        self.kind = QComboBox()
        self.kind.addItem(tr("Convenzione firmata (giuridicamente vincolante)"), finance.CONVENZIONE)
        self.kind.addItem(tr("Pagamento (erogato)"), finance.PAGAMENTO)
        self.day = date_edit()
        self.amount = QLineEdit()
        self.amount.setPlaceholderText(tr("es. 25.000,00"))
        self.note = QLineEdit()
        self.record_button = QPushButton(tr("Registra"))
        self.record_button.clicked.connect(self.record)
        box = QGroupBox(tr("Nuovo movimento"))
        form = QFormLayout(box)
        form.addRow(tr("Domanda:"), self.protocol)
        form.addRow(tr("Tipo:"), self.kind)
        form.addRow(tr("Data:"), self.day)
        form.addRow(tr("Importo (€):"), self.amount)
        form.addRow(tr("Nota (n. repertorio, mandato…):"), self.note)
        form.addRow(self.record_button)
        self.status = StatusLine()
        row = QHBoxLayout()
        row.addWidget(self.table, 3)
        row.addWidget(box, 2)
        layout = QVBoxLayout(self)
        layout.addWidget(self.totals)
        layout.addLayout(row)
        layout.addWidget(self.status)
        host.data_changed.connect(self.refresh)
        self.refresh()

    def refresh(self) -> None:
        summary = read(self.host, finance.summary)
        self.model.set_rows(summary.lines)
        version = (
            tr("nessuna graduatoria definitiva")
            if summary.ranking_version is None
            else tr("graduatoria definitiva, versione ") + str(summary.ranking_version)
        )
        self.totals.setText(
            f"<b>{tr('Programmato')}:</b> {euro(summary.programmato_cents)} · "
            f"<b>{tr('Ammesso a finanziamento')}:</b> {euro(summary.ammesso_cents)} ({version}) · "
            f"<b>{tr('Giuridicamente vincolante')}:</b> {euro(summary.vincolante_cents)} · "
            f"<b>{tr('Erogato')}:</b> {euro(summary.erogato_cents)}"
        )
        current = self.protocol.currentText()
        self.protocol.clear()
        self.protocol.addItems([line.protocol for line in summary.lines if line.ammesso_cents])
        self.protocol.setCurrentText(current)

    def record(self) -> None:
        try:
            cents = to_cents(amount_text(self.amount.text()) or "0")
        except (ValueError, ArithmeticError):
            self.status.fail(tr("Importo non leggibile: scrivere per esempio 25.000,00"))
            return
        protocol, kind, day = self.protocol.currentText(), str(self.kind.currentData()), from_qdate(self.day.date())
        note, actor = self.note.text(), actor_name(self.host)
        if run_action(
            self.host,
            self.status,
            lambda s: finance.record_erogazione(s, actor, protocol, kind, day, cents, note),
            tr("Movimento registrato per ") + protocol,
        ):
            self.amount.clear()
            self.note.clear()
