"""Lots, reserved quotas, caps per project type, at most N per applicant, unused money (docs/regole.md § 19).

Every example is worked by hand in its docstring; the engine must reach the same cents.
"""

from __future__ import annotations

from dataclasses import replace
from decimal import Decimal
from typing import Any

import pytest

from tests.valutazione.ranking_helpers import candidate, grid_bando, points_marks
from valutazione.bando import Bando
from valutazione.bando_lotti import Lot, LotRules, ProjectType, ReservedQuota
from valutazione.errors import RuleViolation
from valutazione.ranking import Candidate, build_ranking

K = 100_000  # € 1.000 in cents


def lots_bando(lots: list[tuple[str, int]], *, rule: str = "rigida", cap: int = 100 * K, **rules: Any) -> Bando:
    """A direct-points call (A 35, B 35, C 30, no thresholds) divided into ``lots`` of (code, € thousands)."""
    built = tuple(Lot(code, f"Lotto {code}", k * K, min(cap, k * K)) for code, k in lots)
    budget = sum(lot.budget_cents for lot in built)
    return grid_bando(budget_cents=budget, cap_cents=cap, funding_rule=rule, lots=LotRules(lots=built, **rules))


def app(protocol: str, lot: str | None, points: int, asks_k: int, **extra: Any) -> Candidate:
    """An application with ``points`` on A (B and C zero) asking € ``asks_k`` thousand."""
    c = candidate(protocol, points_marks({"A": str(points), "B": "0", "C": "0"}), requested_cents=asks_k * K)
    return replace(c, lot=lot, tax_code=extra.pop("applicant", f"CF{protocol}"), **extra)


