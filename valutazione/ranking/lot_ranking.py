"""The ranking of a call divided into lots: one ranking per lot, then the lot-aware funding walk.

Each lot is ranked on its own, exactly as a single-budget call is (thresholds on raw points, with the
lot's own where it has them; re-scaling among the lot's eligible applications; the call's tie chain and
recorded draws), so positions are per lot. The money is then decided by ``lot_funding.allocate_lots``.
A call with quotas, project types or a per-applicant limit but no lots is one implicit lot (rows carry
no lot code). Pure: no database, no SQLAlchemy.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import replace
from typing import Any

from valutazione.bando import TIE_SUBMISSION, Bando
from valutazione.bando_lotti import Lot
from valutazione.errors import RuleViolation
from valutazione.money import from_cents
from valutazione.ranking.engine import (
    Candidate,
    _final_points,
    _order,
    _row,
    _Scored,
    _scored,
    _tie_groups,
    blocking_reasons,
    parameters,
    submission_instant,
)
from valutazione.ranking.lot_funding import Entry, LotAllocation, LotBudget, QuotaBudget, allocate_lots
from valutazione.ranking.records import LotSummary, Ranking, Redistribution, Row
from valutazione.ranking.status import RankingStatus
from valutazione.ranking.warnings import RankingWarnings
from valutazione.scoring import SubScore, SubScorer

IMPLICIT = ""  # the one lot of a call that has quotas or caps per type but no lots


def lot_view(bando: Bando, lot: Lot) -> Bando:
    """The call as one lot sees it: the lot's budget and cap, its thresholds where it has its own."""
    own = dict(lot.thresholds)
    criteria = tuple(replace(c, threshold=own[c.code]) if c.code in own else c for c in bando.criteria)
    total = bando.total_threshold if lot.total_threshold is None else lot.total_threshold
    if lot.no_total_threshold:
        total = None
    return replace(
        bando, budget_cents=lot.budget_cents, cap_cents=lot.cap_cents, criteria=criteria, total_threshold=total
    )


def lots_of(bando: Bando) -> tuple[Lot, ...]:
    """The call's lots, or the implicit one lot of a call without lots."""
    if bando.lots.lots:
        return bando.lots.lots
    return (Lot(IMPLICIT, bando.title, bando.budget_cents, bando.cap_cents),)


def build_lot_ranking(
    bando: Bando,
    pool: Sequence[Candidate],
    draws: Mapping[frozenset[str], tuple[str, ...]],
    pairwise: Mapping[str, Mapping[str, SubScore]],
    scorer: SubScorer,
) -> Ranking:
    """The whole ranking of a call with lots (``bando.lots.active``); same contract as ``build_ranking``."""
    lots = lots_of(bando)
    _check_candidates(bando, pool)
    code_of = {c.protocol: (c.lot or IMPLICIT) if bando.lots.lots else IMPLICIT for c in pool}
    ranked: list[tuple[Lot, list[_Scored], dict[str, tuple[dict[str, Any], Any]], dict[str, str]]] = []
    unranked: list[tuple[Lot, _Scored]] = []
    used_draws: list[tuple[frozenset[str], tuple[str, ...]]] = []
    tie_number = 0
    for lot in lots:
        view = lot_view(bando, lot)
        scored = _scored(view, [c for c in pool if code_of[c.protocol] == lot.code], pairwise, scorer)
        eligible = [s for s in scored if s.eligible]
        finals = _final_points(view, eligible)
        ordered, ties, used = _order(view, eligible, finals, draws)
        renumbered: dict[str, str] = {}
        for old in dict.fromkeys(ties.values()):
            tie_number += 1
            renumbered[old] = f"T{tie_number}"
        ranked.append((lot, ordered, finals, {p: renumbered[t] for p, t in ties.items()}))
        unranked += [(lot, s) for s in scored if not s.eligible]
        used_draws += used
    allocation = allocate_lots(
        bando.funding_rule,
        [_budget(bando, lot) for lot in lots],
        {
            lot.code: [_entry(bando, lot, s) for s in ordered if not s.candidate.renounced]
            for lot, ordered, _, _ in ranked
        },
        max_per_applicant=bando.lots.max_funded_per_applicant,
        residual_rule=bando.lots.residual_rule,
        best_first=_best_first(bando, ranked),
    )
    grants = {g.protocol: g for g in allocation.grants}
    rows: list[Row] = []
    for lot, ordered, finals, ties in ranked:
        for position, s in enumerate(ordered, start=1):
            g = grants.get(s.candidate.protocol)
            crit, total = finals[s.candidate.protocol]
            row = _row(
                s,
                position,
                crit,
                total,
                g.status if g else RankingStatus.RENOUNCED,
                g.cents if g else 0,
                ties.get(s.candidate.protocol),
            )
            rows.append(_with_lot(bando, row, lot, g.note if g else None))
    rows += _unranked_rows(bando, unranked)
    return _ranking(bando, pool, rows, allocation, lots, used_draws)


