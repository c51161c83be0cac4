"""The evaluation screen: one application's detail next to the member's scoring form.

Before anything is shown the member declares, for this application, a conflict of interest or none;
in conflict, the application stays hidden (the services refuse to show it, this screen says why).
Previous / next walk the applications in the order of the list, without leaving the form.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import QHBoxLayout, QLabel, QPushButton, QSplitter, QStackedWidget, QVBoxLayout, QWidget

from ui.forms.declaration import ConflictPanel
from ui.forms.detail import DetailWidget, load_detail
from ui.forms.scheda import SchedaForm
from ui.models.domande import DomandaRow
from ui.user import User
from valutazione.db import Database
from valutazione.errors import ValutazioneError
from valutazione.services import committee, conflicts, domande


class EvaluationView(QWidget):
    """``order`` gives the applications in the list's current order, for previous / next."""

    changed = Signal()

    def __init__(
        self, db: Database, user: User, order: Callable[[], Sequence[DomandaRow]], parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.db, self.user, self.order = db, user, order
        self.current: DomandaRow | None = None

        self.heading = QLabel(self.tr("Scegliere una domanda dall'elenco."))
        self.heading.setStyleSheet("font-size: 13pt; font-weight: bold;")
        self.heading.setWordWrap(True)
        self.heading.setTextFormat(Qt.TextFormat.PlainText)  # title and applicant come from the imported file
        self.prev_button = QPushButton(self.tr("◀ Precedente"))
        self.prev_button.setToolTip(self.tr("Domanda precedente (Ctrl+PgSu)"))
        self.next_button = QPushButton(self.tr("Successiva ▶"))
        self.next_button.setToolTip(self.tr("Domanda successiva (Ctrl+PgGiù)"))
        self.prev_button.clicked.connect(lambda: self.step(-1))
        self.next_button.clicked.connect(lambda: self.step(1))
        for keys, delta in (("Ctrl+PgUp", -1), ("Ctrl+PgDown", 1)):
            QShortcut(
                QKeySequence(keys),
                self,
                lambda d=delta: self.step(d),
                context=Qt.ShortcutContext.WidgetWithChildrenShortcut,
            )

        self.message = QLabel(alignment=Qt.AlignmentFlag.AlignCenter, wordWrap=True)
        self.message.setStyleSheet("font-size: 12pt;")
        self.conflict = ConflictPanel()
        self.conflict.declared.connect(self._on_conflict_declared)
        self.detail = DetailWidget()
        self.scheda = SchedaForm(db, user) if user.scores else None
        self.splitter = QSplitter(Qt.Orientation.Horizontal)
        self.splitter.setChildrenCollapsible(False)
        self.splitter.addWidget(self.detail)
        self.scheda_notice = QLabel(alignment=Qt.AlignmentFlag.AlignCenter, wordWrap=True)
        self.scheda_notice.setStyleSheet("font-size: 12pt;")
        self.right = QStackedWidget()
        if self.scheda is not None:
            self.scheda.saved.connect(self.changed)
            self.right.addWidget(self.scheda)
            self.right.addWidget(self.scheda_notice)
            self.splitter.addWidget(self.right)
            self.splitter.setSizes([640, 700])
        self.pages = QStackedWidget()
        for page in (self.message, self.conflict, self.splitter):
            self.pages.addWidget(page)
        self.pages.setCurrentWidget(self.message)

        top = QHBoxLayout()
        top.addWidget(self.heading, 1)
        top.addWidget(self.prev_button)
        top.addWidget(self.next_button)
        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(self.pages, 1)
        self._update_buttons()

    def open(self, row: DomandaRow) -> None:
        if self.scheda is not None:
            self.scheda.flush()
        self.current = row
        self.heading.setText(f"{row.protocol} — {row.title}  ({row.applicant})")
        self._update_buttons()
        if self.user.scores:
            with self.db.sessions() as s:
                declared = domande.has_declared(s, self.user.id, row.id)
            if not declared:
                self.conflict.load(self.db, self.user, row.id, row.protocol, row.applicant, row.title)
                self.pages.setCurrentWidget(self.conflict)
                return
        self._show_application(row)

    def _show_application(self, row: DomandaRow) -> None:
        try:
            with self.db.sessions() as s:
                committee.require_declared(s, self.user.id)
                if self.user.scores:
                    conflicts.require_not_in_conflict(s, self.user.id, row.id)
                detail = load_detail(s, row.id)
        except ValutazioneError as exc:
            self._say(str(exc))
            return
        self.detail.load(self.db, detail)
        if self.scheda is not None:
            try:
                self.scheda.load(row.id, row.protocol)
                self.right.setCurrentWidget(self.scheda)
            except ValutazioneError as exc:  # e.g. excluded after the list was read: the service says why
                self.scheda_notice.setText(str(exc))
                self.right.setCurrentWidget(self.scheda_notice)
        self.pages.setCurrentWidget(self.splitter)

    def _say(self, text: str) -> None:
        self.message.setText(text)
        self.pages.setCurrentWidget(self.message)

    def _on_conflict_declared(self, has_conflict: bool) -> None:
        self.changed.emit()
        if self.current is not None:
            self._show_application(self.current)

    def step(self, delta: int) -> None:
        rows = list(self.order())
        if self.current is None or not rows:
            return
        ids = [r.id for r in rows]
        index = ids.index(self.current.id) if self.current.id in ids else -1
        target = index + delta
        if 0 <= target < len(rows):
            self.open(rows[target])

    def _update_buttons(self) -> None:
        rows = list(self.order())
        ids = [r.id for r in rows]
        index = ids.index(self.current.id) if self.current is not None and self.current.id in ids else -1
        self.prev_button.setEnabled(index > 0)
        self.next_button.setEnabled(0 <= index < len(rows) - 1)

    def refresh_buttons(self) -> None:
        self._update_buttons()

    def flush(self) -> None:
        if self.scheda is not None:
            self.scheda.flush()
