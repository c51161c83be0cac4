"""The committee tab: members with their role (corrected before the first score), general declarations, the
act that appointed them.

The services enforce one presidente, unique names and a declaration signed once; this tab only
collects the input and shows the refusal, so a rule can never be bypassed from the GUI.
"""

from __future__ import annotations

from datetime import datetime, time

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QLineEdit,
    QPushButton,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from ui.chair.abstentions import AbstentionsBox
from ui.chair.common import (
    ROME,
    StatusLine,
    actor_name,
    date_edit,
    day_it,
    from_qdate,
    read,
    run_action,
    to_qdate,
    tr,
)
from ui.chair.member_corrections import MemberCorrections
from ui.host import Desk
from ui.models.filter_bar import SearchableTable
from ui.models.table import CENTER, Column, RowTableModel
from valutazione.services import committee
from valutazione.services.committee import MemberInfo

ROLE_LABELS = {
    "presidente": "Presidente",
    "componente": "Componente",
    "segretario": "Segretario verbalizzante",
}


class MembersModel(RowTableModel[MemberInfo]):
    columns = (
        Column[MemberInfo](tr("Nome"), lambda m: m.name),
        Column[MemberInfo](tr("Ruolo"), lambda m: ROLE_LABELS.get(m.role, m.role)),
        Column[MemberInfo](tr("E-mail"), lambda m: m.email),
        Column[MemberInfo](
            tr("Dichiarazione generale"),
            lambda m: m.declared_at,
            lambda v: day_it(v) if v else "non resa",
            CENTER,
            lambda m: (
                "Dichiarazione di insussistenza di incompatibilità resa il " + day_it(m.declared_at)
                if m.declared_at
                else "Senza dichiarazione il commissario non può vedere alcuna domanda"
            ),
        ),
    )


class CommitteeTab(QWidget):
    """Members table, add-member form, declarations, appointment act."""

    def __init__(self, host: Desk) -> None:
        super().__init__()
        self.host = host
        self.model = MembersModel(parent=self)
        self.view = SearchableTable(
            self.model, "componenti", tr("Cerca per nome, ruolo o e-mail (Ctrl+F)"), key="commissione/componenti"
        )
        self.table = self.view.table
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Stretch)

        self.name = QLineEdit()
        self.name.setPlaceholderText(tr("Nome e cognome"))
        self.role = QComboBox()
        for key, label in ROLE_LABELS.items():
            self.role.addItem(tr(label), key)
        self.role.setCurrentIndex(1)
        self.email = QLineEdit()
        self.email.setPlaceholderText(tr("indirizzo e-mail o PEC"))
        self.add_button = QPushButton(tr("Aggiungi commissario"))
        self.add_button.clicked.connect(self.add_member)
        self.name.returnPressed.connect(self.add_member)
        add_box = QGroupBox(tr("Nuovo componente"))
        add_form = QFormLayout(add_box)
        add_form.addRow(tr("Nome:"), self.name)
        add_form.addRow(tr("Ruolo:"), self.role)
        add_form.addRow(tr("E-mail:"), self.email)
        add_form.addRow(self.add_button)

        self.declared_on = date_edit()
        self.declare_button = QPushButton(tr("Registra dichiarazione generale"))
        self.declare_button.clicked.connect(self.declare)
        decl_box = QGroupBox(tr("Dichiarazione di insussistenza di incompatibilità"))
        decl_form = QFormLayout(decl_box)
        decl_form.addRow(tr("Resa il:"), self.declared_on)
        decl_form.addRow(self.declare_button)

        self.act = QLineEdit()
        self.act.setPlaceholderText(tr("es. Determinazione dirigenziale n. 123/2018"))
        self.act_day = date_edit()
        self.act_button = QPushButton(tr("Salva atto di nomina"))
        self.act_button.clicked.connect(self.save_appointment)
        act_box = QGroupBox(tr("Atto di nomina della commissione"))
        act_form = QFormLayout(act_box)
        act_form.addRow(tr("Numero/estremi:"), self.act)
        act_form.addRow(tr("Data:"), self.act_day)
        act_form.addRow(self.act_button)

        self.status = StatusLine()
        side = QVBoxLayout()
        for box in (add_box, decl_box, act_box):
            side.addWidget(box)
        side.addStretch(1)
        self.abstentions = AbstentionsBox(host, self.status)
        self.corrections = MemberCorrections(host, self.status, self.selected)
        main = QVBoxLayout()
        main.addWidget(self.view, 3)
        main.addWidget(self.corrections)
        main.addWidget(self.abstentions, 2)
        row = QHBoxLayout()
        row.addLayout(main, 3)
        row.addLayout(side, 2)
        layout = QVBoxLayout(self)
        layout.addLayout(row)
        layout.addWidget(self.status)
        host.data_changed.connect(self.refresh)
        self.refresh()

    def refresh(self) -> None:
        members, appointment = read(
            self.host,
            lambda s: (committee.list_members(s), committee.appointment(s)),
        )
        self.model.set_rows(members)
        self.act.setText(appointment.act)
        if appointment.day:
            self.act_day.setDate(to_qdate(appointment.day))

    def selected(self) -> MemberInfo | None:
        member: MemberInfo | None = self.view.selected()
        return member

    def add_member(self) -> None:
        name, role, email = self.name.text(), str(self.role.currentData()), self.email.text()
        done = run_action(
            self.host,
            self.status,
            lambda s: committee.add_member(s, name, role, actor_name(self.host), email),
            tr("Aggiunto: ") + name.strip(),
        )
        if done is not None:
            self.name.clear()
            self.email.clear()

    def declare(self) -> None:
        member = self.selected()
        if member is None:
            self.status.fail(tr("Selezionare nella tabella il commissario che ha reso la dichiarazione."))
            return
        day = from_qdate(self.declared_on.date())
        now = datetime.now(ROME)
        at = now if day == now.date() else datetime.combine(day, time(12, 0), ROME)
        run_action(
            self.host,
            self.status,
            lambda s: committee.declare_general(s, member.id, at=at),
            tr("Dichiarazione registrata per ") + member.name,
        )

    def save_appointment(self) -> None:
        act, day = self.act.text(), from_qdate(self.act_day.date())
        run_action(
            self.host,
            self.status,
            lambda s: committee.set_appointment(s, act, day, actor_name(self.host)),
            tr("Atto di nomina salvato."),
        )


def select_row(table: QTableView, row: int) -> None:
    """Selects a whole row (used by tests and by panels that jump to an item)."""
    table.selectRow(row)
    table.scrollTo(table.model().index(row, 0), QAbstractItemView.ScrollHint.EnsureVisible)
    table.setFocus(Qt.FocusReason.OtherFocusReason)