def grants(bando: Bando, pool: list[Candidate]) -> dict[str, int]:
    return {r.protocol: r.grant_cents // K for r in build_ranking(bando, pool).rows}


def test_quota_first_then_the_lot() -> None:
    """Lot € 100.000, 30 % (€ 30.000) reserved to «giovani»; P1 35 pts asks 40k, P2 30 giovani 25k,
    P3 25 giovani 20k, P4 20 pts 50k. Quota: P2 25k fits (5k left), P3 20k does not: the quota stops, uses
    25k. The lot walks with 100k − 25k = 75k: P1 40k (35k left), P3 20k (15k left), P4 50k does not fit:
    parziale gives P4 the 15k; rigida gives nothing. Grants: 40 · 25 · 20 · 15 (parziale)."""
    quota = ReservedQuota("GIO", "Giovani", "L1", "giovani", Decimal(30), None)
    pool = [
        app("P1", "L1", 35, 40),
        app("P2", "L1", 30, 25, properties=frozenset({"giovani"})),
        app("P3", "L1", 25, 20, properties=frozenset({"giovani"})),
        app("P4", "L1", 20, 50),
    ]
    partial = lots_bando([("L1", 100)], rule="parziale", cap=50 * K, quotas=(quota,))
    ranking = build_ranking(partial, pool)
    assert grants(partial, pool) == {"P1": 40, "P2": 25, "P3": 20, "P4": 15}
    assert [r.funding_note for r in ranking.rows] == [None, "quota:GIO", None, None]
    assert [r.status for r in ranking.rows] == ["finanziata", "finanziata", "finanziata", "finanziata_parzialmente"]
    (lot,) = ranking.lots
    assert (lot.quota_reserved_cents, lot.quota_used_cents, lot.allocated_cents) == (30 * K, 25 * K, 100 * K)
    strict = replace(partial, funding_rule="rigida")
    assert grants(strict, pool) == {"P1": 40, "P2": 25, "P3": 20, "P4": 0}
    assert build_ranking(strict, pool).lots[0].remaining_cents == 15 * K


def test_a_quota_never_funds_outside_it() -> None:
    """Quota € 30.000 to «giovani» in L1, but no application has the property: the whole € 60.000 of
    the lot goes down its ranking (P1 30k, P2 30k) and the quota uses nothing."""
    quota = ReservedQuota("GIO", "Giovani", "L1", "giovani", None, 30 * K)
    bando = lots_bando([("L1", 60)], cap=60 * K, quotas=(quota,))
    ranking = build_ranking(bando, [app("P1", "L1", 30, 30), app("P2", "L1", 20, 30)])
    assert [r.grant_cents for r in ranking.rows] == [30 * K, 30 * K]
    assert ranking.lots[0].quota_used_cents == 0 and all(r.funding_note is None for r in ranking.rows)


def test_rankings_are_per_lot() -> None:
    """Two lots rank apart: A1 (20 pts) is first of lot A even though B1 (30) and B2 (25) score more."""
    bando = lots_bando([("A", 50), ("B", 50)], cap=50 * K)
    ranking = build_ranking(bando, [app("B1", "B", 30, 10), app("A1", "A", 20, 10), app("B2", "B", 25, 10)])
    assert [(r.lot, r.position, r.protocol) for r in ranking.rows] == [("A", 1, "A1"), ("B", 1, "B1"), ("B", 2, "B2")]
    assert [r.protocol for r in ranking.lot_rows("B")] == ["B1", "B2"]


def test_cap_per_project_type() -> None:
    """Multi-area cap € 100.000, single-area € 40.000: a single-area project asking € 60.000 is offered
    € 40.000, a multi-area one asking € 90.000 gets € 90.000 (lot € 200.000, salta)."""
    kinds = (ProjectType("multi", "Più aree", 100 * K), ProjectType("singola", "Una sola area", 40 * K))
    bando = lots_bando([("L1", 200)], rule="salta", project_types=kinds)
    pool = [app("P1", "L1", 30, 60, project_type="singola"), app("P2", "L1", 20, 90, project_type="multi")]
    assert grants(bando, pool) == {"P1": 40, "P2": 90}
    with pytest.raises(RuleViolation, match="Tipo di progetto non previsto"):
        build_ranking(bando, [app("P3", "L1", 10, 10, project_type="tripla")])


def test_at_most_one_per_applicant() -> None:
    """N = 1. Applicant X leads lot A (A1) and lot B (B1); Y has B2. Lot A funds A1 (X's first); lot B
    passes over B1 (X already has one) and funds B2. Each lot € 50.000, asks € 50.000."""
    bando = lots_bando([("A", 50), ("B", 50)], cap=50 * K, max_funded_per_applicant=1)
    pool = [app("A1", "A", 30, 50, applicant="X"), app("B1", "B", 30, 50, applicant="X"), app("B2", "B", 20, 50)]
    ranking = build_ranking(bando, pool)
    assert grants(bando, pool) == {"A1": 50, "B1": 0, "B2": 50}
    assert ranking.row("B1").funding_note == "limite_richiedente"


def test_residui_to_a_named_lot() -> None:
    """rigida, A € 100.000: A1 50k, A2 50k funded, A3 20k finds nothing left. B € 60.000: B1 40k, 20k
    left. ``lotto:A``: the pool (€ 20.000) goes to A, whose walk with € 120.000 now funds A3 (20k).
    A granted € 120.000 (received € 20.000); the whole € 160.000 is used."""
    bando = lots_bando([("A", 100), ("B", 60)], cap=50 * K, residual_rule="lotto:A")
    pool = [app("A1", "A", 30, 50), app("A2", "A", 25, 50), app("A3", "A", 20, 20), app("B1", "B", 30, 40)]
    ranking = build_ranking(bando, pool)
    assert grants(bando, pool) == {"A1": 50, "A2": 50, "A3": 20, "B1": 40}
    assert ranking.row("A3").funding_note == "residui"
    a, b = ranking.lots
    assert (a.allocated_cents, a.received_cents, b.remaining_cents) == (120 * K, 20 * K, 20 * K)
    assert ranking.redistribution is not None
    assert (ranking.redistribution.pool_cents, ranking.redistribution.redistributed_cents) == (20 * K, 20 * K)
    assert ranking.remaining_cents == 0


def test_residui_pro_rata() -> None:
    """rigida. A € 100k: A1 60k funded, A2 50k does not fit (40k left). B € 100k: B1 70k, B2 40k does not
    fit (30k left). C € 50k: C1 20k, nothing else (30k left). Pool 40 + 30 + 30 = € 100.000, to the lots
    with applications still unfunded, A and B, by budget 100:100 → 50k each. A walks with 60 + 50 = 110k:
    A1 60, A2 50. B with 70 + 50 = 120k: B1 70, B2 40 (10k unused). Redistributed 50 + 40 = € 90.000."""
    bando = lots_bando([("A", 100), ("B", 100), ("C", 50)], residual_rule="pro_rata")
    pool = [
        app("A1", "A", 30, 60),
        app("A2", "A", 20, 50),
        app("B1", "B", 30, 70),
        app("B2", "B", 20, 40),
        app("C1", "C", 30, 20),
    ]
    ranking = build_ranking(bando, pool)
    assert grants(bando, pool) == {"A1": 60, "A2": 50, "B1": 70, "B2": 40, "C1": 20}
    assert ranking.redistribution is not None and ranking.redistribution.redistributed_cents == 90 * K
    assert [lot.allocated_cents // K for lot in ranking.lots] == [110, 110, 20]
    assert ranking.allocated_cents == 240 * K and ranking.remaining_cents == 10 * K


def test_residui_to_the_best_unfunded() -> None:
    """rigida. A € 100k: A1 (35 pts) 80k, A2 (25 pts) 50k does not fit (20k left). B € 100k: B1 (30) 50k,
    B2 (10) 60k does not fit (50k left). Pool € 70.000 down the best unfunded across lots: A2 25 pts first
    (50k fits, 20k left), B2 10 pts wants 60k: rigida stops. A granted 130k (received 30k)."""
    bando = lots_bando([("A", 100), ("B", 100)], residual_rule="migliori_non_finanziate")
    pool = [app("A1", "A", 35, 80), app("A2", "A", 25, 50), app("B1", "B", 30, 50), app("B2", "B", 10, 60)]
    ranking = build_ranking(bando, pool)
    assert grants(bando, pool) == {"A1": 80, "A2": 50, "B1": 50, "B2": 0}
    assert ranking.lots[0].received_cents == 30 * K
    assert ranking.redistribution is not None
    assert (ranking.redistribution.pool_cents, ranking.redistribution.redistributed_cents) == (70 * K, 50 * K)


def test_lot_thresholds_are_its_own() -> None:
    """Lot B sets its total threshold at 25 (the call has none): B2 with 20 points is «non ammessa» there,
    while A2 with 20 points in lot A is ranked."""
    bando = lots_bando([("A", 50), ("B", 50)], cap=50 * K)
    own = replace(bando.lots.lots[1], total_threshold=Decimal(25))
    bando = replace(bando, lots=replace(bando.lots, lots=(bando.lots.lots[0], own)))
    ranking = build_ranking(bando, [app("A2", "A", 20, 10), app("B2", "B", 20, 10)])
    assert (ranking.row("A2").status, ranking.row("B2").status) == ("finanziata", "non_ammessa")


def test_an_application_without_a_lot_is_refused() -> None:
    """In a call divided into lots every application to rank names its lot; the message lists which do not."""
    bando = lots_bando([("A", 50)], cap=50 * K)
    with pytest.raises(RuleViolation, match="P9"):
        build_ranking(bando, [app("P1", "A", 20, 10), app("P9", None, 20, 10)])


def test_lot_rankings_have_their_own_fingerprint_parameters() -> None:
    """The lot rules are hashed with the ranking: changing a lot's budget changes the fingerprint."""
    bando = lots_bando([("A", 50), ("B", 50)], cap=50 * K)
    pool = [app("A1", "A", 20, 10)]
    other = lots_bando([("A", 60), ("B", 40)], cap=40 * K)
    assert build_ranking(bando, pool).fingerprint() != build_ranking(other, pool).fingerprint()
    assert build_ranking(bando, pool).parameters["lots"]["residual_rule"] == "nessuna"
