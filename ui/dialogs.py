"""The few message boxes the GUI shows, in one place so tests can monkeypatch them.

Every screen asks and informs through these helpers; a test replaces ``confirm`` with a lambda instead
of clicking a modal box that would block the event loop.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QCoreApplication, QUrl
from PySide6.QtGui import QDesktopServices
from PySide6.QtWidgets import QFileDialog, QInputDialog, QLineEdit, QMessageBox, QWidget

FILE_FILTER = "File di valutazione (*.valutazione);;Tutti i file (*)"


def tr(text: str) -> str:
    return QCoreApplication.translate("dialogs", text)


def confirm(parent: QWidget | None, title: str, text: str, *, yes: str | None = None) -> bool:
    """Asks a yes/no question; the default button is "No" so Enter never confirms by accident."""
    box = QMessageBox(QMessageBox.Icon.Question, title, text, QMessageBox.StandardButton.NoButton, parent)
    yes_button = box.addButton(yes or tr("Sì"), QMessageBox.ButtonRole.YesRole)
    no_button = box.addButton(tr("Annulla"), QMessageBox.ButtonRole.NoRole)
    box.setDefaultButton(no_button)
    box.exec()
    return box.clickedButton() is yes_button


def error(parent: QWidget | None, title: str, text: str) -> None:
    """Shows an error the core raised (its Italian message stands on its own)."""
    QMessageBox.critical(parent, title, text)


def info(parent: QWidget | None, title: str, text: str) -> None:
    QMessageBox.information(parent, title, text)


def ask_text(parent: QWidget | None, title: str, label: str) -> str | None:
    """A multi-line answer (a reason, a note); ``None`` when the user cancels."""
    text, ok = QInputDialog.getMultiLineText(parent, title, label)
    return text if ok else None


def ask_line(parent: QWidget | None, title: str, label: str, text: str = "") -> str | None:
    """A one-line answer (a corrected name) starting from ``text``; ``None`` when the user cancels."""
    answer, ok = QInputDialog.getText(parent, title, label, QLineEdit.EchoMode.Normal, text)
    return answer if ok else None


def ask_secret(parent: QWidget | None, title: str, label: str) -> str | None:
    """A passphrase typed without echo; ``None`` when the user cancels. Never written to disk or settings."""
    text, ok = QInputDialog.getText(parent, title, label, QLineEdit.EchoMode.Password)
    return text if ok else None


def open_path(parent: QWidget | None, title: str) -> Path | None:
    path, _ = QFileDialog.getOpenFileName(parent, title, "", tr(FILE_FILTER))
    return Path(path) if path else None


def save_path(parent: QWidget | None, title: str, suggested: str = "") -> Path | None:
    path, _ = QFileDialog.getSaveFileName(parent, title, suggested, tr(FILE_FILTER))
    if not path:
        return None
    result = Path(path)
    return result if result.suffix else result.with_suffix(".valutazione")


def open_external(path: Path) -> bool:
    """Hands a file to the system's default application (the fallback for attachments)."""
    return QDesktopServices.openUrl(QUrl.fromLocalFile(str(path)))
