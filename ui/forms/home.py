"""The home page of whoever entered: where the procedure stands and what to do next, by role.

Everything shown comes from one service call (``valutazione.services.home.home``), read again each
time the page is shown or the data change. Each line is a button: it emits ``go(place)`` and the
window opens the screen (or the menu action) where that step is done.
"""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QGroupBox, QLabel, QPushButton, QScrollArea, QVBoxLayout, QWidget

from ui.user import User
from valutazione.db import Database
from valutazione.services import home


class HomePage(QScrollArea):
    """Sections of steps as link-like buttons; ``go(place)`` names a ``valutazione.services.home`` place."""

    go = Signal(str)

    def __init__(self, db: Database, user: User, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.db, self.user = db, user
        self.setWidgetResizable(True)
        self.setFrameShape(QScrollArea.Shape.NoFrame)
        self.buttons: list[QPushButton] = []
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
        layout.addStretch(1)
        self.setWidget(body)

    def button(self, starts_with: str) -> QPushButton:
        """The step whose text starts with ``starts_with`` (tests and keyboard users look it up by text)."""
        return next(b for b in self.buttons if b.text().split("  ", 1)[1].startswith(starts_with))
