"""The correction form of a recorded session: the recorded values to edit and a mandatory reason.

The service (``services.seduta_correction``) keeps the original values in the log and appends a line to the
session's notes; this form only collects what changed and why.
"""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QCheckBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPlainTextEdit,
    QVBoxLayout,
    QWidget,
)

from ui.chair.common import date_edit, from_qdate, tr
from valutazione.services.seduta_correction import SedutaChange
from valutazione.services.sedute import SedutaRecord


class SedutaCorrectionDialog(QDialog):
    """Pre-filled with the session as recorded; OK only once a reason is written."""

    def __init__(
        self,
        record: SedutaRecord,
        present: frozenset[int],
        members: list[tuple[int, str]],
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle(tr("Rettifica della seduta n. {n}").format(n=record.number))
        self.setMinimumWidth(560)
        self.day = date_edit(record.day)
        self.start, self.end = QLineEdit(record.start_time), QLineEdit(record.end_time)
        self.place = QLineEdit(record.place)
        self.remote = QCheckBox(tr("Seduta da remoto"))
        self.remote.setChecked(record.remote)
        self.agenda = QPlainTextEdit(record.agenda)
        self.agenda.setFixedHeight(70)
        self.notes = QPlainTextEdit(record.notes)
        self.notes.setFixedHeight(70)
        self.notes.setToolTip(tr("Le note registrate restano come sono: una nuova nota si aggiunge in fondo"))
        self.present = QListWidget()
        self.present.setFixedHeight(110)
        for member_id, label in members:
            item = QListWidgetItem(label)
            item.setData(Qt.ItemDataRole.UserRole, member_id)
            item.setFlags(item.flags() | Qt.ItemFlag.ItemIsUserCheckable)
            item.setCheckState(Qt.CheckState.Checked if member_id in present else Qt.CheckState.Unchecked)
            self.present.addItem(item)
        self.reason = QLineEdit()
        self.reason.setPlaceholderText(tr("es. errore di trascrizione dal foglio firme"))
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        self.buttons.button(QDialogButtonBox.StandardButton.Ok).setText(tr("Registra la rettifica"))
        self.buttons.button(QDialogButtonBox.StandardButton.Cancel).setText(tr("Annulla"))
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        self.reason.textChanged.connect(self._enable)
        self._enable()
        times = QHBoxLayout()
        times.addWidget(self.start)
        times.addWidget(self.end)
        form = QFormLayout()
        form.addRow(tr("Data:"), self.day)
        form.addRow(tr("Inizio / fine (hh:mm):"), times)
        form.addRow(tr("Luogo:"), self.place)
        form.addRow("", self.remote)
        form.addRow(tr("Presenti:"), self.present)
        form.addRow(tr("Ordine del giorno:"), self.agenda)
        form.addRow(tr("Note:"), self.notes)
        form.addRow(tr("Motivo della rettifica:"), self.reason)
        note = QLabel(
            tr(
                "I valori registrati in origine restano nel registro delle operazioni; il verbale riporta "
                "la rettifica, con il motivo, tra le note."
            )
        )
        note.setWordWrap(True)
        layout = QVBoxLayout(self)
        layout.addWidget(note)
        layout.addLayout(form)
        layout.addWidget(self.buttons)

    def _enable(self) -> None:
        self.buttons.button(QDialogButtonBox.StandardButton.Ok).setEnabled(bool(self.reason.text().strip()))

    def change(self) -> SedutaChange:
        present = frozenset(
            self.present.item(i).data(Qt.ItemDataRole.UserRole)
            for i in range(self.present.count())
            if self.present.item(i).checkState() == Qt.CheckState.Checked
        )
        return SedutaChange(
            day=from_qdate(self.day.date()),
            start_time=self.start.text().strip(),
            end_time=self.end.text().strip(),
            place=self.place.text(),
            remote=self.remote.isChecked(),
            agenda=self.agenda.toPlainText(),
            notes=self.notes.toPlainText(),
            present=present,
        )
