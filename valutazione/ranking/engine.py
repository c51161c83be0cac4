"""The collegial ranking (*graduatoria*): points, thresholds, re-scaling, ties, funding line.

One pure function, ``build_ranking``, from the call's rules and frozen ``Candidate`` records to a
frozen ``Ranking``. The order of the steps is the law's, not a convenience: thresholds are checked on
the raw points *before* any re-scaling, so re-scaling can never let a below-threshold application in;
re-scaling is computed among the eligible applications only (renounced ones included, so that sliding the
ranking never changes anybody's points); ties go through the call's chain, then a recorded public draw,
and otherwise stay flagged as unresolved, which blocks the final ranking.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime
from decimal import Decimal
from fractions import Fraction
from itertools import groupby
from operator import itemgetter
from typing import Any

from valutazione.bando import TIE_SUBMISSION, Bando
from valutazione.errors import RuleViolation
from valutazione.money import from_cents
from valutazione.pairwise import Comparison, score_pairwise
from valutazione.ranking.funding import allocate
from valutazione.ranking.records import (
    TOTAL,
    Ranking,
    RankingWarning,
    Row,
    ThresholdFailure,
    TieGroup,
)
from valutazione.ranking.status import RankingStatus
from valutazione.ranking.warnings import BLOCKING, RankingWarnings
from valutazione.scoring import (
    PAIRWISE_MEAN,
    PAIRWISE_SUM,
    SubScore,
    SubScorer,
    subcriterion_or_error,
)
from valutazione.sheet_columns import SheetColumns

__all__ = ["Candidate", "build_ranking", "parameters", "rescale", "slide"]

Draws = Mapping[frozenset[str], tuple[str, ...]]
PairwiseInput = Mapping[str, Mapping[str, Sequence[Comparison]]]
_member = itemgetter(0)  # of a (member, mark) pair


@dataclass(frozen=True, slots=True)  # one per application: lighter to build, hold and free
class Candidate:
    """One application as the ranking needs it.

    ``marks`` is ``{member: {sub_code: value}}`` for the members who scored (never those in conflict);
    ``expected_scorers`` is how many should have, to detect a missing sheet. ``excluded`` covers formal
    exclusion and non-receivability; ``renounced`` covers renunciation and revocation, which keep the
    application's place but skip it in the funding walk.
    """

    protocol: str
    applicant: str
    tax_code: str
    title: str
    submitted_at: datetime
    requested_cents: int
    marks: Mapping[str, Mapping[str, Decimal]] = field(default_factory=dict)
    expected_scorers: int = 0
    excluded: bool = False
    renounced: bool = False
    lot: str | None = None  # the lot's code, in a call divided into lots
    project_type: str | None = None  # the code of a project type with its own cap
    properties: frozenset[str] = frozenset()  # the yes/no properties reserved quotas look at, when yes

    def __post_init__(self) -> None:
        if self.submitted_at.tzinfo is None or self.submitted_at.utcoffset() is None:
            raise ValueError(f"{self.protocol}: la data di invio deve avere il fuso orario")
        if self.requested_cents < 0:
            raise ValueError(f"{self.protocol}: importo richiesto negativo")
        if self.expected_scorers < 0:
            raise ValueError(f"{self.protocol}: numero di valutatori attesi negativo")


@dataclass(frozen=True, slots=True)
class _Scored:
    candidate: Candidate
    subscores: Sequence[SubScore]  # a SheetColumns when every member marked everything
    criteria_raw: dict[str, Decimal]
    total_raw: Decimal
    failures: tuple[ThresholdFailure, ...]
    scorers: tuple[str, ...]  # members who marked at least one sub-criterion, sorted
    eligible: bool  # ranked: not excluded, scored by someone, every threshold passed

    @property
    def unscored(self) -> bool:
        """No submitted mark at all: calling it *non ammessa* on zero points would be a false outcome."""
        return not self.candidate.excluded and not self.scorers


def rescale(values: Mapping[str, Decimal], maximum: Decimal, bando: Bando) -> dict[str, Decimal]:
    """*Riparametrazione*: the best gets ``maximum``, the others value × maximum / best, rounded by the call.

    With no positive best there is nothing to scale against, so the values are returned unchanged.
    """
    best = max(values.values(), default=Decimal(0))
    if best <= 0:
        return dict(values)
    # Thousands of applications share a few hundred distinct points: each distinct value is scaled once
    # (the result depends on the value only, so this is exact).
    scaled: dict[Decimal, Decimal] = {}
    factor = Fraction(maximum) / Fraction(best)
    result: dict[str, Decimal] = {}
    for k, v in values.items():
        found = scaled.get(v)
        if found is None:
            found = scaled[v] = bando.round(Fraction(v) * factor)
        result[k] = found
    return result


def build_ranking(
    bando: Bando,
    candidates: Iterable[Candidate],
    draws: Draws | None = None,
    comparisons: PairwiseInput | None = None,
) -> Ranking:
    """Computes the whole ranking; same inputs in any order give the same result and fingerprint.

    ``draws`` maps a group of tied protocols to the order drawn in public; it applies only to exactly
    that group, because a tie group that changed needs a new draw. ``comparisons`` is
    ``{sub_code: {member: [Comparison, ...]}}`` for the sub-criteria of pairwise criteria.
    """
    pool = sorted(candidates, key=lambda c: c.protocol)
    duplicates = sorted(p for p, n in Counter(c.protocol for c in pool).items() if n > 1)
    if duplicates:
        raise RuleViolation(f"Protocolli ripetuti nella graduatoria: {', '.join(duplicates)}")
    draws = _checked_draws(draws or {})
    pairwise = _pairwise_scores(bando, comparisons or {})
    scorer = SubScorer(bando)
    if bando.lots.active:
        # Imported here: the lot-aware ranking builds on this module's steps (scoring, points, order).
        from valutazione.ranking.lot_ranking import build_lot_ranking

        return build_lot_ranking(bando, pool, draws, pairwise, scorer)
    scored = _scored(bando, pool, pairwise, scorer)

    eligible = [s for s in scored if s.eligible]
    finals = _final_points(bando, eligible)
    ordered, ties, used_draws = _order(bando, eligible, finals, draws)

    walk = [(s.candidate.protocol, s.candidate.requested_cents) for s in ordered if not s.candidate.renounced]
    allocation = allocate(bando.funding_rule, bando.budget_cents, bando.cap_cents, walk)
    outcome = {p: (cents, status) for p, cents, status in allocation.grants}

    rows: list[Row] = []
    for position, s in enumerate(ordered, start=1):
        grant, status = outcome.get(s.candidate.protocol, (0, RankingStatus.RENOUNCED))
        crit, total = finals[s.candidate.protocol]
        rows.append(_row(s, position, crit, total, status, grant, ties.get(s.candidate.protocol)))
    not_admitted = sorted(
        (s for s in scored if not s.eligible and not s.candidate.excluded and not s.unscored),
        key=lambda s: (-s.total_raw, s.candidate.protocol),
    )
    unranked = [(s, RankingStatus.NOT_ADMITTED) for s in not_admitted]
    unranked += [(s, RankingStatus.NOT_SCORED) for s in scored if s.unscored]
    unranked += [(s, RankingStatus.EXCLUDED) for s in scored if s.candidate.excluded]
    rows += [_row(s, None, s.criteria_raw, s.total_raw, status, 0, None) for s, status in unranked]

    funded = [i for i, r in enumerate(rows) if r.status.funded]
    warnings = RankingWarnings(
        bando,
        [(s.candidate.protocol, s.subscores, s.candidate.expected_scorers) for s in scored if not s.candidate.excluded],
    )
    tie_groups = _tie_groups(rows)
    reasons = blocking_reasons(warnings.blocking, tie_groups)
    return Ranking(
        bando_code=bando.code,
        rows=tuple(rows),
        budget_cents=allocation.budget_cents,
        allocated_cents=allocation.allocated_cents,
        remaining_cents=allocation.remaining_cents,
        funding_line=funded[-1] + 1 if funded else 0,
        warnings=warnings,
        unresolved_ties=tie_groups,
        can_be_final=not reasons,
        reasons=tuple(reasons),
        parameters=parameters(bando, used_draws),
    )


def slide(
    bando: Bando,
    candidates: Iterable[Candidate],
    renounced: Iterable[str],
    draws: Draws | None = None,
    comparisons: PairwiseInput | None = None,
) -> Ranking:
    """*Scorrimento*: the ranking again with ``renounced`` protocols marked as renounced or revoked.

    Points and order do not change (re-scaling keeps renounced applications in its pool); only the
    funding walk skips them, so the freed money goes down the list.
    """
    gone = set(renounced)
    pool = list(candidates)
    unknown = gone - {c.protocol for c in pool}
    if unknown:
        raise RuleViolation(f"Protocolli sconosciuti per lo scorrimento: {', '.join(sorted(unknown))}")
    updated = [replace(c, renounced=True) if c.protocol in gone else c for c in pool]
    return build_ranking(bando, updated, draws, comparisons)


def _checked_draws(draws: Draws) -> dict[frozenset[str], tuple[str, ...]]:
    for group, order in draws.items():
        if len(group) < 2 or len(order) != len(group) or set(order) != group:
            raise RuleViolation(
                f"Il sorteggio registrato per {', '.join(sorted(group))} non elenca proprio quelle domande"
            )
    return dict(draws)


def _pairwise_scores(bando: Bando, comparisons: PairwiseInput) -> dict[str, dict[str, SubScore]]:
    for sub_code in comparisons:
        subcriterion_or_error(bando, sub_code)
    return {
        s.code: score_pairwise(bando, s.code, comparisons.get(s.code, {}))
        for c in bando.criteria
        if c.pairwise is not None
        for s in c.subcriteria
    }


def _scored(
    bando: Bando, pool: Sequence[Candidate], pairwise: Mapping[str, Mapping[str, SubScore]], scorer: SubScorer
) -> list[_Scored]:
    """Each candidate scored, in order; the first bad mark, in that order, is refused (``score_all``)."""
    marked = scorer.score_all([c.marks for c in pool])
    return [_score(bando, c, m, pairwise, scorer) for c, m in zip(pool, marked, strict=True)]


def _score(
    bando: Bando,
    c: Candidate,
    marked: Sequence[SubScore],
    pairwise: Mapping[str, Mapping[str, SubScore]],
    scorer: SubScorer,
) -> _Scored:
    """One candidate's points, thresholds and eligibility from its marks' sub-scores (``marked``)."""
    subscores: Sequence[SubScore]
    if isinstance(marked, SheetColumns) and not pairwise:  # the common case: no record built now
        subscores, points, scorers = marked, marked.points, marked.names
    else:
        subscores = _with_pairwise(bando, c, iter(marked), pairwise)
        points = tuple([s.points for s in subscores])
        scorers = tuple(sorted(set().union(*(map(_member, sub.coefficients) for sub in subscores))))
    zero = scorer.zero
    criteria = {code: sum(points[place], zero) for code, place in bando.criterion_places}
    total = sum(criteria.values(), zero)
    failures = [
        ThresholdFailure(code, criteria[code], threshold)
        for code, threshold in bando.criterion_thresholds
        if criteria[code] < threshold
    ]
    if bando.total_threshold is not None and total < bando.total_threshold:
        failures.append(ThresholdFailure(TOTAL, total, bando.total_threshold))
    eligible = not c.excluded and bool(scorers) and not failures
    return _Scored(c, subscores, criteria, total, tuple(failures), scorers, eligible)


def _with_pairwise(
    bando: Bando, c: Candidate, marked: Iterator[SubScore], pairwise: Mapping[str, Mapping[str, SubScore]]
) -> tuple[SubScore, ...]:
    """The sub-scores in the call's order: from marks where scored by marks, else from the comparisons."""
    subscores: list[SubScore] = []
    for criterion in bando.criteria:
        if criterion.pairwise is None:
            subscores += (next(marked) for _ in criterion.subcriteria)
        else:
            for sub in criterion.subcriteria:
                code = sub.code
                subscores.append(pairwise[code].get(c.protocol) or _unscored(bando, code, criterion.pairwise))
    return tuple(subscores)


