"""The package menu entries and the member's side: open a package, export the return, show the key.

``PackageActions`` adds the menu entries to the main window and shows the ones that fit what is open:
the "Pacchetti" menu for the chair in the chair's (master) file, "Esporta valutazioni" in a member's
package file. A member's package holds one member, so the window enters as that member directly, in
evaluator mode even when the chair exported a package to themselves: the chair's powers live in the
master file, and nothing done in a package's chair screens would ever travel back.

Sealed packages and returns ask their passphrase through ``dialogs.ask_secret`` and ask again after a
wrong one. Passphrases typed in this session are kept in memory only (``PackageActions.secrets``), so
the member is not asked twice for the same package and the chair's import tries them first; they are
never written to disk or to the settings.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

from PySide6.QtCore import QCoreApplication, QObject, Qt
from PySide6.QtGui import QAction, QFont, QGuiApplication
from PySide6.QtWidgets import QDialog, QFileDialog, QHBoxLayout, QLabel, QMenu, QPushButton, QVBoxLayout, QWidget

from ui import dialogs, settings
from ui.host import Host, HostRef
from ui.user import User
from valutazione.db import Database, open_database
from valutazione.errors import ValutazioneError
from valutazione.services import packages
from valutazione.services.committee import COMPONENTE
from valutazione.sync.archive import PackageError
from valutazione.sync.package import (
    EXTRACTED_SUFFIX,
    ChairKeyUnconfirmed,
    OpenedPackage,
    extracted_path,
    open_package,
    package_identity,
    read_manifest,
    working_folder,
)
from valutazione.sync.sealed import PassphraseRequired, WrongPassphrase, check_passphrase, is_sealed

PACKAGE_SUFFIX = ".valpkg"
RETURN_SUFFIX = ".valret"
PACKAGE_FILTER = "Pacchetti di valutazione (*.valpkg);;Tutti i file (*)"
RETURN_FILTER = "Ritorni di valutazione (*.valret);;Tutti i file (*)"
T = TypeVar("T")


def tr(text: str) -> str:
    return QCoreApplication.translate("packages", text)


def package_user(db: Database) -> User | None:
    """The member a package file was made for, as an evaluator; None for the chair's own file."""
    with db.sessions() as s:
        member = packages.package_member(s)
    return None if member is None else User(member.id, member.name, COMPONENTE)


def is_package_file(db: Database) -> bool:
    with db.sessions() as s:
        return packages.is_package_file(s)


def _settings_key(path: Path) -> str:
    return "packages/" + str(path.resolve()).replace("/", "|").replace("\\", "|")


def with_suffix(path: str, suffix: str) -> Path:
    result = Path(path)
    return result if result.suffix else result.with_suffix(suffix)


def unlock(parent: QWidget, title: str, prompt: str, attempt: Callable[[str | None], T]) -> tuple[T, str | None] | None:
    """``attempt(None)``; for a sealed file, asks the passphrase until ``attempt`` accepts it.

    Returns the result and the passphrase that worked (None for a plain file), or None when the user
    cancels. A wrong passphrase is said in the core's words and asked again; other refusals propagate.
    """
    passphrase: str | None = None
    label = prompt
    while True:
        try:
            return attempt(passphrase), passphrase
        except PassphraseRequired:
            label = prompt
        except WrongPassphrase as exc:
            label = str(exc) + "\n\n" + tr("Riprovare:") + " " + prompt
        passphrase = dialogs.ask_secret(parent, title, label)
        if passphrase is None:
            return None


