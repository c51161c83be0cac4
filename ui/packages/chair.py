"""The chair's side of offline evaluation: prepare the members' packages, import their signed returns.

Each package is written in its own transaction, so one member's failure (a full stick, a file already
there) leaves the others' packages and sequence numbers intact. Returns are merged one at a time in
the worker; a member's first key is pinned only after the chair has compared its fingerprint with the
one the member reads on their laptop.

Packages may be sealed with one passphrase for the whole batch; the chair tells it to the members by
another channel. Sealed returns ask theirs at import, after trying the passphrases already typed in
this session (usually the same one came back).
"""

from __future__ import annotations

import os
import re
import unicodedata
from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import QSize, Qt
from PySide6.QtWidgets import (
    QApplication,
    QCheckBox,
    QDialog,
    QFileDialog,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPlainTextEdit,
    QPushButton,
    QVBoxLayout,
)

from ui import dialogs, settings
from ui.host import Host
from ui.packages.actions import PACKAGE_SUFFIX, tr, unlock
from ui.screen_fit import fit_to_screen
from ui.user import role_label
from ui.workers import Job, run_task
from valutazione.errors import ValutazioneError
from valutazione.services import Session, committee, packages
from valutazione.services.committee import SCORING_ROLES
from valutazione.sync.archive import PackageError
from valutazione.sync.merge import MergeReport
from valutazione.sync.returns import SignedReturn, read_return
from valutazione.sync.sealed import WrongPassphrase, check_passphrase, is_sealed


def slug(text: str) -> str:
    """A file-name-safe ASCII form of a name (accents dropped), so packages travel on any USB stick."""
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")
    return re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-") or "commissario"


