"""The ranking as the documents and exports see it: from the engine's result or from an approved version.

A ranking is printed either just computed (``Graduatoria`` from ``ranking.build_graduatoria``, with
every detail) or as it was approved (``GraduatoriaVersion.content_json``, frozen in the file). An
approved version must be printed from what was stored, never recomputed, so that a published ranking is
reproduced exactly; this module reads both into one shape. Versions approved before the service stored
the detail lack raw points and requested amounts: those are ``None`` and the documents leave them out.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Any

from valutazione.bando import Bando
from valutazione.funding import FUNDED, NOT_FUNDED, PARTIALLY_FUNDED
from valutazione.graduatoria import EXCLUDED, NOT_ADMITTED, NOT_SCORED, RENOUNCED, Graduatoria
from valutazione.money import to_cents
from valutazione.ranking import parameters

NOT_APPROVED = "non approvata"

STATUS_LABELS = {
    FUNDED: "Ammessa e finanziata",
    PARTIALLY_FUNDED: "Finanziata parzialmente",
    NOT_FUNDED: "Ammessa non finanziata per esaurimento risorse",
    NOT_ADMITTED: "Non ammessa (sotto soglia)",
    NOT_SCORED: "Non ancora valutata",
    EXCLUDED: "Esclusa",
    RENOUNCED: "Rinunciataria / revocata",
}
SHORT_STATUS = {
    FUNDED: "Finanziata",
    PARTIALLY_FUNDED: "Finanz. parziale",
    NOT_FUNDED: "Non finanziata",
    NOT_ADMITTED: "Non ammessa",
    NOT_SCORED: "Da valutare",
    EXCLUDED: "Esclusa",
    RENOUNCED: "Rinunciataria",
}


def status_label(status: str) -> str:
    return STATUS_LABELS.get(status, status)


@dataclass(frozen=True)
class ViewRow:
    position: int | None
    protocol: str
    applicant: str
    tax_code: str
    title: str
    criteria_final: Mapping[str, Decimal]
    total_final: Decimal
    status: str
    grant_cents: int
    tie: str | None
    criteria_raw: Mapping[str, Decimal] | None = None
    total_raw: Decimal | None = None
    requested_cents: int | None = None
    threshold_failures: tuple[tuple[str, Decimal, Decimal], ...] = ()


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

    @property
    def approved(self) -> bool:
        return self.version is not None

    @property
    def state_label(self) -> str:
        if self.version is None:
            return "NON APPROVATA (calcolo provvisorio, senza valore di atto)"
        return f"{self.state} – versione {self.version}"


def from_graduatoria(
    g: Graduatoria,
    *,
    state: str = NOT_APPROVED,
    version: int | None = None,
    approved_at: datetime | None = None,
    approved_by: str = "",
) -> RankingView:
    """A computed ranking with every detail; unapproved unless the caller says which version it is."""
    rows = tuple(
        ViewRow(
            position=r.position,
            protocol=r.protocol,
            applicant=r.applicant,
            tax_code=r.tax_code,
            title=r.title,
            criteria_final=dict(r.criteria_final),
            total_final=r.total_final,
            status=r.status,
            grant_cents=r.grant_cents,
            tie=r.tie,
            criteria_raw=dict(r.criteria_raw),
            total_raw=r.total_raw,
            requested_cents=r.requested_cents,
            threshold_failures=tuple((f.code, f.points, f.threshold) for f in r.threshold_failures),
        )
        for r in g.rows
    )
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
    )


def _cents(value: Any) -> int:
    return to_cents(Decimal(str(value)))


def _decimals(mapping: Mapping[str, Any]) -> dict[str, Decimal]:
    return {k: Decimal(str(v)) for k, v in mapping.items()}


def _requested(raw: Mapping[str, Any]) -> int | None:
    """The requested amount in either spelling (euro string ``requested``, integer ``requested_cents``)."""
    if raw.get("requested_cents") is not None:
        return int(raw["requested_cents"])
    return _cents(raw["requested"]) if raw.get("requested") is not None else None


def _stored_row(raw: Mapping[str, Any]) -> ViewRow:
    """One row of either stored shape: ``Graduatoria.to_dict()`` or ``canonical_json()``."""
    if "criteria_final" in raw:
        final = _decimals(raw["criteria_final"])
        total = Decimal(str(raw["total_final"]))
        crit_raw: dict[str, Decimal] | None = _decimals(raw.get("criteria_raw", {})) or None
        total_raw = Decimal(str(raw["total_raw"])) if raw.get("total_raw") is not None else None
    else:  # to_dict() rows; versions approved since the detail was added also carry the raw points
        pts = dict(raw.get("points", {}))
        total = Decimal(str(pts.pop("total", "0")))
        final = _decimals(pts)
        crit_raw = _decimals(raw.get("criteria_raw", {})) or None
        total_raw = Decimal(str(raw["total_raw"])) if raw.get("total_raw") is not None else None
    failures = tuple((str(c), Decimal(str(p)), Decimal(str(t))) for c, p, t in raw.get("threshold_failures", []))
    return ViewRow(
        position=raw.get("position"),
        protocol=str(raw["protocol"]),
        applicant=str(raw.get("applicant", "")),
        tax_code=str(raw.get("tax_code", "")),
        title=str(raw.get("title", "")),
        criteria_final=final,
        total_final=total,
        status=str(raw["status"]),
        grant_cents=_cents(raw.get("grant", "0")),
        tie=raw.get("tie"),
        criteria_raw=crit_raw,
        total_raw=total_raw,
        requested_cents=_requested(raw),
        threshold_failures=failures,
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
    """An approved version exactly as stored, whichever of the engine's two JSON shapes it uses."""
    data: Mapping[str, Any] = json.loads(content) if isinstance(content, str) else content
    rows = tuple(_stored_row(r) for r in data.get("rows", []))
    if "funding_line" in data:
        line = int(data["funding_line"])
    else:
        funded = [i for i, r in enumerate(rows) if r.status in (FUNDED, PARTIALLY_FUNDED)]
        line = funded[-1] + 1 if funded else 0
    warnings = tuple(str(w["message"]) if isinstance(w, Mapping) else str(w) for w in data.get("warnings", []))
    return RankingView(
        bando_code=str(data.get("bando", bando.code)),
        state=state,
        version=version,
        approved_at=approved_at,
        approved_by=approved_by,
        fingerprint=fingerprint,
        budget_cents=_cents(data.get("budget", "0")),
        allocated_cents=_cents(data.get("allocated", "0")),
        remaining_cents=_cents(data.get("remaining", "0")),
        funding_line=line,
        rows=rows,
        parameters=dict(data.get("parameters") or parameters(bando)),
        warnings=warnings,
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