def _check_candidates(bando: Bando, pool: Sequence[Candidate]) -> None:
    """Every application that may be ranked names a lot of the call, and a known project type."""
    if bando.lots.lots:
        codes = {lot.code for lot in bando.lots.lots}
        missing = [c.protocol for c in pool if not c.excluded and c.lot not in codes]
        if missing:
            raise RuleViolation(
                f"Domande senza un lotto del bando: {', '.join(missing)}. Indicare il lotto prima della graduatoria."
            )
    kinds = {t.code for t in bando.lots.project_types}
    unknown = [c.protocol for c in pool if c.project_type is not None and c.project_type not in kinds]
    if unknown:
        raise RuleViolation(f"Tipo di progetto non previsto dal bando per: {', '.join(unknown)}")


def _budget(bando: Bando, lot: Lot) -> LotBudget:
    quotas = tuple(
        QuotaBudget(q.code, q.prop, q.reserved_cents(lot.budget_cents))
        for q in bando.lots.quotas
        if (q.lot or IMPLICIT) == lot.code
    )
    return LotBudget(lot.code, lot.budget_cents, quotas)


def offer_cents(bando: Bando, lot: Lot, candidate: Candidate) -> int:
    """What the walk offers: the amount asked, within the lot's cap and the project type's."""
    cap = lot.cap_cents
    if candidate.project_type is not None:
        kind = next(t for t in bando.lots.project_types if t.code == candidate.project_type)
        cap = min(cap, kind.cap_cents)
    return min(candidate.requested_cents, cap)


def _entry(bando: Bando, lot: Lot, s: _Scored) -> Entry:
    c = s.candidate
    return Entry(
        c.protocol, lot.code, c.tax_code.strip().upper() or c.protocol, offer_cents(bando, lot, c), c.properties
    )


def _best_first(bando: Bando, ranked: Sequence[tuple[Lot, list[_Scored], Mapping[str, Any], Any]]) -> list[Entry]:
    """Every entry across lots by final points, then the call's tie chain, then lot order and position."""
    instant = submission_instant(bando)
    keyed: list[tuple[tuple[Any, ...], Entry]] = []
    for index, (lot, ordered, finals, _) in enumerate(ranked):
        for position, s in enumerate(ordered):
            if s.candidate.renounced:
                continue
            crit, total = finals[s.candidate.protocol]
            chain = [instant(s.candidate.submitted_at) if r == TIE_SUBMISSION else -crit[r] for r in bando.tie_chain]
            keyed.append(((-total, *chain, index, position), _entry(bando, lot, s)))
    keyed.sort(key=lambda pair: pair[0])
    return [e for _, e in keyed]


def _with_lot(bando: Bando, row: Row, lot: Lot, note: str | None) -> Row:
    return replace(row, lot=lot.code if bando.lots.lots else None, funding_note=note)


