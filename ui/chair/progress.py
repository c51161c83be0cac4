"""The progress board: who has scored what, the engine's warnings, and reopening a submitted sheet.

Rows are the applications still in the running, columns the scoring members; each cell says
*inviata*, *bozza*, *mancante* or *astenuto* (conflict of interest). The warnings come from the ranking
engine (spread, identical sheets, missing sheet, quorum); double-clicking one selects the cell or row
where the chair must act. Reopening goes through ``sheets.reopen``, which only the presidente may do.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QAbstractTableModel, QModelIndex, Qt
from PySide6.QtGui import QBrush, QColor
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPushButton,
    QSplitter,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from ui.chair.common import (
    ERROR_COLOUR,
    EXCLUDED_BG,
    FUNDED_BG,
    NOT_ADMITTED_BG,
    PARTIAL_BG,
    StatusLine,
    read,
    run_action,
    tr,
)
from ui.host import Desk
from ui.layout_memory import remember_splitter
from ui.models.filter_bar import SearchableTable
from ui.models.table import ROW_ROLE, SORT_ROLE, AnyIndex
from valutazione.services import sheets
from valutazione.services.progress import ABSTAINED, DRAFT, MISSING, SENT, Board, load_board
from valutazione.services.progress_warnings import WarningGroup, group_warnings, members_named

COLOURS = {SENT: FUNDED_BG, DRAFT: PARTIAL_BG, MISSING: NOT_ADMITTED_BG, ABSTAINED: EXCLUDED_BG}
STATE_ORDER = (MISSING, DRAFT, SENT, ABSTAINED)  # a click on a member's header brings what is missing first


class ProgressModel(QAbstractTableModel):
    """Applications × members; column 0 is the application."""

    def __init__(self, parent: Any = None) -> None:
        super().__init__(parent)
        self.board = Board((), (), {}, ())

    def set_board(self, board: Board) -> None:
        self.beginResetModel()
        self.board = board
        self.endResetModel()

    def rowCount(self, parent: AnyIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self.board.domande)

    def columnCount(self, parent: AnyIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self.board.members) + 1

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if role != Qt.ItemDataRole.DisplayRole or orientation != Qt.Orientation.Horizontal:
            return None
        if section == 0:
            return tr("Domanda")
        if 1 <= section <= len(self.board.members):
            return self.board.members[section - 1][1]
        return None

    def cell(self, index: AnyIndex) -> tuple[int, str, int | None, str | None]:
        did, protocol, _ = self.board.domande[index.row()]
        if index.column() == 0:
            return did, protocol, None, None
        mid, _name = self.board.members[index.column() - 1]
        return did, protocol, mid, self.board.states[(did, mid)]

    def data(self, index: AnyIndex, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not (0 <= index.row() < self.rowCount() and 0 <= index.column() < self.columnCount()):
            return None
        did, protocol, mid, state = self.cell(index)
        if role == Qt.ItemDataRole.DisplayRole:
            return f"{protocol} — {self.board.domande[index.row()][2]}" if mid is None else state
        if role == SORT_ROLE:
            return protocol if state is None else STATE_ORDER.index(state)
        if role == ROW_ROLE:
            return self.board.domande[index.row()]
        if role == Qt.ItemDataRole.BackgroundRole and state:
            return QColor(COLOURS[state])
        if role == Qt.ItemDataRole.ForegroundRole and state:
            return QColor("#000000")
        if role == Qt.ItemDataRole.TextAlignmentRole and state:
            return int(Qt.AlignmentFlag.AlignCenter.value)
        if role == Qt.ItemDataRole.ToolTipRole and state == ABSTAINED:
            return tr("Conflitto di interessi dichiarato: il commissario si astiene su questa domanda")
        return None

    def locate(self, protocol: str, member: str | None) -> QModelIndex:
        row = next((i for i, d in enumerate(self.board.domande) if d[1] == protocol), -1)
        col = next((i + 1 for i, m in enumerate(self.board.members) if m[1] == member), 0)
        return self.index(row, col) if row >= 0 else QModelIndex()


class ProgressPanel(QWidget):
    def __init__(self, host: Desk) -> None:
        super().__init__()
        self.host = host
        self.model = ProgressModel(self)
        self.view = SearchableTable(
            self.model, "domande", tr("Cerca per protocollo, proponente o stato (Ctrl+F)"), key="avanzamento/domande"
        )
        self.table = self.view.table
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectItems)
        self.table.verticalHeader().setDefaultSectionSize(24)
        self.summary = QLabel()
        self.groups: tuple[WarningGroup, ...] = ()
        self.kind = QComboBox()
        self.member = QComboBox()
        self.kind.currentIndexChanged.connect(self.show_warnings)
        self.member.currentIndexChanged.connect(self.show_warnings)
        self.warnings = QTreeWidget()
        self.warnings.setHeaderHidden(True)
        self.warnings.setWordWrap(True)  # long lines wrap inside the panel instead of ending in «…»
        self.warnings.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.warnings.header().setSectionResizeMode(QHeaderView.ResizeMode.Stretch)
        self.warnings.itemActivated.connect(self.go_to)  # double-click, and Enter from the keyboard
        self.reason = QLineEdit()
        self.reason.setPlaceholderText(tr("motivo della riapertura (obbligatorio, resta nel registro)"))
        self.reopen_button = QPushButton(tr("Riapri la scheda selezionata"))
        self.reopen_button.clicked.connect(self.reopen)
        left = QWidget()
        left_layout = QVBoxLayout(left)
        left_layout.setContentsMargins(0, 0, 0, 0)
        left_layout.addWidget(self.summary)
        left_layout.addWidget(self.view)
        right = QWidget()
        right_layout = QVBoxLayout(right)
        right_layout.setContentsMargins(0, 0, 0, 0)
        right_layout.addWidget(QLabel(tr("Avvisi (doppio clic per andare al punto):")))
        filters = QHBoxLayout()
        filters.addWidget(self.kind, 2)
        filters.addWidget(self.member, 1)
        right_layout.addLayout(filters)
        right_layout.addWidget(self.warnings)
        splitter = QSplitter()
        splitter.addWidget(left)
        splitter.addWidget(right)
        splitter.setSizes([800, 500])
        remember_splitter(splitter, "avanzamento/divisore")
        reopen = QHBoxLayout()
        reopen.addWidget(self.reason, 1)
        reopen.addWidget(self.reopen_button)
        self.status = StatusLine()
        layout = QVBoxLayout(self)
        layout.addWidget(splitter, 1)
        layout.addLayout(reopen)
        layout.addWidget(self.status)
        host.data_changed.connect(self.refresh)
        self.refresh()

    def refresh(self) -> None:
        board = read(self.host, load_board)
        self.model.set_board(board)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        counts = {k: sum(1 for v in board.states.values() if v == k) for k in COLOURS}
        self.summary.setText(
            tr("Schede: {s} inviate, {d} in bozza, {m} mancanti, {a} astensioni").format(
                s=counts[SENT], d=counts[DRAFT], m=counts[MISSING], a=counts[ABSTAINED]
            )
        )
        self.groups = group_warnings(board.warnings, board.absent())
        self._offer_filters()
        self.show_warnings()

    def _offer_filters(self) -> None:
        """Kinds present (with their counts) and members named; the choice survives a refresh if still offered."""
        kind, member = self.kind.currentData(), self.member.currentData()
        for combo in (self.kind, self.member):
            combo.blockSignals(True)
            combo.clear()
        self.kind.addItem(tr("Tutti i tipi di avviso"), "")
        for g in self.groups:
            self.kind.addItem(f"{tr(g.title)} ({g.warnings})", g.kind)
        self.member.addItem(tr("Tutti i commissari"), "")
        for name in members_named(self.groups):
            self.member.addItem(name, name)
        self.kind.setCurrentIndex(max(0, self.kind.findData(kind)))
        self.member.setCurrentIndex(max(0, self.member.findData(member)))
        for combo in (self.kind, self.member):
            combo.blockSignals(False)

    def show_warnings(self) -> None:
        """A heading per kind with its counts, one line per application under it; blocking kinds open, in red."""
        kind, member = self.kind.currentData() or "", self.member.currentData() or ""
        self.warnings.clear()
        shown = [g for g in self.groups if not kind or g.kind == kind]
        lines = sum(len(g.lines) for g in shown)
        bold = self.warnings.font()
        bold.setBold(True)
        for g in shown:
            chosen = [line for line in g.lines if not member or member in line.members]
            if not chosen:
                continue
            heading = QTreeWidgetItem([tr(g.heading)])
            heading.setFont(0, bold)
            if g.blocking:
                heading.setForeground(0, QBrush(QColor(ERROR_COLOUR)))
            for line in chosen:
                item = QTreeWidgetItem([f"{line.protocol} — {line.text}"])
                item.setToolTip(0, item.text(0))
                item.setData(0, Qt.ItemDataRole.UserRole, (line.protocol, line.member))
                heading.addChild(item)
            self.warnings.addTopLevelItem(heading)
            heading.setExpanded(g.blocking or bool(kind) or bool(member) or lines <= 12 or len(shown) == 1)
        if not self.groups:
            self.warnings.addTopLevelItem(QTreeWidgetItem([tr("Nessun avviso.")]))

    def warning_lines(self) -> list[QTreeWidgetItem]:
        """The lines shown under the headings (what a test or a keyboard user walks through)."""
        lines: list[QTreeWidgetItem] = []
        for i in range(self.warnings.topLevelItemCount()):
            top = self.warnings.topLevelItem(i)
            if top is not None:
                lines.extend(c for j in range(top.childCount()) if (c := top.child(j)) is not None)
        return lines

    def go_to(self, item: QTreeWidgetItem) -> None:
        target = item.data(0, Qt.ItemDataRole.UserRole)
        if target is None:  # a heading: it opens or closes
            return
        protocol, member = target
        index = self.locate(protocol, member)
        if index.isValid():
            self.table.setCurrentIndex(index)
            self.table.scrollTo(index)
            self.table.setFocus()

    def locate(self, protocol: str, member: str | None) -> QModelIndex:
        """The table's cell for an application and a member (invalid if the search hides it)."""
        return self.view.proxy.mapFromSource(self.model.locate(protocol, member))

    def reopen(self) -> None:
        index = self.view.source_index(self.table.currentIndex())
        if not index.isValid() or index.column() == 0:
            self.status.fail(tr("Selezionare la cella della scheda da riaprire (domanda × commissario)."))
            return
        did, _protocol, mid, _state = self.model.cell(index)
        if mid is None:  # column 0 was excluded above: every other column is a member
            return
        chair = self.host.user.id  # the service refuses anyone but the chair, in its own words
        reason = self.reason.text()
        done = run_action(
            self.host,
            self.status,
            lambda s: sheets.reopen(s, mid, did, chair, reason),
            tr("Scheda riaperta: il commissario può correggerla e inviarla di nuovo."),
        )
        if done is not None:
            self.reason.clear()
