""" "Who am I": the first page after opening a file. Choose yourself in the committee.

A page of the window rather than a modal dialog, so the keyboard flow (arrows, Enter) is the same as
everywhere else and tests drive it like any widget. A file with no committee yet lets the person who
created it enter as presidente: the committee service records the new member.
"""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QFormLayout,
    QGroupBox,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from ui import dialogs
from ui.centering import add_centered
from ui.user import User, role_label
from valutazione.db import Database
from valutazione.errors import ValutazioneError
from valutazione.projects.officers import ROLE as OFFICER
from valutazione.projects.officers import list_officers
from valutazione.services import committee


class IdentityPage(QWidget):
    """Lists the members; emits ``chosen(User)`` on double-click, Enter or the button."""

    chosen = Signal(object)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.db: Database | None = None
        self.title = QLabel()
        self.title.setWordWrap(True)
        self.title.setStyleSheet("font-size: 16pt; font-weight: bold;")
        self.hint = QLabel(self.tr("Chi sta usando il programma? Scegliere il proprio nome nella commissione."))
        self.hint.setWordWrap(True)
        self.members = QListWidget()
        self.members.setMinimumHeight(180)
        self.members.itemActivated.connect(lambda _item: self._enter())
        self.enter_button = QPushButton(self.tr("Entra"))
        self.enter_button.setDefault(True)
        self.enter_button.clicked.connect(self._enter)

        self.first_box = QGroupBox(self.tr("La commissione non ha ancora componenti"))
        self.first_name = QLineEdit()
        self.first_name.setPlaceholderText(self.tr("Nome e cognome"))
        self.first_name.returnPressed.connect(self._create_chair)
        self.first_button = QPushButton(self.tr("Entra come presidente"))
        self.first_button.clicked.connect(self._create_chair)
        form = QFormLayout(self.first_box)
        form.addRow(QLabel(self.tr("Chi crea il file entra come presidente e poi aggiunge gli altri componenti.")))
        form.addRow(self.tr("Presidente:"), self.first_name)
        form.addRow("", self.first_button)

        box = QWidget()
        box.setMinimumWidth(520)
        box.setMaximumWidth(640)
        inner = QVBoxLayout(box)
        inner.addWidget(self.title)
        inner.addWidget(self.hint)
        inner.addWidget(self.members)
        inner.addWidget(self.enter_button, alignment=Qt.AlignmentFlag.AlignRight)
        inner.addWidget(self.first_box)
        outer = QVBoxLayout(self)
        outer.addStretch(1)
        add_centered(outer, box)
        outer.addStretch(2)

    def load(self, db: Database, preselect: int | None = None) -> None:
        self.db = db
        bando = db.bando()
        self.title.setText(f"{bando.code} – {bando.title}")
        with db.sessions() as s:
            people = committee.list_members(s)
            officers = list_officers(s)
        self.members.clear()
        for m in people:
            item = QListWidgetItem(f"{m.name}  —  {role_label(m.role)}")
            item.setData(Qt.ItemDataRole.UserRole, User(m.id, m.name, m.role))
            self.members.addItem(item)
            if m.id == preselect:
                self.members.setCurrentItem(item)
        for o in officers:  # monitoring officers enter the funded projects only
            item = QListWidgetItem(f"{o.name}  —  {role_label(OFFICER)}")
            item.setData(Qt.ItemDataRole.UserRole, User(o.id, o.name, OFFICER))
            self.members.addItem(item)
        if self.members.count() and self.members.currentRow() < 0:
            self.members.setCurrentRow(0)
        empty = not people
        self.members.setVisible(not empty)
        self.enter_button.setVisible(not empty)
        self.hint.setVisible(not empty)
        self.first_box.setVisible(empty)
        (self.first_name if empty else self.members).setFocus()

    def select(self, name: str) -> None:
        """Selects a member by name (keyboard users type the name's first letters in the list, too)."""
        for i in range(self.members.count()):
            if self.members.item(i).data(Qt.ItemDataRole.UserRole).name == name:
                self.members.setCurrentRow(i)
                return

    def _enter(self) -> None:
        item = self.members.currentItem()
        if item is not None:
            self.chosen.emit(item.data(Qt.ItemDataRole.UserRole))

    def _create_chair(self) -> None:
        assert self.db is not None
        name = self.first_name.text()
        try:
            with self.db.sessions.begin() as s:
                row = committee.add_member(s, name, committee.PRESIDENTE, actor=" ".join(name.split()))
                user = User(row.id, row.name, row.role)
        except ValutazioneError as exc:
            dialogs.error(self, self.tr("Commissione"), str(exc))
            return
        self.chosen.emit(user)
