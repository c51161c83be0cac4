"""The home page of whoever entered: where the procedure stands and what to do next, by role.

Everything shown comes from one service call (``valutazione.services.home.home``), read again each
time the page is shown or the data change. Each line is a button: it emits ``go(place)`` and the
window opens the screen (or the menu action) where that step is done. A scoring member may also send
every complete draft at once here, after one confirmation (what ``valutazione sheets submit-all`` does).
"""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QGroupBox, QLabel, QPushButton, QScrollArea, QVBoxLayout, QWidget

from ui import dialogs
from ui.user import User
from valutazione.db import Database
from valutazione.errors import ValutazioneError
from valutazione.services import home, sheets


class HomePage(QScrollArea):
    """Sections of steps as link-like buttons; ``go(place)`` names a ``valutazione.services.home`` place."""

    go = Signal(str)
    changed = Signal()

    def __init__(self, db: Database, user: User, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.db, self.user = db, user
        self.setWidgetResizable(True)
        self.setFrameShape(QScrollArea.Shape.NoFrame)
        self.buttons: list[QPushButton] = []
        self.read_only = db.read_only
        self.sent: tuple[str, ...] = ()  # the protocols of the last «invia tutte»
        self.record: home.Home | None = None
        self.reload()

    def reload(self) -> None:
        with self.db.sessions() as s:
            self.record = record = home.home(s, self.user.id)
        body = QWidget()
        layout = QVBoxLayout(body)
        title = QLabel(self.tr("{name} — {role}").format(name=self.user.name, role=self.user.role_label))
        title.setStyleSheet("font-size: 15pt; font-weight: bold;")
        self.headline = QLabel(record.headline)
        self.headline.setWordWrap(True)
        self.headline.setStyleSheet("font-size: 11pt;")
        layout.addWidget(title)
        layout.addWidget(self.headline)
        self.buttons = []
        for section in record.sections:
            box = QGroupBox(section.title)
            inner = QVBoxLayout(box)
            for step in section.steps:
                mark = "✓" if step.done else "→"
                button = QPushButton(f"{mark}  {step.text}")
                button.setFlat(True)
                button.setStyleSheet("text-align: left; padding: 4px;" + ("" if step.done else " font-weight: bold;"))
                button.setToolTip(self.tr("Aprire la schermata in cui si svolge questo passo"))
                button.clicked.connect(lambda _checked=False, place=step.place: self.go.emit(place))
                inner.addWidget(button)
                self.buttons.append(button)
            layout.addWidget(box)
        self.submit_all_button: QPushButton | None = None
        if self.user.scores and not self.read_only:
            with self.db.sessions() as s:
                ready = home.complete_drafts(s, self.user.id)
            self.submit_all_button = QPushButton(
                self.tr("Inviare tutte le schede complete ({n})…").format(n=len(ready))
            )
            self.submit_all_button.setEnabled(bool(ready))
            self.submit_all_button.clicked.connect(self.submit_all)
            layout.addWidget(self.submit_all_button, alignment=Qt.AlignmentFlag.AlignLeft)
        layout.addStretch(1)
        self.setWidget(body)

    def submit_all(self) -> None:
        """One confirmation listing the protocols, then every complete draft is submitted in one transaction."""
        with self.db.sessions() as s:
            ready = home.complete_drafts(s, self.user.id)
        if not ready:
            return
        shown = ", ".join(ready[:12]) + (self.tr(" e altre {n}").format(n=len(ready) - 12) if len(ready) > 12 else "")
        question = self.tr(
            "Inviare {n} schede complete ({list})? Una scheda inviata non si modifica più, salvo riapertura "
            "motivata del presidente."
        ).format(n=len(ready), list=shown)
        if not dialogs.confirm(self, self.tr("Invio delle schede"), question, yes=self.tr("Invia")):
            return
        try:
            with self.db.sessions.begin() as s:
                sent = sheets.submit_all_complete(s, self.user.id)
        except ValutazioneError as exc:
            dialogs.error(self, self.tr("Invio delle schede"), str(exc))
            return
        self.reload()
        self.sent = tuple(sent)
        self.changed.emit()

    def button(self, starts_with: str) -> QPushButton:
        """The step whose text starts with ``starts_with`` (tests and keyboard users look it up by text)."""
        return next(b for b in self.buttons if b.text().split("  ", 1)[1].startswith(starts_with))
