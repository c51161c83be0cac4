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

from PySide6.QtCore import QAbstractItemModel, QModelIndex, QPersistentModelIndex, QSortFilterProxyModel, Qt
from PySide6.QtGui import QColor, QPainter, QPen
from PySide6.QtWidgets import QStyledItemDelegate, QStyleOptionViewItem

from ui.chair.common import day_it, euro, points, tr
from ui.chair.lot_notes import line_rows, note_text, note_tip, outcome_text
from ui.models.table import CENTER, LEFT, RIGHT, AnyIndex, Column, RowTableModel
from valutazione.bando import Bando
from valutazione.ranking.lot_ranking import lot_view
from valutazione.ranking.records import Ranking, Row
from valutazione.scoring import COEFFICIENTS, POINTS, SubScore, format_it

FUNDING_LINE_ROLE = Qt.ItemDataRole.UserRole + 10
LINE_COLOUR = "#c62828"


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


def ranking_columns(bando: Bando, ranking: Ranking | None = None) -> tuple[Column[Row], ...]:
    """The ranking's columns, declared once: each says its value, its text, alignment and tooltip.

    The criterion columns follow the call's grid, so they are made for the call on screen; every
    column carries its own value and explanation, and nothing is found again by its header's text.
    A call divided into lots gets the lot first (positions are per lot) and, like any call with
    quotas or a per-applicant limit, the funding note last: why a row is funded or passed over.
    """
    places = bando.rounding_places
    views = {lot.code: lot_view(bando, lot) for lot in bando.lots.lots}

    def rules_of(r: Row) -> Bando:
        """The call as the row's lot sees it: the lot's own thresholds and cap where it has them."""
        return views.get(r.lot or "", bando)

    def pts(value: Any) -> str:
        return points(value, places)

    def criterion(code: str) -> Column[Row]:
        return Column[Row](code, lambda r: r.final(code), pts, RIGHT, lambda r: explain_criterion(r, code, rules_of(r)))

    def protocol_tip(r: Row) -> str:
        if r.tie:
            return tr("Parità non risolta dalla catena di spareggio: serve il sorteggio pubblico")
        return _title_tip(r)

    def grant_tip(r: Row) -> str:
        cap = rules_of(r).cap_cents
        return tr("Contributo massimo ") + euro(cap) + tr("; regola di finanziamento: ") + bando.funding_rule

    lots = {lot.code: lot.name for lot in bando.lots.lots}
    lot_columns = (
        (Column[Row](tr("Lotto"), lambda r: r.lot or "", str, LEFT, lambda r: lots.get(r.lot or "", "")),)
        if lots
        else ()
    )
    note_columns = (_note_column(bando, ranking),) if bando.lots.active and ranking is not None else ()
    outcome = (  # where a per-applicant limit may pass a row over, its outcome says so
        Column[Row](tr("Esito"), outcome_text, str, LEFT, _title_tip)
        if note_columns
        else Column[Row](tr("Esito"), lambda r: r.status, lambda s: tr(s.label), LEFT, _title_tip)
    )
    position = tr("Pos. nel lotto") if lots else tr("Pos.")
    return (
        *lot_columns,
        Column[Row](position, lambda r: r.position, lambda p: "" if p is None else str(p), RIGHT, _title_tip),
        Column[Row](tr("Protocollo"), lambda r: r.protocol + (" ⚖" if r.tie else ""), str, LEFT, protocol_tip),
        Column[Row](tr("Denominazione"), lambda r: r.applicant, str, LEFT, _title_tip),
        *(criterion(c.code) for c in bando.criteria),
        Column[Row](tr("Totale"), lambda r: r.total_final, pts, RIGHT, lambda r: explain_total(r, rules_of(r))),
        Column[Row](tr("Richiesto"), lambda r: r.requested_cents, euro, RIGHT, _title_tip),
        Column[Row](tr("Contributo"), lambda r: r.grant_cents, lambda c: euro(c) if c else "—", RIGHT, grant_tip),
        outcome,
        *note_columns,
    )


def _note_column(bando: Bando, ranking: Ranking) -> Column[Row]:
    return Column[Row](
        tr("Nota sul finanziamento"),
        lambda r: note_text(r, ranking),
        str,
        LEFT,
        lambda r: note_tip(r, ranking, bando),
    )


