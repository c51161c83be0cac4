"""File → «Copia di sicurezza…», «Verifica del registro…» and «Verifica rispetto a un documento…».

The copy is the SQLite online backup (consistent while the file is open); the checks are the CLI's
``audit verify`` (chain and every seal) and ``audit verify --against DOC.pdf`` (the anchor and statements
printed on a document the committee exported or signed). They run in the worker pool with a progress
dialog and end with a message listing every broken object. All read the file only, so they are offered on
a read-only file too.
"""

from __future__ import annotations

from functools import partial
from pathlib import Path

from PySide6.QtCore import QCoreApplication, QObject
from PySide6.QtGui import QAction
from PySide6.QtWidgets import QMenu, QWidget

from ui import dialogs, workers
from ui.host import Host, HostRef
from valutazione.errors import ValutazioneError
from valutazione.services import maintenance


def tr(text: str) -> str:
    return QCoreApplication.translate("Maintenance", text)


class MaintenanceActions(QObject):
    def __init__(self, host: Host, menu: QMenu, parent: QWidget) -> None:
        super().__init__(parent)
        self.host = HostRef(host)
        self.backup_action: QAction = menu.addAction(tr("Copia di &sicurezza…"), self.backup)
        self.check_action: QAction = menu.addAction(tr("&Verifica del registro…"), self.check)
        self.against_action: QAction = menu.addAction(tr("Verifica rispetto a un &documento…"), self.check_against)
        self.job: workers.Job | None = None
        self.last_report: maintenance.FileCheck | None = None
        menu.aboutToShow.connect(self.refresh)
        self.refresh()

    def refresh(self) -> None:
        ready = self.host().db is not None
        self.backup_action.setEnabled(ready)
        self.check_action.setEnabled(ready and self.job is None)
        self.against_action.setEnabled(ready and self.job is None)

    def backup(self) -> None:
        host = self.host()
        db = host.db
        if db is None:
            return
        suggested = f"{db.server.database if db.server else db.path.stem}-copia.valutazione"
        dest = dialogs.save_path(host.dialog_parent(), tr("Copia di sicurezza"), suggested)
        if dest is None:
            return
        host.flush()
        try:
            written = maintenance.backup_copy(db.location, dest)
        except ValutazioneError as exc:
            dialogs.error(host.dialog_parent(), tr("Copia di sicurezza"), str(exc))
            return
        host.show_message(tr("Copia di sicurezza salvata in «{}».").format(written), 10000)

    def check_against(self) -> None:
        """Asks for a PDF the committee exported or signed, then checks the file against it."""
        chosen = dialogs.open_path(self.host().dialog_parent(), tr("Documento da confrontare con il file (PDF)"))
        if chosen is not None:
            self.check((chosen,))

    def check(self, documents: tuple[Path, ...] = ()) -> None:
        host = self.host()
        db = host.db
        if db is None or self.job is not None:
            return
        task = partial(maintenance.check_file, documents=documents)
        self.job = workers.run_task(host.dialog_parent(), db, tr("Verifica del registro…"), task)
        self.job.finished.connect(self._checked)
        self.job.failed.connect(self._failed)
        self.job.cancelled.connect(self._ended)
        self.refresh()

    def _ended(self) -> None:
        self.job = None
        self.refresh()

    def _checked(self, report: maintenance.FileCheck) -> None:
        self._ended()
        self.last_report = report
        parent = self.host().dialog_parent()
        if report.ok:
            text = tr(
                "Registro integro: {n} operazioni verificate, nessuna modificata, rimossa o riordinata; "
                "sigilli integri."
            ).format(n=report.rows)
            for name, _ in report.documents:
                text += " " + tr("Il documento «{d}» corrisponde al file.").format(d=name)
            dialogs.info(parent, tr("Verifica del registro"), text)
            return
        lines = [tr("Oggetti non integri ({n}):").format(n=len(report.broken))]
        lines += [f"• {b.message}" for b in report.broken[:20]]
        if len(report.broken) > 20:
            lines.append(
                tr("… e altri {n}: valutazione audit verify li elenca tutti.").format(n=len(report.broken) - 20)
            )
        lines.append(tr("Conservare una copia del file e ripristinare la copia di sicurezza integra più recente."))
        dialogs.error(parent, tr("Verifica del registro"), "\n".join(lines))

    def _failed(self, message: str) -> None:
        self._ended()
        dialogs.error(self.host().dialog_parent(), tr("Verifica del registro"), message)
