"""The secretary's sessions (*sedute*): record one, see its decisions, add notes, print the verbale.

The decisions listed are those the reports helper collects from the audit log for the session's time
window (``collect_verbale``), so the screen shows exactly what the printed minutes will say. Printing
renders the verbale PDF page by page with QtPdf (``ui.printing``) onto the printer chosen; corrections
after printing are notes appended through the service, never rewrites.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from html import escape

from PySide6.QtCore import Qt
from PySide6.QtPrintSupport import QPrinter
from PySide6.QtWidgets import (
    QCheckBox,
    QDialog,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPlainTextEdit,
    QPushButton,
    QSplitter,
    QTextBrowser,
    QVBoxLayout,
    QWidget,
)

from ui import dialogs
from ui.chair.common import StatusLine, actor_name, date_edit, day_it, from_qdate, read, reading_button, run_action, tr
from ui.chair.session_correction import SedutaCorrectionDialog
from ui.host import Desk
from ui.layout_memory import remember_splitter
from ui.printing import print_document
from valutazione.reports.verbale import build_verbale_pdf
from valutazione.reports.verbale_data import collect_verbale
from valutazione.services import Session, committee, sedute
from valutazione.services.seduta_correction import correct_seduta, present_ids


def lines_html(text: str) -> str:
    """Plain text as HTML: escaped, its line breaks kept (an agenda is a list, one item a line)."""
    return escape(text).replace("\n", "<br>")


@dataclass(frozen=True)
class SedutaInfo:
    id: int
    number: int
    day: date
    label: str


class SessionsPanel(QWidget):
    def __init__(self, host: Desk) -> None:
        super().__init__()
        self.host = host
        self.list = QListWidget()
        self.list.currentItemChanged.connect(lambda *_: self.show_selected())
        self.day = date_edit()
        self.start, self.end, self.place = QLineEdit(), QLineEdit(), QLineEdit()
        self.start.setPlaceholderText("09:30")
        self.end.setPlaceholderText("12:45")
        self.remote = QCheckBox(tr("Seduta da remoto"))
        self.agenda = QPlainTextEdit()
        self.agenda.setPlaceholderText(tr("ordine del giorno"))
        self.present = QListWidget()
        self.record_button = QPushButton(tr("Registra seduta"))
        self.record_button.clicked.connect(self.record)
        new_box = QGroupBox(tr("Nuova seduta"))
        form = QFormLayout(new_box)
        form.addRow(tr("Data:"), self.day)
        times = QHBoxLayout()
        times.addWidget(self.start)
        times.addWidget(self.end)
        form.addRow(tr("Inizio / fine (hh:mm):"), times)
        form.addRow(tr("Luogo:"), self.place)
        form.addRow("", self.remote)
        form.addRow(tr("Presenti (spuntare):"), self.present)
        form.addRow(tr("Ordine del giorno:"), self.agenda)
        form.addRow(self.record_button)

        self.detail = QTextBrowser()
        self.note = QLineEdit()
        self.note.setPlaceholderText(tr("nota di correzione, stampata prima delle firme"))
        self.note_button = QPushButton(tr("Aggiungi nota"))
        self.note_button.clicked.connect(self.add_note)
        self.correct_button = QPushButton(tr("Rettifica…"))
        self.correct_button.setToolTip(tr("Correggere data, orari, luogo, presenze o note della seduta, con il motivo"))
        self.correct_button.clicked.connect(self.correct)
        self.print_button = reading_button(QPushButton(tr("Stampa il verbale…")))
        self.print_button.clicked.connect(self.print_verbale)
        detail_box = QGroupBox(tr("Seduta selezionata: decisioni dal registro"))
        detail_layout = QVBoxLayout(detail_box)
        detail_layout.addWidget(self.detail)
        row = QHBoxLayout()
        row.addWidget(self.note, 1)
        row.addWidget(self.note_button)
        row.addWidget(self.correct_button)
        row.addWidget(self.print_button)
        detail_layout.addLayout(row)

        left = QWidget()
        left_layout = QVBoxLayout(left)
        left_layout.setContentsMargins(0, 0, 0, 0)
        left_layout.addWidget(self.list, 1)
        left_layout.addWidget(new_box, 3)
        splitter = QSplitter()
        splitter.addWidget(left)
        splitter.addWidget(detail_box)
        splitter.setSizes([500, 800])
        remember_splitter(splitter, "sedute/divisore")
        self.status = StatusLine()
        layout = QVBoxLayout(self)
        layout.addWidget(splitter, 1)
        layout.addWidget(self.status)
        host.data_changed.connect(self.refresh)
        self.refresh()

    def refresh(self) -> None:
        current = self.selected()

        def load(s: Session) -> tuple[list[SedutaInfo], list[tuple[int, str]]]:
            rows = [
                SedutaInfo(x.id, x.number, x.day, f"{tr('Seduta n.')} {x.number} {tr('del')} {day_it(x.day)}")
                for x in sedute.list_sedute(s)
            ]
            members = [(m.id, f"{m.name} ({m.role})") for m in committee.list_members(s)]
            return rows, members

        rows, members = read(self.host, load)
        self.list.clear()
        for r in rows:
            item = QListWidgetItem(r.label)
            item.setData(Qt.ItemDataRole.UserRole, r)
            self.list.addItem(item)
        if self.present.count() != len(members):
            self.present.clear()
            for mid, label in members:
                item = QListWidgetItem(label)
                item.setData(Qt.ItemDataRole.UserRole, mid)
                item.setFlags(item.flags() | Qt.ItemFlag.ItemIsUserCheckable)
                item.setCheckState(Qt.CheckState.Checked)
                self.present.addItem(item)
        for i in range(self.list.count()):
            if current and self.list.item(i).data(Qt.ItemDataRole.UserRole).id == current.id:
                self.list.setCurrentRow(i)
        if self.list.currentRow() < 0 and self.list.count():
            self.list.setCurrentRow(self.list.count() - 1)
        self.show_selected()

    def selected(self) -> SedutaInfo | None:
        item = self.list.currentItem()
        return item.data(Qt.ItemDataRole.UserRole) if item else None

    def show_selected(self) -> None:
        info = self.selected()
        self.note_button.setEnabled(info is not None)
        self.correct_button.setEnabled(info is not None)
        self.print_button.setEnabled(info is not None)
        if info is None:
            self.detail.setHtml(tr("<p>Nessuna seduta registrata.</p>"))
            return
        data = read(self.host, lambda s: collect_verbale(s, info.number))
        # Names, reasons and applicants come from people and imported files: escaped, so that a «<!--» or a tag
        # in them shows as written and cannot hide, on this screen, what the printed minutes say.
        people = "".join(
            f"<li>{escape(m.name)} — {m.role_label}: {tr('presente') if m.present else tr('assente')}</li>"
            for m in data.members
        )
        sections = "".join(
            f"<h4>{escape(s.title)}</h4><ul>" + "".join(f"<li>{lines_html(item)}</li>" for item in s.items) + "</ul>"
            for s in (*data.declarations, *data.decisions)
        ) or tr("<p><i>Nessuna decisione registrata nell'orario della seduta.</i></p>")
        notes = lines_html(data.notes) or "—"
        self.detail.setHtml(
            f"<h3>{tr('Seduta n.')} {data.number} {tr('del')} {day_it(data.day)}, "
            f"{data.start_time}–{data.end_time}</h3>"
            f"<p><b>{tr('Luogo')}:</b> {tr('da remoto') if data.remote else escape(data.place)}</p>"
            f"<p><b>{tr('Ordine del giorno')}:</b><br>{lines_html(data.agenda)}</p><ul>{people}</ul>{sections}"
            f"<p><b>{tr('Note')}:</b><br>{notes}</p>"
        )

    def record(self) -> None:
        present = [
            self.present.item(i).data(Qt.ItemDataRole.UserRole)
            for i in range(self.present.count())
            if self.present.item(i).checkState() == Qt.CheckState.Checked
        ]
        day, start, end = from_qdate(self.day.date()), self.start.text().strip(), self.end.text().strip()
        place, agenda, remote = self.place.text(), self.agenda.toPlainText(), self.remote.isChecked()
        actor = actor_name(self.host)
        row = run_action(
            self.host,
            self.status,
            lambda s: sedute.record_seduta(s, day, start, end, place, agenda, present, actor, remote=remote),
        )
        if row is not None:
            self.status.ok(tr("Seduta n. {n} registrata.").format(n=row.number))
            for field in (self.start, self.end, self.place):  # the next session starts from a blank form
                field.clear()
            self.agenda.clear()
            self.remote.setChecked(False)

    def add_note(self) -> None:
        info = self.selected()
        if info is None:
            return
        note, actor = self.note.text(), actor_name(self.host)
        if run_action(self.host, self.status, lambda s: sedute.add_note(s, info.id, note, actor), tr("Nota aggiunta.")):
            self.note.clear()

    def exec_dialog(self, dialog: QDialog) -> bool:
        """Runs a modal dialog (tests replace this to fill the dialog and accept it)."""
        return dialog.exec() == QDialog.DialogCode.Accepted

    def correct(self) -> None:
        """A recorded session corrected with a reason, after a confirmation (the log keeps the original)."""
        info = self.selected()
        if info is None:
            return

        def load(s: Session) -> tuple[sedute.SedutaRecord, frozenset[int], list[tuple[int, str]]]:
            members = [(m.id, f"{m.name} ({m.role})") for m in committee.list_members(s)]
            return sedute.seduta_by_number(s, info.number), present_ids(s, info.id), members

        record, present, members = read(self.host, load)
        dialog = SedutaCorrectionDialog(record, present, members, self)
        accepted = self.exec_dialog(dialog)
        change, reason, actor = dialog.change(), dialog.reason.text(), actor_name(self.host)
        dialog.deleteLater()
        if not accepted or not dialogs.confirm(
            self,
            tr("Rettifica della seduta"),
            tr(
                "Registrare la rettifica della seduta n. {n}? I valori originali restano nel registro e il "
                "verbale riporterà la rettifica con il motivo."
            ).format(n=info.number),
            yes=tr("Registra"),
        ):
            return
        run_action(
            self.host,
            self.status,
            lambda s: correct_seduta(s, info.id, change, reason, actor),
            tr("Rettifica della seduta n. {n} registrata.").format(n=info.number),
        )

    def verbale_pdf(self) -> bytes | None:
        info = self.selected()
        return None if info is None else read(self.host, lambda s: build_verbale_pdf(s, info.number))

    def print_verbale(self, printer: QPrinter | None = None) -> int:
        """Asks for a printer (unless one is given, as tests do) and prints the verbale; returns pages."""
        pdf = self.verbale_pdf()
        if pdf is None:
            return 0
        pages = print_document(self, pdf, printer)
        if not pages:
            return 0
        self.status.ok(tr("Verbale stampato: {n} pagine.").format(n=pages))
        return pages