class PrepareDialog(QDialog):
    """The chair picks members and a folder; one package per member, each in its own transaction."""

    def __init__(self, host: Host, secrets: dict[Path, str]) -> None:
        super().__init__(host.dialog_parent())
        assert host.db is not None
        self.db = host.db
        self.data_changed = host.data_changed
        self.secrets = secrets  # the menu's passphrases of this session: a sealed folder's is tried first
        self.chair_fingerprint = ""  # of the key that signed the last package written
        self.setWindowTitle(tr("Prepara pacchetti per i commissari"))
        intro = QLabel(
            tr(
                "Ogni commissario riceve un file .valpkg con le sole domande che può valutare e le sue schede. "
                "Lo apre sul proprio computer con File → Apri pacchetto…, valuta anche senza rete e "
                "restituisce le valutazioni con un file firmato, da importare con Pacchetti → Importa valutazioni…"
            )
        )
        intro.setWordWrap(True)
        self.members = QListWidget()
        with self.db.sessions() as s:
            people = [m for m in committee.list_members(s) if m.role in SCORING_ROLES]
        for m in people:
            text = f"{m.name}  —  {role_label(m.role)}"
            if m.declared_at is None:
                text += tr("  (senza dichiarazione generale: il pacchetto non conterrà domande)")
            item = QListWidgetItem(text)
            item.setFlags(item.flags() | Qt.ItemFlag.ItemIsUserCheckable)
            item.setCheckState(Qt.CheckState.Checked)
            item.setData(Qt.ItemDataRole.UserRole, m.name)
            self.members.addItem(item)
        self.members.setCurrentRow(0)
        rows = max(3, min(self.members.count(), 8))  # room for the committee, the rest for the summary
        self.members.setFixedHeight(self.members.sizeHintForRow(0) * rows + 2 * self.members.frameWidth() + 6)
        members_label = QLabel(tr("&Commissari (barra spaziatrice per includere o escludere):"))
        members_label.setBuddy(self.members)
        self.folder = QLineEdit(str(settings.app_settings().value("packages/last_folder", "") or ""))
        self.folder.setPlaceholderText(tr("Cartella di destinazione, ad esempio una chiavetta USB"))
        folder_label = QLabel(tr("C&artella:"))
        folder_label.setBuddy(self.folder)
        browse = QPushButton(tr("&Sfoglia…"))
        browse.clicked.connect(self.browse)
        folder_row = QHBoxLayout()
        folder_row.addWidget(folder_label)
        folder_row.addWidget(self.folder, 1)
        folder_row.addWidget(browse)
        self.protect = QCheckBox(
            tr("Proteggi con una pass&word (per computer o chiavette che potrebbero essere smarriti)")
        )
        self.secret = QLineEdit(echoMode=QLineEdit.EchoMode.Password)
        self.secret.setPlaceholderText(tr("Password, almeno 10 caratteri"))
        self.secret_again = QLineEdit(echoMode=QLineEdit.EchoMode.Password)
        self.secret_again.setPlaceholderText(tr("Ripetere la password"))
        secret_note = QLabel(
            tr(
                "Comunicare la password a ciascun commissario per un altro canale (di persona o al telefono), "
                "mai insieme al pacchetto o nella stessa e-mail. La password non viene salvata: se dimenticata, "
                "preparare un nuovo pacchetto."
            )
        )
        secret_note.setWordWrap(True)
        secret_row = QHBoxLayout()
        secret_row.addWidget(self.secret, 1)
        secret_row.addWidget(self.secret_again, 1)
        for secret_widget in (self.secret, self.secret_again, secret_note):
            secret_widget.setEnabled(False)
            self.protect.toggled.connect(secret_widget.setEnabled)
        self.summary = QPlainTextEdit(readOnly=True)
        self.summary.setPlaceholderText(tr("Qui compare l'esito: i file scritti e il loro numero di sequenza."))
        self.prepare_button = QPushButton(tr("&Prepara i pacchetti"))
        self.prepare_button.setDefault(True)
        self.prepare_button.clicked.connect(self.prepare)
        close = QPushButton(tr("Chiudi"))
        close.clicked.connect(self.accept)
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        buttons.addWidget(self.prepare_button)
        buttons.addWidget(close)
        layout = QVBoxLayout(self)
        for w in (intro, members_label, self.members):
            layout.addWidget(w)
        layout.addLayout(folder_row)
        layout.addWidget(self.protect)
        layout.addLayout(secret_row)
        layout.addWidget(secret_note)
        layout.addWidget(self.summary, 1)
        layout.addLayout(buttons)
        fit_to_screen(self, QSize(760, 560))

    def browse(self) -> None:
        folder = QFileDialog.getExistingDirectory(self, tr("Cartella dei pacchetti"), self.folder.text())
        if folder:
            self.folder.setText(folder)

    def chosen(self) -> list[str]:
        items = (self.members.item(i) for i in range(self.members.count()))
        return [it.data(Qt.ItemDataRole.UserRole) for it in items if it.checkState() == Qt.CheckState.Checked]

    def prepare(self) -> None:
        names, folder_text = self.chosen(), self.folder.text().strip()
        if not names or not folder_text:
            self.summary.setPlainText(tr("Scegliere almeno un commissario e la cartella in cui scrivere i pacchetti."))
            return
        passphrase = None
        if self.protect.isChecked():
            passphrase = self.secret.text()
            try:
                if passphrase != self.secret_again.text():
                    raise PackageError(tr("Le due password non coincidono: nessun pacchetto è stato preparato."))
                check_passphrase(passphrase)
            except PackageError as exc:
                self.summary.setPlainText(str(exc))
                return
            self.secrets[Path(folder_text)] = passphrase  # tried first when the returns come back
        folder = Path(folder_text)
        settings.app_settings().setValue("packages/last_folder", str(folder))
        lines: list[str] = []
        written = 0
        self.chair_fingerprint = ""
        QApplication.setOverrideCursor(Qt.CursorShape.WaitCursor)
        try:
            for name in names:
                try:
                    lines.append(self._export(name, folder, passphrase))
                    written += 1
                except (ValutazioneError, OSError) as exc:
                    lines.append(tr("✗ {}: pacchetto non preparato. {}").format(name, exc))
        finally:
            QApplication.restoreOverrideCursor()
        head = tr("Pacchetti scritti in «{}»: {} su {}.").format(folder, written, len(names))
        tail = tr("Consegnare a ciascun commissario il proprio file (chiavetta USB o posta elettronica).")
        if self.chair_fingerprint:
            tail += "\n" + tr(
                "I pacchetti sono firmati con la chiave del presidente, impronta {}: comunicarla ai commissari, "
                "che la confrontano alla prima apertura."
            ).format(self.chair_fingerprint)
        if passphrase is not None:
            tail += "\n" + tr(
                "I pacchetti sono protetti da password: comunicarla per un altro canale, mai insieme al file."
            )
        self.summary.setPlainText("\n\n".join([head, *lines, tail]))
        self.data_changed.emit()

    def _export(self, name: str, folder: Path, passphrase: str | None) -> str:
        """Writes under a temporary name and renames once the sequence is known, inside the transaction."""
        from valutazione.sync.package import export_package

        tmp = folder / f".{slug(name)}.valpkg.tmp"
        tmp.unlink(missing_ok=True)
        try:
            with self.db.sessions.begin() as s:
                result = export_package(s, name, tmp, passphrase=passphrase)
                out = folder / f"{slug(name)}-pacchetto-{result.manifest.sequence}{PACKAGE_SUFFIX}"
                if out.exists():
                    raise PackageError(f"Il file «{out.name}» esiste già: scegliere un'altra cartella.")
                os.replace(tmp, out)
        finally:
            tmp.unlink(missing_ok=True)
        self.chair_fingerprint = result.chair_fingerprint
        line = tr("✓ {} — pacchetto n. {}: «{}», {} domande, {} schede precedenti.").format(
            name, result.manifest.sequence, out.name, result.applications, result.sheets
        )
        if not result.declared:
            line += "\n" + tr(
                "   Dichiarazione generale non ancora resa: dopo il ritorno con la dichiarazione, "
                "preparare un nuovo pacchetto con le domande."
            )
        return line


