"""The worked examples of docs/regole.md that no other test states, computed by the product's own engine."""

from __future__ import annotations

from decimal import Decimal as D
from fractions import Fraction

import pytest

from valutazione.bando import Bando, default_template, load_bando
from valutazione.pairwise import Comparison, pairwise_coefficients
from valutazione.ranking.funding import allocate
from valutazione.scoring import score_subcriterion

EURO = 100


@pytest.fixture(scope="module")
def milano() -> Bando:
    return load_bando(default_template())


def test_section_5_coefficients_example(milano: Bando) -> None:
    """§ 5: 0,8 · 0,7 · 0,9 on A.1 (15 points) is a mean of 0,8 and 12,00 points."""
    score = score_subcriterion(milano, "A.1", {"m1": D("0.8"), "m2": D("0.7"), "m3": D("0.9")})
    assert score.mean == Fraction(4, 5) and score.points == D("12.00")


@pytest.mark.parametrize(
    ("variant", "expected"),
    [
        ("somma", {"A": Fraction(1), "B": Fraction(1, 2), "C": Fraction(1, 12)}),
        ("media", {"A": Fraction(9, 10), "B": Fraction(9, 16), "C": Fraction(1, 16)}),
    ],
)
def test_section_6_pairwise_example(variant: str, expected: dict[str, Fraction]) -> None:
    """§ 6: the two members' comparisons of A, B, C give the coefficients the rule book prints, per variant."""
    comparisons = {
        "Componente 1": [
            Comparison("A", "B", "A", D(3)),
            Comparison("A", "C", "A", D(5)),
            Comparison("B", "C", None, D(1)),
        ],
        "Componente 2": [
            Comparison("A", "B", "B", D(2)),
            Comparison("A", "C", "A", D(4)),
            Comparison("B", "C", "B", D(3)),
        ],
    }
    assert pairwise_coefficients(variant, comparisons) == expected


def test_section_9_rounding_examples(milano: Bando) -> None:
    """§ 9: 0,7 · 0,8 · 0,8 on A.3 (8 points) is 6,1333… rounded to 6,13; 6,125 rounds half-up to 6,13."""
    score = score_subcriterion(milano, "A.3", {"m1": D("0.7"), "m2": D("0.8"), "m3": D("0.8")})
    assert score.points_exact == Fraction(92, 15) and score.points == D("6.13")
    assert milano.round(Fraction(49, 8)) == D("6.13")


def test_section_12_spread_example(milano: Bando) -> None:
    """§ 12: 0,9 · 0,8 · 0,5 on B.1 are 0,4 apart, at least the 0,3 that asks the committee to discuss."""
    score = score_subcriterion(milano, "B.1", {"m1": D("0.9"), "m2": D("0.8"), "m3": D("0.5")})
    assert score.far_apart(D("0.3"))
    assert not score_subcriterion(milano, "B.1", {"m1": D("0.9"), "m2": D("0.8"), "m3": D("0.7")}).far_apart(D("0.3"))


def test_section_13_sliding_example() -> None:
    """§ 13: after the third funded project renounces, the twelfth gets € 100.000 and € 28.100 stay unassigned."""
    budget, cap = 1_128_100 * EURO, 100_000 * EURO
    requests = [(f"P{i:02}", 100_000 * EURO) for i in range(1, 13)]
    before = allocate("parziale", budget, cap, requests)
    assert before.grant_of("P12") == 28_100 * EURO
    after = allocate("parziale", budget, cap, [r for r in requests if r[0] != "P03"])
    assert after.grant_of("P12") == 100_000 * EURO and after.remaining_cents == 28_100 * EURO
