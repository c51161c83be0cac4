"""Pairwise comparison (confronto a coppie, docs/regole.md § 6): degrees, parity, the two aggregation variants."""

from __future__ import annotations

from dataclasses import replace
from decimal import Decimal
from fractions import Fraction

import pytest

from tests.valutazione.ranking_helpers import MEMBERS, MILANO, candidate
from valutazione.bando import Bando
from valutazione.errors import RuleViolation
from valutazione.pairwise import Comparison, member_sums, pairwise_coefficients, score_pairwise
from valutazione.ranking import build_ranking


def cmp(a: str, b: str, preferred: str | None, degree: str) -> Comparison:
    return Comparison(a, b, preferred, Decimal(degree))


# Member 1 prefers X clearly; member 2 prefers Y: the two variants then disagree.
FIRST = [cmp("X", "Y", "X", "3"), cmp("X", "Z", "X", "5"), cmp("Y", "Z", None, "1")]
SECOND = [cmp("X", "Y", "Y", "2"), cmp("X", "Z", None, "1"), cmp("Y", "Z", "Y", "4")]


def pairwise_bando(variant: str) -> Bando:
    return replace(MILANO, criteria=(replace(MILANO.criteria[0], pairwise=variant), *MILANO.criteria[1:]))


def test_preferred_gets_the_degree_and_parity_gives_one_each() -> None:
    """The preferred application gets the degree, the other nothing; on parity both get 1."""
    assert member_sums("M1", FIRST) == {"X": Decimal(8), "Y": Decimal(1), "Z": Decimal(1)}
    assert member_sums("M2", SECOND) == {"X": Decimal(1), "Y": Decimal(6), "Z": Decimal(1)}


@pytest.mark.parametrize(
    ("variant", "expected"),
    [
        ("somma", {"X": Fraction(1), "Y": Fraction(7, 9), "Z": Fraction(2, 9)}),
        ("media", {"X": Fraction(7, 12), "Y": Fraction(9, 16), "Z": Fraction(7, 48)}),
    ],
)
def test_aggregation_variants(variant: str, expected: dict[str, Fraction]) -> None:
    """(i) somma: all members' sums over the largest; (ii) media: each member over their largest, averaged."""
    assert pairwise_coefficients(variant, {"M1": FIRST, "M2": SECOND}) == expected


def test_half_degrees_are_allowed() -> None:
    """Degrees go from 1 to 6 with halves."""
    sums = member_sums("M1", [cmp("X", "Y", "Y", "2.5")])
    assert sums == {"X": Decimal(0), "Y": Decimal("2.5")}


@pytest.mark.parametrize(
    ("comparison", "message"),
    [
        (cmp("X", "Y", "X", "6.5"), "va da 1 a 6"),
        (cmp("X", "Y", "X", "2.25"), "va da 1 a 6"),
        (cmp("X", "Y", "X", "0.5"), "va da 1 a 6"),
        (cmp("X", "Y", None, "3"), "la parità sulla coppia X / Y vale 1"),
        (cmp("X", "Y", "X", "1"), "il grado 1 sulla coppia X / Y indica parità"),
        (cmp("X", "Y", "W", "2"), "la preferita W non fa parte della coppia"),
        (cmp("X", "X", None, "1"), "non si confronta con sé stessa"),
    ],
)
def test_invalid_comparisons_are_refused(comparison: Comparison, message: str) -> None:
    """A degree off the 1..6 scale, a parity with a degree, a stranger preferred: refused, naming the member."""
    with pytest.raises(RuleViolation, match=message) as info:
        member_sums("Rossi", [comparison])
    assert str(info.value).startswith("Rossi: ")


def test_missing_and_repeated_pairs_are_refused() -> None:
    """Every pair exactly once: a missing pair would silently lower an application's sum."""
    with pytest.raises(RuleViolation, match="manca il confronto tra Y e Z"):
        member_sums("M1", FIRST[:2])
    with pytest.raises(RuleViolation, match="più di una volta"):
        member_sums("M1", [*FIRST, cmp("Y", "X", None, "1")])


def test_sum_variant_needs_the_same_applications_for_every_member() -> None:
    """Variant somma adds members' sums, which is only fair if everyone compared the same applications."""
    with pytest.raises(RuleViolation, match="stesse domande"):
        pairwise_coefficients("somma", {"M1": FIRST, "M2": [cmp("X", "Y", "X", "2")]})


def test_mean_variant_averages_over_members_who_compared() -> None:
    """Variant media averages each application over the members who compared it (conflicts abstain)."""
    result = pairwise_coefficients("media", {"M1": FIRST, "M2": [cmp("X", "Y", "Y", "2")]})
    assert result["Z"] == Fraction(1, 8)
    assert result["X"] == Fraction(1, 2)


def test_score_pairwise_explains_the_points() -> None:
    """The SubScore keeps each member's sum and the divisor, so the GUI can show how the points came."""
    scores = score_pairwise(pairwise_bando("somma"), "A.1", {"M1": FIRST, "M2": SECOND})
    y = scores["Y"]
    assert y.coefficients == (("M1", Decimal(1)), ("M2", Decimal(6)))
    assert (y.divisor, y.mean, y.points) == (Decimal(9), Fraction(7, 9), Decimal("11.67"))
    media = score_pairwise(pairwise_bando("media"), "A.1", {"M1": FIRST, "M2": SECOND})["Y"]
    assert media.member_divisors == (("M1", Decimal(8)), ("M2", Decimal(6)))
    assert media.points == Decimal("8.44")


def test_pairwise_feeds_the_ranking() -> None:
    """A pairwise criterion's points in the ranking come from the comparisons, the rest from the marks."""
    bando = pairwise_bando("somma")
    marks = {m: {s.code: Decimal("0.8") for c in bando.criteria[1:] for s in c.subcriteria} for m in MEMBERS}
    comparisons = {code: {"M1": FIRST, "M2": SECOND} for code in ("A.1", "A.2", "A.3")}
    pool = [candidate(p, marks, hours=i) for i, p in enumerate("XYZ")]
    ranking = build_ranking(bando, pool, comparisons=comparisons)
    assert ranking.row("X").raw("A") == Decimal("35.00")
    assert ranking.row("Y").raw("A") == Decimal("27.22")  # 11,67 + 9,33 + 6,22
    assert ranking.row("Y").subscore("A.1").points == Decimal("11.67")
    assert ranking.row("Z").raw("A") == Decimal("7.78")  # 3,33 + 2,67 + 1,78
    assert [r.protocol for r in ranking.rows] == ["X", "Y", "Z"]
    assert ranking.row("Z").status == "non_ammessa"
