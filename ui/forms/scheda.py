"""The scoring form (*scheda di valutazione*): one member, one application.

The form holds no rule: points, subtotals and thresholds come from the ranking engine run on this
member's marks alone, the list of what is missing from ``sheets.missing_marks``, and every write goes
through ``sheets.save_draft`` / ``sheets.submit``, whose RuleViolation messages the form shows.
Drafts are saved on every change (debounced), when a field loses focus and when the form is left, so
a crash loses at most the last second of typing.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

from PySide6.QtCore import QEvent, QObject, Qt, QTimer, Signal
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import QHBoxLayout, QLabel, QPushButton, QTabWidget, QVBoxLayout, QWidget

from ui import dialogs
from ui.forms.scheda_inputs import CoefficientCombo, set_editor_value
from ui.forms.scheda_page import CriterionPage, SubRow, limit_text
from ui.user import User
from valutazione.bando import Bando
from valutazione.db import Database
from valutazione.errors import ValutazioneError
from valutazione.money import format_decimal_it
from valutazione.ranking import Candidate, build_ranking
from valutazione.ranking.records import TOTAL
from valutazione.services import sheets

AUTOSAVE_MS = 1000
ROME = ZoneInfo("Europe/Rome")
OK_STYLE = "color: #1b5e20; font-weight: bold;"
KO_STYLE = "color: #b71c1c; font-weight: bold;"


def points_text(value: Decimal) -> str:
    return format_decimal_it(value, 2)


@dataclass(frozen=True)
class SheetTotals:
    """This member's own points: per sub-criterion, per criterion, total, and thresholds not met."""

    points: dict[str, Decimal]
    criteria: dict[str, Decimal]
    total: Decimal
    failures: frozenset[str]


def missing_text(missing: list[str]) -> str:
    """``["A.1: valore mancante", "A.2: valore mancante"]`` → ``valore mancante: A.1, A.2`` (one line, not nine)."""
    by_kind: dict[str, list[str]] = {}
    for item in missing:
        code, _, kind = item.partition(": ")
        by_kind.setdefault(kind, []).append(code)
    return "; ".join(f"{kind}: {', '.join(codes)}" for kind, codes in by_kind.items())


def sheet_totals(bando: Bando, marks: dict[str, Decimal]) -> SheetTotals:
    """The ranking engine on one candidate scored by this member alone: the same rules as the collegium."""
    me = "_"
    candidate = Candidate("_", "", "", "", datetime.now(UTC), 0, marks={me: marks}, expected_scorers=1)
    row = build_ranking(bando, [candidate]).row("_")
    return SheetTotals(
        points={s.code: s.points for s in row.subscores},
        criteria=dict(row.criteria_raw),
        total=row.total_raw,
        failures=frozenset(f.code for f in row.threshold_failures),
    )


