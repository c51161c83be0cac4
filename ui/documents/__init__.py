"""The "Documenti" menu: export, print, sign and verify the committee's documents from the GUI.

What the CLI offers (``valutazione export``, ``sign``, ``verify``) is here as dialogs; ``build`` holds
the choices and the core calls, ``export`` the export/print dialog, ``sign`` and ``verify`` the
signature dialogs. Everyone who has entered a file sees the menu: a member exports only what the core
lets them see, and signs and checks the verbale like the chair and the secretary.

The dialogs are imported when first opened (and ``ExportDialog`` & co. on first access, PEP 562): they
pull in ReportLab, the exports and the signing code, a fifth of the window's cold start, for a menu
that nobody opens before the first table is on screen.
"""

from __future__ import annotations

from importlib import import_module
from pathlib import Path
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QCoreApplication, QObject
from PySide6.QtGui import QAction
from PySide6.QtWidgets import QDialog, QMenu, QWidget

from ui.host import Host, HostRef

if TYPE_CHECKING:
    from ui.documents.build import Choice
    from ui.documents.export import ExportDialog
    from ui.documents.sign import SignDialog
    from ui.documents.verify import VerifyDialog

__all__ = ["DocumentActions", "ExportDialog", "SignDialog", "VerifyDialog"]
_DIALOGS = {
    "ExportDialog": "ui.documents.export",
    "SignDialog": "ui.documents.sign",
    "VerifyDialog": "ui.documents.verify",
}


def __getattr__(name: str) -> Any:
    """``from ui.documents import ExportDialog`` still works, importing the dialog's module only then."""
    if name in _DIALOGS:
        return getattr(import_module(_DIALOGS[name]), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def tr(text: str) -> str:
    return QCoreApplication.translate("documents", text)


class DocumentActions(QObject):
    """The menu's entries, enabled once someone has entered an open file (``refresh`` when that changes)."""

    def __init__(self, host: Host, parent: QWidget) -> None:
        super().__init__(parent)
        self.host = HostRef(host)
        self.menu = QMenu(tr("&Documenti"), parent)
        self.export_action: QAction = self.menu.addAction(tr("&Esporta…"), "Ctrl+E", self.export)
        self.print_action: QAction = self.menu.addAction(tr("&Stampa…"), "Ctrl+P", self.print)
        self.menu.addSeparator()
        self.sign_action: QAction = self.menu.addAction(tr("&Firma digitale…"), self.sign)
        self.verify_action: QAction = self.menu.addAction(tr("&Verifica firme…"), self.verify)
        self.dialog: QDialog | None = None
        self.last_verbale: Path | None = None  # the default PDF to sign: the verbale just exported
        self.menu.aboutToShow.connect(self.refresh)
        self.refresh()

    def refresh(self) -> None:
        host = self.host()
        ready = host.db is not None and host.user is not None
        for action in (self.export_action, self.print_action, self.sign_action, self.verify_action):
            action.setEnabled(ready)

    def _show(self, dialog: QDialog) -> QDialog:
        if self.dialog is not None:
            self.dialog.deleteLater()
        self.dialog = dialog
        dialog.open()
        return dialog

    def export(self) -> None:
        host = self.host()
        db, user = host.db, host.user
        if db is None or user is None:
            return
        from ui.documents.export import ExportDialog

        dialog = ExportDialog(host.dialog_parent(), db, user)
        dialog.exported.connect(self._remember)
        self._show(dialog)

    def print(self) -> None:
        host = self.host()
        db, user = host.db, host.user
        if db is not None and user is not None:
            from ui.documents.export import ExportDialog

            self._show(ExportDialog(host.dialog_parent(), db, user, printing=True))

    def sign(self) -> None:
        host = self.host()
        if host.db is not None:
            from ui.documents.sign import SignDialog

            self._show(SignDialog(host.dialog_parent(), host.db, self.last_verbale, host.user))

    def verify(self) -> None:
        host = self.host()
        if host.db is not None:
            from ui.documents.verify import VerifyDialog

            self._show(VerifyDialog(host.dialog_parent(), host.db, self.last_verbale))

    def _remember(self, path: Path, choice: Choice) -> None:
        if choice.what == "verbale":
            self.last_verbale = path
