"""The plan of an import, shown to the user before anything is written.

Frozen dataclasses only: the GUI can show a report built in a worker thread, and a test can compare one
field by field. Rule codes are stable identifiers that other parts of the product (admissibility,
minutes) key on, so they are listed here once.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from valutazione.errors import ImportRefusedError

ProgressFn = Callable[[int, int], None]
CancelledFn = Callable[[], bool]

RULES = {
    "cf_non_valido": "codice fiscale o partita IVA non valido",
    "zona_non_ammessa": "progetto fuori dalle zone bersaglio",
    "zona_ambigua": "zona indicata in modo ambiguo",
    "forma_giuridica": "forma giuridica non ammessa",
    "oltre_massimale": "contributo oltre il massimale",
    "cofinanziamento_insufficiente": "cofinanziamento inferiore al minimo",
    "costo_incoerente": "costo totale diverso da contributo + cofinanziamento",
    "fuori_termine": "domanda inviata dopo la scadenza",
    "allegato_mancante": "allegato mancante",
    # a call divided into lots (importers.lot_columns)
    "lotto_mancante": "lotto non indicato o non previsto dal bando",
    "tipo_progetto_sconosciuto": "tipo di progetto non previsto dal bando",
    "oltre_massimale_lotto": "contributo oltre il massimale del lotto",
    "oltre_massimale_tipo": "contributo oltre il massimale del tipo di progetto",
    "cofinanziamento_lotto": "cofinanziamento inferiore al minimo del lotto",
}


@dataclass(frozen=True)
class Refusal:
    """A row that cannot be read; ``row`` is the number a spreadsheet shows (header = 1)."""

    row: int
    protocol: str
    field: str
    reason: str


@dataclass(frozen=True)
class PlannedFlag:
    rule: str
    detail: str


@dataclass(frozen=True)
class PlannedAttachment:
    """A listed file; ``path`` is None when no folder was given or the file was not found."""

    filename: str
    path: Path | None


@dataclass(frozen=True)
class PlannedDomanda:
    row: int
    protocol: str
    submitted_at: datetime
    applicant: str
    legal_form: str
    tax_code: str
    vat_number: str
    legal_representative: str
    pec: str
    title: str
    zone_text: str
    zone_number: int | None
    total_cost_cents: int
    grant_cents: int
    cofinancing_cents: int
    duration_months: int | None
    abstract: str
    attachments: tuple[PlannedAttachment, ...]
    flags: tuple[PlannedFlag, ...]
    content_sha256: str
    lot_code: str | None = None
    project_type: str | None = None
    quota_properties: str = ""


@dataclass(frozen=True)
class Skipped:
    """A row identical to an application already in the file: importing it again changes nothing."""

    row: int
    protocol: str


@dataclass(frozen=True)
class ImportReport:
    filename: str
    file_sha256: str
    total_rows: int
    domande: tuple[PlannedDomanda, ...]
    refused: tuple[Refusal, ...]
    skipped: tuple[Skipped, ...]

    @property
    def flags(self) -> tuple[tuple[str, PlannedFlag], ...]:
        """(protocol, flag) for every flag of every row to import, in file order."""
        return tuple((d.protocol, f) for d in self.domande for f in d.flags)

    @property
    def refused_rows(self) -> tuple[int, ...]:
        return tuple(sorted({r.row for r in self.refused}))

    def to_json(self, imported: int) -> dict[str, Any]:
        """The shape the CLI prints with ``--json`` (and scripts rely on)."""
        return {
            "imported": imported,
            "planned": len(self.domande),
            "skipped": len(self.skipped),
            "refused": [
                {"row": r.row, "protocol": r.protocol, "field": r.field, "reason": r.reason} for r in self.refused
            ],
            "flagged": [{"protocol": p, "rule": f.rule, "detail": f.detail} for p, f in self.flags],
        }


@dataclass(frozen=True)
class ImportResult:
    report: ImportReport
    imported: int
    batch_id: int | None


class RowsRefusedError(ImportRefusedError):
    """The file has unreadable rows and the user did not choose to skip them: nothing was written."""

    def __init__(self, report: ImportReport) -> None:
        self.report = report
        rows = ", ".join(str(r) for r in report.refused_rows)
        super().__init__(
            f"«{report.filename}» rifiutato: {len(report.refused_rows)} righe non leggibili (righe {rows}). "
            "Nessuna domanda è stata importata; correggere il file o importare saltando le righe rifiutate."
        )


class ImportCancelledError(ImportRefusedError):
    """The user cancelled; the caller's transaction rolls back, so nothing was written."""

    def __init__(self) -> None:
        super().__init__("Importazione annullata: nessuna domanda è stata importata.")
