"""The declarations a member signs: the general one before any application, then one per application.

Both are pages inside the window, never modal, and both only call the services: the rule that a
member in conflict abstains, and that a conflict needs its reason, lives in ``services.conflicts``.
"""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QPlainTextEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from ui import dialogs
from ui.centering import add_centered
from ui.user import User
from valutazione.db import Database
from valutazione.errors import ValutazioneError
from valutazione.services import committee, conflicts


class GeneralDeclarationPage(QWidget):
    """The declaration of no incompatibility: read, tick, sign; emits ``declared`` once recorded."""

    declared = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.db: Database | None = None
        self.user: User | None = None
        title = QLabel(self.tr("Dichiarazione di insussistenza di incompatibilità"))
        title.setStyleSheet("font-size: 16pt; font-weight: bold;")
        self.who = QLabel()
        self.who.setWordWrap(True)
        self.text = QPlainTextEdit(committee.DEFAULT_DECLARATION)
        self.text.setReadOnly(True)
        self.text.setFixedHeight(110)
        self.agree = QCheckBox(self.tr("Ho letto e rendo la dichiarazione"))
        self.sign_button = QPushButton(self.tr("Firma la dichiarazione e prosegui"))
        self.sign_button.setEnabled(False)
        self.agree.toggled.connect(self.sign_button.setEnabled)
        self.sign_button.clicked.connect(self._sign)
        note = QLabel(
            self.tr(
                "La dichiarazione è registrata con data e ora e riportata nel verbale. "
                "Senza di essa le domande non possono essere mostrate."
            )
        )
        note.setWordWrap(True)
        box = QWidget()
        box.setMinimumWidth(600)
        box.setMaximumWidth(720)
        inner = QVBoxLayout(box)
        for w in (title, self.who, self.text, note, self.agree):
            inner.addWidget(w)
        inner.addWidget(self.sign_button, alignment=Qt.AlignmentFlag.AlignRight)
        outer = QVBoxLayout(self)
        outer.addStretch(1)
        add_centered(outer, box)
        outer.addStretch(2)

    def load(self, db: Database, user: User) -> None:
        self.db, self.user = db, user
        self.who.setText(
            self.tr("{}, {}: prima di vedere le domande occorre rendere questa dichiarazione.").format(
                user.name, user.role_label
            )
        )
        self.agree.setChecked(False)
        self.agree.setFocus()

    def _sign(self) -> None:
        assert self.db is not None and self.user is not None
        try:
            with self.db.sessions.begin() as s:
                committee.declare_general(s, self.user.id, self.text.toPlainText())
        except ValutazioneError as exc:
            dialogs.error(self, self.tr("Dichiarazione"), str(exc))
            return
        self.declared.emit()


class ConflictPanel(QWidget):
    """Asked on first opening an application: conflict of interest (with reason) or none.

    Emits ``declared(bool)`` with whether the member is in conflict, after the service recorded it.
    """

    declared = Signal(bool)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.db: Database | None = None
        self.user: User | None = None
        self.domanda_id: int | None = None
        title = QLabel(self.tr("Conflitto di interessi"))
        title.setStyleSheet("font-size: 15pt; font-weight: bold;")
        self.question = QLabel()
        self.question.setWordWrap(True)
        self.question.setTextFormat(Qt.TextFormat.PlainText)  # applicant and title come from the imported file
        self.none_button = QPushButton(self.tr("Dichiaro di non avere conflitti di interessi"))
        self.none_button.clicked.connect(lambda: self._declare(False))
        group = QGroupBox(self.tr("Sono in conflitto di interessi (mi astengo)"))
        self.reason = QPlainTextEdit()
        self.reason.setPlaceholderText(self.tr("Motivo: parentela, ruoli nell'ente proponente, contenziosi, …"))
        self.reason.setTabChangesFocus(True)
        self.reason.setFixedHeight(80)
        self.conflict_button = QPushButton(self.tr("Dichiaro il conflitto e mi astengo"))
        self.conflict_button.clicked.connect(lambda: self._declare(True))
        g = QVBoxLayout(group)
        g.addWidget(self.reason)
        g.addWidget(self.conflict_button, alignment=Qt.AlignmentFlag.AlignRight)
        note = QLabel(
            self.tr(
                "La dichiarazione è registrata con data e ora. In caso di conflitto la domanda "
                "non sarà più mostrata e l'astensione sarà riportata nel verbale."
            )
        )
        note.setWordWrap(True)
        box = QWidget()
        box.setMinimumWidth(600)
        box.setMaximumWidth(720)
        inner = QVBoxLayout(box)
        inner.addWidget(title)
        inner.addWidget(self.question)
        row = QHBoxLayout()
        row.addWidget(self.none_button)
        row.addStretch(1)
        inner.addLayout(row)
        inner.addWidget(group)
        inner.addWidget(note)
        outer = QVBoxLayout(self)
        outer.addStretch(1)
        add_centered(outer, box)
        outer.addStretch(2)

    def load(self, db: Database, user: User, domanda_id: int, protocol: str, applicant: str, title: str) -> None:
        self.db, self.user, self.domanda_id = db, user, domanda_id
        self.question.setText(
            self.tr(
                "Prima di aprire la domanda {} di «{}» ({}) occorre dichiarare se si è in conflitto di "
                "interessi con il proponente."
            ).format(protocol, applicant, title)
        )
        self.reason.clear()
        self.none_button.setFocus()

    def _declare(self, has_conflict: bool) -> None:
        assert self.db is not None and self.user is not None and self.domanda_id is not None
        if (
            has_conflict
            and self.reason.toPlainText().strip()
            and not dialogs.confirm(
                self,
                self.tr("Conflitto di interessi"),
                self.tr(
                    "Dichiarare il conflitto di interessi e astenersi su questa domanda? Non sarà più possibile "
                    "aprirla né valutarla; solo il presidente può ritirare l'astensione, indicando un motivo."
                ),
                yes=self.tr("Dichiaro il conflitto"),
            )
        ):
            return
        try:
            with self.db.sessions.begin() as s:
                conflicts.declare(s, self.user.id, self.domanda_id, has_conflict, self.reason.toPlainText())
        except ValutazioneError as exc:
            dialogs.error(self, self.tr("Conflitto di interessi"), str(exc))
            return
        self.declared.emit(has_conflict)
