"""File → «Copia di sicurezza…» and «Verifica del registro…»: what was only on the command line.

The copy is the SQLite online backup (consistent while the file is open); the check runs in the
worker pool with a progress dialog and ends with a message saying how many operations were verified,
or which one is not valid. Both read the file only, so they are offered on a read-only file too.
"""

from __future__ import annotations

from PySide6.QtCore import QCoreApplication, QObject
from PySide6.QtGui import QAction
from PySide6.QtWidgets import QMenu, QWidget

from ui import dialogs, workers
from ui.host import Host, HostRef
from valutazione import audit
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
        self.job: workers.Job | None = None
        self.last_report: audit.ChainReport | None = None
        menu.aboutToShow.connect(self.refresh)
        self.refresh()

    def refresh(self) -> None:
        ready = self.host().db is not None
        self.backup_action.setEnabled(ready)
        self.check_action.setEnabled(ready and self.job is None)

    def backup(self) -> None:
        host = self.host()
        db = host.db
        if db is None:
            return
        suggested = f"{db.path.stem}-copia{db.path.suffix}"
        dest = dialogs.save_path(host.dialog_parent(), tr("Copia di sicurezza"), suggested)
        if dest is None:
            return
        host.flush()
        try:
            written = maintenance.backup_copy(db.path, dest)
        except ValutazioneError as exc:
            dialogs.error(host.dialog_parent(), tr("Copia di sicurezza"), str(exc))
            return
        host.show_message(tr("Copia di sicurezza salvata in «{}».").format(written), 10000)

    def check(self) -> None:
        host = self.host()
        db = host.db
        if db is None or self.job is not None:
            return
        self.job = workers.run_task(host.dialog_parent(), db, tr("Verifica del registro…"), maintenance.check_file)
        self.job.finished.connect(self._checked)
        self.job.failed.connect(self._failed)
        self.job.cancelled.connect(self._ended)
        self.refresh()

    def _ended(self) -> None:
        self.job = None
        self.refresh()

    def _checked(self, report: audit.ChainReport) -> None:
        self._ended()
        self.last_report = report
        parent = self.host().dialog_parent()
        if report.ok:
            dialogs.info(
                parent,
                tr("Verifica del registro"),
                tr("Registro integro: {n} operazioni verificate, nessuna modificata, rimossa o riordinata.").format(
                    n=report.rows
                ),
            )
        else:
            text = tr("Registro compromesso (prima riga non valida: n. {id}). {message}")
            dialogs.error(
                parent, tr("Verifica del registro"), text.format(id=report.first_bad_id, message=report.message)
            )

    def _failed(self, message: str) -> None:
        self._ended()
        dialogs.error(self.host().dialog_parent(), tr("Verifica del registro"), message)
