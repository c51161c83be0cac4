"""The ranking as a table: positions, points per criterion, outcome colours, the funding line, tooltips.

Every number explains itself on hover: a criterion's points list each sub-criterion with the members'
coefficients, their exact mean and the maximum they multiply (the method of docs/regole.md § 5), so a member
of the committee — or an appellant — can redo the sum by hand. The funding line is drawn by a delegate
under the last funded row, across the whole table, as on the printed ranking.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt
from PySide6.QtGui import QColor, QPainter, QPen
from PySide6.QtWidgets import QStyledItemDelegate, QStyleOptionViewItem

from ui.chair.common import (
    EXCLUDED_BG,
    FUNDED_BG,
    NOT_ADMITTED_BG,
    PARTIAL_BG,
    RESERVE_BG,
    day_it,
    euro,
    points,
    tr,
)
from ui.models.table import CENTER, LEFT, RIGHT, AnyIndex, Column, RowTableModel
from valutazione.bando import Bando
from valutazione.graduatoria import Graduatoria, Row
from valutazione.scoring import COEFFICIENTS, POINTS, SubScore, format_it

FUNDING_LINE_ROLE = Qt.ItemDataRole.UserRole + 10
ROW_ROLE = Qt.ItemDataRole.UserRole + 2
LINE_COLOUR = "#c62828"

STATUS_LABELS = {
    "finanziata": "ammessa e finanziata",
    "finanziata_parzialmente": "finanziata parzialmente",
    "ammessa_non_finanziata": "ammessa non finanziata (esaurimento risorse)",
    "rinunciataria": "rinuncia / revoca",
    "non_ammessa": "non ammessa (sotto soglia)",
    "non_valutata": "non ancora valutata",
    "esclusa": "esclusa",
}
STATUS_COLOURS = {
    "finanziata": FUNDED_BG,
    "finanziata_parzialmente": PARTIAL_BG,
    "ammessa_non_finanziata": RESERVE_BG,
    "non_ammessa": NOT_ADMITTED_BG,
    "non_valutata": RESERVE_BG,
    "esclusa": EXCLUDED_BG,
    "rinunciataria": EXCLUDED_BG,
}


def explain_subscore(s: SubScore, bando: Bando) -> str:
    """``A.1 (max 15): Bianchi 0,7 · Rossi 0,8 · Verdi 0,9 → media 0,8 × 15 = 12,00``."""
    marks = " · ".join(f"{m} {format_it(v)}" for m, v in s.coefficients) or tr("nessun voto")
    if s.method == COEFFICIENTS:
        how = f"{tr('media')} {format_it(s.mean)} × {format_it(s.maximum)}"
    elif s.method == POINTS:
        how = f"{tr('media dei punti')} {format_it(s.mean)}"
    else:
        how = f"{tr('coefficiente del confronto a coppie')} {format_it(s.mean)} × {format_it(s.maximum)}"
    return f"{s.code} (max {format_it(s.maximum)}): {marks} → {how} = {points(s.points, bando.rounding_places)}"


def explain_criterion(row: Row, code: str, bando: Bando) -> str:
    crit = bando.criterion(code)
    lines = [f"{crit.code} — {crit.name}"]
    lines += [explain_subscore(row.subscore(s.code), bando) for s in crit.subcriteria]
    raw, final = row.raw(code), row.final(code)
    lines.append(tr("Totale del criterio: ") + points(raw, bando.rounding_places))
    if final != raw:
        lines.append(tr("Dopo la riparametrazione: ") + points(final, bando.rounding_places))
    if crit.threshold is not None:
        ok = raw >= crit.threshold
        lines.append(tr("Soglia ") + f"{points(crit.threshold)}: " + (tr("superata") if ok else tr("NON raggiunta")))
    return "\n".join(lines)


def explain_total(row: Row, bando: Bando) -> str:
    parts = " + ".join(points(v, bando.rounding_places) for _, v in row.criteria_final)
    lines = [tr("Totale = ") + f"{parts} = {points(row.total_final, bando.rounding_places)}"]
    if bando.total_threshold is not None:
        lines.append(
            tr("Soglia sul totale ") + points(bando.total_threshold) + tr(" (sui punti prima della riparametrazione)")
        )
    for f in row.threshold_failures:
        label = tr("totale") if f.code == "totale" else f.code
        lines.append(tr("Soglia non raggiunta su ") + f"{label}: {points(f.points)} < {points(f.threshold)}")
    lines.append(tr("Valutata da: ") + (", ".join(row.scorers) or tr("nessuno")))
    return "\n".join(lines)


@dataclass(frozen=True)
class _Col:
    header: str
    align: Qt.AlignmentFlag
    criterion: str | None = None


class RankingModel(QAbstractTableModel):
    """Rows of a ``Graduatoria``; criterion columns follow the call's grid."""

    def __init__(self, parent: Any = None) -> None:
        super().__init__(parent)
        self.graduatoria: Graduatoria | None = None
        self.bando: Bando | None = None
        self._cols: list[_Col] = []

    def set_ranking(self, g: Graduatoria, bando: Bando) -> None:
        self.beginResetModel()
        self.graduatoria, self.bando = g, bando
        self._cols = [_Col(tr("Pos."), RIGHT), _Col(tr("Protocollo"), LEFT), _Col(tr("Denominazione"), LEFT)]
        self._cols += [_Col(c.code, RIGHT, c.code) for c in bando.criteria]
        self._cols += [
            _Col(tr("Totale"), RIGHT),
            _Col(tr("Richiesto"), RIGHT),
            _Col(tr("Contributo"), RIGHT),
            _Col(tr("Esito"), LEFT),
        ]
        self.endResetModel()

    @property
    def funding_line(self) -> int:
        """How many rows stand above the line (0: nothing funded)."""
        return self.graduatoria.funding_line if self.graduatoria else 0

    def row_at(self, row: int) -> Row:
        assert self.graduatoria is not None
        return self.graduatoria.rows[row]

    def rowCount(self, parent: AnyIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() or self.graduatoria is None else len(self.graduatoria.rows)

    def columnCount(self, parent: AnyIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._cols)

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if orientation != Qt.Orientation.Horizontal or not 0 <= section < len(self._cols):
            return None
        col = self._cols[section]
        if role == Qt.ItemDataRole.DisplayRole:
            return col.header
        if role == Qt.ItemDataRole.ToolTipRole and col.criterion and self.bando:
            c = self.bando.criterion(col.criterion)
            return f"{c.name} (max {points(c.maximum, 0)})"
        if role == Qt.ItemDataRole.TextAlignmentRole:
            return int(col.align.value)
        return None

    def data(self, index: AnyIndex, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or self.graduatoria is None or self.bando is None:
            return None
        if not (0 <= index.row() < self.rowCount() and 0 <= index.column() < len(self._cols)):
            return None
        row, col = self.graduatoria.rows[index.row()], self._cols[index.column()]
        if role == Qt.ItemDataRole.DisplayRole:
            return self._text(row, col)
        if role == Qt.ItemDataRole.ToolTipRole:
            return self._tooltip(row, col)
        if role == Qt.ItemDataRole.BackgroundRole:
            return QColor(STATUS_COLOURS.get(row.status, "#ffffff"))
        if role == Qt.ItemDataRole.ForegroundRole:
            return QColor("#000000")
        if role == Qt.ItemDataRole.TextAlignmentRole:
            return int(col.align.value)
        if role == FUNDING_LINE_ROLE:
            return index.row() == self.funding_line - 1
        if role == ROW_ROLE:
            return row
        return None

    def _text(self, row: Row, col: _Col) -> str:
        places = self.bando.rounding_places if self.bando else 2
        if col.criterion:
            return points(row.final(col.criterion), places)
        header = col.header
        if header == tr("Pos."):
            return "" if row.position is None else str(row.position)
        if header == tr("Protocollo"):
            return row.protocol + (" ⚖" if row.tie else "")
        if header == tr("Denominazione"):
            return row.applicant
        if header == tr("Totale"):
            return points(row.total_final, places)
        if header == tr("Richiesto"):
            return euro(row.requested_cents)
        if header == tr("Contributo"):
            return euro(row.grant_cents) if row.grant_cents else "—"
        return tr(STATUS_LABELS.get(row.status, row.status))

    def _tooltip(self, row: Row, col: _Col) -> str:
        assert self.bando is not None
        if col.criterion:
            return explain_criterion(row, col.criterion, self.bando)
        if col.header == tr("Totale"):
            return explain_total(row, self.bando)
        if col.header == tr("Protocollo") and row.tie:
            return tr("Parità non risolta dalla catena di spareggio: serve il sorteggio pubblico")
        if col.header == tr("Contributo") and self.bando:
            return (
                tr("Contributo massimo ")
                + euro(self.bando.cap_cents)
                + tr("; regola di finanziamento: ")
                + self.bando.funding_rule
            )
        return f"{row.title}\n{tr('Inviata il')} {day_it(row.submitted_at)}"


class FundingLineDelegate(QStyledItemDelegate):
    """Paints the funding line: a thick red rule under the last funded row, across every column."""

    def paint(
        self, painter: QPainter, option: QStyleOptionViewItem, index: QModelIndex | QPersistentModelIndex
    ) -> None:
        super().paint(painter, option, index)
        if index.data(FUNDING_LINE_ROLE):
            painter.save()
            painter.setPen(QPen(QColor(LINE_COLOUR), 3))
            y = option.rect.bottom() - 1
            painter.drawLine(option.rect.left(), y, option.rect.right(), y)
            painter.restore()


@dataclass(frozen=True)
class VersionInfo:
    version: int
    state: str
    approved_at: datetime
    approved_by: str
    reason: str
    fingerprint: str


class VersionsModel(RowTableModel[VersionInfo]):
    columns = (
        Column[VersionInfo](tr("Versione"), lambda v: v.version, str, RIGHT),
        Column[VersionInfo](tr("Stato"), lambda v: v.state, str, CENTER),
        Column[VersionInfo](tr("Approvata il"), lambda v: v.approved_at, day_it, CENTER),
        Column[VersionInfo](tr("Da"), lambda v: v.approved_by),
        Column[VersionInfo](tr("Motivo"), lambda v: v.reason),
        Column[VersionInfo](
            tr("Impronta SHA-256"),
            lambda v: v.fingerprint,
            lambda f: f[:16] + "…",
            LEFT,
            lambda v: tr("Impronta completa: ") + v.fingerprint,
        ),
    )
