"""The funding walk of a call divided into lots: reserved quotas, the walk per lot, at most N funded per
applicant, then the call's rule for the money a lot does not use.

Pure money on frozen entries (int cents), apart from the ranking, so that each rule can be checked on a
table of numbers. The order of the steps is the rule (docs/regole.md § 19):

1. every reserved quota, lot by lot in the call's order: the applications of the lot that have the
   quota's property, in ranking order, are funded from the reserve; a quota never grants a partial
   amount (under ``parziale`` the first that does not fit ends the quota's walk and competes in the lot);
2. every lot, in the call's order: the call's funding rule on its applications not yet funded, with the
   lot's budget less what its quotas used (what a quota leaves returns to the lot);
   throughout 1-2 an application whose applicant already has N funded applications is passed over;
3. the leftovers of all lots form a pool: ``nessuna`` leaves them where they are; ``lotto:X`` gives the
   pool to lot X, whose walk is done again with the extra money; ``pro_rata`` divides the pool among the
   lots that still have eligible applications not fully funded, in proportion to their budgets (cents
   left over by the division go to the largest remainders, then to the earlier lot), and each walks again;
   ``migliori_non_finanziate`` walks the applications not fully funded across all lots in the order the
   ranking gives (points, then the tie chain), topping each up to its offer.

Walking a lot again with more money never takes money from an application funded the first time (each
one funded earlier still fits), so redistribution only adds grants.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from valutazione.bando import FUNDING_RULES
from valutazione.ranking.status import RankingStatus

NOTE_QUOTA = "quota:"
NOTE_RESIDUAL = "residui"
NOTE_APPLICANT_LIMIT = "limite_richiedente"


@dataclass(frozen=True)
class Entry:
    """One eligible, not renounced application as the walk sees it; ``offer_cents`` = min(asked, caps)."""

    protocol: str
    lot: str
    applicant: str
    offer_cents: int
    properties: frozenset[str] = frozenset()


@dataclass(frozen=True)
class QuotaBudget:
    code: str
    prop: str
    reserved_cents: int


@dataclass(frozen=True)
class LotBudget:
    code: str
    budget_cents: int
    quotas: tuple[QuotaBudget, ...] = ()


@dataclass(frozen=True)
class Grant:
    protocol: str
    cents: int
    status: RankingStatus
    note: str | None


@dataclass(frozen=True)
class LotOutcome:
    """Per lot: its own budget, what its quotas reserved and used, what it granted in all, what it got from
    the pool (``received``: granted beyond its own budget) and its own money left unused."""

    code: str
    budget_cents: int
    quota_reserved_cents: int
    quota_used_cents: int
    allocated_cents: int
    received_cents: int

    @property
    def remaining_cents(self) -> int:
        return max(0, self.budget_cents - self.allocated_cents)


@dataclass(frozen=True)
class LotAllocation:
    grants: tuple[Grant, ...]
    lots: tuple[LotOutcome, ...]
    pool_cents: int  # the lots' leftovers after their own walks
    redistributed_cents: int  # the part of the pool granted by the residual rule

    def grant(self, protocol: str) -> Grant:
        for g in self.grants:
            if g.protocol == protocol:
                return g
        raise KeyError(protocol)


class _Walker:
    """The state shared by every step: grants so far and how many funded applications each applicant has."""

    def __init__(self, rule: str, limit: int | None) -> None:
        if rule not in FUNDING_RULES:
            raise ValueError(f"regola di finanziamento sconosciuta: {rule}")
        self.rule = rule
        self.limit = limit
        self.cents: dict[str, int] = {}
        self.notes: dict[str, str] = {}
        self.funded: Counter[str] = Counter()

    def allowed(self, e: Entry) -> bool:
        if self.cents.get(e.protocol, 0) > 0 or self.limit is None or self.funded[e.applicant] < self.limit:
            return True
        self.notes.setdefault(e.protocol, NOTE_APPLICANT_LIMIT)
        return False

    def give(self, e: Entry, cents: int, note: str | None) -> None:
        if self.cents.get(e.protocol, 0) == 0:
            self.funded[e.applicant] += 1
        self.cents[e.protocol] = self.cents.get(e.protocol, 0) + cents
        if note is not None:
            self.notes[e.protocol] = note
        elif self.notes.get(e.protocol) == NOTE_APPLICANT_LIMIT:
            del self.notes[e.protocol]

    def take_back(self, entries: Sequence[Entry], protocols: set[str]) -> None:
        for e in entries:
            if e.protocol in protocols and self.cents.get(e.protocol, 0) > 0:
                self.funded[e.applicant] -= 1
                self.cents[e.protocol] = 0
                if self.notes.get(e.protocol) == NOTE_RESIDUAL:
                    del self.notes[e.protocol]

    def walk(self, rule: str, budget: int, entries: Sequence[Entry], note: str | None) -> int:
        """The call's rule down ``entries`` (each wanting what it still lacks); returns the cents used."""
        remaining = budget
        for e in entries:
            want = e.offer_cents - self.cents.get(e.protocol, 0)
            if want <= 0 or not self.allowed(e):
                continue
            if want <= remaining:
                self.give(e, want, note)
                remaining -= want
            elif rule == "salta":
                continue
            elif rule == "parziale" and remaining > 0:
                self.give(e, remaining, note)
                remaining = 0
                break
            else:
                break
        return budget - remaining


