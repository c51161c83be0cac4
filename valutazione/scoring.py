"""From the members' marks to the collegial points of one sub-criterion.

Pure functions over frozen dataclasses: no database, no I/O, so every scoring rule of docs/regole.md §§ 5-9 is testable
with a table of numbers. Values stay exact (``Decimal`` marks, ``Fraction`` means) and are rounded once,
with the call's rule, on the final points of each sub-criterion: rounding the mean first would change
the result (0,7 · 0,8 · 0,8 on 10 points is 7,67, not 7,70).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from fractions import Fraction
from functools import lru_cache

from valutazione.bando import Bando, SubCriterion
from valutazione.errors import RuleViolation

COEFFICIENTS = "coefficienti"
POINTS = "punti"
PAIRWISE_SUM = "confronto_somma"
PAIRWISE_MEAN = "confronto_media"


@dataclass(frozen=True, slots=True)
class SubScore:
    """How the points of one sub-criterion came from the members' marks, for the GUI and the minutes.

    ``coefficients`` holds each member's mark, sorted by member: a coefficient 0..1 (``coefficienti``),
    direct points (``punti``) or, for a pairwise comparison, the member's sum of degrees. ``mean`` is
    the collegial value: the mean coefficient, the mean points, or the pairwise coefficient, which is the
    sum of all members' sums over ``divisor`` (``confronto_somma``) or the mean of each member's sum over
    that member's entry in ``member_divisors`` (``confronto_media``). ``points_exact`` is before the call's
    rounding, ``points`` after it.
    """

    code: str
    maximum: Decimal
    coefficients: tuple[tuple[str, Decimal], ...]
    mean: Fraction
    points_exact: Fraction
    points: Decimal
    method: str = COEFFICIENTS
    divisor: Decimal | None = None
    member_divisors: tuple[tuple[str, Decimal], ...] = ()

    @property
    def members(self) -> tuple[str, ...]:
        return tuple(member for member, _ in self.coefficients)

    def far_apart(self, limit: Decimal) -> bool:
        """Whether ``spread()`` is positive and at least ``limit``: the ranking's spread warning.

        Asked for every sub-score of a ranking, so it compares the extreme marks as Decimals and
        computes the exact spread once per distinct (lowest, highest) pair rather than once per call.
        """
        if len(self.coefficients) < 2 or self.method in (PAIRWISE_SUM, PAIRWISE_MEAN):
            return False
        try:
            values = [v for _, v in self.coefficients]
            low, high = min(values), max(values)
        except (InvalidOperation, TypeError):
            spread = self.spread()  # a NaN mark: fails exactly as spread() always did
            return spread > 0 and spread >= limit
        return low != high and _far_apart(self.method == POINTS, self.maximum, low, high, limit)

    def spread(self) -> Fraction:
        """Distance between the highest and the lowest mark, as a share of the 0..1 scale.

        Direct points are divided by the maximum so that one threshold (``Bando.spread_warning``) fits
        both methods; pairwise sums are not marks on a scale, so they have no spread.
        """
        if len(self.coefficients) < 2 or self.method in (PAIRWISE_SUM, PAIRWISE_MEAN):
            return Fraction(0)
        try:
            # Decimals compare exactly, so the extremes can be found without building a Fraction per
            # mark; the few distinct (lowest, highest) pairs of a call are converted once each.
            values = [v for _, v in self.coefficients]
            return _spread(self.method == POINTS, self.maximum, min(values), max(values))
        except (InvalidOperation, TypeError):
            # A NaN mark (only in a hand-built SubScore: validation refuses it) fails as it always did.
            fractions = [Fraction(v) for _, v in self.coefficients]
            spread = max(fractions) - min(fractions)
            return spread / Fraction(self.maximum) if self.method == POINTS else spread


@lru_cache(maxsize=4096)
def _spread(points: bool, maximum: Decimal, low: Decimal, high: Decimal) -> Fraction:
    spread = Fraction(high) - Fraction(low)
    return spread / Fraction(maximum) if points else spread


@lru_cache(maxsize=4096)
def _far_apart(points: bool, maximum: Decimal, low: Decimal, high: Decimal, limit: Decimal) -> bool:
    spread = _spread(points, maximum, low, high)
    return spread > 0 and spread >= limit


def format_it(value: Decimal | Fraction) -> str:
    """A number the Italian way for messages (``0,75``); Fractions are shown to four decimals."""
    if isinstance(value, Fraction):
        value = (Decimal(value.numerator) / Decimal(value.denominator)).quantize(Decimal("0.0001")).normalize()
    text = format(value, "f")
    return text.replace(".", ",")


def subcriterion_or_error(bando: Bando, sub_code: str) -> SubCriterion:
    """The sub-criterion, or a user-facing error: a code from an import file may be mistyped."""
    sub = bando.subcriteria_by_code.get(sub_code)
    if sub is None:
        raise RuleViolation(f"Il sottocriterio {sub_code} non è previsto dal bando {bando.code}")
    return sub


def is_pairwise(bando: Bando, sub_code: str) -> bool:
    """Whether the sub-criterion is judged by pairwise comparison (set per criterion by the call)."""
    return bando.criterion_of(sub_code).pairwise is not None


def validate_value(bando: Bando, sub_code: str, value: Decimal) -> None:
    """Refuses a member's mark the call does not allow, with a message naming the value and the code.

    Services call this before storing a mark, and ``score_subcriterion`` calls it again, so a bad value
    typed on paper and imported later cannot reach the ranking.
    """
    sub = subcriterion_or_error(bando, sub_code)
    if is_pairwise(bando, sub_code):
        raise RuleViolation(f"Il sottocriterio {sub_code} si valuta con il confronto a coppie, non con un voto")
    if not isinstance(value, Decimal) or not value.is_finite():
        raise RuleViolation(f"Il valore {value!r} per {sub_code} non è un numero valido")
    shown = format_it(value)
    if bando.method == COEFFICIENTS:
        if all(step.value != value for step in bando.scale):
            raise RuleViolation(f"Il coefficiente {shown} non è nella scala del bando per {sub_code}")
        return
    if value < 0:
        raise RuleViolation(f"Il punteggio {shown} per {sub_code} non può essere negativo")
    if value > sub.maximum:
        raise RuleViolation(f"Il punteggio {shown} supera il massimo di {format_it(sub.maximum)} per {sub_code}")
    if value % bando.points_step != 0:
        raise RuleViolation(
            f"Il punteggio {shown} non rispetta il passo di {format_it(bando.points_step)} per {sub_code}"
        )


def exact_mean(values: Iterable[Decimal | Fraction]) -> Fraction:
    """Exact arithmetic mean; zero for no values (an application nobody scored yet scores nothing)."""
    items = [Fraction(v) for v in values]
    if not items:
        return Fraction(0)
    return sum(items, Fraction(0)) / len(items)


@dataclass
class _Memo:
    """What one call's rules have already settled: marks found valid, and collegial results.

    A ranking scores hundreds of thousands of marks drawn from a handful of values (the scale's six
    coefficients, or points on a step), so re-validating each and redoing the exact ``Fraction``
    arithmetic per sub-criterion was most of its time. Both depend only on the values (``Decimal``
    equality, so ``0.8`` and ``0.80`` share an entry), never on who gave them, so remembering them is
    exact: the results, and the fingerprint, are the same as computing afresh.
    """

    valid: dict[str, set[Decimal]] = field(default_factory=dict)
    results: dict[tuple[str, tuple[Decimal, ...]], tuple[Fraction, Fraction, Decimal]] = field(default_factory=dict)


_MEMO_LIMIT = 20_000  # distinct (sub-criterion, marks) results kept: a few MB even with direct points


def score_subcriterion(bando: Bando, sub_code: str, marks: Mapping[str, Decimal]) -> SubScore:
    """Collegial points of one sub-criterion from ``{member: mark}`` of the members who scored it.

    Coefficients: mean × the sub-criterion's maximum. Direct points: the mean itself. Members in
    conflict are simply absent from ``marks``: the mean uses only those who scored. For many
    applications under the same rules, hold one ``SubScorer`` instead: it remembers what it settled.
    """
    return SubScorer(bando).score(sub_code, marks)


class SubScorer:
    """``score_subcriterion`` for the many applications of one ranking, under one call's rules.

    Every mark is checked against the rules (``validate_value`` the first time a value is seen for a
    sub-criterion, a set lookup after that), so a bad value imported from paper cannot reach the
    ranking; the exact mean and rounded points are computed once per distinct set of marks.

    The memo belongs to this object, which its caller creates for one computation and drops after it
    (``build_ranking`` makes one per ranking): no state outlives the caller, none is shared between
    threads, and a change to the rules can never meet results remembered under the old ones.
    """

    __slots__ = ("_bando", "_memo", "_coefficients")

    def __init__(self, bando: Bando) -> None:
        self._bando = bando
        self._memo = _Memo()
        self._coefficients = bando.method == COEFFICIENTS

    def score(self, sub_code: str, marks: Mapping[str, Decimal]) -> SubScore:
        bando = self._bando
        sub = subcriterion_or_error(bando, sub_code)
        memo = self._memo
        valid = memo.valid.get(sub_code)
        if valid is None:
            valid = memo.valid[sub_code] = set()
        for value in marks.values():
            try:
                if type(value) is Decimal and value in valid:
                    continue
            except TypeError:  # a signalling NaN cannot be hashed: validate_value refuses it below
                pass
            validate_value(bando, sub_code, value)
            valid.add(value)
        key = (sub_code, tuple(sorted(marks.values())))
        found = memo.results.get(key)
        if found is None:
            if len(memo.results) >= _MEMO_LIMIT:
                memo.results.clear()
            mean = exact_mean(key[1])
            exact = mean * Fraction(sub.maximum) if self._coefficients else mean
            found = memo.results[key] = (mean, exact, bando.round(exact))
        return SubScore(sub_code, sub.maximum, tuple(sorted(marks.items())), *found, bando.method)


def points_from_coefficient(bando: Bando, sub_code: str, coefficient: Fraction) -> Decimal:
    """Rounded points for a collegial coefficient 0..1 (used for pairwise results)."""
    sub = subcriterion_or_error(bando, sub_code)
    return bando.round(coefficient * Fraction(sub.maximum))
