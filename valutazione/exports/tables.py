"""The ranking and the scores as plain tables: one header, typed cells, ready for CSV, XLSX or JSON.

Cells keep their type (``Decimal`` points, ``Money`` amounts, ``int`` positions, text) so that each
writer formats them its own way: a decimal comma in the Italian CSV, real numbers with a € format in
Excel, exact strings in JSON. The public table has exactly the columns docs/regole.md § 15 allows.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from valutazione.bando import Bando
from valutazione.exports.publication import PublicationCount
from valutazione.money import from_cents
from valutazione.reports.graduatoria import public_rows
from valutazione.reports.lots_section import note_label
from valutazione.reports.ranking_view import RankingView
from valutazione.reports.scheda import SchedaData
from valutazione.scoring import score_subcriterion


class Money(Decimal):
    """An amount in euro (two decimals): shown with € in Excel, as a plain decimal elsewhere."""


Cell = str | int | Decimal | None


@dataclass(frozen=True)
class Sheet:
    """One view: a title (the XLSX sheet's name), the header, the rows and notes printed below them."""

    title: str
    header: tuple[str, ...]
    rows: tuple[tuple[Cell, ...], ...]
    meta: dict[str, Any] = field(default_factory=dict)
    notes: tuple[str, ...] = ()


def money(cents: int) -> Money:
    return Money(from_cents(cents))


def ranking_sheet(view: RankingView, bando: Bando) -> Sheet:
    """The internal ranking: every criterion (final and, when known, raw), total, grant, outcome."""
    codes = [c.code for c in bando.criteria]
    header = (
        "Posizione",
        "Protocollo",
        "Denominazione",
        "Codice fiscale",
        "Titolo progetto",
        *[f"Punti {c}" for c in codes],
        *[f"Punti grezzi {c}" for c in codes],
        "Totale",
        "Totale grezzo",
        "Contributo richiesto",
        "Contributo assegnato",
        "Esito",
        "Parità",
    )
    lots = bool(view.lots)
    if lots:  # positions are per lot: the lot's code goes first
        header = ("Lotto", *header, "Nota sul finanziamento")
    rows = []
    for r in view.rows:
        raw = r.criteria_raw or {}
        rows.append(
            (
                *((r.lot or "",) if lots else ()),
                r.position,
                r.protocol,
                r.applicant,
                r.tax_code,
                r.title,
                *[r.criteria_final.get(c) for c in codes],
                *[raw.get(c) for c in codes],
                r.total_final,
                r.total_raw,
                money(r.requested_cents) if r.requested_cents is not None else None,
                money(r.grant_cents),
                r.status.label,
                r.tie or "",
                *((note_label(r.funding_note),) if lots else ()),
            )
        )
    meta: dict[str, Any] = {
        "stato": view.state,
        "versione": view.version,
        "impronta": view.fingerprint,
        "budget": str(from_cents(view.budget_cents)),
        "assegnato": str(from_cents(view.allocated_cents)),
        "residuo": str(from_cents(view.remaining_cents)),
        "linea_finanziamento": view.funding_line,
    }
    if view.redistribution is not None:
        meta["residui_regola"] = view.redistribution.rule
        meta["residui_non_usati"] = str(from_cents(view.redistribution.pool_cents))
        meta["residui_ridistribuiti"] = str(from_cents(view.redistribution.redistributed_cents))
    return Sheet("Graduatoria", header, tuple(rows), meta)


def public_sheet(
    view: RankingView, legal_forms: Mapping[str, str] | None = None, *, confirm_persons: bool = False
) -> Sheet:
    """The published columns only: body, tax code, title, score, grant, outcome (no natural persons).

    Rows whose applicant is not identified as an organisation are withheld (``exports.publication``)
    unless ``confirm_persons``; the notes say how many and why.
    """
    header: tuple[str, ...] = (
        "Posizione",
        "Denominazione",
        "Codice fiscale",
        "Titolo progetto",
        "Punteggio",
        "Contributo",
        "Esito",
    )
    lots = bool(view.lots)
    if lots:
        header = ("Lotto", *header)
    published = public_rows(view, legal_forms, confirm_persons=confirm_persons)
    count = PublicationCount.of([r["identita"] for r in published])
    rows = tuple(
        (
            *((r.get("lotto") or "",) if lots else ()),
            r["posizione"],
            r["denominazione"],
            r["codice_fiscale"],
            r["titolo"],
            r["punteggio"],
            money(r["contributo_cents"]),
            r["esito"],
        )
        for r in published
    )
    meta = {
        "stato": view.state,
        "versione": view.version,
        "impronta": view.fingerprint,
        "righe_non_pubblicate": count.withheld,
        "righe_pubblicate_su_conferma": count.confirmed,
    }
    return Sheet("Graduatoria pubblica", header, rows, meta, tuple(count.notes()))


def parameters_sheet(view: RankingView) -> Sheet:
    rows = tuple((str(k), _plain(v)) for k, v in sorted(view.parameters.items()))
    return Sheet("Parametri", ("Parametro", "Valore"), rows)


def _plain(value: Any) -> str:
    if isinstance(value, dict):
        return "; ".join(f"{k}: {_plain(v)}" for k, v in value.items())
    if isinstance(value, list | tuple):
        return ", ".join(_plain(v) for v in value)
    return "" if value is None else str(value)


def marks_sheet(schede: Sequence[SchedaData]) -> Sheet:
    """Every member's mark and reason per sub-criterion (abstentions as «astenuto», no value)."""
    header = ("Protocollo", "Commissario", "Sottocriterio", "Coefficiente", "Motivazione", "Stato")
    rows: list[tuple[Cell, ...]] = []
    for d in schede:
        for m in d.members:
            if m.abstained or not m.submitted:
                rows.append((d.protocol, m.name, "", None, "", "astenuto" if m.abstained else "non inviata"))
                continue
            for code, value, text in sorted(m.marks, key=lambda x: x[0]):
                rows.append((d.protocol, m.name, code, value, text, "inviata"))
    return Sheet("Punteggi", header, tuple(rows))


def collegial_sheet(schede: Sequence[SchedaData], bando: Bando) -> Sheet:
    """Collegial points per sub-criterion, computed by ``scoring`` exactly as the ranking does."""
    header = ("Protocollo", "Sottocriterio", "Valutatori", "Media", "Punti", "Massimo")
    rows: list[tuple[Cell, ...]] = []
    for d in schede:
        scorers = [m for m in d.members if m.submitted and not m.abstained]
        for criterion in bando.criteria:
            if criterion.pairwise is not None:
                continue
            for sub in criterion.subcriteria:
                marks = {m.name: v for m in scorers if (v := m.mark(sub.code)[0]) is not None}
                score = score_subcriterion(bando, sub.code, marks)
                mean = Decimal(score.mean.numerator) / Decimal(score.mean.denominator)
                rows.append(
                    (d.protocol, sub.code, len(marks), mean.quantize(Decimal("0.0001")), score.points, sub.maximum)
                )
    return Sheet("Punti collegiali", header, tuple(rows))
