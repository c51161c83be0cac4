"""The parts of the ranking documents that only a call divided into lots has: a section per lot (its money
and its ranking, with its own funding line) and the summary of what happened to the money lots did not use.

Apart from ``graduatoria`` so that a single-budget ranking's document is built by exactly the code it was.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from decimal import Decimal
from typing import Any

from reportlab.lib.units import mm
from reportlab.platypus import Flowable, KeepTogether, Spacer

from valutazione.money import to_cents
from valutazione.reports.layout import Styles, euro, key_value_table, para
from valutazione.reports.ranking_view import RankingView, ViewRow
from valutazione.reports.rows_table import LEFT, RIGHT, RowsTable

RESIDUAL_LABELS = {
    "nessuna": "nessuna: il denaro non usato da un lotto resta non assegnato",
    "migliori_non_finanziate": "alle migliori domande ammesse e non finanziate di tutti i lotti, per punteggio",
    "pro_rata": "ai lotti con domande ancora da finanziare, in proporzione alla loro dotazione",
}
NOTE_LABELS = {"residui": "con i residui", "limite_richiedente": "limite per proponente"}

TableFn = Callable[[Sequence[ViewRow], int | None, str], Flowable]


def residual_label(rule: str) -> str:
    if rule.startswith("lotto:"):
        return f"al lotto {rule.removeprefix('lotto:')}"
    return RESIDUAL_LABELS.get(rule, rule)


def note_label(note: str | None) -> str:
    """A row's funding note in words: funded by a quota, with redistributed money, or held back by the
    per-applicant limit."""
    if not note:
        return ""
    if note.startswith("quota:"):
        return f"quota {note.removeprefix('quota:')}"
    return NOTE_LABELS.get(note, note)


def lot_parameter_pairs(parameters: Mapping[str, Any]) -> list[tuple[str, str]]:
    """The lot rules among the printed parameters (none for a single-budget call)."""
    rules = parameters.get("lots")
    if not isinstance(rules, Mapping):
        return []
    pairs = []
    lots = [
        f"{x['code']} {euro(to_cents(Decimal(x['budget'])))} (massimo {euro(to_cents(Decimal(x['cap'])))})"
        for x in rules.get("lots", [])
        if x.get("code")
    ]
    if lots:
        pairs.append(("Lotti (dotazione, contributo massimo)", "; ".join(lots)))
    for q in rules.get("quotas", []):
        share = f"{q['percent']} %" if q.get("percent") else euro(to_cents(Decimal(q["amount"])))
        where = f"del lotto {q['lot']}" if q.get("lot") else "del bando"
        pairs.append((f"Quota riservata {q['code']}", f"{share} {where} alle domande con «{q['property']}»"))
    types = rules.get("project_types") or {}
    if types:
        pairs.append(
            ("Massimale per tipo di progetto", "; ".join(f"{k} {euro(to_cents(Decimal(v)))}" for k, v in types.items()))
        )
    if rules.get("max_funded_per_applicant"):
        pairs.append(("Domande finanziate per proponente", f"al più {rules['max_funded_per_applicant']}"))
    pairs.append(("Risorse non usate da un lotto", residual_label(str(rules.get("residual_rule", "nessuna")))))
    return pairs


def lot_sections(view: RankingView, styles: Styles, width: float, table: TableFn) -> list[Flowable]:
    """One section per lot: its money, then its ranked applications with the lot's own funding line."""
    story: list[Flowable] = []
    for lot in view.lots:
        rows = [r for r in view.rows if r.lot == lot.code and r.position is not None]
        story.append(para(f"Lotto {lot.code} – {lot.name}", styles.h2))
        pairs = [("Dotazione del lotto", euro(lot.budget_cents))]
        if lot.quota_reserved_cents:
            pairs.append(
                ("Quota riservata (usata)", f"{euro(lot.quota_reserved_cents)} ({euro(lot.quota_used_cents)})")
            )
        pairs.append(("Contributi assegnati", euro(lot.allocated_cents)))
        if lot.received_cents:
            pairs.append(("di cui da residui di altri lotti", euro(lot.received_cents)))
        pairs.append(("Risorse del lotto non usate", euro(lot.remaining_cents)))
        story.append(key_value_table(pairs, width * 0.6, styles, label_share=0.55))
        story.append(Spacer(1, 1.5 * mm))
        if not rows:
            story.append(para("Nessuna domanda ammessa in graduatoria per questo lotto.", styles.body))
            continue
        funded = [i for i, r in enumerate(rows) if r.status.funded]
        line = funded[-1] + 1 if funded and funded[-1] + 1 < len(rows) else None
        banner = (
            f"▲ LINEA DI FINANZIAMENTO DEL LOTTO {lot.code} – assegnati {euro(lot.allocated_cents)} su "
            f"{euro(lot.budget_cents + lot.received_cents)}"
        )
        story.append(table(rows, line, banner))
    return story


def redistribution_summary(view: RankingView, styles: Styles, width: float) -> list[Flowable]:
    """The lots side by side, and the call's rule for unused money with what it moved."""
    if not view.lots or view.redistribution is None:
        return []
    head = ["Lotto", "Dotazione", "Quota riservata", "Assegnato", "Ricevuto", "Non usato", "Finanziate"]
    data = [
        [
            f"{x.code} – {x.name}",
            euro(x.budget_cents),
            euro(x.quota_reserved_cents) if x.quota_reserved_cents else "–",
            euro(x.allocated_cents),
            euro(x.received_cents) if x.received_cents else "–",
            euro(x.remaining_cents),
            f"{x.funded} su {x.ranked}",
        ]
        for x in view.lots
    ]
    widths = [0.0, 28 * mm, 28 * mm, 28 * mm, 26 * mm, 26 * mm, 22 * mm]
    widths[0] = width - sum(widths)
    r = view.redistribution
    pairs = [
        ("Regola per le risorse non usate", residual_label(r.rule)),
        ("Risorse non usate dai lotti dopo le loro graduatorie", euro(r.pool_cents)),
        ("Ridistribuite secondo la regola", euro(r.redistributed_cents)),
        ("Risorse del bando non assegnate", euro(view.remaining_cents)),
    ]
    return [
        KeepTogether(
            [
                para("Riepilogo dei lotti e dei residui", styles.h2),
                RowsTable(head, data, widths, [LEFT, *[RIGHT] * 6]),
                Spacer(1, 2 * mm),
                key_value_table(pairs, width * 0.8, styles, label_share=0.5),
            ]
        )
    ]
