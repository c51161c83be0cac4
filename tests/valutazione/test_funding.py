"""The funding walk (docs/regole.md § 11): rigida, salta, parziale, the cap, money in cents."""

from __future__ import annotations

import pytest

from valutazione.ranking.funding import allocate
from valutazione.ranking.status import RankingStatus

FUNDED, PARTIALLY_FUNDED, NOT_FUNDED = RankingStatus.FUNDED, RankingStatus.PARTIALLY_FUNDED, RankingStatus.NOT_FUNDED

EURO = 100
K = 1_000 * EURO


@pytest.mark.parametrize(
    ("rule", "grants", "allocated"),
    [
        ("parziale", [100 * K] * 11 + [28_100 * EURO], 1_128_100 * EURO),
        ("rigida", [100 * K] * 11 + [0], 1_100_000 * EURO),
        ("salta", [100 * K] * 11 + [0], 1_100_000 * EURO),
    ],
)
def test_domain_example_twelve_projects(rule: str, grants: list[int], allocated: int) -> None:
    """€ 1.128.100, twelve asking € 100.000: eleven funded; the twelfth gets € 28.100 only under parziale."""
    requests = [(f"P{i:02}", 100 * K) for i in range(1, 13)]
    result = allocate(rule, 1_128_100 * EURO, 100 * K, requests)
    assert [cents for _, cents, _ in result.grants] == grants
    assert result.allocated_cents == allocated
    assert result.remaining_cents == 1_128_100 * EURO - allocated


@pytest.mark.parametrize(
    ("rule", "grants", "outcomes"),
    [
        ("parziale", [60 * K, 40 * K, 0], [FUNDED, PARTIALLY_FUNDED, NOT_FUNDED]),
        ("rigida", [60 * K, 0, 0], [FUNDED, NOT_FUNDED, NOT_FUNDED]),
        ("salta", [60 * K, 0, 30 * K], [FUNDED, NOT_FUNDED, FUNDED]),
    ],
)
def test_the_three_rules_differ(rule: str, grants: list[int], outcomes: list[str]) -> None:
    """Budget 100k, asks 60k·50k·30k: parziale gives 40k then stops, rigida stops, salta skips to the 30k."""
    result = allocate(rule, 100 * K, 100 * K, [("P1", 60 * K), ("P2", 50 * K), ("P3", 30 * K)])
    assert [cents for _, cents, _ in result.grants] == grants
    assert [outcome for _, _, outcome in result.grants] == outcomes


@pytest.mark.parametrize("rule", ["parziale", "rigida", "salta"])
def test_requests_above_the_cap_are_capped(rule: str) -> None:
    """Each application is offered min(requested, cap), never more than the call's cap."""
    result = allocate(rule, 200 * K, 50 * K, [("P1", 80 * K), ("P2", 30 * K)])
    assert [cents for _, cents, _ in result.grants] == [50 * K, 30 * K]


def test_partial_rule_with_nothing_left_funds_nobody_partially() -> None:
    """When the budget is exactly used up, the next application is on the reserve list, not funded with € 0."""
    result = allocate("parziale", 100 * K, 100 * K, [("P1", 100 * K), ("P2", 10 * K)])
    assert result.grants[1] == ("P2", 0, NOT_FUNDED)
    assert result.remaining_cents == 0


def test_walk_keeps_the_order_and_looks_up_grants() -> None:
    """Grants come back in walk order, one per application, with a lookup by protocol."""
    result = allocate("salta", 100 * K, 100 * K, [("B", 70 * K), ("A", 50 * K), ("C", 20 * K)])
    assert [p for p, _, _ in result.grants] == ["B", "A", "C"]
    assert result.grant_of("C") == 20 * K
    with pytest.raises(KeyError):
        result.grant_of("Z")


@pytest.mark.parametrize(
    ("rule", "budget", "requests"),
    [("tutto", 100, [("P", 1)]), ("parziale", -1, [("P", 1)]), ("parziale", 100, [("P", -5)])],
)
def test_invalid_input_is_refused(rule: str, budget: int, requests: list[tuple[str, int]]) -> None:
    """An unknown rule, a negative budget or a negative request is a programming error, not a grant."""
    with pytest.raises(ValueError):
        allocate(rule, budget, 100, requests)
