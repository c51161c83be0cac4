"""The list of applications: search, filters by zone and by the member's own state, sorting."""

from __future__ import annotations

from PySide6.QtCore import QModelIndex, Qt, Signal
from PySide6.QtWidgets import QComboBox, QHeaderView, QLabel, QTableView, QVBoxLayout, QWidget

from ui.layout_memory import remember_header
from ui.models.domande import (
    ASTENUTO,
    BOZZA,
    DA_VALUTARE,
    INVIATA,
    DomandaRow,
    DomandeFilterProxy,
    DomandeTableModel,
    state_label,
)
from ui.models.filter_bar import FilterBar
from ui.models.table import ROW_ROLE
from ui.user import User
from valutazione.db import Database
from valutazione.errors import ValutazioneError
from valutazione.services import domande


class DomandeView(QWidget):
    """Emits ``open_requested(DomandaRow)`` on double-click or Enter; ``counts_changed(str)`` after loads."""

    open_requested = Signal(object)
    counts_changed = Signal(str)

    def __init__(self, db: Database, user: User, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.db, self.user = db, user
        self.model = DomandeTableModel(parent=self)
        self.proxy = DomandeFilterProxy(self)
        self.proxy.setSourceModel(self.model)

        self.zone = QComboBox()
        self.zone.addItem(self.tr("Tutte le zone"), None)
        for z in db.bando().zones:
            self.zone.addItem(f"{z.number} – {z.name}", z.number)
        self.zone.setMaximumWidth(320)
        self.zone.currentIndexChanged.connect(self._on_filter)
        self.state = QComboBox()
        self.state.addItem(self.tr("Tutti gli stati"), None)
        for st in (DA_VALUTARE, BOZZA, INVIATA, ASTENUTO):
            self.state.addItem(state_label(st), st)
        self.state.currentIndexChanged.connect(self._on_filter)
        self.state.setVisible(user.scores)
        self.bar = FilterBar(
            "domande", self.tr("Cerca per protocollo, proponente o titolo (Ctrl+F)"), (self.zone, self.state)
        )
        self.search, self.shown = self.bar.search, self.bar.shown
        self.search.textChanged.connect(self._on_filter)

        self.table = QTableView()
        self.table.setModel(self.proxy)
        self.table.setSortingEnabled(True)
        self.table.sortByColumn(DomandeTableModel.PROTOCOL, Qt.SortOrder.AscendingOrder)
        self.table.setSelectionBehavior(QTableView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QTableView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QTableView.EditTrigger.NoEditTriggers)
        self.table.setAlternatingRowColors(True)
        self.table.setWordWrap(False)
        self.table.verticalHeader().setVisible(False)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        header.setSectionResizeMode(DomandeTableModel.TITLE, QHeaderView.ResizeMode.Stretch)
        for column, width in ((0, 110), (1, 260), (3, 200), (4, 150), (5, 130), (6, 110)):
            header.resizeSection(column, width)
        self.table.setColumnHidden(DomandeTableModel.STATE, not user.scores)
        remember_header(header, "domande/elenco")
        self.table.activated.connect(self._on_activated)

        self.empty_hint = QLabel()  # why the list is empty and what to do: never a blank table alone
        self.empty_hint.setWordWrap(True)
        self.empty_hint.setStyleSheet("font-size: 11pt; color: #37474f; padding: 6px;")
        self.empty_hint.hide()
        layout = QVBoxLayout(self)
        layout.addWidget(self.bar)
        layout.addWidget(self.empty_hint)
        layout.addWidget(self.table, 1)
        self.bar.focus_after(self.table)  # one Tab from the search to the results, the filters after them
        QWidget.setTabOrder(self.table, self.zone)
        QWidget.setTabOrder(self.zone, self.state)

    def reload(self) -> None:
        """Reads the rows again: the member's assigned applications plus those they abstained on."""
        try:
            with self.db.sessions() as s:
                if self.user.scores:
                    rows = domande.member_domande(s, self.user.id)
                else:
                    rows = domande.load_domande(s, None)
        except ValutazioneError:
            rows = []
        current = self.current_row()
        self.model.set_rows(rows)
        if current is not None:
            self.select(current.id)
        self._on_filter()

    def visible_rows(self) -> list[DomandaRow]:
        """The rows in the order the member sees them (after search, filters and sorting)."""
        return [self.proxy.data(self.proxy.index(r, 0), ROW_ROLE) for r in range(self.proxy.rowCount())]

    def current_row(self) -> DomandaRow | None:
        index = self.table.currentIndex()
        return self.proxy.data(index, ROW_ROLE) if index.isValid() else None

    def select(self, domanda_id: int) -> None:
        for r in range(self.proxy.rowCount()):
            if self.proxy.data(self.proxy.index(r, 0), ROW_ROLE).id == domanda_id:
                self.table.selectRow(r)
                return

    def _on_filter(self) -> None:
        self.proxy.set_filters(self.search.text(), self.zone.currentData(), self.state.currentData())
        shown = self.proxy.rowCount()
        self.bar.show_count(shown, self.model.rowCount())
        self.empty_hint.setText(self._empty_text() if shown == 0 else "")
        self.empty_hint.setVisible(shown == 0)
        self.counts_changed.emit(self.model.progress_text())

    def _empty_text(self) -> str:
        if self.model.rowCount():
            return self.tr(
                "Nessuna domanda corrisponde alla ricerca o ai filtri: cancellare la ricerca (Esc) o scegliere «Tutte»."
            )
        if self.user.is_chair or self.user.is_secretary:
            return self.tr(
                "Nessuna domanda nel file: si importano con «Importa domande» nella barra degli strumenti "
                "(file CSV o Excel esportato dal protocollo)."
            )
        return self.tr(
            "Nessuna domanda da valutare: il presidente non le ha ancora importate o ammesse, oppure è stato "
            "dichiarato un conflitto su tutte. Chiedere al presidente un pacchetto aggiornato."
        )

    def _on_activated(self, index: QModelIndex) -> None:
        row = self.proxy.data(index, ROW_ROLE)
        if row is not None:
            self.open_requested.emit(row)
