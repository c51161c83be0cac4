"""The words for a row's funding note in a call with lots, quotas or a per-applicant limit, and where each
lot's funding line falls.

The notes come from the lot-aware funding walk (``Row.funding_note``): a reserved quota, money another lot
did not use, or the per-applicant limit that passed over an application standing above its lot's line.
The chair must see which of them made the difference, and a tooltip says it in full.
"""

from __future__ import annotations

from ui.chair.common import tr
from valutazione.bando import Bando
from valutazione.plural import count
from valutazione.ranking.records import Ranking, Row

QUOTA = "quota:"
RESIDUAL = "residui"
APPLICANT_LIMIT = "limite_richiedente"
RESIDUAL_RULES = {
    "nessuna": "nessuna: restano non assegnate",
    "migliori_non_finanziate": "alle migliori domande non finanziate di tutti i lotti",
    "pro_rata": "ai lotti con domande da finanziare, in proporzione alla dotazione",
}


def residual_rule_text(rule: str) -> str:
    if rule.startswith("lotto:"):
        return tr("al lotto ") + rule.removeprefix("lotto:")
    return tr(RESIDUAL_RULES.get(rule, rule))


def funded_siblings(ranking: Ranking, row: Row) -> list[str]:
    """The same applicant's other funded applications (same tax code): why the limit passed this one over."""
    key = row.tax_code.strip().upper()
    return [
        r.protocol
        for r in ranking.rows
        if key and r.protocol != row.protocol and r.status.funded and r.tax_code.strip().upper() == key
    ]


def outcome_text(row: Row) -> str:
    """The outcome as the chair reads it: passed over by the per-applicant limit is not «exhausted funds»."""
    if row.funding_note == APPLICANT_LIMIT and not row.status.funded:
        return tr("Ammessa non finanziata (limite per proponente)")
    return tr(row.status.label)


def note_text(row: Row, ranking: Ranking) -> str:
    """The row's funding note in a few words (empty when the walk left none)."""
    note = row.funding_note or ""
    if note.startswith(QUOTA):
        return tr("quota riservata ") + note.removeprefix(QUOTA)
    if note == RESIDUAL:
        return tr("con i residui di altri lotti")
    if note == APPLICANT_LIMIT and not row.status.funded:
        others = funded_siblings(ranking, row)
        return tr("limite per proponente") + (f" ({', '.join(others)})" if others else "")
    return ""


def note_tip(row: Row, ranking: Ranking, bando: Bando) -> str:
    """The note explained: which quota, which rule for unused money, which limit and which applications."""
    note = row.funding_note or ""
    if note.startswith(QUOTA):
        code = note.removeprefix(QUOTA)
        quota = next((q for q in bando.lots.quotas if q.code == code), None)
        what = f"«{code}»" + (f" ({quota.name}), " + tr("per le domande con «") + quota.prop + "»" if quota else "")
        return (
            tr("Finanziata dalla quota riservata ")
            + what
            + tr(": la quota si assegna per prima, nell'ordine della graduatoria del lotto.")
        )
    if note == RESIDUAL:
        return tr("Finanziata o integrata con le risorse non usate da altri lotti (regola del bando: ") + (
            residual_rule_text(bando.lots.residual_rule) + ")."
        )
    if note == APPLICANT_LIMIT and not row.status.funded:
        limit = count(bando.lots.max_funded_per_applicant or 0, "domande")
        others = funded_siblings(ranking, row)
        funded = (tr("finanziata ") if len(others) == 1 else tr("finanziate ")) + ", ".join(others)
        return tr(
            "Non finanziata pur essendo sopra la linea del lotto: il bando finanzia al più {limit} per "
            "proponente (stesso codice fiscale) e questo proponente ha già {funded}."
        ).format(limit=limit, funded=funded if others else tr("raggiunto il limite"))
    return ""


def line_rows(ranking: Ranking) -> frozenset[int]:
    """The rows under which a funding line is drawn: the last funded one of each lot's ranked rows."""
    if not ranking.lots:
        return frozenset({ranking.funding_line - 1}) if ranking.funding_line else frozenset()
    last: dict[str | None, int] = {}
    for i, r in enumerate(ranking.rows):
        if r.position is not None and r.status.funded:
            last[r.lot] = i
    return frozenset(last.values())
