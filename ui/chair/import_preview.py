"""The import preview: every row of the file, with its refusals and flags highlighted and explained.

Built from the importer's frozen ``ImportReport``: a refused row (unreadable, duplicate...) is red and
names the field and the reason; a flagged row (readable but breaking an admissibility rule) is amber and
says which rule, because the committee — not the importer — will decide on it.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtGui import QColor

from ui.chair.common import NOT_ADMITTED_BG, PARTIAL_BG, tr
from ui.models.table import CENTER, RIGHT, AnyIndex, Column, RowTableModel
from valutazione.importers.report import RULES, ImportReport
from valutazione.importers.table import Table

READY = "importabile"
FLAGGED = "segnalata"
REFUSED = "rifiutata"
SKIPPED = "già presente"


@dataclass(frozen=True)
class PreviewRow:
    row: int
    protocol: str
    applicant: str
    status: str
    reasons: tuple[str, ...]

    @property
    def explanation(self) -> str:
        if self.status == REFUSED:
            head = tr("Riga rifiutata: i dati non si possono leggere. Motivi:")
        elif self.status == FLAGGED:
            head = tr("Riga importabile ma segnalata per la decisione di ammissibilità della commissione:")
        elif self.status == SKIPPED:
            return tr("Domanda identica già presente nel file: non viene importata di nuovo.")
        else:
            return tr("Riga leggibile, nessuna segnalazione.")
        return head + "\n• " + "\n• ".join(self.reasons)


def preview_rows(report: ImportReport, table: Table, applicant_column: int | None) -> list[PreviewRow]:
    """One line per row of the file, in file order, whatever happened to it."""
    cells = dict(table.rows)

    def applicant(row: int) -> str:
        values = cells.get(row, ())
        if applicant_column is None or applicant_column >= len(values) or values[applicant_column] is None:
            return ""
        return str(values[applicant_column]).strip()

    out: dict[int, PreviewRow] = {}
    for d in report.domande:
        reasons = tuple(f"{RULES.get(f.rule, f.rule)}: {f.detail}" for f in d.flags)
        out[d.row] = PreviewRow(d.row, d.protocol, d.applicant, FLAGGED if reasons else READY, reasons)
    for s in report.skipped:
        out[s.row] = PreviewRow(s.row, s.protocol, applicant(s.row), SKIPPED, ())
    refused: dict[int, list[str]] = {}
    protocols: dict[int, str] = {}
    for r in report.refused:
        refused.setdefault(r.row, []).append(f"{r.field}: {r.reason}")
        protocols[r.row] = r.protocol
    for row, why in refused.items():
        out[row] = PreviewRow(row, protocols[row], applicant(row), REFUSED, tuple(why))
    return [out[k] for k in sorted(out)]


class PreviewModel(RowTableModel[PreviewRow]):
    columns = (
        Column[PreviewRow](tr("Riga"), lambda r: r.row, str, RIGHT),
        Column[PreviewRow](tr("Protocollo"), lambda r: r.protocol),
        Column[PreviewRow](tr("Denominazione"), lambda r: r.applicant),
        Column[PreviewRow](tr("Esito"), lambda r: r.status, str, CENTER),
        Column[PreviewRow](tr("Motivi"), lambda r: "; ".join(r.reasons)),
    )

    def data(self, index: AnyIndex, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if index.isValid() and 0 <= index.row() < self.rowCount():
            row = self.row_at(index.row())
            if role == Qt.ItemDataRole.BackgroundRole:
                colour = {REFUSED: NOT_ADMITTED_BG, FLAGGED: PARTIAL_BG}.get(row.status)
                return QColor(colour) if colour else None
            if role == Qt.ItemDataRole.ForegroundRole and row.status in (REFUSED, FLAGGED):
                return QColor("#000000")
            if role == Qt.ItemDataRole.ToolTipRole:
                return row.explanation
        return super().data(index, role)

    def counts(self) -> dict[str, int]:
        found = {READY: 0, FLAGGED: 0, REFUSED: 0, SKIPPED: 0}
        for r in self.rows:
            found[r.status] += 1
        return found
