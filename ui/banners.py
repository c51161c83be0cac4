"""Opening a file safely, and the coloured banners that say what the user must know about it.

The main window opens every file through ``FileSafety.open``, which uses
``valutazione.backups.open_for_work``: a damaged file is offered its newest good backup; a file held by
another copy of the program, on a network share or on a read-only medium opens read-only with a YELLOW
banner saying why, and the actions that write are disabled so the user sees the reason before trying.
The audit chain and every seal (``valutazione.seals``) are verified at every opening in a background
worker (seconds on a large file) behind a window usable at once, the status bar saying «Verifica in
corso…» and then what it found; a broken seal is a RED banner naming the first broken object, and the
file stays open read-only: the database refuses every write with the same message. File → "Ripristina da
backup…" lists the automatic backups and restores the chosen one, keeping the current file aside.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import shiboken6
from PySide6.QtCore import QCoreApplication, QObject, Qt
from PySide6.QtGui import QAction
from PySide6.QtWidgets import QFrame, QHBoxLayout, QInputDialog, QLabel, QMainWindow, QStyle, QVBoxLayout, QWidget

from ui import dialogs, workers
from ui.host import Host, HostRef
from valutazione import seals
from valutazione.backups import Backup, CorruptFileError, list_backups, open_for_work, restore
from valutazione.db import Database, open_for_user
from valutazione.errors import ValutazioneError

WARNING, ERROR = "warning", "error"
# background, border, text, and the style's standard icon (an emoji would be a missing glyph on many fonts)
STYLES = {
    WARNING: ("#fff4c2", "#8a6d00", "#3d3000", QStyle.StandardPixmap.SP_MessageBoxWarning),
    ERROR: ("#fde0e0", "#b71c1c", "#5c0000", QStyle.StandardPixmap.SP_MessageBoxCritical),
}


def tr(text: str) -> str:
    return QCoreApplication.translate("banners", text)


class Banner(QFrame):
    """One message across the top of the window: a coloured band, an icon, wrapped text."""

    def __init__(self, kind: str, text: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.kind = kind
        background, border, foreground, icon = STYLES[kind]
        self.setObjectName(f"banner-{kind}")
        self.setStyleSheet(
            f"QFrame#banner-{kind} {{ background: {background}; border: 1px solid {border}; border-radius: 3px; }}"
            f"QLabel {{ color: {foreground}; background: transparent; border: none; }}"
        )
        self.icon = QLabel()
        self.icon.setPixmap(self.style().standardIcon(icon).pixmap(24, 24))
        self.label = QLabel(text)
        self.label.setWordWrap(True)
        self.label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(10, 6, 10, 6)
        layout.addWidget(self.icon, 0, Qt.AlignmentFlag.AlignTop)
        layout.addWidget(self.label, 1)

    def text(self) -> str:
        return self.label.text()


class BannerArea(QWidget):
    """The banners above the window's pages; hidden (no space taken) when there is nothing to say."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.box = QVBoxLayout(self)
        self.box.setContentsMargins(6, 6, 6, 0)
        self.box.setSpacing(4)
        self.items: list[Banner] = []
        self.setVisible(False)

    def add(self, kind: str, text: str) -> Banner:
        banner = Banner(kind, text, self)
        self.box.addWidget(banner)
        self.items.append(banner)
        self.setVisible(True)
        return banner

    def banners(self, kind: str | None = None) -> list[Banner]:
        return [b for b in self.items if kind is None or b.kind == kind]

    def clear(self) -> None:
        for banner in self.items:
            self.box.removeWidget(banner)
            banner.hide()
            banner.deleteLater()
        self.items = []
        self.setVisible(False)


def choose_backup(parent: QWidget | None, backups: list[Backup]) -> Backup | None:
    """Asks which backup to restore (tests replace this function)."""
    labels = [b.label for b in backups]
    label, ok = QInputDialog.getItem(
        parent,
        tr("Ripristina da backup"),
        tr("Copie di sicurezza di questo file (la più recente per prima):"),
        labels,
        0,
        False,
    )
    return backups[labels.index(label)] if ok and label in labels else None