def _unscored(bando: Bando, sub_code: str, variant: str) -> SubScore:
    sub = bando.subcriterion(sub_code)
    zero = Fraction(0)
    method = PAIRWISE_SUM if variant == "somma" else PAIRWISE_MEAN
    return SubScore(sub_code, sub.maximum, (), zero, zero, bando.round(zero), method)


def _final_points(bando: Bando, eligible: Sequence[_Scored]) -> dict[str, tuple[dict[str, Decimal], Decimal]]:
    """Points after the call's re-scaling, per eligible protocol: (criterion points, total).

    Without re-scaling they are the raw points themselves (the raw total is the same sum, from the
    same zero, in the same order), shared rather than copied: nothing changes them afterwards."""
    if bando.rescaling not in ("prima", "prima_e_seconda"):
        return {s.candidate.protocol: (s.criteria_raw, s.total_raw) for s in eligible}
    crit = {s.candidate.protocol: dict(s.criteria_raw) for s in eligible}
    for cr in bando.criteria:
        scaled = rescale({p: v[cr.code] for p, v in crit.items()}, cr.maximum, bando)
        for p, value in scaled.items():
            crit[p][cr.code] = value
    zero = bando.round(Fraction(0))
    totals = {p: sum(v.values(), zero) for p, v in crit.items()}
    if bando.rescaling == "prima_e_seconda":
        totals = rescale(totals, bando.max_total, bando)
    return {p: (crit[p], totals[p]) for p in crit}


