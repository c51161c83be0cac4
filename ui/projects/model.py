"""The funded-projects table: one frozen ``ProjectLine`` per row, filtered by zone, state and text.

Sorting uses ``SORT_ROLE`` (raw cents, dates) through the shared ``ui.models.filter_bar`` proxy, so
€ 9.000,00 sorts before € 45.000,00; ``matches`` and ``haystack`` are the screen's own filter and search.
A project whose support is behind the plan is marked in the «Affiancamento» column and tinted.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any

from PySide6.QtCore import QModelIndex, QPersistentModelIndex, Qt
from PySide6.QtGui import QBrush, QColor

from ui.chair.common import day_it, euro, tr
from ui.models.table import RIGHT, SORT_ROLE, Column, RowTableModel
from valutazione.projects.monitoring import ProjectLine

BEHIND_BG = "#fde2c8"
CLOSED_FG = "#6b6b6b"


def _hours(r: ProjectLine) -> str:
    if not r.hours_planned:
        return "—"
    text = f"{r.hours_used} / {r.hours_planned} h".replace(".", ",")
    return text + (tr("  ⚠ in ritardo") if r.behind else "")


class ProjectsModel(RowTableModel[ProjectLine]):
    columns = (
        Column[ProjectLine](tr("Protocollo"), lambda r: r.protocol),
        Column[ProjectLine](tr("Beneficiario"), lambda r: r.applicant, tooltip=lambda r: r.title),
        Column[ProjectLine](tr("Zona"), lambda r: r.zone),
        Column[ProjectLine](tr("Stato"), lambda r: r.state),
        Column[ProjectLine](tr("Ammesso"), lambda r: r.figures.ammesso_cents, euro, RIGHT),
        Column[ProjectLine](tr("Vincolante"), lambda r: r.figures.vincolante_cents, euro, RIGHT),
        Column[ProjectLine](tr("Erogato"), lambda r: r.figures.erogato_cents, euro, RIGHT),
        Column[ProjectLine](tr("Convenzione"), lambda r: r.signed_on, day_it),
        Column[ProjectLine](tr("Fine progetto"), lambda r: r.end_on, day_it),
        Column[ProjectLine](tr("Affiancamento"), lambda r: r, _hours),
    )

    def data(self, index: QModelIndex | QPersistentModelIndex, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or index.row() >= len(self._rows):
            return None
        row = self._rows[index.row()]
        if role == SORT_ROLE:
            if index.column() == len(self.columns) - 1:
                return ("1 " if row.behind else "0 ") + (row.hours_used or "")  # behind projects together
            value = super().data(index, role)
            if isinstance(value, date):
                return value.isoformat()  # Qt compares strings, not Python dates
            return "" if value is None else value
        if role == Qt.ItemDataRole.BackgroundRole and row.behind:
            return QBrush(QColor(BEHIND_BG))
        if role == Qt.ItemDataRole.ForegroundRole and row.state in ("revocato", "rinunciato"):
            return QBrush(QColor(CLOSED_FG))
        return super().data(index, role)


def matches(zone: str, state: str) -> Callable[[ProjectLine | None], bool]:
    """The zone and state chosen in the combos (empty: all)."""

    def accept(row: ProjectLine | None) -> bool:
        return row is not None and (not zone or row.zone == zone) and (not state or row.state == state)

    return accept


def haystack(row: ProjectLine) -> str:
    """Searched words are looked for in protocol, beneficiary, title and CUP (the title is only a tooltip)."""
    return " ".join((row.protocol, row.applicant, row.title, row.cup))
