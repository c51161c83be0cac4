"""The ranking view: the computed graduatoria, its funding line and budget, ties, approvals, sliding.

Every decision goes through ``valutazione.services.ranking``: the service refuses a final ranking
while a tie is open, a sheet is missing or the quorum is not met, and lists why; this view shows those
reasons above the buttons so the chair knows what to fix before pressing them.

The ranking is computed in a background worker (seconds at thousands of applications): the table
says "Calcolo della graduatoria…" meanwhile and the window stays responsive. After every approval a
backup of the file is taken, the moment after which losing it would cost a session's work.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, Protocol

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QListWidget,
    QProgressBar,
    QPushButton,
    QSplitter,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from ui import dialogs, workers
from ui.chair.common import (
    ERROR_COLOUR,
    StatusLine,
    actor_name,
    day_it,
    euro,
    reading_button,
    run_action,
    tr,
)
from ui.chair.ranking_lots import LotControls
from ui.chair.ranking_model import FundingLineDelegate, RankingModel, VersionInfo, VersionsModel
from ui.host import Desk
from ui.layout_memory import remember_splitter
from ui.models.filter_bar import SearchableTable
from valutazione.backups import take_backup
from valutazione.errors import ValutazioneError
from valutazione.ranking.records import TieGroup
from valutazione.services import lookup
from valutazione.services import ranking as service
from valutazione.services import sedute as sedute_service


class DrawDialog(QDialog):
    """Records the order drawn in public for one tied group: drag or move the protocols into order."""

    def __init__(self, tie: TieGroup, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(tr("Sorteggio pubblico"))
        self.order = QListWidget()
        self.order.addItems(list(tie.protocols))
        self.order.setDragDropMode(QAbstractItemView.DragDropMode.InternalMove)
        self.order.setCurrentRow(0)
        up, down = reading_button(QPushButton(tr("Su"))), reading_button(QPushButton(tr("Giù")))
        up.clicked.connect(lambda: self.move(-1))
        down.clicked.connect(lambda: self.move(1))
        self.note = QLineEdit()
        self.note.setPlaceholderText(tr("es. sorteggio in seduta pubblica n. 3, alla presenza di…"))
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        buttons.button(QDialogButtonBox.StandardButton.Ok).setText(tr("Registra il sorteggio"))
        buttons.button(QDialogButtonBox.StandardButton.Cancel).setText(tr("Annulla"))
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        moves = QHBoxLayout()
        moves.addWidget(up)
        moves.addWidget(down)
        moves.addStretch(1)
        layout = QVBoxLayout(self)
        layout.addWidget(QLabel(tr("Ordine estratto (il primo precede in graduatoria):")))
        layout.addWidget(self.order)
        layout.addLayout(moves)
        layout.addWidget(QLabel(tr("Nota per il verbale:")))
        layout.addWidget(self.note)
        layout.addWidget(buttons)

    def move(self, step: int) -> None:  # type: ignore[override]  # the draw's reorder, not QWidget.move
        row = self.order.currentRow()
        target = row + step
        if 0 <= row < self.order.count() and 0 <= target < self.order.count():
            item = self.order.takeItem(row)
            self.order.insertItem(target, item)
            self.order.setCurrentRow(target)

    def protocols(self) -> list[str]:
        return [self.order.item(i).text() for i in range(self.order.count())]


class _ApprovedVersion(Protocol):
    """What ``version_info`` reads of the service's approved version (the ORM row stays in the service)."""

    @property
    def version(self) -> int: ...
    @property
    def state(self) -> str: ...
    @property
    def approved_at(self) -> datetime: ...
    @property
    def approved_by(self) -> str: ...
    @property
    def reason(self) -> str: ...
    @property
    def fingerprint(self) -> str: ...


def version_info(v: _ApprovedVersion) -> VersionInfo:
    """An approved version as a frozen record, made inside the session that read or wrote it."""
    return VersionInfo(v.version, v.state, v.approved_at, v.approved_by, v.reason, v.fingerprint)


def load_ranking(
    s: Any, _progress: Any = None, _cancelled: Any = None
) -> tuple[Any, Any, list[VersionInfo], list[tuple[int, str]], str]:
    """Everything the view shows, read in one session (the worker's): frozen results only leave it.

    The fingerprint is hashed here too, off the GUI thread, to say which approved version is on screen.
    """
    computed = service.compute(s)
    versions = [version_info(v) for v in service.versions(s)]
    sedute = [(x.id, f"n. {x.number} del {day_it(x.day)}") for x in sedute_service.list_sedute(s)]
    return computed, lookup.rules(s), versions, sedute, computed.fingerprint()