def _title_tip(r: Row) -> str:
    return f"{r.title}\n{tr('Inviata il')} {day_it(r.submitted_at)}"


class RankingModel(RowTableModel[Row]):
    """Rows of a ``Ranking``, coloured by outcome, with the funding line under the last funded row."""

    def __init__(self, parent: Any = None) -> None:
        super().__init__((), parent)
        self.ranking: Ranking | None = None
        self.bando: Bando | None = None
        self._header_tips: tuple[str | None, ...] = ()
        self._lines: frozenset[int] = frozenset()
        self.lot_filter: str | None = None  # the lot the screen shows alone (None: every lot)

    @property
    def has_lots(self) -> bool:
        return bool(self.ranking and self.ranking.lots)

    @property
    def position_column(self) -> int:
        return 1 if self.has_lots else 0

    @property
    def applicant_column(self) -> int:
        """The column that takes the width left (the applicant's name)."""
        return self.position_column + 2

    def set_ranking(self, g: Ranking, bando: Bando) -> None:
        self.beginResetModel()
        self.ranking, self.bando = g, bando
        self.columns = ranking_columns(bando, g)
        criteria = {c.code: f"{c.name} (max {points(c.maximum, 0)})" for c in bando.criteria}
        if g.lots:
            criteria[tr("Lotto")] = tr("Lotto in cui concorre la domanda")
            criteria[tr("Pos. nel lotto")] = tr("Posizione nella graduatoria del lotto")
        self._header_tips = tuple(criteria.get(c.header) for c in self.columns)
        self._rows = list(g.rows)
        self._lines = line_rows(g)
        self.endResetModel()

    @property
    def funding_line(self) -> int:
        """How many rows stand above the line (0: nothing funded)."""
        return self.ranking.funding_line if self.ranking else 0

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        horizontal = orientation == Qt.Orientation.Horizontal
        if role == Qt.ItemDataRole.ToolTipRole and horizontal and 0 <= section < len(self._header_tips):
            return self._header_tips[section]
        return super().headerData(section, orientation, role)

    def data(self, index: AnyIndex, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not 0 <= index.row() < len(self._rows):
            return None
        if role == Qt.ItemDataRole.BackgroundRole:
            return QColor(self._rows[index.row()].status.colour)
        if role == Qt.ItemDataRole.ForegroundRole:
            return QColor("#000000")
        if role == FUNDING_LINE_ROLE:
            return index.row() in self._lines
        return super().data(index, role)


class FundingLineDelegate(QStyledItemDelegate):
    """Paints the funding line: a thick red rule under the last funded row, across every column."""

    def paint(
        self, painter: QPainter, option: QStyleOptionViewItem, index: QModelIndex | QPersistentModelIndex
    ) -> None:
        super().paint(painter, option, index)
        if index.data(FUNDING_LINE_ROLE) and _in_ranking_order(index.model()):
            painter.save()
            painter.setPen(QPen(QColor(LINE_COLOUR), 3))
            y = option.rect.bottom() - 1
            painter.drawLine(option.rect.left(), y, option.rect.right(), y)
            painter.restore()


def _in_ranking_order(model: QAbstractItemModel) -> bool:
    """The line means "funded above" only while every row is shown in the ranking's own order.

    In a call divided into lots each lot has its line; choosing one lot hides the others but keeps the
    lot's rows whole and in order, so its line still stands (a search, which hides rows of a lot, does not).
    """
    if not isinstance(model, QSortFilterProxyModel):
        return True
    source = model.sourceModel()
    if not isinstance(source, RankingModel) or not source.has_lots:
        by_position = model.sortColumn() == -1 or (
            model.sortColumn() == 0 and model.sortOrder() == Qt.SortOrder.AscendingOrder
        )
        return by_position and model.rowCount() == source.rowCount()
    one_lot_by_position = (
        source.lot_filter is not None
        and model.sortColumn() == source.position_column
        and model.sortOrder() == Qt.SortOrder.AscendingOrder
    )
    searching = bool(getattr(model, "searching", False))
    return (model.sortColumn() == -1 or one_lot_by_position) and not searching


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