class SchedaForm(QWidget):
    """Scores one application; ``saved`` is emitted after each write so the other views refresh."""

    saved = Signal()

    def __init__(self, db: Database, user: User, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.db, self.user = db, user
        self.bando = db.bando()
        self.domanda_id: int | None = None
        self.protocol = ""
        self.state = sheets.DRAFT
        self.dirty = False
        self.last_error = ""
        self._loading = False
        self.timer = QTimer(self, singleShot=True, interval=AUTOSAVE_MS)
        self.timer.timeout.connect(self.save)

        self.state_label = QLabel()
        self.state_label.setWordWrap(True)
        self.total_label = QLabel()
        self.total_label.setWordWrap(True)  # in a half-screen window it wraps instead of losing its end
        self.missing_label = QLabel()
        self.missing_label.setWordWrap(True)
        self.missing_label.setStyleSheet("color: #8a4b00;")
        self.submit_button = QPushButton(self.tr("Invia valutazione"))
        self.submit_button.clicked.connect(self.submit)

        self.criteria = QTabWidget()
        self.criteria.setDocumentMode(True)
        self.pages: list[CriterionPage] = []
        self.rows: list[SubRow] = []
        self.criterion_labels: dict[str, QLabel] = {}
        for criterion in self.bando.criteria:
            page = CriterionPage(self, self.bando, criterion)
            self.pages.append(page)
            self.rows.extend(page.rows)
            self.criterion_labels[criterion.code] = page.subtotal
            self.criteria.addTab(page, criterion.code)
        for row in self.rows:
            self._wire(row)

        head = QVBoxLayout()
        head.addWidget(self.state_label)
        footer = QHBoxLayout()
        footer.addWidget(self.total_label, 1)
        footer.addWidget(self.submit_button)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addLayout(head)
        layout.addWidget(self.criteria, 1)
        layout.addWidget(self.missing_label)
        layout.addLayout(footer)

    # -- loading -------------------------------------------------------------------------------------

    def load(self, domanda_id: int, protocol: str) -> None:
        """Shows the member's own sheet on an application (the services refuse if they may not see it)."""
        self.flush()
        with self.db.sessions() as s:
            view = sheets.own_sheet(s, self.user.id, domanda_id)
        self.domanda_id, self.protocol = domanda_id, protocol
        self._loading = True
        try:
            for row in self.rows:
                mark = view.mark(row.sub.code)
                set_editor_value(row.editor, mark.value if mark else None)
                row.motivazione.setPlainText(mark.motivazione if mark else "")
        finally:
            self._loading = False
        self.dirty = False
        self.last_error = ""
        self.state = view.state
        self._show_state(view.submitted_at, None)
        self._refresh()
        self.criteria.setCurrentIndex(0)
        for page in self.pages:
            page.verticalScrollBar().setValue(0)

    def _wire(self, row: SubRow) -> None:
        if row.pairwise:
            row.editor.setEnabled(False)
            row.motivazione.setEnabled(False)
            row.points.setText(self.tr("confronto a coppie"))
            return
        if isinstance(row.editor, CoefficientCombo):
            row.editor.currentIndexChanged.connect(self.on_changed)
        else:
            row.editor.valueChanged.connect(self.on_changed)
        row.motivazione.textChanged.connect(self.on_changed)
        row.editor.installEventFilter(self)
        row.motivazione.installEventFilter(self)

    def row(self, sub_code: str) -> SubRow:
        """The sub-criterion's widgets, its criterion's page brought to the front (as a member would)."""
        found = next(r for r in self.rows if r.sub.code == sub_code)
        self.show_criterion(self.bando.criterion_of(sub_code).code)
        return found

    def show_criterion(self, code: str) -> None:
        index = next(i for i, page in enumerate(self.pages) if page.criterion.code == code)
        self.criteria.setCurrentIndex(index)

    @property
    def locked(self) -> bool:
        return self.state == sheets.SUBMITTED

    # -- editing and autosave -------------------------------------------------------------------------

    def on_changed(self) -> None:
        if self._loading or self.locked:
            return
        self.dirty = True
        self.timer.start()
        self._refresh()

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() == QEvent.Type.FocusOut and self.dirty:
            self.save()
        if event.type() == QEvent.Type.KeyPress and self._tab_to_next_criterion(watched, event):
            return True
        return super().eventFilter(watched, event)

    def _tab_to_next_criterion(self, watched: QObject, event: QEvent) -> bool:
        """Tab from a criterion's last justification opens the next criterion at its first mark."""
        if not isinstance(event, QKeyEvent) or event.key() != Qt.Key.Key_Tab or event.modifiers():
            return False
        index = self.criteria.currentIndex()
        page = self.pages[index]
        if not page.rows or watched is not page.rows[-1].motivazione or index + 1 >= len(self.pages):
            return False
        self.criteria.setCurrentIndex(index + 1)
        self.pages[index + 1].rows[0].editor.setFocus(Qt.FocusReason.TabFocusReason)
        return True

    def marks(self) -> dict[str, sheets.Mark]:
        return {r.sub.code: r.mark() for r in self.rows if not r.pairwise}

    def save(self) -> bool:
        """Writes the draft now (the autosave path); False, with the reason shown, when refused."""
        self.timer.stop()
        if not self.dirty or self.domanda_id is None or self.locked:
            return True
        try:
            with self.db.sessions.begin() as s:
                sheets.save_draft(s, self.user.id, self.domanda_id, self.marks())
        except ValutazioneError as exc:
            self.last_error = str(exc)
            self._show_state(None, self.last_error)
            return False
        self.dirty = False
        self.last_error = ""
        self._show_state(None, None, saved_now=True)
        self.saved.emit()
        return True

    def flush(self) -> None:
        """Saves pending typing before the form shows something else or closes."""
        if self.dirty:
            self.save()

    # -- submission ----------------------------------------------------------------------------------

    def submit(self) -> None:
        if self.domanda_id is None or self.locked or not self.save():
            return
        missing = sheets.missing_marks(self.bando, self.marks())
        if missing:  # checked before asking for confirmation: no "Inviare?" on a sheet that cannot go
            dialogs.error(
                self, self.tr("Invia valutazione"), self.tr("Scheda incompleta: {}").format("; ".join(missing))
            )
            return
        if not dialogs.confirm(
            self,
            self.tr("Invia valutazione"),
            self.tr(
                "Inviare la valutazione della domanda {}?\n\nDopo l'invio la scheda è bloccata: potrà "
                "essere modificata solo se il presidente la riapre."
            ).format(self.protocol),
            yes=self.tr("Invia"),
        ):
            return
        try:
            with self.db.sessions.begin() as s:
                sheets.submit(s, self.user.id, self.domanda_id)
        except ValutazioneError as exc:
            dialogs.error(self, self.tr("Invia valutazione"), str(exc))
            return
        self.saved.emit()
        self.load(self.domanda_id, self.protocol)

    # -- what the member sees -------------------------------------------------------------------------

    def _show_state(self, submitted_at: datetime | None, error: str | None, *, saved_now: bool = False) -> None:
        if error:
            self.state_label.setText(self.tr("⚠ Bozza NON salvata: {}").format(error))
            self.state_label.setStyleSheet(KO_STYLE)
        elif self.locked:
            when = submitted_at.astimezone(ROME).strftime("%d/%m/%Y alle %H:%M") if submitted_at else ""
            self.state_label.setText(
                self.tr(
                    "Valutazione inviata il {}. La scheda è bloccata: può essere "
                    "modificata solo dopo una riapertura del presidente."
                ).format(when)
            )
            self.state_label.setStyleSheet("color: #0d47a1; font-weight: bold;")
        elif saved_now:
            now = datetime.now(ROME).strftime("%H:%M:%S")
            self.state_label.setText(self.tr("Bozza — salvata automaticamente alle {}").format(now))
            self.state_label.setStyleSheet("")
        else:
            self.state_label.setText(self.tr("Bozza — le modifiche sono salvate automaticamente"))
            self.state_label.setStyleSheet("")
        for row in self.rows:
            if not row.pairwise:
                row.editor.setEnabled(not self.locked)
                row.motivazione.setReadOnly(self.locked)
        self.submit_button.setEnabled(not self.locked)

    def _refresh(self) -> None:
        """Recomputes points, subtotals, thresholds and the missing list from what is on screen."""
        marks = self.marks()
        values = {code: m.value for code, m in marks.items() if m.value is not None}
        try:
            totals = sheet_totals(self.bando, values)
        except ValutazioneError as exc:
            self.total_label.setText(str(exc))
            return
        for row in self.rows:
            if not row.pairwise:
                given = row.sub.code in values
                row.points.setText(
                    self.tr("= {} punti").format(points_text(totals.points[row.sub.code]))
                    if given
                    else self.tr("= — punti")
                )
        for criterion in self.bando.criteria:
            label = self.criterion_labels[criterion.code]
            text = self.tr("Subtotale {}: {} su {}").format(
                criterion.code, points_text(totals.criteria[criterion.code]), limit_text(criterion.maximum)
            )
            started = any(self.bando.criterion_of(code).code == criterion.code for code in values)
            if criterion.threshold is not None and not started:  # nothing typed yet: no verdict, no red
                text += "  —  " + self.tr("soglia {}").format(limit_text(criterion.threshold))
                label.setStyleSheet("")
            elif criterion.threshold is not None:
                met = criterion.code not in totals.failures
                text += "  —  " + (
                    self.tr("soglia {} raggiunta") if met else self.tr("soglia {} non raggiunta")
                ).format(limit_text(criterion.threshold))
                label.setStyleSheet(OK_STYLE if met else KO_STYLE)
            label.setText(text)
        text = self.tr("Totale: {} su {}").format(points_text(totals.total), limit_text(self.bando.max_total))
        if self.bando.total_threshold is not None and not values:  # an untouched sheet is not "below threshold"
            text += "  —  " + self.tr("soglia {}").format(limit_text(self.bando.total_threshold))
            self.total_label.setStyleSheet("font-size: 13pt;")
        elif self.bando.total_threshold is not None:
            met = TOTAL not in totals.failures
            text += "  —  " + (self.tr("soglia {} raggiunta") if met else self.tr("soglia {} non raggiunta")).format(
                limit_text(self.bando.total_threshold)
            )
            self.total_label.setStyleSheet("font-size: 13pt; " + (OK_STYLE if met else KO_STYLE))
        self.total_label.setText(text)
        missing = sheets.missing_marks(self.bando, marks)
        self._title_pages(totals, missing)
        if self.locked or not missing:
            self.missing_label.setText("" if self.locked else self.tr("La scheda è completa: può essere inviata."))
        else:
            self.missing_label.setText(self.tr("Da completare prima dell'invio: {}").format(missing_text(missing)))
        self.submit_button.setEnabled(not self.locked and not missing)  # the completeness check comes first

    def _title_pages(self, totals: SheetTotals, missing: list[str]) -> None:
        """Each criterion's tab shows its points and a tick once all its sub-criteria are filled in."""
        incomplete = {item.split(":", 1)[0] for item in missing}
        for i, page in enumerate(self.pages):
            code = page.criterion.code
            done = not any(row.sub.code in incomplete for row in page.rows)
            self.criteria.setTabText(
                i,
                f"{code}  {points_text(totals.criteria[code])}/{limit_text(page.criterion.maximum)}"
                + ("  ✓" if done else ""),
            )
