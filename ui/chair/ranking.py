"""The ranking view: the computed graduatoria, its funding line and budget, ties, approvals, sliding.

Every decision goes through ``valutazione.services.graduatoria``: the service refuses a final ranking
while a tie is open, a sheet is missing or the quorum is not met, and lists why; this view shows those
reasons above the buttons so the chair knows what to fix before pressing them.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Qt
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
    QTableView,
    QVBoxLayout,
    QWidget,
)
from sqlalchemy import select

from ui import dialogs
from ui.chair.common import ERROR_COLOUR, Host, StatusLine, actor_name, day_it, euro, read, run_action, tr
from ui.chair.ranking_model import FundingLineDelegate, RankingModel, VersionInfo, VersionsModel
from valutazione.graduatoria import TieGroup
from valutazione.models import Seduta
from valutazione.services import graduatoria as service
from valutazione.services import lookup


class DrawDialog(QDialog):
    """Records the order drawn in public for one tied group: drag or move the protocols into order."""

    def __init__(self, tie: TieGroup, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(tr("Sorteggio pubblico"))
        self.order = QListWidget()
        self.order.addItems(list(tie.protocols))
        self.order.setDragDropMode(QAbstractItemView.DragDropMode.InternalMove)
        self.order.setCurrentRow(0)
        up, down = QPushButton(tr("Su")), QPushButton(tr("Giù"))
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

    def move(self, step: int) -> None:
        row = self.order.currentRow()
        target = row + step
        if 0 <= row < self.order.count() and 0 <= target < self.order.count():
            item = self.order.takeItem(row)
            self.order.insertItem(target, item)
            self.order.setCurrentRow(target)

    def protocols(self) -> list[str]:
        return [self.order.item(i).text() for i in range(self.order.count())]


class RankingPanel(QWidget):
    def __init__(self, host: Host) -> None:
        super().__init__()
        self.host = host
        self.model = RankingModel(self)
        self.table = QTableView()
        self.table.setModel(self.model)
        self.table.setItemDelegate(FundingLineDelegate(self.table))
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.verticalHeader().hide()
        self.table.verticalHeader().setDefaultSectionSize(24)
        self.budget = QProgressBar()
        self.budget.setTextVisible(True)
        self.legend = QLabel(tr("Linea rossa: ultima domanda finanziata. Passare sopra i punteggi per il calcolo."))
        self.blockers = QLabel()
        self.blockers.setWordWrap(True)
        self.blockers.setStyleSheet(f"color: {ERROR_COLOUR};")
        self.draw_button = QPushButton(tr("Registra sorteggio…"))
        self.draw_button.clicked.connect(self.record_draw)
        self.reason = QLineEdit()
        self.reason.setPlaceholderText(tr("motivo / note dell'approvazione o dello scorrimento"))
        self.seduta = QComboBox()
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
        self.versions_view = QTableView()
        self.versions_view.setModel(self.versions)
        self.versions_view.verticalHeader().hide()
        self.versions_view.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        self.versions_view.horizontalHeader().setStretchLastSection(True)
        versions_box = QGroupBox(tr("Versioni approvate"))
        QVBoxLayout(versions_box).addWidget(self.versions_view)

        top = QWidget()
        top_layout = QVBoxLayout(top)
        top_layout.setContentsMargins(0, 0, 0, 0)
        top_layout.addWidget(self.budget)
        top_layout.addWidget(self.table)
        top_layout.addWidget(self.legend)
        splitter = QSplitter(Qt.Orientation.Vertical)
        splitter.addWidget(top)
        splitter.addWidget(versions_box)
        splitter.setSizes([560, 140])
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

    def refresh(self) -> None:
        def load(s: Any) -> tuple[Any, Any, list[VersionInfo], list[tuple[int, str]]]:
            computed = service.compute(s)
            versions = [
                VersionInfo(v.version, v.state, v.approved_at, v.approved_by, v.reason, v.fingerprint)
                for v in service.versions(s)
            ]
            sedute = [
                (x.id, f"n. {x.number} del {day_it(x.day)}") for x in s.scalars(select(Seduta).order_by(Seduta.number))
            ]
            return computed, lookup.rules(s), versions, sedute

        computed, bando, versions, sedute = read(self.host, load)
        g = computed.graduatoria
        self.model.set_ranking(g, bando)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(2, QHeaderView.ResizeMode.Stretch)
        self.versions.set_rows(versions)
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
        self.draw_button.setEnabled(bool(self.ties))
        current = self.seduta.currentData()
        self.seduta.clear()
        self.seduta.addItem(tr("(nessuna)"), None)
        for sid, label in sedute:
            self.seduta.addItem(label, sid)
        self.seduta.setCurrentIndex(max(self.seduta.findData(current), 0))

    def selected_protocol(self) -> str | None:
        rows = self.table.selectionModel().selectedRows()
        return self.model.row_at(rows[0].row()).protocol if rows else None

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
        reason, seduta, actor = self.reason.text(), self.seduta.currentData(), actor_name(self.host)
        if state == service.FINAL and not dialogs.confirm(
            self,
            tr("Graduatoria definitiva"),
            tr("Approvare la graduatoria definitiva? Resterà registrata come nuova versione con la sua impronta."),
            yes=tr("Approva"),
        ):
            return
        row = run_action(self.host, self.status, lambda s: service.approve(s, state, actor, reason, seduta))
        if row is not None:
            self.status.ok(
                tr("Approvata la versione {v} ({s}), impronta {f}").format(
                    v=row.version, s=row.state, f=row.fingerprint[:16] + "…"
                )
            )

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
        reason, seduta, actor = self.reason.text(), self.seduta.currentData(), actor_name(self.host)
        row = run_action(self.host, self.status, lambda s: service.slide(s, actor, reason, seduta))
        if row is not None:
            self.status.ok(tr("Scorrimento approvato come versione {v} (provvisoria).").format(v=row.version))