def shown_version(fingerprint: str, versions: list[VersionInfo]) -> str:
    """Which version the table is: the last approved one when the computation matches it, else none.

    Why: the table is always recomputed from the file; after a renunciation or a new draw it may differ
    from every approved version, and the chair must not take a calculation for an approved ranking.
    """
    if versions and versions[-1].fingerprint == fingerprint:
        v = versions[-1]
        how = tr("in via definitiva") if v.state == service.FINAL else tr("in via provvisoria")
        return tr("Versione {n} — approvata {how} il {at} da {who}").format(
            n=v.version, how=how, at=day_it(v.approved_at), who=v.approved_by
        )
    if versions:
        return tr("Calcolo provvisorio, non approvato (diverso dalla versione {n}, l'ultima approvata)").format(
            n=versions[-1].version
        )
    return tr("Calcolo provvisorio, non approvato")


def approval_closed(versions: list[VersionInfo]) -> str:
    """Why the approve buttons are off: the last version is definitive (only a slide can follow it)."""
    if versions and versions[-1].state == service.FINAL:
        return tr(
            "La graduatoria è già approvata in via definitiva (versione {n}): per cambiarla si registra "
            "una rinuncia e si approva lo scorrimento."
        ).format(n=versions[-1].version)
    return ""


class RankingPanel(QWidget):
    """``loaded`` is emitted each time a computed ranking reaches the table (tests wait for it)."""

    loaded = Signal()

    def __init__(self, host: Desk) -> None:
        super().__init__()
        self._sedute: list[int | None] = [None]  # the sessions offered, by position in the combo box
        self.host = host
        self.job: workers.Job | None = None
        self._again = False
        self.model = RankingModel(self)
        self.view = SearchableTable(
            self.model, "domande", tr("Cerca per protocollo, denominazione o esito (Ctrl+F)"), key="graduatoria/domande"
        )
        self.table = self.view.table
        self.table.setItemDelegate(FundingLineDelegate(self.table))
        self.table.verticalHeader().setDefaultSectionSize(24)
        self.budget = QProgressBar()
        self.budget.setTextVisible(True)
        self.legend = QLabel(tr("Linea rossa: ultima domanda finanziata. Passare sopra i punteggi per il calcolo."))
        self.lots = LotControls(self.view, self.model, self.legend)  # hidden on a call without lots
        self.blockers = QLabel()
        self.blockers.setWordWrap(True)
        self.blockers.setStyleSheet(f"color: {ERROR_COLOUR};")
        self.draw_button = QPushButton(tr("Registra sorteggio…"))
        self.draw_button.clicked.connect(self.record_draw)
        self.reason = QLineEdit()
        self.reason.setPlaceholderText(tr("motivo / note dell'approvazione o dello scorrimento"))
        self.seduta = QComboBox()
        self.seduta.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToContents)
        self.seduta.setMinimumContentsLength(len("n. 10 del 28/11/2026"))
        self.on_screen = QLabel(tr("Calcolo della graduatoria…"))
        self.on_screen.setWordWrap(True)
        self.on_screen.setStyleSheet("font-weight: bold;")
        self.provisional = QPushButton(tr("Approva graduatoria provvisoria"))
        self.final = QPushButton(tr("Approva graduatoria definitiva"))
        self.renounce_button = QPushButton(tr("Registra rinuncia…"))
        self.slide_button = QPushButton(tr("Scorrimento"))
        self.provisional.clicked.connect(lambda: self.approve(service.PROVISIONAL))
        self.final.clicked.connect(lambda: self.approve(service.FINAL))
        self.renounce_button.clicked.connect(self.renounce)
        self.slide_button.clicked.connect(self.slide)
        actions = QHBoxLayout()
        for w in (self.draw_button, self.provisional, self.final, self.renounce_button, self.slide_button):
            actions.addWidget(w)
        params = QHBoxLayout()
        params.addWidget(QLabel(tr("Seduta:")))
        params.addWidget(self.seduta)
        params.addWidget(QLabel(tr("Motivo:")))
        params.addWidget(self.reason, 1)

        self.versions = VersionsModel(parent=self)
        versions_view = SearchableTable(self.versions, "versioni", key="graduatoria/versioni")
        self.versions_view = versions_view.table
        self.versions_view.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        self.versions_view.horizontalHeader().setStretchLastSection(True)
        rows_shown = 4  # room for the provisional, the final and a slide or two without scrolling
        self.versions_view.setMinimumHeight(
            self.versions_view.horizontalHeader().sizeHint().height()
            + rows_shown * self.versions_view.verticalHeader().defaultSectionSize()
            + 2 * self.versions_view.frameWidth()
        )
        versions_box = QGroupBox(tr("Versioni approvate"))
        QVBoxLayout(versions_box).addWidget(versions_view)

        top = QWidget()
        top_layout = QVBoxLayout(top)
        top_layout.setContentsMargins(0, 0, 0, 0)
        self.placeholder = QLabel(tr("Calcolo della graduatoria…"))
        self.placeholder.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.placeholder.setStyleSheet("font-size: 14pt; color: #555555;")
        self.table_stack = QStackedWidget()
        self.table_stack.addWidget(self.view)
        self.table_stack.addWidget(self.placeholder)
        top_layout.addWidget(self.on_screen)
        top_layout.addWidget(self.budget)
        top_layout.addWidget(self.lots.bars)
        top_layout.addWidget(self.table_stack)
        top_layout.addWidget(self.legend)
        splitter = QSplitter(Qt.Orientation.Vertical)
        splitter.addWidget(top)
        splitter.addWidget(versions_box)
        splitter.setChildrenCollapsible(False)
        splitter.setStretchFactor(0, 1)
        splitter.setSizes([420, 200])
        remember_splitter(splitter, "graduatoria/divisore")
        self.status = StatusLine()
        layout = QVBoxLayout(self)
        layout.addWidget(splitter, 1)
        layout.addWidget(self.blockers)
        layout.addLayout(params)
        layout.addLayout(actions)
        layout.addWidget(self.status)
        self.ties: tuple[TieGroup, ...] = ()
        host.data_changed.connect(self.refresh)
        self.refresh()

    @property
    def busy(self) -> bool:
        return self.job is not None

    def refresh(self) -> None:
        """Recomputes the ranking in a worker; a refresh asked meanwhile runs again once it lands."""
        if self.job is not None:
            self._again = True
            return
        self._again = False
        self.placeholder.setText(tr("Calcolo della graduatoria…"))
        self.table_stack.setCurrentWidget(self.placeholder)
        self.draw_button.setEnabled(False)
        self.job = workers.run_task(self, self.host.db, tr("Calcolo della graduatoria…"), load_ranking, dialog=False)
        self.job.finished.connect(self._on_loaded)
        self.job.failed.connect(self._on_failed)
        self.job.cancelled.connect(self._on_failed)

    def _finish_job(self) -> bool:
        """Drops the finished job; True when the data changed meanwhile and a new computation started."""
        if self.job is not None:
            self.job.deleteLater()
        self.job = None
        if self._again:
            self.refresh()
            return True
        return False

    def _on_failed(self, message: str = "") -> None:
        if self._finish_job():
            return
        self.placeholder.setText(tr("Graduatoria non calcolata: ") + (message or tr("calcolo annullato")))
        self.status.fail(message)

    def _on_loaded(self, result: Any) -> None:
        if self._finish_job():
            return
        self.show_ranking(*result)
        self.table_stack.setCurrentWidget(self.view)
        self.loaded.emit()

    def show_ranking(
        self,
        computed: Any,
        bando: Any,
        versions: list[VersionInfo],
        sedute: list[tuple[int, str]],
        fingerprint: str,
    ) -> None:
        g = computed.ranking
        self.model.set_ranking(g, bando)
        header = self.table.horizontalHeader()
        header.setResizeContentsPrecision(200)  # width from the first rows, not from thousands of them
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(self.model.applicant_column, QHeaderView.ResizeMode.Stretch)
        self.lots.show_ranking(g)
        self.versions.set_rows(versions)
        self.on_screen.setText(shown_version(fingerprint, versions))
        closed = approval_closed(versions)
        for button in (self.provisional, self.final):
            button.setEnabled(not closed and not self.host.db.read_only)
            button.setToolTip(closed)
        self.ties = g.unresolved_ties
        self.budget.setRange(0, max(g.budget_cents // 100, 1))
        self.budget.setValue(g.allocated_cents // 100)
        self.budget.setFormat(
            tr("Assegnati {a} di {b} — residuo {r}").format(
                a=euro(g.allocated_cents), b=euro(g.budget_cents), r=euro(g.remaining_cents)
            )
        )
        reasons = list(computed.reasons)
        shown = reasons[:6] + ([tr("… e altri {n} motivi").format(n=len(reasons) - 6)] if len(reasons) > 6 else [])
        self.blockers.setText(tr("Non può ancora diventare definitiva: ") + "; ".join(shown) if reasons else "")
        self.draw_button.setEnabled(bool(self.ties) and not self.host.db.read_only)
        # The ids are kept in a Python list, not as the combo's item data: reading an empty QVariant
        # back as None (currentData() on "(nessuna)") drops a reference to None in PySide6 6.12 on
        # Python 3.11, and enough of them abort the interpreter (see ui/app.py, guard_none_refcount).
        current = self.seduta_id()
        self.seduta.clear()
        self._sedute = [None] + [sid for sid, _ in sedute]
        self.seduta.addItems([tr("(nessuna)")] + [label for _, label in sedute])
        self.seduta.setCurrentIndex(self._sedute.index(current) if current in self._sedute else 0)

    def seduta_id(self) -> int | None:
        index = self.seduta.currentIndex()
        return self._sedute[index] if 0 <= index < len(self._sedute) else None

    def selected_protocol(self) -> str | None:
        row = self.view.selected()
        return row.protocol if row is not None else None

    def record_draw(self) -> None:
        if not self.ties:
            return
        dialog = DrawDialog(self.ties[0], self)
        accepted = self.exec_dialog(dialog)
        order, note, actor = dialog.protocols(), dialog.note.text(), actor_name(self.host)
        dialog.deleteLater()
        if not accepted:
            return
        run_action(
            self.host,
            self.status,
            lambda s: service.record_draw(s, order, actor, note),
            tr("Sorteggio registrato: ") + " → ".join(order),
        )

    def exec_dialog(self, dialog: QDialog) -> bool:
        """Runs a modal dialog (tests replace this to fill the dialog and accept it)."""
        return dialog.exec() == QDialog.DialogCode.Accepted

    def approve(self, state: str) -> None:
        reason, seduta, actor = self.reason.text(), self.seduta_id(), actor_name(self.host)
        if state == service.FINAL and not dialogs.confirm(
            self,
            tr("Graduatoria definitiva"),
            tr("Approvare la graduatoria definitiva? Resterà registrata come nuova versione con la sua impronta."),
            yes=tr("Approva"),
        ):
            return
        row = run_action(
            self.host, self.status, lambda s: version_info(service.approve(s, state, actor, reason, seduta))
        )
        if row is not None:
            self.status.ok(
                tr("Approvata la versione {v} ({s}), impronta {f}").format(
                    v=row.version, s=row.state, f=row.fingerprint[:16] + "…"
                )
                + self.backup()
            )

    def backup(self) -> str:
        """A copy of the file right after an approval; what to add to the status line about it."""
        try:
            take_backup(self.host.db.location, "approvazione graduatoria")
        except (ValutazioneError, OSError) as exc:
            return tr(" — copia di sicurezza NON riuscita: ") + str(exc)
        return tr(" — copia di sicurezza salvata.")

    def renounce(self) -> None:
        protocol = self.selected_protocol()
        if protocol is None:
            self.status.fail(tr("Selezionare nella graduatoria la domanda che rinuncia."))
            return
        reason = dialogs.ask_text(self, tr("Rinuncia o revoca"), tr("Motivo della rinuncia di ") + protocol + ":")
        if reason is None:
            return
        actor = actor_name(self.host)
        run_action(
            self.host,
            self.status,
            lambda s: service.renounce(s, protocol, reason, actor),
            tr("Rinuncia registrata per ") + protocol + tr(": ora si può procedere allo scorrimento."),
        )

    def slide(self) -> None:
        reason, seduta, actor = self.reason.text(), self.seduta_id(), actor_name(self.host)
        row = run_action(self.host, self.status, lambda s: version_info(service.slide(s, actor, reason, seduta)))
        if row is not None:
            self.status.ok(
                tr("Scorrimento approvato come versione {v} (provvisoria).").format(v=row.version) + self.backup()
            )
