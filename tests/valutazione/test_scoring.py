"""Sub-criterion points from the members' marks (docs/regole.md §§ 5 and 9: coefficients, direct points, rounding)."""

from __future__ import annotations

from dataclasses import replace
from decimal import Decimal
from fractions import Fraction

import pytest

from tests.valutazione.ranking_helpers import MILANO, grid_bando
from valutazione.bando import default_template, load_bando
from valutazione.errors import RuleViolation
from valutazione.scoring import (
    POINTS,
    exact_mean,
    format_it,
    points_from_coefficient,
    score_subcriterion,
    validate_value,
)


def marks(*values: str) -> dict[str, Decimal]:
    return {f"M{i}": Decimal(v) for i, v in enumerate(values, start=1)}


@pytest.mark.parametrize(
    ("sub_code", "values", "expected"),
    [
        ("A.1", ("0.8", "0.7", "0.9"), "12.00"),
        ("A.1", ("1.0", "1.0", "1.0"), "15.00"),
        ("A.1", ("0", "0", "0"), "0.00"),
        ("B.2", ("0.7", "0.8", "0.8"), "7.67"),
        ("A.3", ("0.7", "0.8", "0.8"), "6.13"),
        ("C.3", ("0.5", "0.6"), "3.30"),
        ("A.2", ("0.9",), "10.80"),
        ("A.1", ("0.1", "0.2", "0.2", "0.3", "1.0"), "5.40"),
    ],
)
def test_points_are_mean_coefficient_times_maximum(sub_code: str, values: tuple[str, ...], expected: str) -> None:
    """Sub-criterion points = mean of the members' coefficients × the maximum, rounded 2 places half-up."""
    score = score_subcriterion(MILANO, sub_code, marks(*values))
    assert score.points == Decimal(expected)
    assert str(score.points) == expected


def test_domain_example_explained() -> None:
    """DOMAIN §4 example: 0,8 · 0,7 · 0,9 on 15 points → mean 0,8 → 12,00, with every step kept for display."""
    score = score_subcriterion(
        MILANO, "A.1", {"Verdi": Decimal("0.9"), "Rossi": Decimal("0.8"), "Bianchi": Decimal("0.7")}
    )
    assert score.coefficients == (("Bianchi", Decimal("0.7")), ("Rossi", Decimal("0.8")), ("Verdi", Decimal("0.9")))
    assert score.mean == Fraction(4, 5)
    assert score.maximum == Decimal(15)
    assert score.points_exact == Fraction(12)
    assert score.points == Decimal("12.00")
    assert score.members == ("Bianchi", "Rossi", "Verdi")


def test_rounding_happens_once_at_the_end() -> None:
    """Only final points are rounded: 0,7·0,8·0,8 on 10 is 7,67, not 7,70 from a mean rounded to 0,77 first."""
    score = score_subcriterion(MILANO, "B.2", marks("0.7", "0.8", "0.8"))
    assert score.mean == Fraction(23, 30)
    assert score.points_exact == Fraction(23, 3)
    assert score.points == Decimal("7.67")


@pytest.mark.parametrize(("mode", "expected"), [("half_up", "11.3"), ("half_even", "11.2")])
def test_rounding_mode_is_the_calls(mode: str, expected: str) -> None:
    """The call's rounding rule applies: 0,75 × 15 = 11,25 at one decimal gives 11,3 half-up, 11,2 half-even."""
    bando = replace(MILANO, rounding_places=1, rounding_mode=mode)
    assert score_subcriterion(bando, "A.1", marks("0.7", "0.8")).points == Decimal(expected)


def test_members_in_conflict_are_simply_absent() -> None:
    """The mean uses only members who scored; no scorers yet gives zero points, never a division error."""
    assert score_subcriterion(MILANO, "A.1", marks("0.6", "0.8")).points == Decimal("10.50")
    empty = score_subcriterion(MILANO, "A.1", {})
    assert (empty.mean, empty.points) == (Fraction(0), Decimal("0.00"))


@pytest.mark.parametrize(
    ("values", "expected"),
    [(("20", "21", "22.5"), "21.17"), (("35", "35"), "35.00"), (("0",), "0.00"), (("10.5", "11"), "10.75")],
)
def test_direct_points_are_the_mean(values: tuple[str, ...], expected: str) -> None:
    """With direct points the sub-criterion points are the members' mean, rounded by the call."""
    score = score_subcriterion(grid_bando(), "A.1", marks(*values))
    assert score.method == POINTS
    assert score.points == Decimal(expected)


@pytest.mark.parametrize("value", ["1.0", "1", "0.80", "0.5", "0"])
def test_scale_values_are_accepted(value: str) -> None:
    """Any value of the call's scale is accepted, however it is spelled (0,80 is 0,8)."""
    validate_value(MILANO, "A.1", Decimal(value))