class PackageActions(QObject):
    """The menu entries for packages, kept in step with the open file and the person using it."""

    def __init__(self, host: Host, file_menu: QMenu, parent: QWidget) -> None:
        super().__init__(parent)
        self.host = HostRef(host)
        self.open_action = file_menu.addAction(tr("Apri &pacchetto…"), self.choose_package)
        self.open_action.setToolTip(tr("Apre il pacchetto di valutazione ricevuto dal presidente (.valpkg)"))
        self.return_action = file_menu.addAction(tr("Esporta &valutazioni per il presidente…"), self.export_return)
        self.key_action = file_menu.addAction(tr("La &mia chiave…"), self.show_key)
        self.chair_menu = QMenu(tr("&Pacchetti"), parent)
        self.prepare_action: QAction = self.chair_menu.addAction(
            tr("&Prepara pacchetti per i commissari…"), self.prepare_packages
        )
        self.import_action: QAction = self.chair_menu.addAction(tr("&Importa valutazioni…"), self.import_returns)
        self.dialog: QDialog | None = None
        self.secrets: dict[Path, str] = {}  # file (or folder of packages) → passphrase, this session only
        file_menu.aboutToShow.connect(self.refresh)
        self.refresh()

    def refresh(self) -> None:
        """Shows the entries that fit the open file and its user (the window calls it when they change)."""
        db, user = self.host().db, self.host().user
        package = db is not None and is_package_file(db)
        self.return_action.setVisible(package)
        chair = db is not None and not package and user is not None and user.is_chair
        self.chair_menu.menuAction().setVisible(chair)

    # -- member ------------------------------------------------------------------------------------------

    def choose_package(self) -> None:
        parent = self._parent()
        path, _ = QFileDialog.getOpenFileName(parent, tr("Apri un pacchetto di valutazione"), "", tr(PACKAGE_FILTER))
        if path:
            self.open_package(Path(path))

    def open_package(self, path: Path) -> bool:
        """Extracts the member's working file onto this computer (once) and opens it as the member."""
        title = tr("Apri pacchetto")
        prompt = tr("«{}» è protetto da una password (comunicata dal presidente).\n\nPassword:").format(path.name)
        confirmed: list[str] = []  # the chair key's fingerprint, once the member has compared it

        def attempt(secret: str | None) -> OpenedPackage:
            try:
                return open_package(path, passphrase=secret, trusted_key=confirmed[-1] if confirmed else None)
            except ChairKeyUnconfirmed as exc:
                if confirmed or not self._confirm_chair_key(exc.fingerprint):
                    raise
                confirmed.append(exc.fingerprint)
                return open_package(path, passphrase=secret, trusted_key=exc.fingerprint)

        try:
            unlocked = unlock(self._parent(), title, prompt, attempt)
            if unlocked is None:
                return False
            opened, secret = unlocked
            db = open_database(opened.path)
        except ChairKeyUnconfirmed as exc:
            if confirmed:  # the file changed after the member compared the fingerprint: said as the core says it
                dialogs.error(self._parent(), title, str(exc))
            else:
                self.host().show_message(
                    tr("Pacchetto non aperto: impronta della chiave del presidente non confermata."), 15000
                )
            return False
        except ValutazioneError as exc:
            dialogs.error(self._parent(), title, str(exc))
            return False
        if secret is not None:
            self.secrets[path.resolve()] = secret
        settings.app_settings().setValue(_settings_key(opened.path), str(path.resolve()))
        self.host().set_database(db)
        m = opened.manifest
        if opened.key_pinned:  # the first package of this chair: the fingerprint is to be compared, so it goes first
            text = tr(
                "Pacchetto n. {} di {}: registrata la chiave del presidente (impronta {}, confermata); i pacchetti "
                "successivi firmati con un'altra chiave saranno rifiutati."
            ).format(m.sequence, m.member_name, opened.chair_fingerprint)
        else:
            text = tr(
                "Pacchetto n. {} di {}: il lavoro si salva su questo computer. "
                "A lavoro finito: File → Esporta valutazioni per il presidente…"
            ).format(m.sequence, m.member_name)
        self.host().show_message(text, 60000 if opened.key_pinned else 15000)
        return True

    def _confirm_chair_key(self, shown: str) -> bool:
        """Asks the member to compare the chair key's fingerprint before this laptop pins it for good."""
        return dialogs.confirm(
            self._parent(),
            tr("Chiave del presidente"),
            tr(
                "È il primo pacchetto di questo presidente su questo computer.\n\n"
                "Impronta della chiave che firma il pacchetto:\n\n        {}\n\n"
                "Confrontarla con l'impronta comunicata dal presidente (di persona o per telefono) e confermare "
                "solo se è identica. Se è diversa, il pacchetto non viene dal presidente: annullare e avvisarlo."
            ).format(shown),
            yes=tr("L'impronta coincide"),
        )

    def package_path(self, db: Database) -> Path | None:
        """The package the open working file came from: remembered at opening, else asked for."""
        remembered = settings.app_settings().value(_settings_key(db.path))
        if remembered and _comes_from(Path(str(remembered)), db):
            return Path(str(remembered))
        path, _ = QFileDialog.getOpenFileName(
            self._parent(), tr("Scegliere il pacchetto ricevuto dal presidente"), "", tr(PACKAGE_FILTER)
        )
        if not path:
            return None
        chosen = Path(path)
        if not _comes_from(chosen, db):
            dialogs.error(
                self._parent(),
                tr("Esporta valutazioni"),
                tr("Il pacchetto «{}» non è quello da cui proviene il file aperto «{}».").format(
                    chosen.name, db.path.name
                ),
            )
            return None
        return chosen

    def export_return(self) -> None:
        """Writes the signed return; through a temporary name, so a confirmed overwrite replaces the old one."""
        from valutazione.sync.returns import make_return

        db = self.host().db
        if db is None:
            return
        self.host().flush()  # what is being typed belongs in the return
        package = self.package_path(db)
        if package is None:
            return
        suggested = package.with_name(package.stem + "-ritorno" + RETURN_SUFFIX)
        path, _ = QFileDialog.getSaveFileName(
            self._parent(), tr("Esporta valutazioni per il presidente"), str(suggested), tr(RETURN_FILTER)
        )
        if not path:
            return
        out = with_suffix(path, RETURN_SUFFIX)
        tmp = out.with_name(out.name + ".tmp")
        try:
            package_secret = self._package_secret(package)
            if package_secret is None and is_sealed(package):
                return
            protect = self._return_secret(package_secret)
            if protect is None:
                return
            tmp.unlink(missing_ok=True)
            result = make_return(package, tmp, passphrase=protect[0], package_passphrase=package_secret)
            os.replace(tmp, out)
        except (ValutazioneError, OSError) as exc:
            dialogs.error(self._parent(), tr("Esporta valutazioni"), str(exc))
            return
        finally:
            tmp.unlink(missing_ok=True)
        sealed = tr("\n\nIl ritorno è protetto da password: il presidente la dovrà indicare per importarlo.")
        dialogs.info(
            self._parent(),
            tr("Valutazioni esportate"),
            tr(
                "Ritorno firmato scritto in «{}»: {} schede ({} inviate), {} conflitti dichiarati.\n\n"
                "Consegnare il file al presidente. Al primo ritorno il presidente chiede l'impronta "
                "della chiave di questo computer: {}"
            ).format(out, result.sheets, result.submitted, result.conflicts, result.fingerprint)
            + (sealed if protect[0] is not None else ""),
        )

    def _package_secret(self, package: Path) -> str | None:
        """The sealed package's passphrase (typed at opening, or asked now); None for a plain one or on cancel."""
        if not is_sealed(package):
            return None
        known = self.secrets.get(package.resolve())
        if known is not None:
            return known
        prompt = tr("«{}» è protetto da una password (comunicata dal presidente).\n\nPassword:").format(package.name)
        parent = self._parent()
        unlocked = unlock(parent, tr("Esporta valutazioni"), prompt, lambda secret: read_manifest(package, secret))
        if unlocked is None or unlocked[1] is None:
            return None
        self.secrets[package.resolve()] = unlocked[1]
        return unlocked[1]

    def _return_secret(self, package_secret: str | None) -> tuple[str | None] | None:
        """Offers to protect the return: ``(passphrase or None,)``, or None when the member cancels.

        Empty means no protection for a plain package, and the package's own passphrase for a sealed
        one: the chair already knows it, so nothing new has to travel by another channel.
        """
        title = tr("Proteggi il ritorno con una password")
        if package_secret is None:
            label = tr(
                "Password per proteggere il ritorno (almeno 10 caratteri), da comunicare al presidente per "
                "un altro canale, mai insieme al file.\nLasciare vuoto per non proteggerlo:"
            )
        else:
            label = tr(
                "Il pacchetto era protetto da una password: lasciando vuoto, il ritorno è protetto con la "
                "stessa, che il presidente conosce già.\nOppure indicare una nuova password (almeno 10 caratteri):"
            )
        while True:
            secret = dialogs.ask_secret(self._parent(), title, label)
            if secret is None:
                return None
            if not secret:
                return (package_secret,)
            try:
                check_passphrase(secret)
            except PackageError as exc:
                dialogs.error(self._parent(), title, str(exc))
                continue
            again = dialogs.ask_secret(self._parent(), title, tr("Ripetere la password:"))
            if again is None:
                return None
            if again == secret:
                return (secret,)
            dialogs.error(self._parent(), title, tr("Le due password non coincidono: indicarla di nuovo."))

    def show_key(self) -> None:
        from valutazione.sync.keys import load_or_create_key

        try:
            fingerprint = load_or_create_key().fingerprint
        except ValutazioneError as exc:
            dialogs.error(self._parent(), tr("La mia chiave"), str(exc))
            return
        self._show(KeyDialog(fingerprint, self._parent()))

    # -- chair ---------------------------------------------------------------------------------------------

    def prepare_packages(self) -> None:
        from ui.packages.chair import PrepareDialog

        if self.host().db is not None:
            self._show(PrepareDialog(self.host(), self.secrets))

    def import_returns(self) -> None:
        from ui.packages.chair import ImportDialog

        if self.host().db is None:
            return
        paths, _ = QFileDialog.getOpenFileNames(
            self._parent(), tr("Importa le valutazioni dei commissari"), "", tr(RETURN_FILTER)
        )
        if paths:
            dialog = ImportDialog(self.host(), self.secrets, [Path(p) for p in paths])
            self._show(dialog)
            dialog.start()

    def _parent(self) -> QWidget:
        return self.host().dialog_parent()

    def _show(self, dialog: QDialog) -> None:
        """Window-modal but not blocking (``open``), so the dialogs are driven like any widget."""
        if self.dialog is not None:
            self.dialog.deleteLater()
        self.dialog = dialog
        dialog.open()


