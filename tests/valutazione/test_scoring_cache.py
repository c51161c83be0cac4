"""The ranking's caches (Bando lookups, validated marks, collegial results) never change a result."""

from __future__ import annotations

from dataclasses import replace
from decimal import Decimal
from fractions import Fraction

import pytest

from tests.valutazione.ranking_helpers import MILANO, grid_bando
from valutazione.bando import bando_from_json
from valutazione.errors import RuleViolation
from valutazione.scoring import POINTS, SubScore, score_subcriterion


def test_cached_lookups_leave_equality_hash_and_json_alone() -> None:
    """A Bando whose lookups were used equals, hashes and serialises like a fresh copy of itself."""
    fresh = bando_from_json(MILANO.to_json())
    used = bando_from_json(MILANO.to_json())
    assert used.subcriterion("A.1") is used.subcriteria_by_code["A.1"]
    assert used.criterion_of("A.1").code == "A"
    assert Decimal("0.80") in used.scale_values
    assert used == fresh and hash(used) == hash(fresh)
    assert used.to_json() == fresh.to_json()
    assert replace(used, title="altro").subcriterion("A.1") == used.subcriterion("A.1")
    with pytest.raises(KeyError):
        used.subcriterion("Z.9")


def test_a_remembered_value_is_still_refused_in_another_type() -> None:
    """A float equal to an accepted Decimal mark is refused as before: the cache checks the type too."""
    score_subcriterion(MILANO, "A.1", {"M1": Decimal("0.5")})
    with pytest.raises(RuleViolation):
        score_subcriterion(MILANO, "A.1", {"M1": 0.5})  # type: ignore[dict-item]
    with pytest.raises(RuleViolation):
        score_subcriterion(MILANO, "A.1", {"M1": Decimal("sNaN")})


def test_remembered_results_equal_fresh_ones_whatever_the_spelling() -> None:
    """0.8 and 0.80 share a cached mean; each sub-score still keeps the marks as they were given."""
    first = score_subcriterion(MILANO, "B.2", {"M1": Decimal("0.7"), "M2": Decimal("0.8"), "M3": Decimal("0.8")})
    second = score_subcriterion(MILANO, "B.2", {"M3": Decimal("0.70"), "M1": Decimal("0.80"), "M2": Decimal("0.8")})
    assert (first.mean, first.points_exact, first.points) == (second.mean, second.points_exact, second.points)
    assert first.points == Decimal("7.67")
    assert second.coefficients == (("M1", Decimal("0.80")), ("M2", Decimal("0.8")), ("M3", Decimal("0.70")))
    assert str(second.coefficients[0][1]) == "0.80"


def test_a_points_value_valid_for_one_subcriterion_is_checked_again_for_another() -> None:
    """Validity is remembered per sub-criterion: 31 points fit A.1 (max 35) but not C.1 (max 30)."""
    bando = grid_bando()
    score_subcriterion(bando, "A.1", {"M1": Decimal("31")})
    with pytest.raises(RuleViolation):
        score_subcriterion(bando, "C.1", {"M1": Decimal("31")})


@pytest.mark.parametrize(
    ("values", "method", "maximum", "limit"),
    [
        (("0.2", "0.5"), "coefficienti", "10", "0.3"),
        (("0.2", "0.4"), "coefficienti", "10", "0.3"),
        (("0.6", "0.6"), "coefficienti", "10", "0"),
        (("3", "6"), POINTS, "10", "0.3"),
        (("3", "5.5"), POINTS, "10", "0.3"),
        (("0.1",), "coefficienti", "10", "0"),
    ],
)
def test_far_apart_agrees_with_the_spread(values: tuple[str, ...], method: str, maximum: str, limit: str) -> None:
    """The warning's shortcut gives the same answer as spread() > 0 and spread() >= limit."""
    marks = tuple((f"M{i}", Decimal(v)) for i, v in enumerate(values))
    s = SubScore("X.1", Decimal(maximum), marks, Fraction(0), Fraction(0), Decimal(0), method)
    spread = s.spread()
    assert s.far_apart(Decimal(limit)) == (spread > 0 and spread >= Decimal(limit))


def test_scoring_keeps_no_module_level_memo() -> None:
    """The memo belongs to a SubScorer its caller holds: the module keeps no mutable state of its own."""
    from valutazione import scoring

    shared = [n for n, v in vars(scoring).items() if not n.startswith("__") and isinstance(v, dict | list | set)]
    assert shared == []
    first, second = scoring.SubScorer(MILANO), scoring.SubScorer(MILANO)
    assert first.score("A.1", {"M1": Decimal("0.5")}) == second.score("A.1", {"M1": Decimal("0.5")})
