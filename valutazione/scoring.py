"""From the members' marks to the collegial points of one sub-criterion.

Pure functions over frozen dataclasses: no database, no I/O, so every rule of DOMAIN.md §4 is testable
with a table of numbers. Values stay exact (``Decimal`` marks, ``Fraction`` means) and are rounded once,
with the call's rule, on the final points of each sub-criterion: rounding the mean first would change
the result (0,7 · 0,8 · 0,8 on 10 points is 7,67, not 7,70).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction

from valutazione.bando import Bando, SubCriterion
from valutazione.errors import RuleViolation

COEFFICIENTS = "coefficienti"
POINTS = "punti"
PAIRWISE_SUM = "confronto_somma"
PAIRWISE_MEAN = "confronto_media"


@dataclass(frozen=True)
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

    def spread(self) -> Fraction:
        """Distance between the highest and the lowest mark, as a share of the 0..1 scale.

        Direct points are divided by the maximum so that one threshold (``Bando.spread_warning``) fits
        both methods; pairwise sums are not marks on a scale, so they have no spread.
        """
        if len(self.coefficients) < 2 or self.method in (PAIRWISE_SUM, PAIRWISE_MEAN):
            return Fraction(0)
        values = [Fraction(v) for _, v in self.coefficients]
        spread = max(values) - min(values)
        return spread / Fraction(self.maximum) if self.method == POINTS else spread


def format_it(value: Decimal | Fraction) -> str:
    """A number the Italian way for messages (``0,75``); Fractions are shown to four decimals."""
    if isinstance(value, Fraction):
        value = (
            (Decimal(value.numerator) / Decimal(value.denominator)).quantize(Decimal("0.0001")).normalize()
        )
    text = format(value, "f")
    return text.replace(".", ",")


def subcriterion_or_error(bando: Bando, sub_code: str) -> SubCriterion:
    """The sub-criterion, or a user-facing error: a code from an import file may be mistyped."""
    try:
        return bando.subcriterion(sub_code)
    except KeyError:
        raise RuleViolation(f"Il sottocriterio {sub_code} non è previsto dal bando {bando.code}") from None


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
        raise RuleViolation(
            f"Il sottocriterio {sub_code} si valuta con il confronto a coppie, non con un voto"
        )
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
        raise RuleViolation(
            f"Il punteggio {shown} supera il massimo di {format_it(sub.maximum)} per {sub_code}"
        )
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


def score_subcriterion(bando: Bando, sub_code: str, marks: Mapping[str, Decimal]) -> SubScore:
    """Collegial points of one sub-criterion from ``{member: mark}`` of the members who scored it.

    Coefficients: mean × the sub-criterion's maximum. Direct points: the mean itself. Members in
    conflict are simply absent from ``marks``: the mean uses only those who scored.
    """
    sub = subcriterion_or_error(bando, sub_code)
    for value in marks.values():
        validate_value(bando, sub_code, value)
    ordered = tuple(sorted(marks.items()))
    mean = exact_mean(v for _, v in ordered)
    exact = mean * Fraction(sub.maximum) if bando.method == COEFFICIENTS else mean
    return SubScore(
        code=sub_code,
        maximum=sub.maximum,
        coefficients=ordered,
        mean=mean,
        points_exact=exact,
        points=bando.round(exact),
        method=bando.method,
    )


def points_from_coefficient(bando: Bando, sub_code: str, coefficient: Fraction) -> Decimal:
    """Rounded points for a collegial coefficient 0..1 (used for pairwise results)."""
    sub = subcriterion_or_error(bando, sub_code)
    return bando.round(coefficient * Fraction(sub.maximum))