def _order(
    bando: Bando,
    eligible: Sequence[_Scored],
    finals: Mapping[str, tuple[dict[str, Decimal], Decimal]],
    draws: Mapping[frozenset[str], tuple[str, ...]],
) -> tuple[list[_Scored], dict[str, str], list[tuple[frozenset[str], tuple[str, ...]]]]:
    """Total desc, then the tie chain, then a recorded draw; what remains equal is a flagged tie.

    Within a flagged tie the protocol fixes the display order only, so the result is deterministic.
    """

    submitted = submission_instant(bando)

    def key(s: _Scored) -> tuple[Any, ...]:
        crit, total = finals[s.candidate.protocol]
        parts: list[Any] = [-total]
        for rule in bando.tie_chain:
            parts.append(submitted(s.candidate.submitted_at) if rule == TIE_SUBMISSION else -crit[rule])
        return tuple(parts)

    ordered: list[_Scored] = []
    ties: dict[str, str] = {}
    used: list[tuple[frozenset[str], tuple[str, ...]]] = []
    flagged = 0  # tie groups flagged so far: T1, T2…
    keyed = sorted([(key(s), s.candidate.protocol, s) for s in eligible], key=_key_and_protocol)
    for _, grouped in groupby(keyed, key=_key):
        group = [s for _, _, s in grouped]
        if len(group) == 1:
            ordered += group
            continue
        members = frozenset(s.candidate.protocol for s in group)
        if members in draws:
            rank = {p: i for i, p in enumerate(draws[members])}
            group.sort(key=lambda s: rank[s.candidate.protocol])
            used.append((members, draws[members]))
        else:
            flagged += 1
            ties.update({p: f"T{flagged}" for p in members})
        ordered += group
    return ordered, ties, used