class FileSafety(QObject):
    """The window's safe opening: banners, read-only state, audit check, restore from backup."""

    def __init__(self, host: Host, banners: BannerArea, parent: QWidget) -> None:
        super().__init__(parent)
        self.host = HostRef(host)
        self.banners = banners
        self.read_only_reason: str | None = None
        self.chain: seals.SealReport | None = None
        self.broken_reason: str | None = None  # a broken seal: read-only, but restoring stays possible
        self.chain_job: workers.Job | None = None
        self.gate = workers.PaintGate(self)  # the check steps aside while the window builds a page
        self.writing_actions: list[Callable[[], list[QAction]]] = []
        self.restore_action = QAction(tr("Ripristina da &backup…"), parent)
        self.restore_action.triggered.connect(self.restore_chosen)
        # The check runs behind a usable window: the status bar says it is running, then what it found.
        self.indicator = QLabel()
        self.indicator.setObjectName("verifica")
        self.indicator.hide()
        if isinstance(parent, QMainWindow):
            parent.statusBar().addPermanentWidget(self.indicator)

    def _parent(self) -> QWidget:
        return self.host().dialog_parent()

    # -- opening -------------------------------------------------------------------------------------

    def open(self, path: Path) -> tuple[Database, str | None] | None:
        """Opens ``path`` for work; a damaged file is offered its newest good backup. None: not opened."""
        try:
            return open_for_work(path)
        except CorruptFileError as exc:
            if exc.backup is None:
                # Nothing to offer: the opener's own words say more (e.g. "non è un file di valutazione").
                try:
                    return open_for_user(path)
                except ValutazioneError as detail:
                    dialogs.error(self._parent(), tr("Apri"), str(detail))
                return None
            if not dialogs.confirm(self._parent(), tr("File danneggiato"), str(exc), yes=tr("Ripristina da backup")):
                return None
            return self._restore_and_open(exc.backup, path)
        except ValutazioneError as exc:
            dialogs.error(self._parent(), tr("Apri"), str(exc))
            return None

    def _restore_and_open(self, backup: Backup, path: Path) -> tuple[Database, str | None] | None:
        try:
            aside = restore(backup.path, path)
            opened = open_for_work(path)
        except ValutazioneError as exc:
            dialogs.error(self._parent(), tr("Ripristina da backup"), str(exc))
            return None
        kept = tr("\nIl file sostituito è stato conservato come:\n{aside}").format(aside=aside) if aside != path else ""
        done = tr("Ripristinata la copia del {label}.").format(label=backup.label)
        dialogs.info(self._parent(), tr("Ripristina da backup"), done + kept)
        return opened

    def opened(self, db: Database, why: str | None) -> None:
        """Called once the window holds ``db``: banners, disabled writing actions, the audit check."""
        self.banners.clear()
        self.read_only_reason = why if why else (tr("Il file è aperto in sola lettura.") if db.read_only else None)
        if self.read_only_reason:
            self.banners.add(
                WARNING,
                tr(
                    "Aperto in sola lettura. {why} Le modifiche sono disattivate finché il file non viene "
                    "riaperto in scrittura."
                ).format(why=self.read_only_reason),
            )
        self.update_actions()
        self.verify_chain(db)

    def closed(self) -> None:
        self.banners.clear()
        self.read_only_reason = None
        self.broken_reason = None
        self.chain = None
        if self.chain_job is not None:
            self.chain_job.cancel()
            self.chain_job = None
        self.gate.release()
        self.indicator.hide()
        self.update_actions()

    @property
    def read_only(self) -> bool:
        return self.read_only_reason is not None or self.broken_reason is not None

    def update_actions(self) -> None:
        """Writing actions follow the file: disabled (with the reason as tooltip) when read-only."""
        db = self.host().db
        has_file = db is not None
        # A server keeps no automatic copies of ours: its backups are the administrator's (pg_dump).
        self.restore_action.setEnabled(db is not None and self.read_only_reason is None and db.server is None)
        reason = self.broken_reason or self.read_only_reason
        for provider in self.writing_actions:
            for action in provider():
                action.setEnabled(has_file and not self.read_only)
                action.setToolTip(tr("File in sola lettura: ") + reason if reason else "")

    # -- audit chain ---------------------------------------------------------------------------------

    def verify_chain(self, db: Database) -> None:
        """Recomputes the audit chain and every seal in a worker; a broken one becomes a red banner."""
        self._indicate(tr("Verifica in corso…"), tr("Verifica del registro e dei sigilli del file in corso."))
        task = self.gate.paced(_verify)
        job = workers.run_task(self._parent(), db, tr("Verifica del registro"), task, dialog=False)
        self.chain_job = job
        job.signals.progress.connect(lambda done, total, job=job: self._chain_progress(job, done, total))
        job.finished.connect(lambda report, job=job: self._chain_checked(job, report))
        job.failed.connect(lambda message, job=job: self._chain_checked(job, None, message))

    def _indicate(self, text: str, tip: str, broken: bool = False) -> None:
        self.indicator.setText(text)
        self.indicator.setToolTip(tip)
        self.indicator.setStyleSheet(f"color: {STYLES[ERROR][1]}; font-weight: bold;" if broken else "")
        self.indicator.show()

    def _chain_progress(self, job: workers.Job, done: int, total: int) -> None:
        if job is self.chain_job and total > 0 and shiboken6.isValid(self.indicator):
            percent = min(100, done * 100 // total)
            self.indicator.setText(tr("Verifica in corso… {percent}%").format(percent=percent))

    def _chain_checked(self, job: workers.Job, report: seals.SealReport | None, failure: str = "") -> None:
        job.deleteLater()
        if job is not self.chain_job:  # a file closed or reopened meanwhile
            return
        self.chain_job = None
        self.chain = report
        if not shiboken6.isValid(self.indicator):  # the window went away while the worker was still checking
            return
        if report is not None and report.ok:
            self._indicate(tr("Registro e sigilli integri"), report.message)
            return
        self._indicate(tr("Sigillo violato"), report.message if report is not None else failure, broken=True)
        self.show_broken(report, failure)

    def show_broken(self, report: seals.SealReport | None, failure: str = "") -> None:
        """The red banner naming the first broken object; the window turns read-only, restoring is offered."""
        db = self.host().db
        if report is not None and db is not None:
            db.sealed(report)  # the database's write guard refuses with the same words from now on
        first = report.first if report is not None else None
        text = (first.message if first is not None else failure).rstrip(".")
        row = ""
        if report is not None and not report.chain.ok:
            row = tr(" (prima riga non valida: n. {id})").format(id=report.chain.first_bad_id)
        others = len(report.broken) - 1 if report is not None else 0
        more = tr(" Altri oggetti violati: {n} (valutazione audit verify li elenca).").format(n=others)
        more = more if others else ""
        self.broken_reason = text
        self.banners.add(
            ERROR,
            tr(
                "Sigillo violato: {text}{row}.{more} Il file è aperto in sola lettura e ogni modifica è rifiutata: "
                "conservare questa copia, avvisare il responsabile del procedimento e ripristinare la copia "
                "integra più recente (File → Ripristina da backup)."
            ).format(text=text, row=row, more=more),
        )
        self.update_actions()

    # -- restore from the menu ------------------------------------------------------------------------

    def restore_chosen(self) -> None:
        db = self.host().db
        if db is None:
            return
        path = db.path
        backups = list_backups(path)
        if not backups:
            none = tr("Non ci sono copie di sicurezza di questo file.")
            dialogs.info(self._parent(), tr("Ripristina da backup"), none)
            return
        chosen = choose_backup(self._parent(), backups)
        if chosen is None or not dialogs.confirm(
            self._parent(),
            tr("Ripristina da backup"),
            tr(
                "Sostituire «{name}» con la copia del {label}? Il file attuale non viene cancellato: viene "
                "conservato accanto, con un nome che indica la data."
            ).format(name=path.name, label=chosen.label),
            yes=tr("Ripristina"),
        ):
            return
        self.host().close_file()
        opened = self._restore_and_open(chosen, path)
        if opened is not None:
            self.host().set_database(opened[0], opened[1])


def _verify(session: Any, progress: Any, cancelled: Any) -> seals.SealReport:
    return seals.verify_file(session, progress, cancelled)
