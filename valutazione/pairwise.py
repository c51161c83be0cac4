"""Pairwise comparison (*confronto a coppie*): from the members' comparisons to one coefficient each.

For every pair of applications a member says which is better and by how much, on 1..6 with halves
(1 parity, 2 minimal ... 6 maximal). The preferred one gets the degree, on parity both get 1. The call
names the aggregation (``Criterion.pairwise``): ``somma`` (i) sums every member's points per application,
then divides by the largest sum; ``media`` (ii) divides each member's sums by that member's largest sum,
then averages the members. The coefficient is then used like a judgement coefficient. Kept apart from
``scoring`` because it is the only rule that needs all applications at once.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction
from itertools import combinations

from valutazione.bando import Bando
from valutazione.errors import RuleViolation
from valutazione.scoring import PAIRWISE_MEAN, PAIRWISE_SUM, SubScore, format_it, subcriterion_or_error

MIN_DEGREE = Decimal(1)
MAX_DEGREE = Decimal(6)
DEGREE_STEP = Decimal("0.5")


@dataclass(frozen=True)
class Comparison:
    """One member's judgement on one pair: ``preferred`` is ``a``, ``b`` or ``None`` for parity."""

    a: str
    b: str
    preferred: str | None
    degree: Decimal


def validate_comparison(member: str, comparison: Comparison) -> None:
    """Refuses a comparison the method does not allow; the message names the member and the pair."""
    c = comparison
    pair = f"{c.a} / {c.b}"
    if c.a == c.b:
        raise RuleViolation(f"{member}: una domanda non si confronta con sé stessa ({c.a})")
    if c.preferred is not None and c.preferred not in (c.a, c.b):
        raise RuleViolation(f"{member}: la preferita {c.preferred} non fa parte della coppia {pair}")
    degree = c.degree
    if not isinstance(degree, Decimal) or not degree.is_finite():
        raise RuleViolation(f"{member}: grado non valido per la coppia {pair}")
    if degree < MIN_DEGREE or degree > MAX_DEGREE or degree % DEGREE_STEP != 0:
        raise RuleViolation(f"{member}: il grado {format_it(degree)} per la coppia {pair} va da 1 a 6 (mezzi ammessi)")
    if c.preferred is None and degree != MIN_DEGREE:
        raise RuleViolation(f"{member}: la parità sulla coppia {pair} vale 1, non {format_it(degree)}")
    if c.preferred is not None and degree == MIN_DEGREE:
        raise RuleViolation(f"{member}: il grado 1 sulla coppia {pair} indica parità, senza preferita")


def member_sums(member: str, comparisons: Sequence[Comparison]) -> dict[str, Decimal]:
    """One member's points per application; every pair among the applications compared exactly once.

    A missing pair would silently lower an application's sum, so an incomplete set is refused.
    """
    sums: dict[str, Decimal] = {}
    seen: set[frozenset[str]] = set()
    for c in comparisons:
        validate_comparison(member, c)
        pair = frozenset((c.a, c.b))
        if pair in seen:
            raise RuleViolation(f"{member}: la coppia {c.a} / {c.b} è confrontata più di una volta")
        seen.add(pair)
        sums.setdefault(c.a, Decimal(0))
        sums.setdefault(c.b, Decimal(0))
        if c.preferred is None:
            sums[c.a] += MIN_DEGREE
            sums[c.b] += MIN_DEGREE
        else:
            sums[c.preferred] += c.degree
    for x, y in combinations(sorted(sums), 2):
        if frozenset((x, y)) not in seen:
            raise RuleViolation(f"{member}: manca il confronto tra {x} e {y}")
    return sums


def pairwise_coefficients(variant: str, comparisons: Mapping[str, Sequence[Comparison]]) -> dict[str, Fraction]:
    """Coefficient 0..1 per application from ``{member: comparisons}``, variant ``somma`` or ``media``."""
    sums = {m: member_sums(m, cs) for m, cs in comparisons.items() if cs}
    return {p: detail.mean for p, detail in _aggregate(variant, sums).items()}


@dataclass(frozen=True)
class _Detail:
    mean: Fraction
    divisor: Decimal | None
    member_divisors: tuple[tuple[str, Decimal], ...]


def _aggregate(variant: str, sums: Mapping[str, Mapping[str, Decimal]]) -> dict[str, _Detail]:
    protocols = sorted({p for s in sums.values() for p in s})
    if variant == "somma":
        coverage = {frozenset(s) for s in sums.values()}
        if len(coverage) > 1:
            raise RuleViolation(
                "Con il confronto a coppie nella variante «somma» tutti i commissari devono confrontare"
                " le stesse domande"
            )
        totals = {p: sum((s[p] for s in sums.values()), Decimal(0)) for p in protocols}
        top = max(totals.values(), default=Decimal(0))
        return {p: _Detail(Fraction(totals[p]) / Fraction(top), top, ()) for p in protocols}
    if variant == "media":
        tops = {m: max(s.values()) for m, s in sums.items()}
        result: dict[str, _Detail] = {}
        for p in protocols:
            members = sorted(m for m in sums if p in sums[m])
            shares = [Fraction(sums[m][p]) / Fraction(tops[m]) for m in members]
            mean = sum(shares, Fraction(0)) / len(shares)
            result[p] = _Detail(mean, None, tuple((m, tops[m]) for m in members))
        return result
    raise RuleViolation(f"Variante di confronto a coppie sconosciuta: {variant}")


def score_pairwise(bando: Bando, sub_code: str, comparisons: Mapping[str, Sequence[Comparison]]) -> dict[str, SubScore]:
    """Collegial points of one pairwise sub-criterion for every application compared, by protocol."""
    sub = subcriterion_or_error(bando, sub_code)
    variant = bando.criterion_of(sub_code).pairwise
    if variant is None:
        raise RuleViolation(f"Il sottocriterio {sub_code} non prevede il confronto a coppie")
    sums = {m: member_sums(m, cs) for m, cs in comparisons.items() if cs}
    method = PAIRWISE_SUM if variant == "somma" else PAIRWISE_MEAN
    scores: dict[str, SubScore] = {}
    for protocol, detail in _aggregate(variant, sums).items():
        exact = detail.mean * Fraction(sub.maximum)
        scores[protocol] = SubScore(
            code=sub_code,
            maximum=sub.maximum,
            coefficients=tuple((m, sums[m][protocol]) for m in sorted(sums) if protocol in sums[m]),
            mean=detail.mean,
            points_exact=exact,
            points=bando.round(exact),
            method=method,
            divisor=detail.divisor,
            member_divisors=detail.member_divisors,
        )
    return scores