_key_and_protocol = itemgetter(0, 1)  # of a (sort key, protocol, scored) triple: total order, as before
_key = itemgetter(0)  # the same triple: what makes a tie


def submission_instant(bando: Bando) -> Callable[[datetime], datetime]:
    """The submission time as precise as the call's tie-break reads it (``precisione_invio``).

    Many protocol registers record only the minute: with ``minuto`` two submissions in the same minute
    are equal for the tie chain (and go to the draw), whatever seconds an import happened to carry.
    Every offset in use is a whole number of minutes, so truncating the aware time is zone-independent.
    """
    if bando.submission_precision == "minuto":
        return lambda t: t.replace(second=0, microsecond=0)
    return lambda t: t.replace(microsecond=0)


def blocking_reasons(warnings: Sequence[RankingWarning], tie_groups: Sequence[TieGroup]) -> list[str]:
    """Why a ranking cannot be approved yet: blocking warnings, then each tie only a public draw can settle.

    ``warnings`` may hold the others too (a stored version's list): only the blocking kinds are read."""
    reasons = [w.message for w in warnings if w.kind in BLOCKING]
    reasons += [f"Parità non risolta tra {', '.join(t.protocols)}: serve il sorteggio pubblico" for t in tie_groups]
    return reasons


def _tie_groups(rows: Sequence[Row]) -> tuple[TieGroup, ...]:
    groups: dict[str, list[str]] = {}
    for r in rows:
        if r.tie is not None:
            groups.setdefault(r.tie, []).append(r.protocol)
    return tuple(TieGroup(tie_id, tuple(protocols)) for tie_id, protocols in groups.items())


