""" "Who am I": the first page after opening a file. Choose yourself in the committee.

A page of the window rather than a modal dialog, so the keyboard flow (arrows, Enter) is the same as
everywhere else and tests drive it like any widget. A file with no committee yet lets the person who
created it enter as presidente: the committee service records the new member.

On a committee server the member whose login role the connection uses is preselected (the login
already says who is there); on a file, the last member who entered on this computer.

Entering as presidente or segretario (or as a member who protected their entry) asks for the password
on this same page: the first time it is chosen and typed twice, later typed once and checked against
the salted hash in the file (``valutazione.services.identity``). A read-only file cannot record a first
password, so there a member without one enters without it: nothing can be written anyway.
"""

from __future__ import annotations

from collections.abc import Callable

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
from valutazione.services import committee, identity


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
        self.first_password = _password_edit(self._create_chair)
        self.first_repeat = _password_edit(self._create_chair)
        self.first_button = QPushButton(self.tr("Entra come presidente"))
        self.first_button.clicked.connect(self._create_chair)
        form = QFormLayout(self.first_box)
        intro = QLabel(
            self.tr(
                "Chi crea il file entra come presidente e poi aggiunge gli altri componenti. "
                "La password (almeno {n} caratteri) sarà chiesta a ogni ingresso come presidente."
            ).format(n=identity.MIN_LENGTH)
        )
        intro.setWordWrap(True)
        form.addRow(intro)
        form.addRow(self.tr("Presidente:"), self.first_name)
        form.addRow(self.tr("Password:"), self.first_password)
        form.addRow(self.tr("Ripetere la password:"), self.first_repeat)
        form.addRow("", self.first_button)

        self.password_box = QGroupBox(self.tr("Password"))
        self.password_prompt = QLabel()
        self.password_prompt.setWordWrap(True)
        self.password = _password_edit(self._confirm_password)
        self.repeat = _password_edit(self._confirm_password)
        self.repeat_label = QLabel(self.tr("Ripetere la password:"))
        self.password_error = QLabel()
        self.password_error.setWordWrap(True)
        self.password_error.setStyleSheet("color: #b00020;")
        self.password_button = QPushButton(self.tr("Conferma ed entra"))
        self.password_button.clicked.connect(self._confirm_password)
        # Wrapped labels outside the form: a QFormLayout spanning row gives them one line's height.
        pbox = QVBoxLayout(self.password_box)
        pbox.addWidget(self.password_prompt)
        pform = QFormLayout()
        pform.addRow(self.tr("Password:"), self.password)
        pform.addRow(self.repeat_label, self.repeat)
        pbox.addLayout(pform)
        pbox.addWidget(self.password_error)
        pbox.addWidget(self.password_button, alignment=Qt.AlignmentFlag.AlignRight)
        self.password_box.setVisible(False)
        self.pending: User | None = None
        self.first_entry = False
        self.members.currentItemChanged.connect(lambda *_: self._hide_password())

        box = QWidget()
        box.setMinimumWidth(520)
        box.setMaximumWidth(640)
        inner = QVBoxLayout(box)
        inner.addWidget(self.title)
        inner.addWidget(self.hint)
        inner.addWidget(self.members)
        inner.addWidget(self.enter_button, alignment=Qt.AlignmentFlag.AlignRight)
        inner.addWidget(self.password_box)
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
        if db.server is not None:  # on a server the login already says who is connecting
            self._select_login(db)
        if self.members.count() and self.members.currentRow() < 0:
            self.members.setCurrentRow(0)
        empty = not people
        self.members.setVisible(not empty)
        self.enter_button.setVisible(not empty)
        self.hint.setVisible(not empty)
        self.first_box.setVisible(empty)
        self._hide_password()
        for edit in (self.first_password, self.first_repeat):
            edit.clear()
        (self.first_name if empty else self.members).setFocus()

    def _select_login(self, db: Database) -> None:
        """Preselects the member whose server login role this connection uses (``ruolo_server``); the
        owner's connection names nobody and keeps the last member chosen."""
        from valutazione.server.roles import connected_member

        with db.sessions() as s:
            name = connected_member(s)
        if name is not None:
            self.select(name)

    def select(self, name: str) -> None:
        """Selects a member by name (keyboard users type the name's first letters in the list, too)."""
        for i in range(self.members.count()):
            if self.members.item(i).data(Qt.ItemDataRole.UserRole).name == name:
                self.members.setCurrentRow(i)
                return

    def _enter(self) -> None:
        item = self.members.currentItem()
        if item is None or self.db is None:
            return
        user: User = item.data(Qt.ItemDataRole.UserRole)
        with self.db.sessions() as s:
            cred = identity.credential(s, user.id, officer=user.role == OFFICER)
        if not (cred.required or cred.has_password) or (self.db.read_only and not cred.has_password):
            self.chosen.emit(user)
            return
        self.pending = user
        first = self.first_entry = not cred.has_password
        if first:
            text = self.tr(
                "Prima entrata di {name} come {role}: impostare una password di almeno {n} caratteri, "
                "che sarà chiesta a ogni ingresso successivo."
            )
        else:
            text = self.tr("Inserire la password di {name} ({role}).")
        self.password_prompt.setText(text.format(name=user.name, role=user.role_label, n=identity.MIN_LENGTH))
        self.repeat.setVisible(first)
        self.repeat_label.setVisible(first)
        self.password_error.clear()
        self.password_box.setVisible(True)
        self.password.setFocus()

    def _hide_password(self) -> None:
        self.pending = None
        for edit in (self.password, self.repeat):
            edit.clear()
        self.password_error.clear()
        self.password_box.setVisible(False)

    def _confirm_password(self) -> None:
        """Checks (or, the first time, records) the password; the typed text is cleared either way."""
        user, db = self.pending, self.db
        if user is None or db is None:
            return
        secret, again = self.password.text(), self.repeat.text()
        self.password.clear()
        self.repeat.clear()
        try:
            if self.first_entry:
                if secret != again:
                    raise ValutazioneError(self.tr("Le due password non coincidono: inserirle di nuovo."))
                with db.sessions.begin() as s:
                    identity.set_password(s, user.id, secret, officer=user.role == OFFICER)
            else:
                with db.sessions() as s:
                    identity.check_password(s, user.id, secret, officer=user.role == OFFICER)
        except ValutazioneError as exc:
            self.password_error.setText(str(exc))
            self.password.setFocus()
            return
        self._hide_password()
        self.chosen.emit(user)

    def _create_chair(self) -> None:
        assert self.db is not None
        name = self.first_name.text()
        secret, again = self.first_password.text(), self.first_repeat.text()
        try:
            if secret != again:
                raise ValutazioneError(self.tr("Le due password non coincidono: inserirle di nuovo."))
            with self.db.sessions.begin() as s:
                row = committee.add_member(s, name, committee.PRESIDENTE, actor=" ".join(name.split()))
                identity.set_password(s, row.id, secret)
                user = User(row.id, row.name, row.role)
        except ValutazioneError as exc:
            dialogs.error(self, self.tr("Commissione"), str(exc))
            return
        finally:
            self.first_password.clear()
            self.first_repeat.clear()
        self.chosen.emit(user)


def _password_edit(on_return: Callable[[], None]) -> QLineEdit:
    edit = QLineEdit()
    edit.setEchoMode(QLineEdit.EchoMode.Password)
    edit.returnPressed.connect(on_return)
    return edit