class ImportDialog(QDialog):
    """Merges the chosen returns one by one in the worker; shows each merge report or refusal."""

    def __init__(self, host: Host, secrets: dict[Path, str], paths: list[Path]) -> None:
        super().__init__(host.dialog_parent())
        assert host.db is not None
        self.db = host.db
        self.data_changed = host.data_changed
        self.secrets = secrets
        self.pending = list(paths)
        self.total = len(paths)
        self.imported = 0
        self.finished_all = False
        self.job: Job | None = None
        self.setWindowTitle(tr("Importa valutazioni"))
        self.status = QLabel()
        self.status.setWordWrap(True)
        self.report = QPlainTextEdit(readOnly=True)
        self.close_button = QPushButton(tr("Chiudi"))
        self.close_button.setEnabled(False)
        self.close_button.clicked.connect(self.accept)
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        buttons.addWidget(self.close_button)
        layout = QVBoxLayout(self)
        layout.addWidget(self.status)
        layout.addWidget(self.report, 1)
        layout.addLayout(buttons)
        fit_to_screen(self, QSize(820, 560))

    def start(self) -> None:
        self._next()

    def reject(self) -> None:
        """Esc waits for the end: the report of a merge still running must not be lost."""
        if self.finished_all:
            super().reject()

    def _append(self, text: str) -> None:
        self.report.appendPlainText(text + "\n")

    def _next(self) -> None:
        from valutazione.sync.merge import merge_return

        if not self.pending:
            self._finish()
            return
        path = self.pending.pop(0)
        self.status.setText(tr("Importazione di «{}»…").format(path.name))
        try:
            unlocked = self._unlock(path)
            if unlocked is None:
                self._skip(tr("✗ «{}» non importato: password non indicata. Nessuna modifica.").format(path.name))
                return
            ret, passphrase = unlocked
            go, trusted = self._trust(ret)
        except ValutazioneError as exc:
            self._append("✗ " + str(exc))
            self._next()
            return
        if not go:
            self._append(
                tr("✗ «{}» non importato: impronta della chiave non confermata. Nessuna modifica.").format(path.name)
            )
            self._next()
            return

        def task(session: Session, progress: Callable[[int, int], None], cancelled: Callable[[], bool]) -> object:
            return merge_return(session, path, trusted, progress, passphrase=passphrase)

        self.job = run_task(self, self.db, tr("Importazione di «{}»…").format(path.name), task)
        self.job.finished.connect(self._merged)
        self.job.failed.connect(lambda message: self._skip("✗ " + message))
        self.job.cancelled.connect(
            lambda: self._skip(tr("✗ «{}»: importazione annullata, nessuna modifica.").format(path.name))
        )

    def _skip(self, line: str) -> None:
        self._append(line)
        self._next()

    def _unlock(self, path: Path) -> tuple[SignedReturn, str | None] | None:
        """The parsed return and its passphrase: those typed in this session first, then asked; None on cancel."""
        secrets = self.secrets
        if is_sealed(path):
            for known in dict.fromkeys(secrets.values()):
                try:
                    return read_return(path, known), known
                except WrongPassphrase:
                    continue
        prompt = tr("«{}» è protetto da una password (comunicata dal commissario).\n\nPassword:").format(path.name)
        unlocked = unlock(self, tr("Importa valutazioni"), prompt, lambda secret: read_return(path, secret))
        if unlocked is not None and unlocked[1] is not None:
            secrets[path.resolve()] = unlocked[1]
        return unlocked

    def _trust(self, ret: SignedReturn) -> tuple[bool, str | None]:
        """Whether to merge, and the fingerprint the chair confirmed for a member's first key (None if pinned).

        The merge is given the fingerprint shown, not a yes: it reads the file again in the worker, and
        pins the key only if it is still the one the chair compared with the member.
        """
        from valutazione.sync.keys import fingerprint

        with self.db.sessions() as s:
            pinned = not packages.needs_first_key(s, ret.member_name)  # an unknown member is refused by the merge
        if pinned:
            return True, None
        shown = fingerprint(ret.public_key)
        confirmed = dialogs.confirm(
            self,
            tr("Prima chiave di {}").format(ret.member_name),
            tr(
                "È il primo ritorno di {0}: la sua chiave non è ancora registrata.\n\n"
                "Impronta della chiave nel ritorno:\n\n        {1}\n\n"
                "Chiedere a {0} di leggere l'impronta mostrata sul suo computer (File → La mia chiave…) "
                "e confermare solo se è identica. Se è diversa, il ritorno potrebbe non essere suo: annullare."
            ).format(ret.member_name, shown),
            yes=tr("L'impronta coincide"),
        )
        return (True, shown) if confirmed else (False, None)

    def _merged(self, report: object) -> None:
        assert isinstance(report, MergeReport)
        self.imported += 1
        self._append("✓ " + report.text())
        self.data_changed.emit()
        self._next()

    def _finish(self) -> None:
        self.finished_all = True
        self.job = None
        self.status.setText(
            tr("Importazione terminata. Ritorni importati: {} su {}.").format(self.imported, self.total)
        )
        self.close_button.setEnabled(True)
        self.close_button.setDefault(True)
        self.close_button.setFocus()
