"""File → «Server della commissione…»: where the committee's PostgreSQL database is, and its password.

The address (host, port, database, user) is remembered in QSettings; the password never is. It is asked
when the server wants one that libpq did not find in ``.pgpass``, and kept in the system keyring only
where the ``keyring`` module is installed and has a real backend (a password the server refused is
dropped from it, so the next attempt asks again).
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QCoreApplication
from PySide6.QtWidgets import QDialog, QDialogButtonBox, QFormLayout, QLabel, QLineEdit, QSpinBox, QVBoxLayout, QWidget

from ui import dialogs, settings
from valutazione.db import Database, open_database
from valutazione.errors import DatabaseError, ValutazioneError
from valutazione.server.url import DEFAULT_PORT, ServerAddress, set_password_prompt

KEYRING_SERVICE = "valutazione"
FIELDS = ("host", "database", "user")


def tr(text: str) -> str:
    return QCoreApplication.translate("ServerConnect", text)


class ServerDialog(QDialog):
    """Host, port, database and user of the committee's server, filled with the last ones used."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(tr("Server della commissione"))
        stored = settings.app_settings()
        self.host = QLineEdit(str(stored.value("server/host", "") or ""))
        self.host.setPlaceholderText(tr("es. db.comune.example"))
        self.port = QSpinBox()
        self.port.setRange(1, 65535)
        self.port.setValue(int(str(stored.value("server/port", DEFAULT_PORT) or DEFAULT_PORT)))
        self.database = QLineEdit(str(stored.value("server/database", "") or ""))
        self.database.setPlaceholderText(tr("es. bando_mi331e"))
        self.user = QLineEdit(str(stored.value("server/user", "") or ""))
        self.user.setPlaceholderText(tr("es. presidente"))
        form = QFormLayout()
        form.addRow(tr("&Server:"), self.host)
        form.addRow(tr("&Porta:"), self.port)
        form.addRow(tr("&Database:"), self.database)
        form.addRow(tr("&Utente:"), self.user)
        note = QLabel(
            tr(
                "La password viene chiesta al collegamento (o letta dal file .pgpass) e non viene salvata "
                "nelle impostazioni{keyring}."
            ).format(keyring=tr("; si conserva nel portachiavi di sistema") if system_keyring() else "")
        )
        note.setWordWrap(True)
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        self.buttons.button(QDialogButtonBox.StandardButton.Ok).setText(tr("Collega"))
        self.buttons.button(QDialogButtonBox.StandardButton.Cancel).setText(tr("Annulla"))
        self.buttons.accepted.connect(self._accept)
        self.buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(note)
        layout.addWidget(self.buttons)
        self.setMinimumWidth(420)

    def address(self) -> ServerAddress:
        return ServerAddress(
            self.host.text().strip(), self.port.value(), self.database.text().strip(), self.user.text().strip()
        )

    def _accept(self) -> None:
        edits = {"host": self.host, "database": self.database, "user": self.user}
        empty = [name for name, edit in edits.items() if not edit.text().strip()]
        if empty:
            names = {"host": tr("server"), "database": tr("database"), "user": tr("utente")}
            dialogs.error(self, self.windowTitle(), tr("Indicare: {}.").format(", ".join(names[n] for n in empty)))
            return
        stored = settings.app_settings()
        address = self.address()
        for key in FIELDS:
            stored.setValue(f"server/{key}", getattr(address, key))
        stored.setValue("server/port", address.port)
        self.accept()


def system_keyring() -> Any | None:
    """The ``keyring`` module when installed with a real backend; None otherwise (nothing is stored)."""
    try:
        import keyring
        from keyring.backends import fail
    except ImportError:
        return None
    try:
        backend = keyring.get_keyring()
    except Exception:  # a broken keyring configuration: behave as if there were none
        return None
    return None if isinstance(backend, fail.Keyring) else keyring


class PasswordPrompt:
    """Asks the server's password in a dialog (after the keyring); remembers what it gave for the keyring."""

    def __init__(self, parent: QWidget | None) -> None:
        self.parent = parent
        self.given: str | None = None
        self.from_keyring = False

    def __call__(self, address: ServerAddress) -> str:
        ring = system_keyring()
        stored = ring.get_password(KEYRING_SERVICE, str(address)) if ring is not None else None
        if stored:
            self.given, self.from_keyring = stored, True
            return str(stored)
        typed = dialogs.ask_secret(
            self.parent,
            tr("Password del server"),
            tr("Password dell'utente «{user}» sul server {host}:").format(user=address.user, host=address.host),
        )
        if typed is None:
            raise DatabaseError(tr("Collegamento al server annullato."))
        self.given, self.from_keyring = typed, False
        return typed


def connect(parent: QWidget | None, address: ServerAddress) -> Database:
    """Opens the committee on ``address``, asking the password in a dialog when the server wants one."""
    prompt = PasswordPrompt(parent)
    set_password_prompt(prompt)
    ring = system_keyring()
    try:
        db = open_database(str(address))
    except DatabaseError:
        if ring is not None and prompt.from_keyring:
            ring.delete_password(KEYRING_SERVICE, str(address))  # refused: ask again next time
        raise
    finally:
        set_password_prompt(None)
    if ring is not None and prompt.given is not None and not prompt.from_keyring:
        ring.set_password(KEYRING_SERVICE, str(address), prompt.given)
    return db


def choose(window: Any) -> bool:
    """File → «Server della commissione…»: the dialog, the connection, then the window shows the committee."""
    dialog = ServerDialog(window)
    if dialog.exec() != QDialog.DialogCode.Accepted:
        return False
    try:
        db = connect(window, dialog.address())
    except ValutazioneError as exc:
        dialogs.error(window, tr("Server della commissione"), str(exc))
        return False
    window.set_database(db)
    return True
