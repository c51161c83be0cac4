"""The funding walk: down the ranking of eligible applications, granting money while the budget lasts.

Kept apart from the ranking because it is the one rule that decides money, and it must be checkable on
its own: grants never exceed the cap nor the budget, whatever the order and the amounts. Money is int
cents throughout.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from valutazione.bando import FUNDING_RULES
from valutazione.ranking.status import RankingStatus

FUNDED, PARTIALLY_FUNDED, NOT_FUNDED = RankingStatus.FUNDED, RankingStatus.PARTIALLY_FUNDED, RankingStatus.NOT_FUNDED


@dataclass(frozen=True)
class Allocation:
    """The walk's result: ``grants`` in walk order as ``(protocol, cents, outcome)``."""

    grants: tuple[tuple[str, int, RankingStatus], ...]
    budget_cents: int
    allocated_cents: int

    @property
    def remaining_cents(self) -> int:
        return self.budget_cents - self.allocated_cents

    def grant_of(self, protocol: str) -> int:
        for p, cents, _ in self.grants:
            if p == protocol:
                return cents
        raise KeyError(protocol)


def allocate(rule: str, budget_cents: int, cap_cents: int, requests: Sequence[tuple[str, int]]) -> Allocation:
    """Walks ``requests`` (protocol, requested cents) in ranking order under the call's rule.

    Each application is offered min(requested, cap). ``rigida``: stop at the first that does not fit.
    ``salta``: skip those that do not fit and go on. ``parziale``: the first that does not fit gets what
    is left, then stop; if nothing is left it is simply not funded.
    """
    if rule not in FUNDING_RULES:
        raise ValueError(f"regola di finanziamento sconosciuta: {rule}")
    if budget_cents < 0 or cap_cents < 0:
        raise ValueError("budget e contributo massimo non possono essere negativi")
    remaining = budget_cents
    stopped = False
    grants: list[tuple[str, int, RankingStatus]] = []
    for protocol, requested in requests:
        if requested < 0:
            raise ValueError(f"importo richiesto negativo per {protocol}")
        want = min(requested, cap_cents)
        if stopped:
            grants.append((protocol, 0, NOT_FUNDED))
        elif want <= remaining:
            remaining -= want
            grants.append((protocol, want, FUNDED))
        elif rule == "salta":
            grants.append((protocol, 0, NOT_FUNDED))
        elif rule == "parziale" and remaining > 0:
            grants.append((protocol, remaining, PARTIALLY_FUNDED))
            remaining = 0
            stopped = True
        else:
            grants.append((protocol, 0, NOT_FUNDED))
            stopped = True
    return Allocation(tuple(grants), budget_cents, budget_cents - remaining)
