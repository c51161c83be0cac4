"""The first screen, shown while no file is open: what the program does and how to begin.

A first-time user (a member who just installed it, a chair starting a new call) finds every way in on
one page: the demo call to try things without touching a real committee's file, a new call from the
Milan template, a file or a member's package received from the chair, and the recent files. The demo
is a copy in the user's data folder, so trying the program never changes anything that matters.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QCoreApplication, Qt, Signal
from PySide6.QtGui import QIcon, QShowEvent
from PySide6.QtWidgets import (
    QApplication,
    QFrame,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from ui import dialogs, settings
from ui.host import Host, HostRef
from valutazione.db import remove_sidecars
from valutazione.errors import ValutazioneError
from valutazione.paths import resource, user_data_dir

DEMO_FILE = "bando-dimostrativo.valutazione"


def tr(text: str) -> str:
    return QCoreApplication.translate("welcome", text)


def demo_path() -> Path:
    """The demo copy lives in its own folder, with the backups and sidecar files SQLite writes beside it."""
    return user_data_dir() / "demo" / DEMO_FILE


def app_icon() -> QIcon:
    icon = QIcon()
    for size in (16, 32, 48, 64, 128, 256):
        icon.addFile(str(resource("icons", f"valutazione-{size}.png")))
    return icon


class WelcomePage(QWidget):
    """Every button says what it does in a line under it; Tab walks them, Enter opens a recent file.

    Opening a file or a package is the window's own dialog: the page asks for it with
    ``choose_file_requested`` and ``choose_package_requested``.
    """

    choose_file_requested = Signal()
    choose_package_requested = Signal()
    choose_server_requested = Signal()

    def __init__(self, host: Host, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.host = HostRef(host)
        logo = QLabel()
        logo.setPixmap(app_icon().pixmap(96, 96))
        title = QLabel(tr("Valutazione delle domande di contributo"))
        title.setStyleSheet("font-size: 20pt; font-weight: bold;")
        about = QLabel(
            tr(
                "Il programma accompagna la commissione di un bando pubblico dalla domanda alla graduatoria: "
                "verifica di ammissibilità, dichiarazioni sul conflitto di interessi, schede di valutazione "
                "dei commissari, graduatoria e verbali. Funziona anche senza rete: ogni commissario può "
                "valutare sul proprio computer con il pacchetto preparato dal presidente."
            )
        )
        about.setWordWrap(True)
        header_text = QVBoxLayout()
        header_text.addWidget(title)
        header_text.addWidget(about)
        header = QHBoxLayout()
        header.addWidget(logo, alignment=Qt.AlignmentFlag.AlignTop)
        header.addSpacing(16)
        header.addLayout(header_text, 1)

        self.demo_button = QPushButton(tr("Apri il bando &dimostrativo"))
        self.demo_button.clicked.connect(self.open_demo)
        self.recreate_button = QPushButton(tr("&Ricrea il bando dimostrativo da capo…"))
        self.recreate_button.setFlat(True)
        self.recreate_button.setStyleSheet("text-decoration: underline; text-align: left;")
        self.recreate_button.clicked.connect(self.recreate_demo)
        self.demo_hint = _hint("")
        self.new_button = QPushButton(tr("&Nuovo bando dal modello di Milano…"))
        self.new_button.clicked.connect(self.new_bando)
        self.open_button = QPushButton(tr("Apri un fi&le…"))
        self.open_button.clicked.connect(self.choose_file_requested)
        self.package_button = QPushButton(tr("Apri un &pacchetto di valutazione…"))
        self.package_button.clicked.connect(self.choose_package_requested)
        self.server_button = QPushButton(tr("Server della co&mmissione…"))
        self.server_button.clicked.connect(self.choose_server_requested)
        start = QGridLayout()
        start.setColumnStretch(1, 1)
        start.setHorizontalSpacing(14)
        start.setVerticalSpacing(10)
        rows = (
            (self.demo_button, self.demo_hint),
            (self.new_button, _hint(tr("Per il presidente: la griglia e le regole del bando, poi la commissione."))),
            (self.open_button, _hint(tr("Un file di valutazione (.valutazione) già esistente."))),
            (self.package_button, _hint(tr("Per i commissari: il file .valpkg ricevuto dal presidente."))),
            (self.server_button, _hint(tr("La commissione su un server PostgreSQL dell'ente."))),
        )
        for line, (button, hint) in enumerate(rows):
            button.setMinimumHeight(34)
            start.addWidget(button, line + (line > 0), 0)
            start.addWidget(hint, line + (line > 0), 1)
        start.addWidget(self.recreate_button, 1, 1, alignment=Qt.AlignmentFlag.AlignLeft)  # under the demo's hint

        self.recent = QListWidget()
        self.recent.setMinimumWidth(360)
        self.recent.itemActivated.connect(self._open_recent)
        recent_label = _heading(tr("File &recenti"))
        recent_label.setBuddy(self.recent)
        recent_box = QVBoxLayout()
        recent_box.addWidget(recent_label)
        recent_box.addWidget(self.recent, 1)

        start_box = QVBoxLayout()
        start_box.addWidget(_heading(tr("Per iniziare")))
        start_box.addLayout(start)
        start_box.addStretch(1)
        columns = QHBoxLayout()
        columns.addLayout(start_box, 3)
        columns.addSpacing(32)
        columns.addLayout(recent_box, 2)
        panel = QFrame()
        panel.setMaximumWidth(1100)
        inner = QVBoxLayout(panel)
        inner.addLayout(header)
        inner.addSpacing(24)
        inner.addLayout(columns)
        centred = QHBoxLayout()
        centred.addStretch(1)
        centred.addWidget(panel, 20)  # as wide as the window allows, up to the panel's maximum
        centred.addStretch(1)
        outer = QVBoxLayout(self)
        outer.addStretch(1)
        outer.addLayout(centred)
        outer.addStretch(2)
        self.refresh()

    def showEvent(self, event: QShowEvent) -> None:
        """The recent files and the demo's state may have changed while a file was open."""
        self.refresh()
        self.demo_button.setFocus()
        super().showEvent(event)

    def refresh(self) -> None:
        exists = demo_path().exists()
        self.demo_hint.setText(
            tr("Riapre la copia di prova, con le modifiche già fatte.")
            if exists
            else tr("Una copia di prova con domande e commissione di esempio, da usare liberamente.")
        )
        self.recreate_button.setVisible(exists)
        self.recent.clear()
        for f in settings.recent_files():
            path = Path(f)
            item = QListWidgetItem(f"{path.name}\n    {path.parent}")
            item.setToolTip(f)
            item.setData(Qt.ItemDataRole.UserRole, f)
            self.recent.addItem(item)
        if not self.recent.count():
            empty = QListWidgetItem(tr("Nessun file aperto di recente."))
            empty.setFlags(Qt.ItemFlag.NoItemFlags)
            self.recent.addItem(empty)
        else:
            self.recent.setCurrentRow(0)

    def _open_recent(self, item: QListWidgetItem) -> None:
        path = item.data(Qt.ItemDataRole.UserRole)
        if path:
            self.host().open_file(Path(path))

    def open_demo(self) -> bool:
        """Builds the demo copy at first use (a few seconds), then opens it like any file."""
        path = demo_path()
        if not path.exists() and not self._build_demo(path):
            return False
        return self.host().open_file(path)

    def recreate_demo(self) -> bool:
        path = demo_path()
        if not dialogs.confirm(
            self,
            tr("Bando dimostrativo"),
            tr("Ricreare il bando dimostrativo da capo? Le modifiche fatte nella copia di prova andranno perse."),
            yes=tr("Ricrea"),
        ):
            return False
        path.unlink(missing_ok=True)
        remove_sidecars(path)
        return self.open_demo()

    def _build_demo(self, path: Path) -> bool:
        from valutazione.demo import build_demo

        path.parent.mkdir(parents=True, exist_ok=True)
        self.host().show_message(tr("Preparazione del bando dimostrativo…"))
        QApplication.setOverrideCursor(Qt.CursorShape.WaitCursor)
        try:
            build_demo(path)
        except (ValutazioneError, OSError) as exc:
            dialogs.error(self, tr("Bando dimostrativo"), str(exc))
            return False
        finally:
            QApplication.restoreOverrideCursor()
            self.host().show_message("")
        return True

    def new_bando(self) -> None:
        """The chair's guided wizard: the call's rules and grid, then the committee."""
        from ui.chair.bando_wizard import BandoWizard

        wizard = BandoWizard(self.window())
        if wizard.exec() and wizard.database is not None:
            self.host().set_database(wizard.database)
        wizard.deleteLater()


def _heading(text: str) -> QLabel:
    label = QLabel(text)
    label.setStyleSheet("font-size: 13pt; font-weight: bold;")
    return label


def _hint(text: str) -> QLabel:
    label = QLabel(text)
    label.setWordWrap(True)
    return label