@pytest.mark.parametrize(
    ("sub_code", "value", "message"),
    [
        ("A.1", "0.75", "Il coefficiente 0,75 non è nella scala del bando per A.1"),
        ("B.3", "1.1", "Il coefficiente 1,1 non è nella scala del bando per B.3"),
        ("C.2", "-0.1", "Il coefficiente -0,1 non è nella scala del bando per C.2"),
        ("Z.9", "0.5", "Il sottocriterio Z.9 non è previsto dal bando MI3.3.1.e"),
    ],
)
def test_values_off_the_scale_are_refused(sub_code: str, value: str, message: str) -> None:
    """A coefficient not on the call's scale is refused with an Italian message naming value and code."""
    with pytest.raises(RuleViolation) as info:
        validate_value(MILANO, sub_code, Decimal(value))
    assert str(info.value) == message


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("35.5", "Il punteggio 35,5 supera il massimo di 35 per A.1"),
        ("-1", "Il punteggio -1 per A.1 non può essere negativo"),
        ("7.3", "Il punteggio 7,3 non rispetta il passo di 0,5 per A.1"),
        ("NaN", "Il valore Decimal('NaN') per A.1 non è un numero valido"),
    ],
)
def test_direct_points_out_of_range_or_step_are_refused(value: str, message: str) -> None:
    """Direct points must lie in 0..max and on the call's step."""
    with pytest.raises(RuleViolation) as info:
        validate_value(grid_bando(), "A.1", Decimal(value))
    assert str(info.value) == message


@pytest.mark.parametrize("value", ["0", "0.5", "17.5", "35"])
def test_direct_points_in_range_and_on_step_pass(value: str) -> None:
    """Direct points on the step within 0..max are accepted."""
    validate_value(grid_bando(), "A.1", Decimal(value))


def test_scoring_refuses_a_bad_mark() -> None:
    """Scoring validates too, so a bad value imported from paper cannot reach the ranking."""
    with pytest.raises(RuleViolation, match="0,75"):
        score_subcriterion(MILANO, "A.1", marks("0.8", "0.75"))


def test_marks_refused_on_pairwise_subcriteria() -> None:
    """A criterion judged by pairwise comparison takes no direct marks."""
    pairwise = replace(MILANO.criteria[0], pairwise="somma")
    bando = replace(MILANO, criteria=(pairwise, *MILANO.criteria[1:]))
    with pytest.raises(RuleViolation, match="confronto a coppie"):
        validate_value(bando, "A.1", Decimal("0.8"))


@pytest.mark.parametrize(
    ("values", "spread"),
    [(("0.5", "0.8"), Fraction(3, 10)), (("0.7", "0.7", "0.7"), Fraction(0)), (("0.9",), Fraction(0))],
)
def test_spread_is_on_the_coefficient_scale(values: tuple[str, ...], spread: Fraction) -> None:
    """The spread is max − min of the coefficients (the basis of the «scarto» warning)."""
    assert score_subcriterion(MILANO, "A.1", marks(*values)).spread() == spread


def test_spread_of_direct_points_is_relative_to_the_maximum() -> None:
    """Direct points are compared as a share of the maximum, so one threshold serves both methods."""
    assert score_subcriterion(grid_bando(), "A.1", marks("7", "21")).spread() == Fraction(2, 5)


@pytest.mark.parametrize(
    ("values", "expected"), [((), Fraction(0)), (("0.1", "0.2"), Fraction(3, 20)), (("1", "0", "0"), Fraction(1, 3))]
)
def test_exact_mean(values: tuple[str, ...], expected: Fraction) -> None:
    """The mean is exact (a Fraction), never a float."""
    assert exact_mean(Decimal(v) for v in values) == expected


def test_points_from_a_collegial_coefficient() -> None:
    """A pairwise coefficient becomes points like any coefficient: × maximum, then the call's rounding."""
    assert points_from_coefficient(MILANO, "A.1", Fraction(7, 9)) == Decimal("11.67")


@pytest.mark.parametrize(
    ("value", "text"),
    [
        (Decimal("0.75"), "0,75"),
        (Decimal("12.00"), "12,00"),
        (Fraction(2, 3), "0,6667"),
        (Decimal("1e21"), "1000000000000000000000"),
        (Decimal("1e999999999"), "1E+999999999"),  # spelled out: a gigabyte, from eleven characters of a file
        (Decimal("-1.5e-30"), "-1,5E-30"),
    ],
)
def test_format_it(value: Decimal | Fraction, text: str) -> None:
    """Messages show numbers with a decimal comma, as a committee writes them; far from the units, with the
    exponent (a hostile mark must not become a message of a gigabyte)."""
    assert format_it(value) == text


@pytest.mark.parametrize("text", ["1e-999999999", "1e-22", "0.5000000000000000000000000", "1e999999999"])
def test_a_mark_far_from_the_units_is_refused_under_points_too(text: str) -> None:
    """Under a points call «1e-999999999» passed the step's check (the remainder underflows to zero) and the
    exact mean then built a billion-digit denominator, a ranking that never ended; marks with more than
    21 digits before or after the comma are refused, quickly, naming the value with its exponent."""
    points = load_bando(default_template().with_name("milano-periferie-2018.toml"))
    assert points.method == POINTS
    with pytest.raises(RuleViolation, match="non è un voto|supera il massimo"):
        validate_value(points, "A.1", Decimal(text))
    validate_value(points, "A.1", Decimal("0.50"))
    validate_value(points, "A.1", Decimal("0E-999999999"))  # a zero written oddly is still zero