class KeyDialog(QDialog):
    """This laptop's key fingerprint, large enough to read over the phone, with a copy button."""

    def __init__(self, fingerprint: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(tr("La mia chiave"))
        self.fingerprint = fingerprint
        intro = QLabel(
            tr(
                "Le valutazioni esportate da questo computer sono firmate con la sua chiave. "
                "Al primo ritorno il presidente confronta l'impronta che vede con questa: leggetegliela "
                "(di persona o al telefono) o inviategliela."
            )
        )
        intro.setWordWrap(True)
        self.label = QLabel(fingerprint)
        font = QFont("DejaVu Sans Mono")
        font.setStyleHint(QFont.StyleHint.Monospace)
        font.setPointSize(20)
        font.setBold(True)
        self.label.setFont(font)
        self.label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.copy_button = QPushButton(tr("&Copia l'impronta"))
        self.copy_button.clicked.connect(self.copy)
        close = QPushButton(tr("Chiudi"))
        close.setDefault(True)
        close.clicked.connect(self.accept)
        buttons = QHBoxLayout()
        buttons.addWidget(self.copy_button)
        buttons.addStretch(1)
        buttons.addWidget(close)
        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        layout.addWidget(QLabel(tr("Impronta della chiave di questo computer:")))
        layout.addWidget(self.label)
        layout.addLayout(buttons)
        self.setMinimumWidth(520)

    def copy(self) -> None:
        QGuiApplication.clipboard().setText(self.fingerprint)
        self.copy_button.setText(tr("Copiata"))


def _comes_from(package: Path, db: Database) -> bool:
    """Whether ``db`` is the working file extracted from ``package`` (False for anything unreadable).

    A sealed package's manifest cannot be read without its passphrase, so its working file is found
    from the identity inside ``db``; ``make_return`` checks that identity against the manifest anyway.
    """
    try:
        if not package.is_file():
            return False
        if not is_sealed(package):
            return extracted_path(package).resolve() == db.path.resolve()
        with db.sessions() as s:
            identity = package_identity(s)
        if identity is None:
            return False
        return (working_folder(identity) / (package.stem + EXTRACTED_SUFFIX)).resolve() == db.path.resolve()
    except ValutazioneError:
        return False
