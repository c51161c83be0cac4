"""The "Esporta…" and "Stampa…" dialog: which document, which ranking version or session, which format.

The same dialog serves both entries so the choices look and behave alike; in print mode only PDF
documents are offered and the bytes go to the shared printing code instead of a file. The document is
built in a worker (``ui.workers``) and, for an export, written atomically there, so a large file never
freezes the window and a failed export leaves no half file behind.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import Qt, Signal
from PySide6.QtPrintSupport import QPrinter
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from ui import dialogs, settings
from ui.documents.build import (
    FILE_FILTERS,
    FORMAT_LABELS,
    FORMATS,
    RANKINGS,
    Choice,
    build,
    default_name,
    document_labels,
    sedute,
    tr,
    versions,
)
from ui.printing import print_document
from ui.user import User
from ui.workers import Cancelled, Job, run_task
from valutazione.db import Database
from valutazione.exports.writers import write_atomically
from valutazione.services import Session

OK_COLOUR = "#1b5e20"
ERROR_COLOUR = "#b71c1c"
LAST_DIR_KEY = "documents/last_dir"


class ExportDialog(QDialog):
    """Chooses one document; exports it to a file or prints it (``printing=True``)."""

    exported = Signal(object, object)  # (Path, Choice)

    def __init__(self, parent: QWidget | None, db: Database, user: User, *, printing: bool = False) -> None:
        super().__init__(parent)
        self.db, self.user, self.printing = db, user, printing
        self.printer: QPrinter | None = None  # None: ask with the system print dialog
        self.job: Job | None = None
        self.last_path: Path | None = None
        self.pages_printed = 0
        self.setWindowTitle(tr("Stampa un documento") if printing else tr("Esporta un documento"))
        self.what = QComboBox()
        for key, label in document_labels():
            self.what.addItem(label, key)
        self.version = QComboBox()
        self.seduta = QComboBox()
        self.fmt = QComboBox()
        with db.sessions() as s:
            for v in versions(s, user):
                self.version.addItem(v.label, v)
            for info in sedute(s):
                self.seduta.addItem(info.label, info.number)
        self.hint = QLabel()
        self.hint.setWordWrap(True)
        self.hint.setStyleSheet("color: palette(mid);")
        self.form = QFormLayout()
        self.form.addRow(tr("&Documento:"), self.what)
        self.form.addRow(tr("&Versione:"), self.version)
        self.form.addRow(tr("&Seduta:"), self.seduta)
        self.form.addRow(tr("&Formato:"), self.fmt)
        self.form.addRow("", self.hint)
        self.status = QLabel()
        self.status.setWordWrap(True)
        self.status.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.open_button = QPushButton(tr("&Apri"))
        self.open_button.clicked.connect(lambda: self._open(folder=False))
        self.folder_button = QPushButton(tr("Mostra nella &cartella"))
        self.folder_button.clicked.connect(lambda: self._open(folder=True))
        self.result_box = QGroupBox(tr("File esportato"))
        result_layout = QHBoxLayout(self.result_box)
        result_layout.addWidget(self.open_button)
        result_layout.addWidget(self.folder_button)
        result_layout.addStretch(1)
        self.result_box.setVisible(False)
        buttons = QDialogButtonBox()
        buttons.addButton(tr("Chiudi"), QDialogButtonBox.ButtonRole.RejectRole)
        self.go_button = buttons.addButton(
            tr("&Stampa…") if printing else tr("&Esporta…"), QDialogButtonBox.ButtonRole.AcceptRole
        )
        self.go_button.setDefault(True)
        self.go_button.clicked.connect(self.start)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addLayout(self.form)
        layout.addWidget(self.status)
        layout.addWidget(self.result_box)
        layout.addStretch(1)
        layout.addWidget(buttons)
        self.what.currentIndexChanged.connect(self._update)
        self.version.currentIndexChanged.connect(self._update)
        self.fmt.currentIndexChanged.connect(self._update)
        self._update()
        self.resize(620, self.sizeHint().height())

    # -- choices ---------------------------------------------------------------------------------------

    def select(self, what: str, fmt: str = "pdf") -> None:
        """Picks a document and format by key (keyboard users and tests alike)."""
        self.what.setCurrentIndex(self.what.findData(what))
        index = self.fmt.findData(fmt)
        if index >= 0:
            self.fmt.setCurrentIndex(index)

    def choice(self) -> Choice:
        what = str(self.what.currentData())
        info = self.version.currentData() if what in RANKINGS else None
        return Choice(
            what,
            str(self.fmt.currentData() or "pdf"),
            version=None if info is None else info.version,
            seduta=self.seduta.currentData() if what == "verbale" else None,
            state="" if info is None else info.state,
        )

    def _update(self) -> None:
        what = str(self.what.currentData())
        current_fmt = self.fmt.currentData()
        formats = ("pdf",) if self.printing else FORMATS[what]
        self.fmt.blockSignals(True)
        self.fmt.clear()
        for f in formats:
            self.fmt.addItem(FORMAT_LABELS[f], f)
        self.fmt.setCurrentIndex(max(0, self.fmt.findData(current_fmt)))
        self.fmt.blockSignals(False)
        self.form.setRowVisible(self.version, what in RANKINGS)
        self.form.setRowVisible(self.seduta, what == "verbale")
        self.form.setRowVisible(self.fmt, not self.printing)
        self.hint.setText(self._hint(what))
        ready = not (what in RANKINGS and self.version.count() == 0) and not (
            what == "verbale" and self.seduta.count() == 0
        )
        self.go_button.setEnabled(ready and self.job is None)

    def _hint(self, what: str) -> str:
        if what in RANKINGS and self.version.count() == 0:
            return tr("Nessuna graduatoria approvata: il presidente la approva in seduta.")
        if what == "verbale" and self.seduta.count() == 0:
            return tr("Nessuna seduta registrata: il segretario la registra nella scheda «Sedute».")
        if what == "schede" and not (self.user.is_chair or self.user.is_secretary):
            return tr("Solo le domande su cui hai già inviato la tua scheda.")
        if what in RANKINGS and self.choice().version == 0:
            return tr("Il documento riporterà «NON APPROVATA»: un calcolo senza valore di atto.")
        if what == "graduatoria-pubblica":
            return tr("Dati ridotti per la pubblicazione: niente codici fiscali né punteggi di dettaglio.")
        return ""

    # -- running ---------------------------------------------------------------------------------------

    def start(self) -> None:
        """Asks where to save (export) and builds the document in a worker."""
        choice = self.choice()
        path: Path | None = None
        if not self.printing:
            path = self._ask_path(choice)
            if path is None:
                return
        db, user = self.db, self.user

        def task(session: Session, progress: Callable[[int, int], None], cancelled: Callable[[], bool]) -> bytes:
            data = build(session, choice, user)
            if cancelled():
                raise Cancelled
            if path is not None:
                write_atomically(path, data)
            return data

        self.status.setText(tr("Preparazione del documento…"))
        self.status.setStyleSheet("")
        self.result_box.setVisible(False)
        self.go_button.setEnabled(False)
        self.job = run_task(self, db, tr("Preparazione del documento…"), task)
        self.job.finished.connect(lambda data: self._done(choice, path, data))
        self.job.failed.connect(self._failed)
        self.job.cancelled.connect(lambda: self._failed(tr("Operazione annullata: nessun file scritto.")))

    def _ask_path(self, choice: Choice) -> Path | None:
        folder = settings.app_settings().value(LAST_DIR_KEY) or str(self.db.path.parent)
        suggested = str(Path(str(folder)) / default_name(choice))
        filters = tr(FILE_FILTERS[choice.fmt]) + ";;" + tr("Tutti i file (*)")
        name, _ = QFileDialog.getSaveFileName(self, tr("Esporta il documento"), suggested, filters)
        if not name:
            return None
        path = Path(name)
        return path if path.suffix else path.with_suffix("." + choice.fmt)

    @property
    def busy(self) -> bool:
        return self.job is not None

    def _done(self, choice: Choice, path: Path | None, data: bytes) -> None:
        self.job = None
        self._update()
        if path is None:
            self.pages_printed = print_document(self, data, self.printer)
            if self.pages_printed:
                self._say(tr("Documento stampato: {n} pagine.").format(n=self.pages_printed), OK_COLOUR)
            else:
                self._say(tr("Stampa annullata."), "")
            return
        self.last_path = path
        settings.app_settings().setValue(LAST_DIR_KEY, str(path.parent))
        size = f"{len(data):,}".replace(",", ".")
        self._say(tr("Salvato {path} ({size} byte).").format(path=path, size=size), OK_COLOUR)
        self.result_box.setVisible(True)
        self.open_button.setFocus()
        self.exported.emit(path, choice)

    def _failed(self, message: str) -> None:
        self.job = None
        self._update()
        self._say(message, ERROR_COLOUR)

    def _say(self, text: str, colour: str) -> None:
        self.status.setText(text)
        self.status.setStyleSheet(f"color: {colour};" if colour else "")

    def _open(self, *, folder: bool) -> None:
        if self.last_path is not None:
            dialogs.open_external(self.last_path.parent if folder else self.last_path)
