"""Lots of a call: the chair sets an application's lot; the screens read per-lot summaries.

Setting a lot changes which ranking an application competes in, so it is a decision: the reason is
mandatory and the audit chain records before and after. The lot's caps and co-financing minimum are
checked again at once and the checklist's lot flags replaced, so admissibility always judges the
application in the lot it is in. The summaries are frozen records for the GUI (a lot selector and a
budget bar per lot): nothing here returns an ORM object.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.orm import Session

from valutazione import audit
from valutazione.bando_lotti import quota_properties
from valutazione.errors import RuleViolation
from valutazione.importers.lot_columns import LOT_RULES, LotFields, lot_flags
from valutazione.models import Flag
from valutazione.ranking.records import Ranking
from valutazione.services import lookup
from valutazione.services import ranking as ranking_service


@dataclass(frozen=True)
class LotChoice:
    """A lot as a selector lists it."""

    code: str
    name: str
    budget_cents: int
    cap_cents: int


@dataclass(frozen=True)
class LotBudgetBar:
    """One lot's money in the ranking just computed: what a budget bar draws.

    ``used_cents`` is everything granted to the lot's applications (its quota's grants included);
    ``received_cents`` the part that came from other lots' unused money; ``left_cents`` its own money
    it did not use.
    """

    code: str
    name: str
    budget_cents: int
    quota_reserved_cents: int
    quota_used_cents: int
    used_cents: int
    received_cents: int
    left_cents: int
    ranked: int
    funded: int


@dataclass(frozen=True)
class LotsOverview:
    """Every lot of the computed ranking, plus the call's rule for unused money and what it moved."""

    lots: tuple[LotBudgetBar, ...]
    residual_rule: str
    pool_cents: int
    redistributed_cents: int


def choices(s: Session) -> tuple[LotChoice, ...]:
    """The call's lots in the call's order (empty for a single-budget call)."""
    return tuple(LotChoice(lot.code, lot.name, lot.budget_cents, lot.cap_cents) for lot in lookup.rules(s).lots.lots)


def overview(s: Session) -> LotsOverview | None:
    """The per-lot summaries of the ranking as the file stands now; ``None`` for a single-budget call."""
    return overview_of(ranking_service.compute(s).ranking)


def overview_of(ranking: Ranking) -> LotsOverview | None:
    if not ranking.lots or ranking.redistribution is None:
        return None
    bars = tuple(
        LotBudgetBar(
            lot.code,
            lot.name,
            lot.budget_cents,
            lot.quota_reserved_cents,
            lot.quota_used_cents,
            lot.allocated_cents,
            lot.received_cents,
            lot.remaining_cents,
            lot.ranked,
            lot.funded,
        )
        for lot in ranking.lots
    )
    r = ranking.redistribution
    return LotsOverview(bars, r.rule, r.pool_cents, r.redistributed_cents)


def set_lot(s: Session, protocol: str, lot_code: str, reason: str, actor: str) -> str | None:
    """Puts the application in ``lot_code``; returns the lot it was in. Audited; the lot flags are redone."""
    bando = lookup.rules(s)
    d = lookup.domanda_by_protocol(s, protocol)
    codes = [lot.code for lot in bando.lots.lots]
    if not codes:
        raise RuleViolation("Il bando non è diviso in lotti: non c'è un lotto da indicare.")
    if lot_code not in codes:
        raise RuleViolation(f"Lotto «{lot_code}» non previsto dal bando: lotti possibili {', '.join(codes)}.")
    reason = reason.strip()
    if not reason:
        raise RuleViolation(f"Indicare il motivo del cambio di lotto per la domanda {d.protocol}: è obbligatorio.")
    before = d.lot_code
    if before == lot_code:
        return before
    d.lot_code = lot_code
    fields = LotFields(lot_code, d.project_type, quota_properties(d.quota_properties))
    fresh = lot_flags(bando, fields, d.total_cost_cents, d.grant_cents, d.cofinancing_cents)
    for flag in list(d.flags):
        if flag.rule in LOT_RULES:
            d.flags.remove(flag)
    s.flush()
    for rule, details in fresh.items():
        d.flags.append(Flag(rule=rule, detail="; ".join(details)))
    s.flush()
    audit.record(
        s, actor, "domanda.lotto", "domanda", d.protocol, {"lotto": before}, {"lotto": lot_code, "motivo": reason}
    )
    return before