def _row(
    s: _Scored,
    position: int | None,
    criteria: Mapping[str, Decimal],
    total: Decimal,
    status: RankingStatus,
    grant: int,
    tie: str | None,
) -> Row:
    c = s.candidate
    return Row(
        position=position,
        protocol=c.protocol,
        applicant=c.applicant,
        tax_code=c.tax_code,
        title=c.title,
        submitted_at=c.submitted_at,
        requested_cents=c.requested_cents,
        criteria_raw=tuple(s.criteria_raw.items()),
        criteria_final=tuple(criteria.items()),
        total_raw=s.total_raw,
        total_final=total,
        subscores=s.subscores,
        status=status,
        grant_cents=grant,
        tie=tie,
        threshold_failures=s.failures,
        scorers=s.scorers,
    )


def parameters(bando: Bando, used_draws: Sequence[tuple[frozenset[str], tuple[str, ...]]] = ()) -> dict[str, Any]:
    """The rules that produced the ranking, printed with it and hashed into the fingerprint."""
    thresholds: dict[str, str | None] = {
        c.code: None if c.threshold is None else str(c.threshold) for c in bando.criteria
    }
    thresholds[TOTAL] = None if bando.total_threshold is None else str(bando.total_threshold)
    return {
        "bando": bando.code,
        "method": bando.method,
        "maxima": {c.code: str(c.maximum) for c in bando.criteria},
        "thresholds": thresholds,
        "thresholds_on": "punteggi grezzi, prima della riparametrazione",
        "rescaling": bando.rescaling,
        "rounding": bando.rounding_description,
        "rounding_places": bando.rounding_places,
        "rounding_mode": bando.rounding_mode,
        "tie_chain": list(bando.tie_chain),
        "funding_rule": bando.funding_rule,
        "budget": str(from_cents(bando.budget_cents)),
        "cap": str(from_cents(bando.cap_cents)),
        "quorum": bando.quorum,
        "spread_warning": str(bando.spread_warning),
        "pairwise": {c.code: c.pairwise for c in bando.criteria if c.pairwise is not None},
        "draws": sorted([sorted(group), list(order)] for group, order in used_draws),
    }
