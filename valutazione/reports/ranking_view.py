"""The ranking as the documents and exports see it: from the engine's result or from an approved version.

A ranking is printed either just computed (``Ranking`` from ``ranking.build_ranking``, with every
detail) or as it was approved (``GraduatoriaVersion.content_json``, frozen in the file). An approved
version must be printed from what was stored, never recomputed, so that a published ranking is
reproduced exactly; the stored version is read by the one reader, ``ranking.stored.read_version``,
which also reads versions stored before the detail was kept (their missing figures are ``None`` and
the documents leave them out).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any

from valutazione.bando import Bando
from valutazione.ranking import Ranking, parameters
from valutazione.ranking.records import LotSummary, Redistribution
from valutazione.ranking.stored import StoredRow, read_version, stored_row

NOT_APPROVED = "non approvata"

ViewRow = StoredRow  # a row as every ranking document shows it, computed or stored


@dataclass(frozen=True)
class RankingView:
    """Everything a ranking document shows; ``state`` is provvisoria, definitiva or «non approvata»."""

    bando_code: str
    state: str
    version: int | None
    approved_at: datetime | None
    approved_by: str
    fingerprint: str
    budget_cents: int
    allocated_cents: int
    remaining_cents: int
    funding_line: int
    rows: tuple[ViewRow, ...]
    parameters: Mapping[str, Any]
    warnings: tuple[str, ...] = ()
    reasons: tuple[str, ...] = ()
    lots: tuple[LotSummary, ...] = ()  # a call divided into lots: one section per lot in the documents
    redistribution: Redistribution | None = None

    def for_lot(self, code: str) -> RankingView:
        """The extract of one lot: its rows, its money, its summary (the fingerprint stays the whole
        ranking's, which the extract comes from). Unknown code: ``KeyError``."""
        lot = next((x for x in self.lots if x.code == code), None)
        if lot is None:
            raise KeyError(code)
        rows = tuple(r for r in self.rows if r.lot == code)
        others = {r.protocol for r in self.rows if r.lot != code}
        warnings = tuple(w for w in self.warnings if not any(f"Domanda {p}:" in w for p in others))
        funded = [i for i, r in enumerate(rows) if r.status.funded]
        return replace(
            self,
            rows=rows,
            warnings=warnings,
            lots=(lot,),
            budget_cents=lot.budget_cents + lot.received_cents,  # its own money and what it received
            allocated_cents=lot.allocated_cents,
            remaining_cents=lot.remaining_cents,
            funding_line=funded[-1] + 1 if funded else 0,
        )

    def lot_name(self, code: str | None) -> str:
        return next((f"{x.code} – {x.name}" for x in self.lots if x.code == code), code or "")

    @property
    def approved(self) -> bool:
        return self.version is not None

    @property
    def state_label(self) -> str:
        if self.version is None:
            return "NON APPROVATA (calcolo provvisorio, senza valore di atto)"
        return f"{self.state} – versione {self.version}"


def from_ranking(
    g: Ranking,
    *,
    state: str = NOT_APPROVED,
    version: int | None = None,
    approved_at: datetime | None = None,
    approved_by: str = "",
) -> RankingView:
    """A computed ranking with every detail; unapproved unless the caller says which version it is."""
    rows = tuple(stored_row(r) for r in g.rows)
    return RankingView(
        bando_code=g.bando_code,
        state=state,
        version=version,
        approved_at=approved_at,
        approved_by=approved_by,
        fingerprint=g.fingerprint(),
        budget_cents=g.budget_cents,
        allocated_cents=g.allocated_cents,
        remaining_cents=g.remaining_cents,
        funding_line=g.funding_line,
        rows=rows,
        parameters=dict(g.parameters),
        warnings=tuple(w.message for w in g.warnings),
        reasons=g.reasons,
        lots=g.lots,
        redistribution=g.redistribution,
    )


def from_stored(
    content: str | Mapping[str, Any],
    bando: Bando,
    *,
    state: str,
    version: int,
    fingerprint: str,
    approved_at: datetime | None = None,
    approved_by: str = "",
) -> RankingView:
    """An approved version exactly as stored (any stored schema, through the one reader)."""
    data = read_version(content)
    return RankingView(
        bando_code=data.bando_code or bando.code,
        state=state,
        version=version,
        approved_at=approved_at,
        approved_by=approved_by,
        fingerprint=fingerprint,
        budget_cents=data.budget_cents,
        allocated_cents=data.allocated_cents,
        remaining_cents=data.remaining_cents,
        funding_line=data.funding_line,
        rows=data.rows,
        parameters=dict(data.parameters or parameters(bando)),
        warnings=tuple(w.message for w in data.warnings),
        lots=data.lots,
        redistribution=data.redistribution,
    )


def from_version(row: Any, bando: Bando) -> RankingView:
    """From a ``models.GraduatoriaVersion`` row (typed loosely to keep this module free of the ORM)."""
    return from_stored(
        row.content_json,
        bando,
        state=row.state,
        version=row.version,
        fingerprint=row.fingerprint,
        approved_at=row.approved_at,
        approved_by=row.approved_by,
    )