def _unranked_rows(bando: Bando, unranked: Sequence[tuple[Lot, _Scored]]) -> list[Row]:
    """Below a threshold (best raw total first), not yet scored, excluded: lot by lot within each outcome."""
    order = {lot.code: i for i, lot in enumerate(lots_of(bando))}
    below = sorted(
        ((lot, s) for lot, s in unranked if not s.candidate.excluded and not s.unscored),
        key=lambda p: (order[p[0].code], -p[1].total_raw, p[1].candidate.protocol),
    )
    rows = [(lot, s, RankingStatus.NOT_ADMITTED) for lot, s in below]
    rows += [(lot, s, RankingStatus.NOT_SCORED) for lot, s in unranked if s.unscored]
    rows += [(lot, s, RankingStatus.EXCLUDED) for lot, s in unranked if s.candidate.excluded]
    return [
        _with_lot(bando, _row(s, None, s.criteria_raw, s.total_raw, status, 0, None), lot, None)
        for lot, s, status in rows
    ]


def _ranking(
    bando: Bando,
    pool: Sequence[Candidate],
    rows: list[Row],
    allocation: LotAllocation,
    lots: Sequence[Lot],
    used_draws: Sequence[tuple[frozenset[str], tuple[str, ...]]],
) -> Ranking:
    outcomes = {o.code: o for o in allocation.lots}
    summaries = tuple(
        LotSummary(
            code=lot.code,
            name=lot.name,
            budget_cents=lot.budget_cents,
            cap_cents=lot.cap_cents,
            quota_reserved_cents=outcomes[lot.code].quota_reserved_cents,
            quota_used_cents=outcomes[lot.code].quota_used_cents,
            allocated_cents=outcomes[lot.code].allocated_cents,
            received_cents=outcomes[lot.code].received_cents,
            remaining_cents=outcomes[lot.code].remaining_cents,
            ranked=sum(1 for r in rows if (r.lot or IMPLICIT) == lot.code and r.position is not None),
            funded=sum(1 for r in rows if (r.lot or IMPLICIT) == lot.code and r.status.funded),
        )
        for lot in lots
    )
    allocated = sum(o.allocated_cents for o in allocation.lots)
    funded = [i for i, r in enumerate(rows) if r.status.funded]
    subscores = {r.protocol: r.subscores for r in rows}
    warnings = RankingWarnings(
        bando, [(c.protocol, subscores[c.protocol], c.expected_scorers) for c in pool if not c.excluded]
    )
    tie_groups = _tie_groups(rows)
    reasons = blocking_reasons(warnings.blocking, tie_groups)
    return Ranking(
        bando_code=bando.code,
        rows=tuple(rows),
        budget_cents=bando.budget_cents,
        allocated_cents=allocated,
        remaining_cents=bando.budget_cents - allocated,
        funding_line=funded[-1] + 1 if funded else 0,
        warnings=warnings,
        unresolved_ties=tie_groups,
        can_be_final=not reasons,
        reasons=tuple(reasons),
        parameters={**parameters(bando, used_draws), "lots": lot_parameters(bando)},
        lots=summaries if bando.lots.lots else (),
        redistribution=Redistribution(bando.lots.residual_rule, allocation.pool_cents, allocation.redistributed_cents)
        if bando.lots.lots
        else None,
    )


def lot_parameters(bando: Bando) -> dict[str, Any]:
    """The lot rules that produced the ranking, hashed into its fingerprint with the others."""
    rules = bando.lots
    return {
        "lots": [
            {
                "code": lot.code,
                "budget": str(from_cents(lot.budget_cents)),
                "cap": str(from_cents(lot.cap_cents)),
                "total_threshold": None
                if lot_view(bando, lot).total_threshold is None
                else str(lot_view(bando, lot).total_threshold),
                "thresholds": {
                    c.code: None if c.threshold is None else str(c.threshold) for c in lot_view(bando, lot).criteria
                },
            }
            for lot in lots_of(bando)
        ],
        "quotas": [
            {
                "code": q.code,
                "lot": q.lot,
                "property": q.prop,
                "percent": None if q.percent is None else str(q.percent),
                "amount": None if q.amount_cents is None else str(from_cents(q.amount_cents)),
            }
            for q in rules.quotas
        ],
        "project_types": {t.code: str(from_cents(t.cap_cents)) for t in rules.project_types},
        "max_funded_per_applicant": rules.max_funded_per_applicant,
        "residual_rule": rules.residual_rule,
    }