def allocate_lots(
    rule: str,
    lots: Sequence[LotBudget],
    walks: Mapping[str, Sequence[Entry]],
    *,
    max_per_applicant: int | None = None,
    residual_rule: str = "nessuna",
    best_first: Sequence[Entry] = (),
) -> LotAllocation:
    """The whole walk (steps 1-3 above). ``walks[lot]`` is the lot's ranking order; ``best_first`` is every
    entry in the cross-lot order ``migliori_non_finanziate`` uses."""
    w = _Walker(rule, max_per_applicant)
    quota_rule = "rigida" if rule == "parziale" else rule
    quota_used: dict[str, int] = {}
    for lot in lots:
        used = 0
        for q in lot.quotas:
            among = [e for e in walks.get(lot.code, ()) if q.prop in e.properties and e.protocol not in w.cents]
            used += w.walk(quota_rule, q.reserved_cents, among, NOTE_QUOTA + q.code)
        quota_used[lot.code] = used
    general_budget = {lot.code: lot.budget_cents - quota_used[lot.code] for lot in lots}
    general: dict[str, set[str]] = {}
    leftover: dict[str, int] = {}
    for lot in lots:
        todo = [e for e in walks.get(lot.code, ()) if e.protocol not in w.cents]
        general[lot.code] = {e.protocol for e in todo}
        leftover[lot.code] = general_budget[lot.code] - w.walk(rule, general_budget[lot.code], todo, None)
    pool = sum(leftover.values())
    redistributed = _redistribute(w, residual_rule, lots, walks, general, general_budget, leftover, best_first)
    return _result(w, lots, walks, quota_used, pool, redistributed)


def _redistribute(
    w: _Walker,
    residual_rule: str,
    lots: Sequence[LotBudget],
    walks: Mapping[str, Sequence[Entry]],
    general: Mapping[str, set[str]],
    general_budget: Mapping[str, int],
    leftover: Mapping[str, int],
    best_first: Sequence[Entry],
) -> int:
    pool = sum(leftover.values())
    if residual_rule == "nessuna" or pool == 0:
        return 0
    if residual_rule == "migliori_non_finanziate":
        return w.walk(w.rule, pool, best_first, NOTE_RESIDUAL)
    if residual_rule.startswith("lotto:"):
        shares = {residual_rule[len("lotto:") :]: pool}
    else:  # pro_rata
        wanting = [lot for lot in lots if any(_unmet(w, e) for e in walks.get(lot.code, ()))]
        shares = _pro_rata(pool, [(lot.code, lot.budget_cents) for lot in wanting])
    given = 0
    for code, share in shares.items():
        entries = [e for e in walks.get(code, ()) if e.protocol in general[code]]
        before = sum(w.cents.get(e.protocol, 0) for e in entries)
        first = {e.protocol: w.cents.get(e.protocol, 0) for e in entries}
        w.take_back(entries, set(general[code]))
        used = w.walk(w.rule, general_budget[code] - leftover[code] + share, entries, None)
        for e in entries:
            if w.cents.get(e.protocol, 0) > first[e.protocol]:
                w.notes[e.protocol] = NOTE_RESIDUAL
        given += used - before
    return given


def _unmet(w: _Walker, e: Entry) -> bool:
    if w.cents.get(e.protocol, 0) >= e.offer_cents:
        return False
    return w.cents.get(e.protocol, 0) > 0 or w.limit is None or w.funded[e.applicant] < w.limit


def _pro_rata(pool: int, budgets: Sequence[tuple[str, int]]) -> dict[str, int]:
    """``pool`` split in proportion to ``budgets`` in whole cents (largest remainder, then call order)."""
    total = sum(b for _, b in budgets)
    if total == 0:
        return {}
    shares = {code: pool * b // total for code, b in budgets}
    rest = pool - sum(shares.values())
    by_remainder = sorted(range(len(budgets)), key=lambda i: (-(pool * budgets[i][1] % total), i))
    for i in by_remainder[:rest]:
        shares[budgets[i][0]] += 1
    return shares


def _result(
    w: _Walker,
    lots: Sequence[LotBudget],
    walks: Mapping[str, Sequence[Entry]],
    quota_used: Mapping[str, int],
    pool: int,
    redistributed: int,
) -> LotAllocation:
    grants: list[Grant] = []
    outcomes: list[LotOutcome] = []
    for lot in lots:
        allocated = 0
        for e in walks.get(lot.code, ()):
            cents = w.cents.get(e.protocol, 0)
            allocated += cents
            if cents == 0:
                status = RankingStatus.NOT_FUNDED
            elif cents < e.offer_cents:
                status = RankingStatus.PARTIALLY_FUNDED
            else:
                status = RankingStatus.FUNDED
            grants.append(Grant(e.protocol, cents, status, w.notes.get(e.protocol)))
        reserved = sum(q.reserved_cents for q in lot.quotas)
        received = max(0, allocated - lot.budget_cents)
        outcomes.append(LotOutcome(lot.code, lot.budget_cents, reserved, quota_used[lot.code], allocated, received))
    return LotAllocation(tuple(grants), tuple(outcomes), pool, redistributed)
